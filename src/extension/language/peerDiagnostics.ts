// Cross-file diagnostics in the editor: while a keepalived config is open, it is
// compared with the workspace's other keepalived configs (the other directors), as
// `lvs-trace lint d1.conf d2.conf` does; each finding is shown in every file it
// concerns, with the other file's line as related information. The logic is in
// ./peerLint.ts (no `vscode`); this file wires it to the workspace: listing files
// with findFiles, reading them with workspace.fs (open documents from their buffer),
// refreshing on edits, open/close, and files created, changed or deleted on disk.
// Read-only, so it also runs in untrusted workspaces.
import * as vscode from 'vscode';
import type { AnalyzedDocument } from '../../core/config';
import { toDiagnostic } from './convert';
import { keepalivedPatterns, MAX_LISTED_FILES, type OpenConfig, PeerLinter, type PeerSource, publishPlan, searchGlobs } from './peerLint';

export interface PeerDiagnosticsOptions {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** The per-file linter's parse of an open document (shared, parsed once per version). */
  analyzed(d: vscode.TextDocument): AnalyzedDocument | undefined;
  /** Delay after the last change before comparing again. */
  debounceMs: number;
}

const isFile = (d: vscode.TextDocument): boolean => d.uri.scheme === 'file';
const isKeepalived = (d: vscode.TextDocument): boolean => isFile(d) && d.languageId === 'keepalived';

export function registerPeerDiagnostics({ context, log, analyzed, debounceMs }: PeerDiagnosticsOptions): void {
  const collection = vscode.languages.createDiagnosticCollection('lvs-config-peers');
  const published = new Set<string>();
  const cancel = new vscode.CancellationTokenSource();
  let disposed = false;
  let globs: string[] = [];
  let watchers: vscode.Disposable[] = [];
  /** The workspace's files by name, listed again only when files are created or deleted. */
  let listed: Promise<string[]> | undefined;
  let warnedCap = false;
  const warnedBig = new Set<string>();

  const source: PeerSource = {
    findFiles() {
      listed ??= (async () => {
        if (!vscode.workspace.workspaceFolders?.length) return [];
        const out = new Set<string>();
        for (const g of globs) {
          // `undefined` as exclude: files.exclude applies, as in the Explorer.
          const uris = await vscode.workspace.findFiles(g, undefined, MAX_LISTED_FILES, cancel.token);
          for (const u of uris) if (u.scheme === 'file') out.add(u.fsPath);
        }
        return [...out];
      })().catch((e: unknown) => {
        listed = undefined;
        log.warn(`listing the workspace's keepalived configs failed: ${(e as Error).message}`);
        return [];
      });
      return listed;
    },
    openDocuments() {
      return vscode.workspace.textDocuments.filter(isFile).map(
        (d): OpenConfig => ({
          file: d.uri.fsPath,
          keepalived: d.languageId === 'keepalived',
          version: d.version,
          text: () => d.getText(),
          analyzed: () => analyzed(d),
        }),
      );
    },
    async stat(file) {
      try {
        const st = await vscode.workspace.fs.stat(vscode.Uri.file(file));
        return st.type & vscode.FileType.File ? { size: st.size, mtime: st.mtime } : undefined;
      } catch {
        return undefined;
      }
    },
    async read(file) {
      try {
        return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
      } catch {
        return undefined;
      }
    },
  };
  const linter = new PeerLinter(source);

  // One comparison at a time; changes during one start another when it ends.
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const compare = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const r = await linter.run(() => disposed);
        if (!r || disposed) return;
        const plan = publishPlan(published, r.byFile);
        for (const f of plan.clear) {
          collection.delete(vscode.Uri.file(f));
          published.delete(f);
        }
        for (const [f, diags] of plan.set) {
          collection.set(vscode.Uri.file(f), diags.map(toDiagnostic));
          published.add(f);
        }
        if (r.skipped.overCap && !warnedCap) {
          warnedCap = true;
          log.info(`keepalived configs compared across files: the ${r.compared.length} nearest the open ones; ${r.skipped.overCap} more left out`);
        }
        for (const f of r.skipped.tooBig) {
          if (!warnedBig.has(f)) log.info(`not compared with the other keepalived configs (too big): ${f}`);
          warnedBig.add(f);
        }
      } while (again && !disposed);
    } catch (e) {
      log.error(`comparing the keepalived configs failed: ${(e as Error).message}`);
    } finally {
      running = false;
    }
  };
  const schedule = (): void => {
    if (disposed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void compare();
    }, debounceMs);
  };

  const onDisk = (uri: vscode.Uri, listChanged: boolean): void => {
    if (uri.scheme !== 'file') return;
    if (listChanged) listed = undefined;
    linter.invalidate(uri.fsPath);
    schedule();
  };
  const watch = (): void => {
    watchers.forEach((w) => w.dispose());
    const manifest = context.extension.packageJSON as { contributes?: { languages?: Parameters<typeof keepalivedPatterns>[0] } };
    const associations = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('associations');
    globs = searchGlobs(keepalivedPatterns(manifest.contributes?.languages, associations));
    listed = undefined;
    watchers = globs.map((g) => {
      const w = vscode.workspace.createFileSystemWatcher(g);
      w.onDidCreate((u) => onDisk(u, true));
      w.onDidDelete((u) => onDisk(u, true));
      w.onDidChange((u) => onDisk(u, false));
      return w;
    });
  };
  watch();

  context.subscriptions.push(
    collection,
    cancel,
    {
      dispose: () => {
        disposed = true;
        clearTimeout(timer);
        cancel.cancel();
        watchers.forEach((w) => w.dispose());
      },
    },
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isKeepalived(e.document) && e.contentChanges.length) schedule();
    }),
    // Opening, closing, and a change of language (a close then an open).
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (isKeepalived(d)) schedule();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (isKeepalived(d)) schedule();
    }),
    // An included file saved outside the watched patterns.
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (isFile(d) && linter.dependsOn(d.uri.fsPath)) onDisk(d.uri, false);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      listed = undefined;
      schedule();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('files.associations') && !e.affectsConfiguration('files.exclude')) return;
      watch();
      schedule();
    }),
  );
  if (vscode.workspace.textDocuments.some(isKeepalived)) schedule();
}
