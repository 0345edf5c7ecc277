// Language support for keepalived.conf and ipvsadm rules (and ipvsadm lines in
// shell scripts): diagnostics as the user types (keepalived configs are also
// compared with the workspace's others, see ./peerDiagnostics.ts), hovers,
// completion, quick fixes and document symbols. Thin: every answer comes from
// src/core/config, what is published where from ./documentLint.ts (a config's
// findings on the files it includes, open or not; an included file linted in the
// block it is included in, found with ./includers.ts). Read-only analysis, so it
// also runs in untrusted workspaces.
import * as vscode from 'vscode';
import { completeAt, type ConfigSymbol, documentSymbols, hoverAt, type Position } from '../../core/config';
import type { Feature } from '../feature';
import { toDiagnostic, toRange } from './convert';
import { DocumentLinter, editTarget, type FileEvent, isOurs, SETTLE_MS } from './documentLint';
import { IncluderIndex, MAX_INCLUDER_BYTES } from './includers';
import { registerPeerDiagnostics } from './peerDiagnostics';
import { keepalivedPatterns, MAX_LISTED_FILES, searchGlobs } from './peerLint';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'keepalived' },
  { language: 'ipvsadm' },
  { language: 'shellscript' },
];
const DEBOUNCE_MS = 250;
/** Delay before the workspace's configs are read again after files changed. */
const RESCAN_MS = 1000;

const SYMBOL_KINDS: Record<ConfigSymbol['kind'], vscode.SymbolKind> = {
  namespace: vscode.SymbolKind.Namespace,
  object: vscode.SymbolKind.Object,
  field: vscode.SymbolKind.Field,
  event: vscode.SymbolKind.Event,
  module: vscode.SymbolKind.Module,
};

function toSymbol(s: ConfigSymbol): vscode.DocumentSymbol {
  const sym = new vscode.DocumentSymbol(s.name, s.detail, SYMBOL_KINDS[s.kind], toRange(s.range), toRange(s.selectionRange));
  sym.children = s.children.map(toSymbol);
  return sym;
}

const toPosition = (p: vscode.Position): Position => ({ line: p.line, character: p.character });

/** Where the cursor is after a change: the end of its inserted text. */
function afterChange(c: vscode.TextDocumentContentChangeEvent): Position {
  const lines = c.text.split('\n');
  return lines.length === 1
    ? { line: c.range.start.line, character: c.range.start.character + c.text.length }
    : { line: c.range.start.line + lines.length - 1, character: lines[lines.length - 1].length };
}

const isKeepalived = (d: vscode.TextDocument): boolean => d.uri.scheme === 'file' && d.languageId === 'keepalived';

export const configLanguageFeature: Feature = {
  name: 'config-language',
  activate({ context, log }) {
    const collection = vscode.languages.createDiagnosticCollection('lvs-config');
    const index = new IncluderIndex();
    let timer: NodeJS.Timeout | undefined;
    let settleTimer: NodeJS.Timeout | undefined;
    let disposed = false;

    const linter = new DocumentLinter<vscode.TextDocument>(
      {
        documents: () => vscode.workspace.textDocuments,
        includersOf: (file) => index.includersOf(file),
        cursor: (d) => {
          const e = vscode.window.activeTextEditor?.document === d ? vscode.window.activeTextEditor : vscode.window.visibleTextEditors.find((x) => x.document === d);
          return e ? toPosition(e.selection.active) : undefined;
        },
      },
      {
        set: (t, diags) => collection.set(typeof t === 'string' ? vscode.Uri.file(t) : t.uri, diags.map(toDiagnostic)),
        delete: (t) => collection.delete(typeof t === 'string' ? vscode.Uri.file(t) : t.uri),
      },
      (e) => log.error(`linting the configs failed: ${e.message}`),
    );
    const publish = (): void => {
      clearTimeout(timer);
      timer = undefined;
      if (!disposed) linter.publish();
    };
    const schedule = (ms = DEBOUNCE_MS): void => {
      clearTimeout(timer);
      timer = setTimeout(publish, ms);
    };

    // The workspace's keepalived configs that include other files: an included file opened
    // on its own is linted in the block of its include even when its config is not open.
    const cancel = new vscode.CancellationTokenSource();
    let scanned = false;
    let scanning: Promise<void> | undefined;
    let scanAgain = false;
    let scanTimer: NodeJS.Timeout | undefined;
    const scan = (): void => {
      if (disposed) return;
      if (scanning) {
        scanAgain = true;
        return;
      }
      scanned = true;
      const manifest = context.extension.packageJSON as { contributes?: { languages?: Parameters<typeof keepalivedPatterns>[0] } };
      const associations = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('associations');
      const globs = searchGlobs(keepalivedPatterns(manifest.contributes?.languages, associations));
      scanning = index
        .scan(
          {
            async findFiles() {
              if (!vscode.workspace.workspaceFolders?.length) return [];
              const out = new Set<string>();
              for (const g of globs) for (const u of await vscode.workspace.findFiles(g, undefined, MAX_LISTED_FILES, cancel.token)) if (u.scheme === 'file') out.add(u.fsPath);
              return [...out];
            },
            async read(file) {
              try {
                const uri = vscode.Uri.file(file);
                if ((await vscode.workspace.fs.stat(uri)).size > MAX_INCLUDER_BYTES) return undefined;
                return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
              } catch {
                return undefined;
              }
            },
          },
          () => disposed,
        )
        .then(
          (changed) => {
            if (changed) schedule();
          },
          (e: unknown) => log.warn(`listing the configs that include others failed: ${(e as Error).message}`),
        )
        .finally(() => {
          scanning = undefined;
          if (scanAgain) {
            scanAgain = false;
            scan();
          }
        });
    };
    const rescanSoon = (): void => {
      if (!scanned || disposed) return;
      clearTimeout(scanTimer);
      scanTimer = setTimeout(scan, RESCAN_MS);
    };
    const scanIfNeeded = (d: vscode.TextDocument): void => {
      if (!scanned && isKeepalived(d)) scan();
    };

    context.subscriptions.push(collection, cancel, {
      dispose: () => {
        disposed = true;
        clearTimeout(timer);
        clearTimeout(settleTimer);
        clearTimeout(scanTimer);
        cancel.cancel();
      },
    });

    // A file saved, created or deleted that open configs include (or may, by a pattern):
    // their diagnostics depend on it although their own text did not change.
    const onFile = (uri: vscode.Uri, event: FileEvent): void => {
      if (uri.scheme !== 'file') return;
      if (linter.dependents(uri.fsPath, event).length) schedule();
      // A file created or deleted may be matched by an include pattern; a config changed may include other files now.
      if (event !== 'changed' || index.concerns(uri.fsPath)) rescanSoon();
    };
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    context.subscriptions.push(
      watcher,
      watcher.onDidChange((u) => onFile(u, 'changed')),
      watcher.onDidCreate((u) => onFile(u, 'created')),
      watcher.onDidDelete((u) => onFile(u, 'deleted')),
      vscode.workspace.onDidSaveTextDocument((d) => onFile(d.uri, 'changed')),
      vscode.workspace.onDidCreateFiles((e) => e.files.forEach((u) => onFile(u, 'created'))),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((u) => onFile(u, 'deleted'))),
      vscode.workspace.onDidRenameFiles((e) =>
        e.files.forEach(({ oldUri, newUri }) => {
          onFile(oldUri, 'deleted');
          onFile(newUri, 'created');
        }),
      ),
    );

    context.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        scanIfNeeded(d);
        publish();
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const d = e.document;
        if (!e.contentChanges.length || (!isOurs(d) && !linter.cache.reads(d.uri.fsPath))) return;
        // The token being typed is spared until the cursor leaves these lines or the user pauses.
        const first = Math.min(...e.contentChanges.map((c) => c.range.start.line));
        linter.edited(d, afterChange(e.contentChanges[e.contentChanges.length - 1]), first);
        schedule();
        clearTimeout(settleTimer);
        settleTimer = setTimeout(() => schedule(0), SETTLE_MS + 50);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (linter.cursorMoved(e.textEditor.document, toPosition(e.selections[0].active))) schedule(0);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => linter.close(d)),
      vscode.languages.registerHoverProvider(SELECTOR, {
        provideHover(d, position) {
          const doc = linter.analyzed(d);
          const h = doc && hoverAt(doc, d.getText(), position);
          return h ? new vscode.Hover(new vscode.MarkdownString(h.contents), toRange(h.range)) : undefined;
        },
      }),
      vscode.languages.registerCompletionItemProvider(SELECTOR, {
        provideCompletionItems(d, position) {
          const doc = linter.analyzed(d);
          if (!doc) return [];
          const items = completeAt(doc, d.getText(), position).map((c) => {
            const item = new vscode.CompletionItem(c.label, c.kind === 'value' ? vscode.CompletionItemKind.Value : c.kind === 'block' ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Keyword);
            item.detail = c.detail;
            if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
            if (c.insertText) item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
            return item;
          });
          // Incomplete: asked again as the user types, so a token typed in full gets no
          // item that Enter would take instead of a newline (see completeAt).
          return new vscode.CompletionList(items, true);
        },
      }, '-', ' '),
      vscode.languages.registerCodeActionsProvider(SELECTOR, {
        provideCodeActions(d, range) {
          const core = { start: toPosition(range.start), end: toPosition(range.end) };
          // Only the document's own file: a config's diagnostics include its included files' lines.
          return linter.fixes(d, core).map(({ diagnostic, fix }) => {
            const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
            action.diagnostics = [toDiagnostic(diagnostic)];
            action.isPreferred = fix.isPreferred;
            action.edit = new vscode.WorkspaceEdit();
            // The document's own uri for its edits: an untitled one has no file.
            for (const e of fix.edits) action.edit.replace(editTarget(e.file, d, vscode.Uri.file), toRange(e.range), e.newText);
            return action;
          });
        },
      }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.languages.registerDocumentSymbolProvider(SELECTOR, {
        provideDocumentSymbols(d) {
          const doc = linter.analyzed(d);
          return doc ? documentSymbols(doc).map(toSymbol) : [];
        },
      }),
    );
    if (vscode.workspace.textDocuments.some(isKeepalived)) scan();
    publish();
    // keepalived configs compared with the workspace's others (the other directors).
    registerPeerDiagnostics({ context, log, analyzed: (d) => linter.analyzed(d), debounceMs: DEBOUNCE_MS });
  },
};
