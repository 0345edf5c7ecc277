// Deciding on sudo for a user whose sudo needs a password (CommandHost.settleSudo), against
// a host whose `sudo` answers as Debian's sudo 1.9 does: a wrong password given without a
// terminal to ask again on is reported as wrong, not as missing; the message names how to
// give it (the caller's hint, e.g. the CLI's variable).
import * as assert from 'node:assert/strict';
import { CommandHost } from '../../../src/core/ssh/commandHost';
import type { ExecOptions, ExecResult } from '../../../src/core/ssh/remote';
import type { GetSecret, SecretRequest } from '../../../src/core/ssh/secrets';
import { secretHint } from '../../../src/cli/sshArgs';

class FakeSudoHost extends CommandHost {
  constructor(
    private readonly right: string,
    getSecret: GetSecret,
    readonly logged: string[] = [],
  ) {
    super('rs2', 'lvsuser', getSecret, (level, msg) => logged.push(`${level}: ${msg}`));
  }
  protected async run(argv: string[], opts: ExecOptions): Promise<ExecResult> {
    if (argv[0] === 'id') return { stdout: '1000\n', stderr: '', code: 0 };
    if (argv.join(' ') === 'sudo -n -l -- /usr/bin/tcpdump') return { stdout: '', stderr: 'sudo: a password is required\n', code: 1 };
    if (argv[0] === 'sudo' && argv[1] === '-S') {
      const given = String(opts.stdin ?? '').split('\n')[0];
      if (given === this.right) return { stdout: '/usr/bin/tcpdump\n', stderr: '', code: 0 };
      return { stdout: '', stderr: 'Sorry, try again.\nsudo: 1 incorrect password attempt\n', code: 1 };
    }
    return { stdout: '', stderr: 'unexpected', code: 127 };
  }
  async download(): Promise<void> {}
  async readRange(): Promise<Buffer> {
    return Buffer.alloc(0);
  }
  async close(): Promise<void> {}
}

/** Answers from a list, like the CLI without a terminal: the environment's value first, nothing on a retry. */
function secrets(answers: Array<string | undefined>, hint?: GetSecret['hint']): { getSecret: GetSecret; asked: SecretRequest[] } {
  const asked: SecretRequest[] = [];
  const getSecret: GetSecret = Object.assign(
    async (req: SecretRequest) => {
      asked.push(req);
      return answers.shift();
    },
    hint ? { hint } : {},
  );
  return { getSecret, asked };
}

describe('ssh/CommandHost: sudo with a password', function () {
  it('a wrong password and none to retry with (no terminal) is reported as refused, naming the variable', async function () {
    const { getSecret, asked } = secrets(['wrongpw', undefined], secretHint);
    const h = new FakeSudoHost('rightpw', getSecret);
    await assert.rejects(
      h.sudoWrap(['/usr/bin/tcpdump'], '/usr/bin/tcpdump'),
      (e: Error) => e.message === 'sudo on rs2 refused the password given for lvsuser (set LVS_TRACE_PASSWORD_RS2 or LVS_TRACE_PASSWORD)',
    );
    assert.deepEqual(asked.map((a) => [a.kind, a.retry]), [['sudo', false], ['sudo', true]]);
    assert.ok(!h.logged.some((l) => /^warn:/.test(l)), `no warning that repeats the error: ${h.logged.join(' | ')}`);
  });

  it('no password at all is reported as missing, with the CLI naming its variable instead of "store"', async function () {
    const cli = new FakeSudoHost('rightpw', secrets([undefined], secretHint).getSecret);
    await assert.rejects(
      cli.sudoWrap(['/usr/bin/tcpdump'], '/usr/bin/tcpdump'),
      (e: Error) => e.message === 'sudo on rs2 needs a password and none was given (set LVS_TRACE_PASSWORD_RS2 or LVS_TRACE_PASSWORD, or allow /usr/bin/tcpdump with NOPASSWD in sudoers)',
    );
    // Without a hint (the extension stores it): the default wording.
    const ext = new FakeSudoHost('rightpw', secrets([undefined]).getSecret);
    await assert.rejects(ext.sudoWrap(['/usr/bin/tcpdump'], '/usr/bin/tcpdump'), /none was given \(store the sudo password for lvsuser@rs2, or allow/);
  });

  it('a wrong password then the right one (a terminal to ask on) runs with the right one', async function () {
    const { getSecret, asked } = secrets(['wrongpw', 'rightpw'], secretHint);
    const h = new FakeSudoHost('rightpw', getSecret);
    const w = await h.sudoWrap(['/usr/bin/tcpdump', '-i', 'eth0'], '/usr/bin/tcpdump');
    assert.deepEqual(w.argv, ['sudo', '-S', '-p', '', '--', '/usr/bin/tcpdump', '-i', 'eth0']);
    assert.equal(w.stdin, 'rightpw\n');
    assert.equal(asked.length, 2);
  });
});
