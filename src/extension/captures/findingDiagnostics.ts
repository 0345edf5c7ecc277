// Findings of a capture in the Problems panel: on the config line they blame
// (evidence as related information), else on the capture's capture.json. One
// DiagnosticCollection; the findings of a capture replace those of the previous
// capture of the same target, so a re-run does not pile up stale problems.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalysisResult } from '../../core/analysis/result';
import type { Finding, Severity } from '../../core/findings/finding';

const severity: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** At most this many evidence entries per diagnostic (the flow view has them all). */
const MAX_RELATED = 8;

/** Which capture a set of findings replaces: same VIP, protocol and port. */
export function targetKey(result: AnalysisResult): string {
  const t = result.manifest.target;
  return `${t.protocol ?? 'any'}:${t.vip}:${t.port ?? 'any'}`;
}

export type LocateFinding = (result: AnalysisResult, f: Finding) => { uri: vscode.Uri; range: vscode.Range } | undefined;

export class FindingDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('lvs-findings');
  /** target key -> diagnostics by file. */
  private readonly byTarget = new Map<string, Map<string, vscode.Diagnostic[]>>();

  constructor(
    private readonly docsRoot: vscode.Uri,
    private readonly locate: LocateFinding,
  ) {}

  publish(result: AnalysisResult): number {
    const files = new Map<string, vscode.Diagnostic[]>();
    const captureJson = vscode.Uri.file(path.join(result.folder, 'capture.json'));
    for (const f of result.findings) {
      const at = this.locate(result, f) ?? { uri: captureJson, range: new vscode.Range(0, 0, 0, 1) };
      const d = new vscode.Diagnostic(at.range, f.advice ? `${f.message} ${f.advice}` : f.message, severity[f.severity]);
      d.source = 'LVS capture';
      d.code = { value: f.code, target: vscode.Uri.joinPath(this.docsRoot, `${f.code}.md`) };
      d.relatedInformation = f.evidence.slice(0, MAX_RELATED).map((ev) => {
        const file = vscode.Uri.file(path.join(result.folder, ev.file ?? 'capture.json'));
        const packets = ev.packets?.length ? ` (packets ${ev.packets.slice(0, 10).join(', ')}${ev.packets.length > 10 ? ', …' : ''})` : '';
        return new vscode.DiagnosticRelatedInformation(new vscode.Location(file, new vscode.Position(0, 0)), `${ev.host}: ${ev.text}${packets}`);
      });
      const list = files.get(at.uri.toString()) ?? [];
      list.push(d);
      files.set(at.uri.toString(), list);
    }
    const key = targetKey(result);
    const before = this.byTarget.get(key);
    this.byTarget.set(key, files);
    this.refresh([...(before?.keys() ?? []), ...files.keys()]);
    return result.findings.length;
  }

  clear(): void {
    this.byTarget.clear();
    this.collection.clear();
  }

  private refresh(uris: string[]): void {
    for (const u of new Set(uris)) {
      const all: vscode.Diagnostic[] = [];
      for (const files of this.byTarget.values()) all.push(...(files.get(u) ?? []));
      this.collection.set(vscode.Uri.parse(u), all);
    }
  }

  dispose(): void {
    this.collection.dispose();
  }
}
