// Language support for keepalived.conf and ipvsadm rules (and ipvsadm lines in
// shell scripts): diagnostics as the user types (keepalived configs are also
// compared with the workspace's others, see ./peerDiagnostics.ts), hovers,
// completion, quick fixes and document symbols. Thin: every answer comes from src/core/config. Read-only
// analysis, so it also runs in untrusted workspaces.
import * as vscode from 'vscode';
import { completeAt, type ConfigSymbol, documentSymbols, fixesAt, hoverAt } from '../../core/config';
import type { Feature } from '../feature';
import { toDiagnostic, toRange } from './convert';
import { DocumentCache, DocumentLinter, editTarget, type FileEvent, isOurs } from './documentLint';
import { registerPeerDiagnostics } from './peerDiagnostics';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'keepalived' },
  { language: 'ipvsadm' },
  { language: 'shellscript' },
];
const DEBOUNCE_MS = 250;

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

export const configLanguageFeature: Feature = {
  name: 'config-language',
  activate({ context, log }) {
    const collection = vscode.languages.createDiagnosticCollection('lvs-config');
    const cache = new DocumentCache();
    const timers = new Map<string, NodeJS.Timeout>();
    context.subscriptions.push(collection, { dispose: () => timers.forEach((t) => clearTimeout(t)) });

    const linter = new DocumentLinter<vscode.TextDocument>(
      cache,
      { set: (d, diags) => collection.set(d.uri, diags.map(toDiagnostic)), delete: (d) => collection.delete(d.uri) },
      (d, e) => log.error(`linting ${d.uri.fsPath} failed: ${e.message}`),
    );
    const publish = (d: vscode.TextDocument): void => linter.publish(d);
    const schedule = (d: vscode.TextDocument): void => {
      const key = d.uri.toString();
      clearTimeout(timers.get(key));
      timers.set(key, setTimeout(() => {
        timers.delete(key);
        publish(d);
      }, DEBOUNCE_MS));
    };

    // A file saved, created or deleted that open configs include (or may, by a pattern):
    // their diagnostics depend on it although their own text did not change.
    const onFile = (uri: vscode.Uri, event: FileEvent): void => {
      if (uri.scheme !== 'file') return;
      for (const d of linter.dependents(uri.fsPath, event, vscode.workspace.textDocuments)) schedule(d);
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
      vscode.workspace.onDidOpenTextDocument(publish),
      vscode.workspace.onDidChangeTextDocument((e) => schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        collection.delete(d.uri);
        cache.delete(d);
      }),
      vscode.languages.registerHoverProvider(SELECTOR, {
        provideHover(d, position) {
          const doc = isOurs(d) ? cache.get(d) : undefined;
          const h = doc && hoverAt(doc, d.getText(), position);
          return h ? new vscode.Hover(new vscode.MarkdownString(h.contents), toRange(h.range)) : undefined;
        },
      }),
      vscode.languages.registerCompletionItemProvider(SELECTOR, {
        provideCompletionItems(d, position) {
          const doc = isOurs(d) ? cache.get(d) : undefined;
          if (!doc) return [];
          return completeAt(doc, d.getText(), position).map((c) => {
            const item = new vscode.CompletionItem(c.label, c.kind === 'value' ? vscode.CompletionItemKind.Value : c.kind === 'block' ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Keyword);
            item.detail = c.detail;
            if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
            if (c.insertText) item.insertText = c.snippet ? new vscode.SnippetString(c.insertText) : c.insertText;
            return item;
          });
        },
      }, '-', ' '),
      vscode.languages.registerCodeActionsProvider(SELECTOR, {
        provideCodeActions(d, range) {
          if (!isOurs(d)) return [];
          const core = { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } };
          return fixesAt(cache.diagnostics(d), core).map(({ diagnostic, fix }) => {
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
          const doc = isOurs(d) ? cache.get(d) : undefined;
          return doc ? documentSymbols(doc).map(toSymbol) : [];
        },
      }),
    );
    vscode.workspace.textDocuments.forEach(publish);
    // keepalived configs compared with the workspace's others (the other directors).
    registerPeerDiagnostics({ context, log, analyzed: (d) => cache.get(d), debounceMs: DEBOUNCE_MS });
  },
};
