// The diagnostic shape shared by the keepalived and ipvsadm linters, the `lint`
// command and the VS Code layer. Positions are 0-based (LSP style); the CLI adds 1.

export type ConfigSeverity = 'error' | 'warning' | 'info';
export type ConfigLanguage = 'keepalived' | 'ipvsadm';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

/** A quick fix: a titled set of edits the editor can apply as is. */
export interface ConfigFix {
  title: string;
  edits: TextEdit[];
  /** The fix to prefer when several are offered. */
  isPreferred?: boolean;
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export interface ConfigDiagnostic {
  /** Stable code, e.g. `unknown-keyword`, `dr-port-remap`. */
  code: string;
  severity: ConfigSeverity;
  file: string;
  range: Range;
  /** What is wrong and what to do about it. */
  message: string;
  fixes?: ConfigFix[];
  related?: RelatedLocation[];
}

export function range(line: number, start: number, endLine: number, end: number): Range {
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}

/** Sorts by file, then position, then code so output is stable. */
export function sortDiagnostics(list: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return list.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** Whether `pos` lies inside `r` (end inclusive, as a cursor at a token's end still "touches" it). */
export function contains(r: Range, pos: Position): boolean {
  if (pos.line < r.start.line || pos.line > r.end.line) return false;
  if (pos.line === r.start.line && pos.character < r.start.character) return false;
  if (pos.line === r.end.line && pos.character > r.end.character) return false;
  return true;
}
