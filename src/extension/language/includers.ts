// Which keepalived configs of the workspace include a given file, for the editor to lint
// an included file opened on its own in the context it is included from (./documentLint.ts)
// even when the including config is not open. Without the `vscode` API: the editor
// lists the workspace's keepalived configs by name (as the peer comparison does,
// ./peerLint.ts) and reads them; only those with an `include` line are parsed, their
// includes followed on disk. Built asynchronously (a workspace may hold many configs),
// looked up synchronously while linting; scanned again when files change.
import { analyzeText } from '../../core/config';
import { fileKey } from './documentLint';

/** A config larger than this is not read (keepalived configs are a few KiB). */
export const MAX_INCLUDER_BYTES = 1024 * 1024;

/** A keepalived `include` line (include, includer, includem, ... as the parser knows them). */
const INCLUDE_LINE = /^[ \t]*include[rmwba]?[ \t]/m;

export interface IncluderSource {
  /** Paths of the workspace's files that look like keepalived configs (by name). */
  findFiles(): Promise<string[]>;
  /** A file's text; undefined when it cannot be read or is too big. */
  read(file: string): Promise<string | undefined>;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class IncluderIndex {
  /** Included file (key) → the configs that include it, directly or through another included file. */
  private byFile = new Map<string, string[]>();
  /** The configs listed by the last scan and the files they include (keys). */
  private known = new Set<string>();

  /** The workspace configs that include `file`, as of the last scan. */
  includersOf(file: string): string[] {
    return this.byFile.get(fileKey(file)) ?? [];
  }

  /** Whether a change of `file` may change the index: a config listed, or a file one includes. */
  concerns(file: string): boolean {
    const key = fileKey(file);
    return this.known.has(key) || this.byFile.has(key);
  }

  /** Lists and reads the workspace's configs again. Returns whether what includes what changed (undefined: cancelled). */
  async scan(source: IncluderSource, cancelled: () => boolean = () => false): Promise<boolean | undefined> {
    const files = await source.findFiles();
    if (cancelled()) return undefined;
    const next = new Map<string, string[]>();
    for (const file of [...new Set(files)].sort()) {
      const text = await source.read(file);
      if (cancelled()) return undefined;
      if (text === undefined || text.length > MAX_INCLUDER_BYTES || !INCLUDE_LINE.test(text)) continue;
      const doc = analyzeText(text, file, 'keepalived');
      for (const included of doc?.keepalived?.files.slice(1) ?? []) {
        const key = fileKey(included);
        const list = next.get(key) ?? [];
        if (!list.includes(file)) list.push(file);
        next.set(key, list);
      }
      await yieldToLoop();
      if (cancelled()) return undefined;
    }
    const changed = JSON.stringify([...next].sort()) !== JSON.stringify([...this.byFile].sort());
    this.byFile = next;
    this.known = new Set(files.map(fileKey));
    return changed;
  }
}
