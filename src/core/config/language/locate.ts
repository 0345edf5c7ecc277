// Finding what is under the cursor in a keepalived syntax tree.
import { contains, type Position } from '../diagnostic';
import { type Statement, type Token, statementRange, tokenRange } from '../keepalived/ast';

export interface Located {
  statement: Statement;
  /** -1 = the keyword, else the index of the value. */
  index: number;
  token: Token;
}

/** The statement and token under `pos` in `file`, innermost first. */
export function locateToken(statements: Statement[], file: string, pos: Position): Located | undefined {
  for (const s of statements) {
    if (s.file !== file) continue;
    if (contains(tokenRange(s.keyword), pos)) return { statement: s, index: -1, token: s.keyword };
    for (let i = 0; i < s.args.length; i++) if (contains(tokenRange(s.args[i]), pos)) return { statement: s, index: i, token: s.args[i] };
    if (s.body && contains(statementRange(s), pos)) {
      const inner = locateToken(s.body, file, pos);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The block kind the cursor is in: the innermost open body containing `pos`. */
export function blockAt(statements: Statement[], file: string, pos: Position, kind = 'root'): string {
  for (const s of statements) {
    if (s.file !== file || !s.body || !s.open) continue;
    const after = pos.line > s.open.line || (pos.line === s.open.line && pos.character >= s.open.end);
    const before = !s.close || pos.line < s.close.line || (pos.line === s.close.line && pos.character <= s.close.start);
    if (after && before) return blockAt(s.body, file, pos, s.opens ?? 'opaque');
  }
  return kind;
}
