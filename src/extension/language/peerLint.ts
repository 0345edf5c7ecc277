// The directors' keepalived.conf files compared in the editor: the VRRP instances of
// different files that hold a common VIP must agree (crossFileDiagnostics in the core,
// `vrrp-peer-mismatch`, `vrrp-peer-same-priority`). This is the editor's side of it,
// without the `vscode` API so it can be tested as is: which files of the workspace to
// compare (bounded), reading and parsing them (open documents from their buffer, with
// unsaved edits; the others from disk, cached by size and mtime), and what to publish
// for each file. ./peerDiagnostics.ts adapts it to VS Code.
import { analyzeText, type AnalyzedDocument, type ConfigDiagnostic, crossFileDiagnostics } from '../../core/config';

/** At most this many keepalived configs are compared (open ones count first). */
export const MAX_PEER_FILES = 50;
/** A config file larger than this is not read (keepalived configs are a few KiB). */
export const MAX_PEER_BYTES = 1024 * 1024;
/** At most this many paths are listed from the workspace to choose the peers from. */
export const MAX_LISTED_FILES = 1000;

/** A document open in the editor. */
export interface OpenConfig {
  file: string;
  /** Whether the editor treats it as a keepalived config (its language id). */
  keepalived: boolean;
  version: number;
  text(): string;
  /** The parse the per-file linter already has for this version, if any. */
  analyzed?(): AnalyzedDocument | undefined;
}

/** What the editor provides: the workspace's files, the open documents, the disk. */
export interface PeerSource {
  /** Paths of the workspace's files that look like keepalived configs (by name). */
  findFiles(): Promise<string[]>;
  /** Every document open in the editor (file scheme), keepalived or not. */
  openDocuments(): OpenConfig[];
  stat(file: string): Promise<{ size: number; mtime: number } | undefined>;
  read(file: string): Promise<string | undefined>;
}

export interface PeerLimits {
  maxFiles: number;
  maxBytes: number;
}

export interface PeerRun {
  /** Diagnostics per file (the files of the compared configs and their includes). */
  byFile: Map<string, ConfigDiagnostic[]>;
  /** The configs compared (included files not counted). */
  compared: string[];
  /** Files left out: over the size limit, or past the cap on the number of files. */
  skipped: { tooBig: string[]; overCap: number };
}

const EMPTY_RUN = (): PeerRun => ({ byFile: new Map(), compared: [], skipped: { tooBig: [], overCap: 0 } });

function dirSegments(file: string): string[] {
  const parts = file.split(/[\\/]/).filter(Boolean);
  parts.pop();
  return parts;
}

/** How many leading folders two paths share. */
export function sharedDepth(a: string, b: string): number {
  const [x, y] = [dirSegments(a), dirSegments(b)];
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

const IGNORED = /(^|[\\/])(node_modules|\.git)[\\/]/;

/**
 * The files to compare, at most `max`: the open keepalived documents first, then the
 * workspace's other configs nearest to them (the most folders in common, as the
 * directors of one cluster usually sit side by side), then by path. Files open with
 * another language are not keepalived configs for the user; node_modules and .git
 * are never searched.
 */
export function choosePeerFiles(open: OpenConfig[], found: string[], max: number): { files: string[]; overCap: number } {
  const openKeepalived = [...new Set(open.filter((d) => d.keepalived).map((d) => d.file))];
  const notKeepalived = new Set(open.filter((d) => !d.keepalived).map((d) => d.file));
  const taken = new Set(openKeepalived);
  const rest = [...new Set(found)].filter((f) => !taken.has(f) && !notKeepalived.has(f) && !IGNORED.test(f));
  const score = new Map(rest.map((f) => [f, Math.max(0, ...openKeepalived.map((o) => sharedDepth(f, o)))]));
  rest.sort((a, b) => (score.get(b) ?? 0) - (score.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const all = [...openKeepalived, ...rest];
  return { files: all.slice(0, max), overCap: Math.max(0, all.length - max) };
}

/**
 * Drops the documents that another one includes (keepalived.d/*.conf under the main
 * keepalived.conf): they are part of that director, not another one. The documents
 * that include the most files are taken first, so of an include cycle one is kept.
 */
export function topLevelDocuments<T extends { doc: AnalyzedDocument }>(docs: T[]): T[] {
  const filesOf = (d: T): string[] => d.doc.keepalived?.files ?? [d.doc.file];
  const order = docs.map((d, i) => ({ d, i })).sort((a, b) => filesOf(b.d).length - filesOf(a.d).length || a.i - b.i);
  const covered = new Set<string>();
  const kept = new Set<T>();
  for (const { d } of order) {
    if (covered.has(d.doc.file)) continue;
    kept.add(d);
    for (const f of filesOf(d)) covered.add(f);
  }
  return docs.filter((d) => kept.has(d));
}

/** Diagnostics grouped by the file they are on. */
export function groupByFile(diags: ConfigDiagnostic[]): Map<string, ConfigDiagnostic[]> {
  const out = new Map<string, ConfigDiagnostic[]>();
  for (const d of diags) {
    const list = out.get(d.file);
    if (list) list.push(d);
    else out.set(d.file, [d]);
  }
  return out;
}

/** What to change in a diagnostic collection that holds `published`, to show `next`. */
export function publishPlan<D>(published: Iterable<string>, next: Map<string, D[]>): { set: Array<[string, D[]]>; clear: string[] } {
  return { set: [...next.entries()], clear: [...published].filter((f) => !next.has(f)) };
}

/** Lets the event loop run between files, so a big workspace never blocks the editor. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface DiskEntry {
  stamp: string;
  text: string;
  doc: AnalyzedDocument | undefined;
}

/** Compares the workspace's keepalived configs; keeps the parses of files on disk between runs. */
export class PeerLinter {
  private readonly disk = new Map<string, DiskEntry>();

  constructor(
    private readonly source: PeerSource,
    private readonly limits: PeerLimits = { maxFiles: MAX_PEER_FILES, maxBytes: MAX_PEER_BYTES },
  ) {}

  /**
   * Forgets what was read of `file` and of every config that includes it (an included
   * file can change while the including one does not). Returns whether anything read
   * depended on it. Without `file`, forgets everything.
   */
  invalidate(file?: string): boolean {
    if (file === undefined) {
      const any = this.disk.size > 0;
      this.disk.clear();
      return any;
    }
    let hit = false;
    for (const [key, e] of this.disk) {
      if (key === file || e.doc?.keepalived?.files.includes(file)) {
        this.disk.delete(key);
        hit = true;
      }
    }
    return hit;
  }

  /** Whether a config read from disk includes `file`. */
  dependsOn(file: string): boolean {
    for (const e of this.disk.values()) if (e.doc?.keepalived?.files.includes(file)) return true;
    return false;
  }

  /**
   * One comparison of the open keepalived documents with the workspace's other
   * configs. Nothing open: nothing compared, nothing shown. Undefined when
   * `cancelled()` turned true meanwhile.
   */
  async run(cancelled: () => boolean = () => false): Promise<PeerRun | undefined> {
    const open = this.source.openDocuments();
    if (!open.some((d) => d.keepalived)) {
      this.disk.clear();
      return EMPTY_RUN();
    }
    const found = await this.source.findFiles();
    if (cancelled()) return undefined;
    const { files, overCap } = choosePeerFiles(open, found, this.limits.maxFiles);
    const openByFile = new Map(open.filter((d) => d.keepalived).map((d) => [d.file, d]));
    const docs: Array<{ doc: AnalyzedDocument; text: string }> = [];
    const tooBig: string[] = [];
    const seen = new Set<string>();
    for (const file of files) {
      const o = openByFile.get(file);
      if (o) {
        const text = o.text();
        const doc = o.analyzed?.() ?? analyzeText(text, file, 'keepalived');
        if (doc?.keepalived) docs.push({ doc, text });
        continue;
      }
      const st = await this.source.stat(file);
      if (cancelled()) return undefined;
      if (!st) continue;
      if (st.size > this.limits.maxBytes) {
        tooBig.push(file);
        continue;
      }
      seen.add(file);
      const stamp = `${st.size}:${st.mtime}`;
      let entry = this.disk.get(file);
      if (!entry || entry.stamp !== stamp) {
        const text = await this.source.read(file);
        if (cancelled()) return undefined;
        if (text === undefined || text.length > this.limits.maxBytes) {
          this.disk.delete(file);
          if (text !== undefined) tooBig.push(file);
          continue;
        }
        entry = { stamp, text, doc: analyzeText(text, file, 'keepalived') };
        this.disk.set(file, entry);
        await yieldToLoop();
        if (cancelled()) return undefined;
      }
      if (entry.doc?.keepalived) docs.push({ doc: entry.doc, text: entry.text });
    }
    // Files no longer compared (deleted, renamed, now open) are not kept.
    for (const key of [...this.disk.keys()]) if (!seen.has(key)) this.disk.delete(key);
    const compared = topLevelDocuments(docs);
    return { byFile: groupByFile(crossFileDiagnostics(compared)), compared: compared.map((d) => d.doc.file), skipped: { tooBig, overCap } };
  }
}

export interface LanguageContribution {
  id?: string;
  filenames?: string[];
  extensions?: string[];
  filenamePatterns?: string[];
}

/** A file name pattern as VS Code matches it: with a slash against the path, else against the name. */
function anywhere(p: string): string {
  return p.includes('/') ? p : `**/${p}`;
}

/**
 * Glob patterns of the files VS Code opens in a language (`keepalived`, `ipvsadm`): the
 * manifest's contribution of that language (file names, extensions, file name patterns)
 * and the user's `files.associations` to it.
 */
export function languagePatterns(id: string, languages: LanguageContribution[] | undefined, associations: Record<string, unknown> | undefined): string[] {
  const out: string[] = [];
  for (const l of languages ?? []) {
    if (l.id !== id) continue;
    for (const f of l.filenames ?? []) out.push(`**/${f}`);
    for (const e of l.extensions ?? []) out.push(`**/*${e}`);
    for (const p of l.filenamePatterns ?? []) out.push(anywhere(p));
  }
  for (const [p, lang] of Object.entries(associations ?? {})) if (lang === id && p.trim()) out.push(anywhere(p.trim()));
  return [...new Set(out)];
}

/** Glob patterns of the files VS Code opens as keepalived configs (see languagePatterns). */
export function keepalivedPatterns(languages: LanguageContribution[] | undefined, associations: Record<string, unknown> | undefined): string[] {
  return languagePatterns('keepalived', languages, associations);
}

/**
 * The patterns as few globs as can be searched: the simple ones joined in one
 * `{a,b,c}`, any with braces or commas of its own on its own.
 */
export function searchGlobs(patterns: string[]): string[] {
  const simple = patterns.filter((p) => !/[{},]/.test(p));
  const complex = patterns.filter((p) => /[{},]/.test(p));
  const out = simple.length > 1 ? [`{${simple.join(',')}}`] : simple;
  return [...out, ...complex];
}
