// tcpdump needs root. Order (DESIGN "Remote commands"): already root → no sudo;
// `sudo -n` (NOPASSWD); else the stored sudo password on stdin with `sudo -S -p ''`
// (no pty: a pty would corrupt binary output and merge stderr). sudo's messages are
// turned into sentences that say what is missing.

import { SshError } from './errors';
import type { ExecResult } from './remote';

export type SudoMode = 'root' | 'nopasswd' | 'password';

export type SudoProblem = 'needs-password' | 'wrong-password' | 'not-allowed' | 'needs-tty' | 'no-sudo' | undefined;

/** Reads sudo's stderr (and exit status) to tell why it did not run the command. */
export function classifySudoFailure(r: ExecResult): SudoProblem {
  const e = r.stderr;
  if (/a (terminal|password) is required|password is required/i.test(e)) return 'needs-password';
  if (/incorrect password|Sorry, try again|Authentication failure/i.test(e)) return 'wrong-password';
  if (/is not allowed to (execute|run)|not in the sudoers file|may not run sudo|is not allowed to/i.test(e))
    return 'not-allowed';
  if (/must have a tty/i.test(e)) return 'needs-tty';
  if (r.code === 127 && /sudo/.test(e)) return 'no-sudo';
  return undefined;
}

export function sudoPrefix(mode: SudoMode): string[] {
  if (mode === 'root') return [];
  if (mode === 'nopasswd') return ['sudo', '-n', '--'];
  return ['sudo', '-S', '-p', '', '--'];
}

/** `hint`: how to give the sudo password (the caller's way: a variable, a stored secret);
 *  by default "store the sudo password for USER@HOST". */
export function sudoError(problem: Exclude<SudoProblem, undefined>, host: string, user: string, program: string, hint?: string): SshError {
  const give = hint ?? `store the sudo password for ${user}@${host}`;
  const what = {
    'needs-password': `sudo on ${host} needs a password and none was given (${give}, or allow ${program} with NOPASSWD in sudoers)`,
    'wrong-password': `sudo on ${host} refused the password given for ${user}${hint ? ` (${hint})` : ''}`,
    'not-allowed': `${user} is not allowed to run ${program} via sudo on ${host} (add a sudoers rule for ${program}, or connect as a user who may)`,
    'needs-tty': `sudo on ${host} insists on a terminal (Defaults requiretty); allow ${program} for ${user} without requiretty`,
    'no-sudo': `sudo is not installed on ${host} and ${user} is not root`,
  }[problem];
  return new SshError('sudo', host, what);
}
