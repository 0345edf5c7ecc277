// Which workspace file a config copy in a capture folder stands for, without the
// `vscode` API: findings of a capture point into its copy of the config, but the user
// edits their own file. capture.json's `configFiles` says where each copy came from
// (relative to the workspace folder); captures from before it was recorded are
// matched by name beside the workspace root or in keepalived/. Only a file with the
// same content is taken: after an edit the copy's lines are the right ones.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaptureManifest } from '../../core/capture/manifest';

const readText = (f: string): string | undefined => {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
};

const isInside = (file: string, dir: string): boolean => {
  const rel = path.relative(dir, file);
  return !!rel && !rel.split(path.sep).includes('..') && !path.isAbsolute(rel);
};

/** The workspace file that `copy` (a file of the capture `folder`) is a copy of, if any. */
export function workspaceTwin(
  copy: string,
  capture: { folder: string; manifest: Pick<CaptureManifest, 'configFiles'> },
  workspaceFolders: readonly string[],
  read: (f: string) => string | undefined = readText,
): string | undefined {
  const text = read(copy);
  if (text === undefined) return undefined;
  const rel = path.relative(capture.folder, copy).split(path.sep).join('/');
  // The workspace folder that holds the capture (.lvs/captures/<name>) first.
  const roots = [...workspaceFolders].sort((a, b) => Number(isInside(capture.folder, b)) - Number(isInside(capture.folder, a)));
  const candidates: string[] = [];
  for (const entry of capture.manifest.configFiles ?? []) {
    if (entry.file !== rel) continue;
    if (path.isAbsolute(entry.source)) candidates.push(entry.source);
    else for (const r of roots) candidates.push(path.join(r, ...entry.source.split('/')));
  }
  const name = path.basename(copy);
  for (const r of roots) candidates.push(path.join(r, name), path.join(r, 'keepalived', name));
  for (const c of new Set(candidates)) {
    if (isInside(c, capture.folder) || path.resolve(c) === path.resolve(copy)) continue;
    if (read(c) === text) return c;
  }
  return undefined;
}
