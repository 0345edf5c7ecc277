// The keepalived.conf syntax tree: statements (a keyword, its values, and a body
// when followed by `{`), every token with its 0-based line and character range.
import type { Range } from '../diagnostic';

export interface Token {
  /** The text with quotes removed. */
  text: string;
  line: number;
  start: number;
  end: number;
  quoted?: boolean;
  /** `{` or `}`. */
  brace?: boolean;
}

export interface Statement {
  keyword: Token;
  args: Token[];
  file: string;
  /** The schema block this statement sits in (`root`, `virtual_server`, ...). */
  context: string;
  /** The schema block its body is, when it has one. */
  opens?: string;
  body?: Statement[];
  open?: Token;
  close?: Token;
  /** The line uses parameters, conditionals or sequences: values are not checked. */
  templated: boolean;
  /** A data line of a list block (`virtual_ipaddress`), not a keyword. */
  entry: boolean;
}

export interface ParsedConfig {
  /** The main file. */
  file: string;
  statements: Statement[];
  /** Every file read (main first, then includes), for `sources`. */
  files: string[];
}

export function tokenRange(t: Token): Range {
  return { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } };
}

/** The header of a statement: keyword through its last value. */
export function headerRange(s: Statement): Range {
  const last = s.args.length ? s.args[s.args.length - 1] : s.keyword;
  return { start: { line: s.keyword.line, character: s.keyword.start }, end: { line: last.line, character: last.end } };
}

/** The whole statement including its body. */
export function statementRange(s: Statement): Range {
  const h = headerRange(s);
  const endTok = s.close ?? (s.body && s.body.length ? undefined : s.open);
  if (endTok) return { start: h.start, end: { line: endTok.line, character: endTok.end } };
  if (s.body && s.body.length) return { start: h.start, end: statementRange(s.body[s.body.length - 1]).end };
  return h;
}

/** Depth-first walk over every statement (bodies included). */
export function walk(statements: Statement[], visit: (s: Statement, parent: Statement | undefined) => void, parent?: Statement): void {
  for (const s of statements) {
    visit(s, parent);
    if (s.body) walk(s.body, visit, s);
  }
}

/** The statements of `parent` with this keyword (synonyms compared by the caller). */
export function children(parent: Statement | undefined, ...keywords: string[]): Statement[] {
  return (parent?.body ?? []).filter((s) => !s.entry && keywords.includes(s.keyword.text));
}

/** The last statement of `parent` with one of these keywords (keepalived: the last one wins). */
export function child(parent: Statement | undefined, ...keywords: string[]): Statement | undefined {
  const body = parent?.body;
  if (!body) return undefined;
  // A plain loop: this runs for every option of every block on each keystroke.
  for (let i = body.length - 1; i >= 0; i--) {
    const s = body[i];
    if (!s.entry && keywords.includes(s.keyword.text)) return s;
  }
  return undefined;
}
