// Login users shared by every lab instance on the machine (users are not per
// namespace): root with the lab key, `lvsuser` (password; sudo asks for it) and
// `lvsnosudo` (no sudo rights). Created idempotently; removed when the last lab goes.
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import { run, sleep } from './shell';

export interface LabUser {
  name: string;
  password?: string;
  sudo: 'nopasswd' | 'password' | 'none';
}

export const SHARED_DIR = '/run/lvslab';
export const PASSWORD_FILE = `${SHARED_DIR}/users-password`;
const SUDOERS_FILE = '/etc/sudoers.d/lvslab';
const LOCK_DIR = `${SHARED_DIR}/users.lock`;
export const LAB_USERS = ['lvsuser', 'lvsnosudo'];

/** A lock across processes (mkdir is atomic); stale after 60 s; bounded wait. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(SHARED_DIR, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch {
      try {
        if (Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 60_000) fs.rmdirSync(LOCK_DIR);
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lab users lock ${LOCK_DIR}`);
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

async function userExists(name: string): Promise<boolean> {
  return (await run(['getent', 'passwd', name], { check: false })).code === 0;
}

export async function ensureUsers(): Promise<LabUser[]> {
  return withLock(async () => {
    let password: string;
    try {
      password = fs.readFileSync(PASSWORD_FILE, 'utf8').trim();
    } catch {
      password = 'Lab-' + crypto.randomBytes(12).toString('base64url');
      fs.writeFileSync(PASSWORD_FILE, password + '\n', { mode: 0o600 });
    }
    for (const name of LAB_USERS) {
      if (!(await userExists(name))) await run(['useradd', '--create-home', '--shell', '/bin/bash', '--comment', 'LVS lab user', name]);
    }
    // fed on stdin: the password never appears in a command line or a log
    await run(['chpasswd'], { input: LAB_USERS.map((u) => `${u}:${password}`).join('\n') + '\n' });
    const sudoers = '# LVS lab (test/lab/users.ts): lvsuser may sudo with its password; lvsnosudo may not.\nlvsuser ALL=(ALL:ALL) ALL\n';
    const tmp = `${SUDOERS_FILE}.tmp`;
    fs.writeFileSync(tmp, sudoers, { mode: 0o440 });
    await run(['visudo', '-cqf', tmp]);
    fs.renameSync(tmp, SUDOERS_FILE);
    return [
      { name: 'root', sudo: 'nopasswd' },
      { name: 'lvsuser', password, sudo: 'password' },
      { name: 'lvsnosudo', password, sudo: 'none' },
    ];
  });
}

/** Removes the users unless another lab instance (other than `instance`) is still up. */
export async function removeUsersIfLast(otherLabsAlive: () => boolean): Promise<void> {
  if (!fs.existsSync(SHARED_DIR) && !fs.existsSync(SUDOERS_FILE)) {
    // nothing of ours; still remove users a crashed run may have left
    for (const name of LAB_USERS) if (await userExists(name)) await run(['userdel', '--remove', name], { check: false });
    return;
  }
  await withLock(async () => {
    if (otherLabsAlive()) return;
    for (const name of LAB_USERS) {
      if (await userExists(name)) {
        // a lingering session would make userdel refuse; the lab's processes are gone by now
        await run(['userdel', '--remove', name], { check: false });
      }
    }
    fs.rmSync(SUDOERS_FILE, { force: true });
    fs.rmSync(PASSWORD_FILE, { force: true });
  });
  // last one out removes the shared directory (lock released above)
  if (!otherLabsAlive()) fs.rmSync(SHARED_DIR, { recursive: true, force: true });
}
