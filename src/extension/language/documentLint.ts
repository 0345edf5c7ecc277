// The per-document side of the config diagnostics, without the `vscode` API
// (./configLanguage.ts wires it to the editor): which documents are linted, their
// parse cached per version, what is published for each file, and which open
// documents must be linted again when a file they include is saved, created or
// deleted — their own version does not change then, but what they read changes.
//
// keepalived configs include other files (`include conf.d/*.conf`, or inside a
// block: `virtual_server … { include rs/*.conf }`). keepalived reads an included
// file where the include stands, so the including config is what is linted: its
// diagnostics are published on each file they are located in — the included files
// too, open or not — and an included file open in the editor shows the findings of
// the configs that include it (in the block the include stands in), not those of
// a parse of its own as a top level. The configs that include an open file are the
// open ones and those of the workspace on disk (./includers.ts); a file no config
// includes is linted on its own, leniently if it looks like a fragment
// (core/config/keepalived/snippet.ts). Included files are read from their editor
// buffer when open, so unsaved edits count (as the peer comparison does, ./peerLint.ts).
//
// While the user types, the token at the cursor of the line being edited is spared
// (an unfinished keyword is "unknown" at every keystroke; core/config/language/typing.ts)
// until the cursor leaves that line or SETTLE_MS pass without an edit.
import * as path from 'node:path';
import { analyzeText, type AnalyzedDocument, type ConfigDiagnostic, type ConfigFix, diagnosticsOf, fixesAt, type Position, type Range, spareWhileTyping } from '../../core/config';
import { readFileOrUndefined } from '../../core/config/lint';
import type { Statement } from '../../core/config/keepalived/ast';

/** What is used of a vscode.TextDocument (which has this shape). */
export interface LintDocument {
  readonly uri: { readonly scheme: string; readonly fsPath: string; toString(): string };
  readonly languageId: string;
  readonly version: number;
  getText(): string;
}

/** Whether a document gets config diagnostics, hovers, completion, fixes and symbols. */
export function isOurs(d: LintDocument): boolean {
  if (d.uri.scheme !== 'file' && d.uri.scheme !== 'untitled') return false;
  if (d.languageId === 'keepalived' || d.languageId === 'ipvsadm') return true;
  // Shell scripts only when they run ipvsadm.
  return d.languageId === 'shellscript' && /\bipvsadm\b/.test(d.getText());
}

/** How long after the last edit the token being typed is reported anyway (a pause). */
export const SETTLE_MS = 1500;

/** The key of a file: its absolute path. */
export function fileKey(file: string): string {
  return path.resolve(file);
}

/** The key of a document: its file's path, or its uri when it has no file (untitled). */
export function documentKey(d: LintDocument): string {
  return d.uri.scheme === 'file' ? fileKey(d.uri.fsPath) : d.uri.toString();
}

/** The context of an open keepalived document not included by a known config: guessed (a fragment is linted as its block). */
const ON_ITS_OWN = 'auto';

interface Source {
  key: string;
  file: string;
  languageId?: string;
  /** The document's version; -1 for a file read from disk. */
  version: number;
  text(): string | undefined;
}

interface Entry {
  version: number;
  context: string;
  text: string;
  doc: AnalyzedDocument | undefined;
  /** The included files read, with the version of the buffer they came from (-1: the disk). */
  reads: Map<string, number>;
  diagnostics?: ConfigDiagnostic[];
}

/** An open document's text and version, by file. */
export type Buffers = (file: string) => { version: number; text: string } | undefined;

/**
 * Parses once per document version (and block context); hovers, completion, symbols and
 * diagnostics share it. Included files are read from their buffer when open, and a
 * parse is made again when one of those buffers changes, is opened or closed.
 */
export class DocumentCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly buffers: Buffers = () => undefined) {}

  /** The parse of a document's current version; `context` is the block its top level is in (`auto`: guessed). */
  get(d: LintDocument, context = ON_ITS_OWN): AnalyzedDocument | undefined {
    return this.entry(sourceOf(d), context).doc;
  }
  diagnostics(d: LintDocument, context = ON_ITS_OWN): ConfigDiagnostic[] {
    return this.diagnosticsOfEntry(this.entry(sourceOf(d), context));
  }
  /** A keepalived config on disk (one that includes an open document), parsed until invalidated. */
  file(file: string): { doc: AnalyzedDocument | undefined; diagnostics: () => ConfigDiagnostic[] } {
    const e = this.entry({ key: fileKey(file), file, languageId: 'keepalived', version: -1, text: () => readFileOrUndefined(file) }, ON_ITS_OWN);
    return { doc: e.doc, diagnostics: () => this.diagnosticsOfEntry(e) };
  }
  /** The parse made for the document's current version, if any (never parses). */
  peek(d: LintDocument): AnalyzedDocument | undefined {
    const e = this.entries.get(documentKey(d));
    return e && e.version === d.version ? e.doc : undefined;
  }
  delete(d: LintDocument): void {
    this.entries.delete(documentKey(d));
  }
  /**
   * Forgets the parses that read `file` (or are of it); with `includers`, also those of
   * any config with an include line (a created or deleted file may match its pattern).
   * Returns the keys forgotten.
   */
  invalidate(file: string, includers = false): string[] {
    const target = fileKey(file);
    const out: string[] = [];
    for (const [key, e] of this.entries) {
      if (key === target || e.reads.has(target) || (includers && e.doc?.keepalived && INCLUDE_LINE.test(e.text))) {
        this.entries.delete(key);
        out.push(key);
      }
    }
    return out;
  }

  /** Whether a parse read `file` (a config includes it). */
  reads(file: string): boolean {
    const key = fileKey(file);
    for (const e of this.entries.values()) if (e.reads.has(key)) return true;
    return false;
  }

  private diagnosticsOfEntry(e: Entry): ConfigDiagnostic[] {
    e.diagnostics ??= e.doc ? diagnosticsOf(e.doc, e.text, this.reader(e.doc.file, new Map())) : [];
    return e.diagnostics;
  }

  private reader(self: string, reads: Map<string, number>): (f: string) => string | undefined {
    return (f) => {
      const b = fileKey(f) === fileKey(self) ? undefined : this.buffers(f);
      reads.set(fileKey(f), b ? b.version : -1);
      return b ? b.text : readFileOrUndefined(f);
    };
  }

  private entry(s: Source, context: string): Entry {
    let e = this.entries.get(s.key);
    if (e && (e.version !== s.version || e.context !== context || !this.fresh(e))) e = undefined;
    if (!e) {
      const text = s.text();
      const reads = new Map<string, number>();
      const doc = text === undefined ? undefined : analyzeText(text, s.file, s.languageId, this.reader(s.file, reads), { rootContext: context });
      e = { version: s.version, context, text: text ?? '', doc, reads };
      this.entries.set(s.key, e);
    }
    return e;
  }

  /** Whether the buffers the parse read included files from are still those open (same versions). */
  private fresh(e: Entry): boolean {
    for (const [file, version] of e.reads) if ((this.buffers(file)?.version ?? -1) !== version) return false;
    return true;
  }
}

function sourceOf(d: LintDocument): Source {
  return { key: documentKey(d), file: d.uri.fsPath, languageId: d.languageId, version: d.version, text: () => d.getText() };
}

/** Where diagnostics are published: a document (which may have no file), or a file by path. */
export interface DiagnosticSink<D extends LintDocument> {
  set(target: D | string, diagnostics: ConfigDiagnostic[]): void;
  delete(target: D | string): void;
}

/** What the linter asks of the editor. */
export interface LinterHost<D extends LintDocument> {
  /** The documents open in the editor. */
  documents(): readonly D[];
  /** keepalived configs of the workspace on disk that include `file` (./includers.ts). */
  includersOf?(file: string): readonly string[];
  /** The cursor of the editor showing `d`, if one does. */
  cursor?(d: D): Position | undefined;
  now?(): number;
}

/** A keepalived `include` line (include, includer, includem, ... as the parser knows them). */
const INCLUDE_LINE = /^[ \t]*include[rmwba]?[ \t]/m;

export type FileEvent = 'changed' | 'created' | 'deleted';

interface Config<D> {
  key: string;
  /** Open in the editor (else read from disk: a config that includes an open document). */
  doc?: D;
  /** Keys of the files its parse read: itself first, then what it includes. */
  files: string[];
}

interface Computed<D> {
  /** What each file shows (before sparing the token being typed), by key. */
  byKey: Map<string, { target: D | string; diagnostics: ConfigDiagnostic[] }>;
  /** The block each open included document is in. */
  contexts: Map<string, string>;
  /** For each config on disk, the open documents it gave diagnostics to. */
  fromDisk: Map<string, string[]>;
  stamp: string;
}

export class DocumentLinter<D extends LintDocument = LintDocument> {
  readonly cache: DocumentCache;
  /** What is published, by key: where, and a signature to publish only what changed. */
  private readonly shown = new Map<string, { target: D | string; signature: string }>();
  private contexts = new Map<string, string>();
  /** The lines of the last edit of a document being typed in, the cursor after it, and when. */
  private readonly typing = new Map<string, { first: number; last: number; position: Position; at: number }>();
  private last: Computed<D> | undefined;

  constructor(
    private readonly host: LinterHost<D>,
    private readonly sink: DiagnosticSink<D>,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {
    this.cache = new DocumentCache((file) => {
      const d = this.openDocument(fileKey(file));
      return d && d.uri.scheme === 'file' ? { version: d.version, text: d.getText() } : undefined;
    });
  }

  /** The parse hovers, completion and symbols use: in the block the document is included in, if it is. */
  analyzed(d: D): AnalyzedDocument | undefined {
    return isOurs(d) ? this.cache.get(d, this.contexts.get(documentKey(d)) ?? ON_ITS_OWN) : undefined;
  }

  /** The quick fixes at `range` of the diagnostics shown on `d` — of its own file only. */
  fixes(d: D, range: Range): Array<{ diagnostic: ConfigDiagnostic; fix: ConfigFix }> {
    if (!isOurs(d)) return [];
    const shown = this.current().byKey.get(documentKey(d))?.diagnostics ?? [];
    return fixesAt(shown, range, d.uri.fsPath);
  }

  /** Publishes the diagnostics of every open config and of the files they include; clears what no longer applies. */
  publish(): void {
    let computed: Computed<D>;
    try {
      computed = this.compute();
    } catch (e) {
      this.onError(e as Error);
      return;
    }
    this.last = computed;
    this.contexts = computed.contexts;
    const now = this.now();
    for (const [key, { target, diagnostics }] of computed.byKey) {
      const list = this.spared(key, diagnostics, now);
      const signature = JSON.stringify(list.map((x) => [x.code, x.severity, x.range, x.message]));
      if (this.shown.get(key)?.signature === signature) continue;
      this.sink.set(target, list);
      this.shown.set(key, { target, signature });
    }
    for (const [key, { target }] of [...this.shown]) {
      if (computed.byKey.has(key)) continue;
      this.sink.delete(target);
      this.shown.delete(key);
    }
  }

  /** A document was closed (it is no longer among the host's documents): what only it showed is cleared. */
  close(d: D): void {
    this.cache.delete(d);
    this.typing.delete(documentKey(d));
    this.publish();
  }

  /**
   * The user edited `d` from line `firstLine` to the cursor at `position` (Enter between
   * braces spans three lines): the token at the cursor is spared for now.
   */
  edited(d: D, position: Position, firstLine = position.line): void {
    this.typing.set(documentKey(d), { first: Math.min(firstLine, position.line), last: Math.max(firstLine, position.line), position, at: this.now() });
  }

  /** The cursor of `d` moved; true when it left the lines being typed (publish again to show everything). */
  cursorMoved(d: D, position: Position): boolean {
    const key = documentKey(d);
    const t = this.typing.get(key);
    if (!t || (position.line >= t.first && position.line <= t.last)) return false;
    this.typing.delete(key);
    return true;
  }

  /**
   * After `file` was saved (`changed`), created or deleted: the open documents whose
   * diagnostics depend on it, the parses that read it forgotten so the next publish
   * reads it again. A config depends on the files it includes, and, for a file created
   * or deleted, on any file an include pattern of it may match; an open document also
   * depends on what the configs on disk that include it read.
   */
  dependents(file: string, event: FileEvent): D[] {
    const target = fileKey(file);
    const forgotten = this.cache.invalidate(file, event !== 'changed');
    const keys = new Set(forgotten.filter((k) => k !== target));
    for (const k of forgotten) for (const open of this.last?.fromDisk.get(k) ?? []) keys.add(open);
    return this.host.documents().filter((d) => isOurs(d) && keys.has(documentKey(d)));
  }

  private openDocument(key: string): D | undefined {
    return this.host.documents().find((d) => documentKey(d) === key);
  }

  private now(): number {
    return this.host.now?.() ?? Date.now();
  }

  /** The diagnostics of an open document without those of the token being typed (see SETTLE_MS). */
  private spared(key: string, diagnostics: ConfigDiagnostic[], now: number): ConfigDiagnostic[] {
    const t = this.typing.get(key);
    if (!t) return diagnostics;
    if (now - t.at >= SETTLE_MS) {
      this.typing.delete(key);
      return diagnostics;
    }
    const d = this.openDocument(key);
    const doc = d && this.analyzed(d);
    if (!d || !doc) return diagnostics;
    const cursor = this.host.cursor?.(d) ?? t.position;
    // The cursor left the lines being typed (the editor may not have said so yet).
    if (cursor.line < t.first || cursor.line > t.last) return diagnostics;
    return spareWhileTyping(diagnostics, doc, d.getText(), cursor);
  }

  /** The last computation, or a new one (not published) when a document changed since. */
  private current(): Computed<D> {
    const stamp = stampOf(this.host.documents());
    return this.last && this.last.stamp === stamp ? this.last : this.compute();
  }

  private compute(): Computed<D> {
    const all = this.host.documents();
    const docs = all.filter(isOurs);
    const openByKey = new Map(docs.map((d) => [documentKey(d), d]));
    const byKey = new Map<string, { target: D | string; diagnostics: ConfigDiagnostic[] }>();
    const contexts = new Map<string, string>();
    const fromDisk = new Map<string, string[]>();
    const add = (key: string, target: D | string, list: ConfigDiagnostic[]): void => {
      const cur = byKey.get(key);
      if (cur) cur.diagnostics.push(...list);
      else byKey.set(key, { target, diagnostics: [...list] });
    };

    // The configs: every open keepalived document, and the configs on disk that include one.
    const configs = new Map<string, Config<D>>();
    for (const d of docs) {
      const key = documentKey(d);
      const parsed = this.cache.get(d, this.contexts.get(key) ?? ON_ITS_OWN);
      if (parsed?.keepalived) configs.set(key, { key, doc: d, files: filesOf(parsed) });
      // ipvsadm rules and shell scripts: their own diagnostics.
      else add(key, d, parsed ? this.cache.diagnostics(d).filter((x) => x.file === d.uri.fsPath) : []);
    }
    for (const c of [...configs.values()]) {
      if (c.doc?.uri.scheme !== 'file') continue;
      for (const f of this.host.includersOf?.(c.doc.uri.fsPath) ?? []) {
        const key = fileKey(f);
        if (configs.has(key) || openByKey.has(key)) continue;
        const parsed = this.cache.file(f).doc;
        if (parsed?.keepalived) configs.set(key, { key, files: filesOf(parsed) });
      }
    }

    // What the configs no other one includes find, published on the files it is located
    // in: every file of an open config, only the open documents of a config on disk.
    for (const root of topLevel([...configs.values()])) {
      // A config not included is linted on its own (a fragment's block guessed), whatever block it was in before.
      const disk = root.doc ? undefined : this.cache.file(root.key);
      const parsed = root.doc ? this.cache.get(root.doc, ON_ITS_OWN) : disk?.doc;
      if (!parsed?.keepalived) continue;
      const diagnostics = root.doc ? this.cache.diagnostics(root.doc, ON_ITS_OWN) : (disk?.diagnostics() ?? []);
      const own = root.doc ? documentKey(root.doc) : root.key;
      const pathOf = new Map(parsed.keepalived.files.map((f) => [fileKey(f), f]));
      const given = new Set<string>();
      for (const key of filesOf(parsed)) {
        const open = openByKey.get(key);
        if (!root.doc && !open) continue;
        add(key, open ?? pathOf.get(key) ?? key, []);
        if (open && key !== own) {
          given.add(key);
          const context = firstContext(parsed.keepalived.statements, key);
          if (context && !contexts.has(key)) contexts.set(key, context);
        }
      }
      for (const x of diagnostics) {
        const key = x.file === parsed.file ? own : fileKey(x.file);
        if (byKey.has(key) && (root.doc || openByKey.has(key))) byKey.get(key)?.diagnostics.push(x);
      }
      if (!root.doc) fromDisk.set(root.key, [...given]);
    }
    for (const v of byKey.values()) v.diagnostics = unique(v.diagnostics);
    return { byKey, contexts, fromDisk, stamp: stampOf(all) };
  }
}

function stampOf(docs: readonly LintDocument[]): string {
  return docs.map((d) => `${documentKey(d)}@${d.version}`).join('\n');
}

function filesOf(doc: AnalyzedDocument): string[] {
  return [...new Set((doc.keepalived?.files ?? [doc.file]).map(fileKey))];
}

/**
 * The configs no other one includes (an included file is part of its config, not a config
 * of its own); of an include cycle, the one including the most files is kept.
 */
function topLevel<D>(configs: Config<D>[]): Config<D>[] {
  const order = [...configs].sort((a, b) => b.files.length - a.files.length);
  const covered = new Set<string>();
  const out: Config<D>[] = [];
  for (const c of order) {
    if (covered.has(c.key)) continue;
    out.push(c);
    for (const f of c.files) covered.add(f);
  }
  return out;
}

/** The block the first statement of `key`'s file stands in: where its include is. */
function firstContext(statements: Statement[], key: string): string | undefined {
  for (const s of statements) {
    if (fileKey(s.file) === key) return s.context;
    const inner = s.body && firstContext(s.body, key);
    if (inner) return inner;
  }
  return undefined;
}

/** The same finding from two configs that include the file is shown once. */
function unique(list: ConfigDiagnostic[]): ConfigDiagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const k = JSON.stringify([d.code, d.severity, d.range, d.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Where a quick fix's edit goes: the document itself (an untitled one has no file), else the file it names. */
export function editTarget<U extends { fsPath: string }>(file: string, d: { uri: U }, fileUri: (f: string) => U): U {
  return file === d.uri.fsPath ? d.uri : fileUri(file);
}
