// The per-document side of the config diagnostics, without the `vscode` API
// (./configLanguage.ts wires it to the editor): which documents are linted, their
// parse cached per version, what is published for a document (its diagnostics, or
// none once it is no longer a config), and which open documents must be linted again
// when a file they include is saved, created or deleted — their own version does not
// change then, but what they read from disk does.
import * as path from 'node:path';
import { analyzeText, type AnalyzedDocument, type ConfigDiagnostic, diagnosticsOf } from '../../core/config';

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

interface Entry {
  version: number;
  doc: AnalyzedDocument | undefined;
  diagnostics?: ConfigDiagnostic[];
}

/** Parse once per document version; hovers, completion, symbols and diagnostics share it. */
export class DocumentCache {
  private readonly entries = new Map<string, Entry>();
  get(d: LintDocument): AnalyzedDocument | undefined {
    return this.entry(d).doc;
  }
  diagnostics(d: LintDocument): ConfigDiagnostic[] {
    const e = this.entry(d);
    e.diagnostics ??= e.doc ? diagnosticsOf(e.doc, d.getText()) : [];
    return e.diagnostics;
  }
  /** The parse made for the document's current version, if any (never parses). */
  peek(d: LintDocument): AnalyzedDocument | undefined {
    const e = this.entries.get(d.uri.toString());
    return e && e.version === d.version ? e.doc : undefined;
  }
  delete(d: LintDocument): void {
    this.entries.delete(d.uri.toString());
  }
  private entry(d: LintDocument): Entry {
    const key = d.uri.toString();
    let e = this.entries.get(key);
    if (!e || e.version !== d.version) {
      e = { version: d.version, doc: analyzeText(d.getText(), d.uri.fsPath, d.languageId) };
      this.entries.set(key, e);
    }
    return e;
  }
}

/** A DiagnosticCollection, as far as the linter uses it. */
export interface DiagnosticSink<D extends LintDocument> {
  set(d: D, diagnostics: ConfigDiagnostic[]): void;
  delete(d: D): void;
}

/** A keepalived `include` line (include, includer, includem, ... as the parser knows them). */
const INCLUDE_LINE = /^[ \t]*include[rmwba]?[ \t]/m;

export type FileEvent = 'changed' | 'created' | 'deleted';

export class DocumentLinter<D extends LintDocument = LintDocument> {
  constructor(
    readonly cache: DocumentCache,
    private readonly sink: DiagnosticSink<D>,
    private readonly onError: (d: D, e: Error) => void = () => undefined,
  ) {}

  /** Publishes a document's own diagnostics; one that is not (or no longer) a config has them cleared. */
  publish(d: D): void {
    if (!isOurs(d)) {
      // A shell script whose last ipvsadm line was removed, a language changed away.
      this.sink.delete(d);
      return;
    }
    try {
      this.sink.set(d, this.cache.diagnostics(d).filter((x) => x.file === d.uri.fsPath));
    } catch (e) {
      this.onError(d, e as Error);
    }
  }

  /**
   * After `file` was saved (`changed`), created or deleted: the open documents whose
   * diagnostics depend on it, their parse forgotten so the next publish reads the disk
   * again. A document depends on the files it includes, and, for a file created or
   * deleted, on any file an include pattern of it may match.
   */
  dependents(file: string, event: FileEvent, open: readonly D[]): D[] {
    const target = path.resolve(file);
    const out: D[] = [];
    for (const d of open) {
      if (!isOurs(d) || (d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === target)) continue;
      const doc = this.cache.peek(d);
      const includes = doc?.keepalived?.files.slice(1).some((f) => path.resolve(f) === target) ?? false;
      const mayMatch = event !== 'changed' && (doc ? !!doc.keepalived : d.languageId === 'keepalived') && INCLUDE_LINE.test(d.getText());
      if (includes || mayMatch) {
        this.cache.delete(d);
        out.push(d);
      }
    }
    return out;
  }
}

/** Where a quick fix's edit goes: the document itself (an untitled one has no file), else the file it names. */
export function editTarget<U extends { fsPath: string }>(file: string, d: { uri: U }, fileUri: (f: string) => U): U {
  return file === d.uri.fsPath ? d.uri : fileUri(file);
}
