// Splits one keepalived.conf line into tokens with their character ranges.
// Lexical facts (keepalived.conf(5)): `#` and `!` start a comment anywhere outside
// quotes; `"..."`/`'...'` are strings; `{` and `}` are tokens of their own;
// `$NAME=VALUE` defines a parameter; lines starting `@ID`/`@^ID` are conditional,
// `~SEQ(...)`/`~LST(...)` lines are sequences — both are templates whose values
// are only known to keepalived at run time.
import type { Token } from './ast';

export interface LexedLine {
  tokens: Token[];
  /** The line is (part of) a template: skip value checks. */
  templated: boolean;
  /** A parameter definition (`$NAME=...`): not configuration by itself. */
  definition: boolean;
  /** Character where an unterminated quote starts, if any. */
  unmatchedQuote?: number;
}

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const BANG = 33;
const DQUOTE = 34;
const SQUOTE = 39;
const LBRACE = 123;
const RBRACE = 125;
const DOLLAR = 36;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === 13 || c === 11 || c === 12;
}

const DEFINITION = /^\s*\$[A-Za-z_][A-Za-z0-9_]*=/;
const SEQUENCE = /^~(SEQx?|LST)\(/;

export function lexLine(text: string, line: number): LexedLine {
  const tokens: Token[] = [];
  let templated = false;
  let i = 0;
  const n = text.length;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i < n && text.charCodeAt(i) === DOLLAR && DEFINITION.test(text)) return { tokens, templated: true, definition: true };
  // Conditional prefix `@ID ` / `@^ID `: the rest of the line is configuration for some hosts only.
  if (i < n && text.charCodeAt(i) === 64) {
    while (i < n && !isSpace(text.charCodeAt(i))) i++;
    templated = true;
  }
  // Sequence prefixes, possibly several: `~SEQ(i, 1, 3) ~LST(x, a, b) real_server ...`.
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i < n && text.charCodeAt(i) === 126 && SEQUENCE.test(text.slice(i, i + 6))) {
      let depth = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c === 40) depth++;
        else if (c === 41 && --depth === 0) {
          i++;
          break;
        }
      }
      templated = true;
      continue;
    }
    break;
  }
  let unmatchedQuote: number | undefined;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === HASH || c === BANG) break;
    if (c === LBRACE || c === RBRACE) {
      tokens.push({ text: c === LBRACE ? '{' : '}', line, start: i, end: i + 1, quoted: false, brace: true });
      i++;
      continue;
    }
    if (c === DQUOTE || c === SQUOTE) {
      const start = i;
      let j = i + 1;
      let value = '';
      while (j < n && text.charCodeAt(j) !== c) {
        if (text.charCodeAt(j) === BACKSLASH && j + 1 < n) {
          value += text[j] + text[j + 1];
          j += 2;
          continue;
        }
        value += text[j];
        j++;
      }
      if (j >= n) {
        unmatchedQuote = start;
        tokens.push({ text: value, line, start, end: n, quoted: true, brace: false });
        break;
      }
      if (value.includes('$')) templated = true;
      tokens.push({ text: value, line, start, end: j + 1, quoted: true, brace: false });
      i = j + 1;
      continue;
    }
    const start = i;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (isSpace(d) || d === LBRACE || d === RBRACE || d === HASH || d === BANG || d === DQUOTE || d === SQUOTE) break;
      if (d === DOLLAR) {
        templated = true;
        // `${NAME}` is one parameter reference, not a brace.
        if (text.charCodeAt(i + 1) === LBRACE) {
          const close = text.indexOf('}', i + 2);
          i = close < 0 ? n : close + 1;
          continue;
        }
      }
      i++;
    }
    tokens.push({ text: text.slice(start, i), line, start, end: i, quoted: false, brace: false });
  }
  return { tokens, templated, definition: false, unmatchedQuote };
}
