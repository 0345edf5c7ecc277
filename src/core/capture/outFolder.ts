// The folder a command writes a capture into (capture, assemble): it must be new or empty,
// and a run that fails leaves nothing behind — not its contents, nor the folders it made.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeFileError } from '../fileErrors';

/** What the folder was before the run: missing (`created`: the topmost folder the run will
 *  make, the folder itself or one above it), or empty (`created` absent). */
export interface OutFolderBefore {
  created?: string;
}

/**
 * Checks a destination folder before anything is written: missing (its parent path may be
 * missing too, but not a file), or an empty folder. Throws otherwise; messages start with
 * `label` and the folder (`--out ./cap1 exists and is not empty; choose a new folder`).
 */
export function outFolderBefore(out: string, label = 'the destination folder'): OutFolderBefore {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${label} ${describeFileError(out, e)}`);
    let created = path.resolve(out);
    while (!fs.existsSync(path.dirname(created)) && path.dirname(created) !== created) created = path.dirname(created);
    const parent = path.dirname(created);
    if (!fs.statSync(parent).isDirectory()) throw new Error(`${label} ${out}: ${parent} is a file, not a folder`);
    return { created };
  }
  if (!stat.isDirectory()) throw new Error(`${label} ${out} is a file, not a folder`);
  if (fs.readdirSync(out).length) throw new Error(`${label} ${out} exists and is not empty; choose a new folder`);
  return {};
}

/** Removes what a failed run left: the folder's contents (it was empty or missing before),
 *  the folder itself when the run made it, and the folders made above it. */
export function removeFailedOutput(out: string, before: OutFolderBefore): void {
  const dir = path.resolve(out);
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir)) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
  if (!before.created) return;
  // Up to the topmost folder this run made; one that something else filled meanwhile stays.
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return;
    }
    if (d === before.created) return;
  }
}
