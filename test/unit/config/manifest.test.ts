// The language contributions in package.json point at files that exist and agree
// with each other, and the grammars highlight the keywords the schema knows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BLOCKS } from '../../../src/core/config/keepalived/schema';
import { repoRoot } from '../../helpers/env';

interface Manifest {
  activationEvents: string[];
  contributes: {
    languages: Array<{ id: string; configuration: string; filenames?: string[]; filenamePatterns?: string[]; extensions?: string[] }>;
    grammars: Array<{ language: string; scopeName: string; path: string }>;
  };
}

describe('config languages in the manifest', function () {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;

  it('declares keepalived and ipvsadm with configuration, grammar and activation', function () {
    for (const id of ['keepalived', 'ipvsadm']) {
      const lang = pkg.contributes.languages.find((l) => l.id === id);
      assert.ok(lang, id);
      const conf = JSON.parse(fs.readFileSync(path.join(repoRoot, lang.configuration), 'utf8')) as { comments: { lineComment: string } };
      assert.equal(conf.comments.lineComment, '#');
      const grammar = pkg.contributes.grammars.find((g) => g.language === id);
      assert.ok(grammar, `grammar for ${id}`);
      const tm = JSON.parse(fs.readFileSync(path.join(repoRoot, grammar.path), 'utf8')) as { scopeName: string };
      assert.equal(tm.scopeName, grammar.scopeName);
      assert.ok(pkg.activationEvents.includes(`onLanguage:${id}`));
    }
    assert.ok(pkg.activationEvents.includes('onLanguage:shellscript'));
    const ka = pkg.contributes.languages.find((l) => l.id === 'keepalived');
    assert.ok(ka?.filenames?.includes('keepalived.conf') && ka.filenamePatterns?.some((p) => p.includes('keepalived/')));
  });

  it('the keepalived grammar highlights every keyword of the schema, and its patterns compile', function () {
    const text = fs.readFileSync(path.join(repoRoot, 'syntaxes', 'keepalived.tmLanguage.json'), 'utf8');
    const grammar = JSON.parse(text) as { repository: Record<string, { match?: string }> };
    const alternatives = `${grammar.repository.block.match}|${grammar.repository.keyword.match}`;
    // Keywords are regex-escaped in the grammar (`flag\\-1`).
    const missing = Object.values(BLOCKS).flatMap((b) => Object.keys(b.keywords)).filter((k) => !alternatives.includes(k.replace(/-/g, '\\-')));
    assert.deepEqual([...new Set(missing)], []);
    const walk = (o: unknown): void => {
      if (!o || typeof o !== 'object') return;
      for (const [k, v] of Object.entries(o)) {
        if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') assert.doesNotThrow(() => new RegExp(v.replace(/\(\?<[=!]/g, '(?:')), v);
        else walk(v);
      }
    };
    walk(grammar);
  });
});
