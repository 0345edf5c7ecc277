import * as assert from 'node:assert/strict';
import { main } from '../../../src/cli/main';
import { commands } from '../../../src/cli/registry';
import { captureStdio } from '../../helpers/stdio';

const capture = captureStdio;

describe('lvs-trace dispatch', () => {
  it('registers every sub-command once', () => {
    const names = commands.map((c) => c.name).sort();
    assert.deepEqual(names, ['analyze', 'assemble', 'capture', 'check', 'decode', 'export', 'lint', 'probe']);
  });

  it('prints usage naming every command on --help, exit 0', async () => {
    const r = await capture(() => main(['--help']));
    assert.equal(r.code, 0);
    for (const c of commands) assert.match(r.out, new RegExp(`lvs-trace ${c.name}\\b`));
  });

  it('exits 2 with usage when no command is given', async () => {
    const r = await capture(() => main([]));
    assert.equal(r.code, 2);
  });

  it('names an unknown command and exits 2', async () => {
    const r = await capture(() => main(['frobnicate']));
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "frobnicate"/);
  });

  it('reports a bad option of a sub-command as an error, exit 2', async () => {
    const r = await capture(() => main(['decode', '--no-such-option', 'x.pcap']));
    assert.equal(r.code, 2);
    assert.match(r.err, /no-such-option/);
  });
});
