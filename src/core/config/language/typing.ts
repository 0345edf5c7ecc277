// Diagnostics spared while the user is typing: at 300 ms per keystroke every prefix of
// a keyword is "unknown" (`v`, `vi`, ... `virtual_router_i`), a keyword whose value is
// not typed yet is "missing a value", and a block just opened (`virtual_server … {`)
// lacks everything it is about to get. The editor applies this only to the line being
// edited, until the user leaves that line or pauses (see the VS Code layer); then every
// diagnostic is shown as computed.
import { contains, type ConfigDiagnostic, type Position } from '../diagnostic';
import { headerRange, type Statement } from '../keepalived/ast';
import type { AnalyzedDocument } from '../lint';

/** Checks of what is written on a block's header itself: kept while its body is empty. */
const HEADER_SYNTAX = new Set(['invalid-value', 'unknown-keyword', 'keyword-not-allowed', 'deprecated-keyword', 'unexpected-brace', 'extra-brace', 'unmatched-quote', 'line-too-long']);

/**
 * `diagnostics` without those about the token at `cursor` (a one-line range on the
 * cursor's line that contains it, or ends before it with only blanks between), and,
 * when the cursor is inside a block whose body is still empty, without those its header
 * gets for what the block lacks (missing members: protocol, scheduler, real servers,
 * VRID, VIPs, its closing brace).
 */
export function spareWhileTyping(diagnostics: ConfigDiagnostic[], doc: AnalyzedDocument, text: string, cursor: Position): ConfigDiagnostic[] {
  const line = text.split('\n')[cursor.line] ?? '';
  const empty = doc.keepalived ? emptyBlockAt(doc.keepalived.statements, doc.file, cursor) : undefined;
  // The header's lines: its keyword through its `{` (which may stand on the next line).
  const header = empty && { first: headerRange(empty).start.line, last: empty.open?.line ?? headerRange(empty).end.line };
  return diagnostics.filter((d) => {
    if (d.file !== doc.file) return true;
    const r = d.range;
    if (header && !HEADER_SYNTAX.has(d.code) && r.start.line >= header.first && r.end.line <= header.last) return false;
    if (r.start.line !== cursor.line || r.end.line !== cursor.line) return true;
    if (contains(r, cursor)) return false;
    return !(cursor.character > r.end.character && line.slice(r.end.character, cursor.character).trim() === '');
  });
}

/** The innermost block of `file` whose body holds the cursor and nothing else. */
function emptyBlockAt(statements: Statement[], file: string, pos: Position): Statement | undefined {
  for (const s of statements) {
    if (s.file !== file || !s.body || !s.open) continue;
    const after = pos.line > s.open.line || (pos.line === s.open.line && pos.character >= s.open.end);
    const before = !s.close || pos.line < s.close.line || (pos.line === s.close.line && pos.character <= s.close.start);
    if (!after || !before) continue;
    return s.body.length === 0 ? s : emptyBlockAt(s.body, file, pos);
  }
  return undefined;
}
