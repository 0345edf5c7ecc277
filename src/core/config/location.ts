// Conversions between the linter's 0-based ranges and the 1-based SourceLocation
// used by the cluster model and findings.
import type { SourceLocation } from '../findings/finding';
import type { Range } from './diagnostic';

export function toLocation(file: string, r: Range): SourceLocation {
  return { file, line: r.start.line + 1, column: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

export function toRange(loc: SourceLocation): Range {
  return {
    start: { line: loc.line - 1, character: loc.column - 1 },
    end: { line: (loc.endLine ?? loc.line) - 1, character: (loc.endColumn ?? loc.column) - 1 },
  };
}
