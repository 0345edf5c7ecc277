// Every finding code the cluster check and the probe can emit has its page in
// docs/findings (the Problems panel links to it).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../helpers/env';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('check and probe finding codes are documented', function () {
  it('has docs/findings/<code>.md for each code in src/core/check and src/core/probe', function () {
    const codes = new Set<string>();
    for (const f of [...sources(path.join(repoRoot, 'src/core/check')), ...sources(path.join(repoRoot, 'src/core/probe'))]) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/'((?:check|probe)-[a-z0-9-]+)'/g)) codes.add(m[1]);
    }
    assert.ok(codes.size >= 30, [...codes].join(' '));
    const missing = [...codes].filter((c) => !fs.existsSync(path.join(repoRoot, 'docs', 'findings', `${c}.md`)));
    assert.deepEqual(missing, []);
  });
});
