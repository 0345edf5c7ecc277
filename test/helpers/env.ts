// Shared test environment helpers: where the shared fixtures are, and how a test
// says that something it needs is missing (skip locally, fail in CI).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** `../shared/fixtures` beside the clone (always present in CI). */
export const sharedFixturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures');
export const labFixturesDir = path.join(sharedFixturesDir, 'lab');

/**
 * Call at the start of a test or `before` hook. When `available` is false the test
 * fails in CI (a missing dependency is a defect there) and is skipped locally with
 * a message that names what is missing.
 */
export function requireOrSkip(ctx: Mocha.Context, available: boolean, what: string): void {
  if (available) return;
  if (inCI) throw new Error(`required for this test but missing in CI: ${what}`);
  console.log(`      skipped: missing ${what}`);
  ctx.skip();
}

export function hasSharedFixtures(): boolean {
  return fs.existsSync(path.join(labFixturesDir, 'INDEX.md'));
}

/** True when `cmd` is on PATH (or is an absolute path that exists). */
export function hasCommand(cmd: string): boolean {
  if (path.isAbsolute(cmd)) return fs.existsSync(cmd);
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Folders under ../shared/fixtures/lab that hold a capture.json. */
export function labScenarioDirs(): string[] {
  if (!hasSharedFixtures()) return [];
  return fs
    .readdirSync(labFixturesDir)
    .map((name) => path.join(labFixturesDir, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'capture.json')));
}
