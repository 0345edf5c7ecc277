// Core config diagnostics (plain data, 0-based positions) as VS Code objects.
import * as vscode from 'vscode';
import type { ConfigDiagnostic, Range as CoreRange } from '../../core/config';

export function toRange(r: CoreRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toSeverity(s: ConfigDiagnostic['severity']): vscode.DiagnosticSeverity {
  return s === 'error' ? vscode.DiagnosticSeverity.Error : s === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/** The diagnostic with its code, `lvs` as source, and its related locations (another file's line). */
export function toDiagnostic(d: ConfigDiagnostic): vscode.Diagnostic {
  const diag = new vscode.Diagnostic(toRange(d.range), d.message, toSeverity(d.severity));
  diag.code = d.code;
  diag.source = 'lvs';
  if (d.related) diag.relatedInformation = d.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(r.file), toRange(r.range)), r.message));
  return diag;
}
