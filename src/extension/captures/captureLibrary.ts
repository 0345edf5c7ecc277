// Opens captures for the VS Code layer: a capture folder (capture.json + pcaps) or
// a single .pcap/.pcapng file (analysed as a one-point capture), through the
// core's analysis, and publishes their findings. Also lists the workspace's past
// captures under .lvs/captures for the tree view.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MergeSummary } from '../../core/analysis/mergedPcapng';
import type { PacketDetails } from '../../core/analysis/packetDetails';
import type { AnalysisResult, Hop, PacketRef } from '../../core/analysis/result';
import { AnalysisWorker } from '../../core/analysis/worker/client';
import { KeptAnalyses } from '../../core/analysis/worker/kept';
import type { Finding } from '../../core/findings/finding';
import { FindingDiagnostics } from './findingDiagnostics';
import type { ManifestService } from '../../core/capture/manifest';
import { analysisSource, isPcapFile } from './singleFile';
import { workspaceTwin } from './workspaceTwin';

export { isPcapFile };

export const CAPTURES_DIR = path.join('.lvs', 'captures');

export class CaptureLibrary implements vscode.Disposable {
  /** Analyses run in a worker thread: a big capture never holds up the extension host. */
  private readonly worker: AnalysisWorker;
  /** The analyses of the captures used last, kept for their hops (results carry none). */
  private readonly kept: KeptAnalyses;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a capture was analysed or the list of captures changed. */
  readonly onDidChange = this.changed.event;
  readonly diagnostics: FindingDiagnostics;

  /** `services`: the workspace config's services; a lone pcap file's target (VIP) is guessed with them. */
  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    services: () => Promise<ManifestService[]> = async () => [],
  ) {
    this.diagnostics = new FindingDiagnostics(vscode.Uri.joinPath(extensionUri, 'docs', 'findings'), (r, f) => this.locate(r, f));
    this.worker = new AnalysisWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'analysisWorker.js').fsPath, { log: (m) => this.log.info(m) });
    this.kept = new KeptAnalyses(async (source) => {
      const known = isPcapFile(source)
        ? await services().catch((e: unknown) => {
            this.log.warn(`the workspace config's services are not used for ${source}: ${(e as Error).message}`);
            return [];
          })
        : [];
      return this.worker.analyze(analysisSource(source, known));
    });
  }

  /** Analyses a capture folder or pcap file and publishes its findings. The result's
   *  connections carry no hops: ask hops() for one connection. */
  async analyze(source: string): Promise<AnalysisResult> {
    const started = Date.now();
    const result = (await this.kept.get(source, true)).result;
    this.log.info(`analysed ${source}: ${result.stats.packets} packets, ${result.stats.connections} connections, ${result.findings.length} findings in ${Date.now() - started} ms`);
    this.diagnostics.publish(result);
    this.changed.fire();
    return result;
  }

  /** The result of a source analysed lately (undefined: not, or no longer kept). */
  resultOf(source: string): AnalysisResult | undefined {
    return this.kept.peek(source)?.result;
  }

  /** The hops of one connection (undefined: no such connection). A source no longer kept is
   *  analysed again first (the same captures give the same connections). */
  async hops(source: string, connectionId: string): Promise<Hop[] | undefined> {
    try {
      return await (await this.kept.get(source)).hops(connectionId);
    } catch (e) {
      // Let go meanwhile (another capture was analysed), or its worker stopped: analyse again, once.
      this.log.info(`hops of ${connectionId}: ${(e as Error).message}; analysing ${source} again`);
      return (await this.kept.get(source, true)).hops(connectionId);
    }
  }

  /** One packet decoded for the flow view's details pane (read in the analysis worker). */
  packetDetails(result: AnalysisResult, ref: PacketRef): Promise<PacketDetails> {
    return this.worker.packetDetails(result.folder, result.manifest, ref);
  }

  /** Writes a source's merged, annotated pcapng (analysed first when it is not kept). */
  async exportPcapng(source: string, outFile: string): Promise<MergeSummary> {
    return (await this.kept.get(source)).exportPcapng(outFile);
  }

  /** The editor location of a finding of an opened capture. */
  locationOf(source: string, f: Finding): { uri: vscode.Uri; range: vscode.Range } | undefined {
    const r = this.resultOf(source);
    return r ? (this.locate(r, f) ?? { uri: vscode.Uri.file(path.join(r.folder, 'capture.json')), range: new vscode.Range(0, 0, 0, 0) }) : undefined;
  }

  /**
   * Where a finding's config location is in the editor. A capture keeps a copy of
   * the config; when the workspace file it was copied from (capture.json's
   * configFiles) still has the same content, blame that file instead, since it is
   * the one the user edits.
   */
  private locate(r: AnalysisResult, f: Finding): { uri: vscode.Uri; range: vscode.Range } | undefined {
    const loc = f.location;
    if (!loc) return undefined;
    let file = path.isAbsolute(loc.file) ? loc.file : path.join(r.folder, loc.file);
    if (file.startsWith(r.folder + path.sep)) file = workspaceTwin(file, r, (vscode.workspace.workspaceFolders ?? []).map((wf) => wf.uri.fsPath)) ?? file;
    const line = Math.max(0, loc.line - 1);
    const col = Math.max(0, loc.column - 1);
    const endLine = loc.endLine !== undefined ? loc.endLine - 1 : line;
    const endCol = loc.endColumn !== undefined ? loc.endColumn - 1 : col + 200;
    return { uri: vscode.Uri.file(file), range: new vscode.Range(line, col, Math.max(line, endLine), endCol) };
  }

  /** Past captures of a workspace folder, newest first. */
  listCaptures(folder: vscode.WorkspaceFolder): Array<{ name: string; path: string }> {
    const dir = path.join(folder.uri.fsPath, CAPTURES_DIR);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => fs.existsSync(path.join(dir, n, 'capture.json')))
      .sort()
      .reverse()
      .map((n) => ({ name: n, path: path.join(dir, n) }));
  }

  notifyChanged(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.kept.releaseAll();
    this.worker.dispose();
    this.diagnostics.dispose();
    this.changed.dispose();
  }
}
