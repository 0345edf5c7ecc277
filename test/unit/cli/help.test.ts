// `lvs-trace <command> --help` / `-h`: the usage of each sub-command, every option it
// accepts on a line of its own, the exit statuses; on stdout, exit 0. The options listed
// are checked against what the parser really accepts, so the help cannot drift from it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';
import { commands } from '../../../src/cli/registry';
import { repoRoot } from '../../helpers/env';
import { captureStdio } from '../../helpers/stdio';

/** Every quoted kebab-case word in src/cli: a superset of the option names any command may accept. */
function candidateOptionNames(): string[] {
  const words = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/['"`]-{0,2}([a-z][a-z0-9]*(?:-[a-z0-9]+)*)['"`=]/g)) words.add(m[1]);
    }
  };
  walk(path.join(repoRoot, 'src', 'cli'));
  return [...words].sort();
}

/** Whether `lvs-trace NAME --OPTION` gets past the parser (a command then fails for want of
 *  its other arguments, before it touches anything). */
async function accepts(name: string, option: string): Promise<boolean> {
  const cmd = commands.find((c) => c.name === name)!;
  let message = '';
  await captureStdio(async () => {
    try {
      return await cmd.run([`--${option}`]);
    } catch (e) {
      message = (e as Error).message;
      return 2;
    }
  });
  return !message.includes(`unknown option --${option}`);
}

describe('lvs-trace <command> --help', function () {
  this.timeout(60000);

  for (const c of commands) {
    it(`${c.name}: --help and -h print the usage on stdout, exit 0`, async function () {
      for (const flag of ['--help', '-h']) {
        const r = await captureStdio(() => main([c.name, flag]));
        assert.equal(r.code, 0, `${c.name} ${flag}: ${r.err}`);
        assert.equal(r.err, '', `${c.name} ${flag}`);
        assert.match(r.out, new RegExp(`^usage: lvs-trace ${c.name}\\b`), `${c.name} ${flag}`);
        assert.match(r.out, /^exit status:$/m, `${c.name} ${flag}: the exit statuses`);
        assert.match(r.out, /^ {2}0 /m);
        assert.match(r.out, /^ {2}2 /m);
      }
      // After other arguments too; but not as the value of an option, nor after `--`.
      const late = await captureStdio(() => main([c.name, 'x', '--help']));
      assert.equal(late.code, 0);
      assert.match(late.out, /^usage: /);
    });
  }

  it('lists every option each parser accepts, one per line, and only those', async function () {
    const candidates = candidateOptionNames();
    assert.ok(candidates.includes('connect-timeout') && candidates.includes('json'), candidates.join(' '));
    for (const c of commands) {
      const help = (await captureStdio(() => main([c.name, '--help']))).out;
      const listed = new Set([...help.matchAll(/^ {2}(?:-h, )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]));
      for (const option of candidates) {
        if (option === 'help') continue;
        const ok = await accepts(c.name, option);
        if (ok) assert.ok(listed.has(option), `${c.name} accepts --${option}, which its --help does not list:\n${help}`);
      }
      for (const option of listed) if (option !== 'help') assert.ok(await accepts(c.name, option), `${c.name} --help lists --${option}, which the parser refuses`);
    }
  });

  it('names the options the audit found undocumented', async function () {
    const expected: Record<string, string[]> = {
      capture: ['host', 'method', 'snaplen', 'vrrp', 'health-checks', 'connect-timeout', 'known-hosts', 'ssh-config', 'accept-new-host-keys', 'verbose'],
      check: ['timeout', 'connect-timeout'],
      probe: ['timeout', 'interval', 'payload', 'scheduler', 'sched-flags', 'capture-dir', 'keep-capture', 'load'],
    };
    for (const [name, options] of Object.entries(expected)) {
      const help = (await captureStdio(() => main([name, '--help']))).out;
      for (const o of options) assert.match(help, new RegExp(`^ {2}--${o}\\b`, 'm'), `${name} --${o}`);
    }
  });

  it('does not take a file called -h, or a value -h, for a request for help', async function () {
    const r = await captureStdio(() => main(['decode', '--', '-h']));
    assert.equal(r.code, 2);
    assert.match(r.err, /-h/);
    assert.doesNotMatch(r.out, /^usage/);
  });

  it('prints the command list to stderr when no command is given (exit 2), to stdout for --help (exit 0)', async function () {
    const none = await captureStdio(() => main([]));
    assert.equal(none.code, 2);
    assert.equal(none.out, '');
    assert.match(none.err, /^usage: lvs-trace <command>/);
    const help = await captureStdio(() => main(['--help']));
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: lvs-trace <command>/);
    assert.match(help.out, /lvs-trace <command> --help/);
  });
});
