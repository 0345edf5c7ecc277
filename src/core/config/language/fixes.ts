// Quick fixes available at a range: the fixes attached to the diagnostics that
// touch it, keyed by diagnostic code (never by message text).
import type { ConfigDiagnostic, ConfigFix, Range } from '../diagnostic';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/**
 * The fixes of the diagnostics that touch `range`. With `file`, only diagnostics located
 * in that file: a config's diagnostics include those of the files it includes, whose
 * positions are lines of those files, not of the document the range is in.
 */
export function fixesAt(diagnostics: ConfigDiagnostic[], range: Range, file?: string): Array<{ diagnostic: ConfigDiagnostic; fix: ConfigFix }> {
  const out: Array<{ diagnostic: ConfigDiagnostic; fix: ConfigFix }> = [];
  for (const d of diagnostics) {
    if (file !== undefined && d.file !== file) continue;
    if (d.fixes && overlaps(d.range, range)) for (const fix of d.fixes) out.push({ diagnostic: d, fix });
  }
  return out;
}

/** Applies non-overlapping edits of one file to a text (for tests and the CLI). */
export function applyEdits(text: string, edits: Array<{ range: Range; newText: string }>): string {
  const lines = text.split('\n');
  const offset = (p: Range['start']): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
