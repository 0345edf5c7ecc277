// keepalived.conf parser: lines → statements and blocks, with the block kind of
// every body taken from the schema. It never throws: structural problems become
// diagnostics and parsing goes on, so one mistake does not hide the rest.
// Recovery for the most common mistake, a missing `}`: a keyword that opens a
// block which is not allowed where it stands but is allowed in an enclosing block
// (a `real_server` inside a `real_server`) closes the open blocks up to there.
import * as path from 'node:path';
import type { ConfigDiagnostic } from '../diagnostic';
import { type ParsedConfig, type Statement, type Token, tokenRange } from './ast';
import { lexLine } from './lexer';
import { BLOCKS } from './schema';
import { resolveInclude } from './include';

/** keepalived ignores longer lines ("line too long - ignoring"). */
const MAX_LINE = 1024;
const MAX_INCLUDE_DEPTH = 16;

export interface ParseOptions {
  /** Reads an included file; undefined = includes are not followed. */
  readFile?: (file: string) => string | undefined;
  /** Block kind the file's top level is in (an included file inherits it). */
  rootContext?: string;
}

interface Frame {
  kind: string;
  body: Statement[];
  owner?: Statement;
}

interface IncludeState {
  /** Files on the current include path, for cycle detection. */
  stack: string[];
  files: string[];
}

const INCLUDE_KEYWORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);

export function parseKeepalived(text: string, file: string, diagnostics: ConfigDiagnostic[], options: ParseOptions = {}): ParsedConfig {
  const state: IncludeState = { stack: [path.resolve(file)], files: [file] };
  const statements = parseFile(text, file, options.rootContext ?? 'root', diagnostics, options, state);
  return { file, statements, files: state.files };
}

function parseFile(text: string, file: string, rootKind: string, diagnostics: ConfigDiagnostic[], options: ParseOptions, state: IncludeState): Statement[] {
  const root: Statement[] = [];
  const stack: Frame[] = [{ kind: rootKind, body: root }];
  /** A block keyword whose `{` may still come at the start of the next line. */
  let awaitingBrace: Statement | undefined;
  const report = (code: string, t: Token | { line: number; start: number; end: number }, message: string, severity: ConfigDiagnostic['severity'] = 'error'): void => {
    diagnostics.push({ code, severity, file, range: tokenRange(t as Token), message });
  };

  const lines = text.split('\n');
  let continuation = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln];
    // Multi-line parameter definitions go on while lines end with a backslash.
    if (continuation) {
      continuation = raw.trimEnd().endsWith('\\');
      continue;
    }
    if (raw.length > MAX_LINE) {
      report('line-too-long', { line: ln, start: 0, end: raw.length }, `line is ${raw.length} characters long; keepalived ignores lines over ${MAX_LINE - 1} characters — split it`);
      continue;
    }
    const lexed = lexLine(raw, ln);
    if (lexed.definition) {
      continuation = raw.trimEnd().endsWith('\\');
      continue;
    }
    if (lexed.unmatchedQuote !== undefined) {
      report('unmatched-quote', { line: ln, start: lexed.unmatchedQuote, end: raw.length }, 'unterminated quoted string: add the closing quote');
    }
    const toks = lexed.tokens;
    let i = 0;
    while (i < toks.length) {
      const t = toks[i];
      if (t.brace && t.text === '{') {
        if (awaitingBrace && i === 0) {
          openBlock(awaitingBrace, t);
        } else {
          report('unexpected-brace', t, "unexpected '{' (no block keyword before it): remove it or put the keyword that opens the block before it");
          // Keep the braces balanced: its contents are not checked.
          stack.push({ kind: 'opaque', body: [] });
        }
        awaitingBrace = undefined;
        i++;
        continue;
      }
      if (awaitingBrace) {
        report('missing-open-brace', awaitingBrace.keyword, `'${awaitingBrace.keyword.text}' needs a block: add '{' after it`);
        awaitingBrace = undefined;
      }
      if (t.brace) {
        if (stack.length > 1) {
          const frame = stack.pop() as Frame;
          if (frame.owner) frame.owner.close = t;
        } else {
          report('extra-brace', t, "extra '}' with no open block: remove it or add the missing opening line");
        }
        i++;
        continue;
      }
      let j = i + 1;
      while (j < toks.length && !toks[j].brace) j++;
      const frame = stack[stack.length - 1];
      const keyword = t;
      // Every field set up front keeps one object shape (the hot path on 10k-line files).
      const stmt: Statement = {
        keyword,
        args: toks.slice(i + 1, j),
        file,
        context: frame.kind,
        opens: undefined,
        body: undefined,
        open: undefined,
        close: undefined,
        templated: lexed.templated,
        entry: BLOCKS[frame.kind]?.entries !== undefined,
      };
      const opensBlock = j < toks.length && toks[j].text === '{';
      if (!stmt.entry && !BLOCKS[frame.kind]?.keywords[keyword.text] && !keyword.text.includes('$')) {
        const target = enclosingFrameAllowing(stack, keyword.text);
        if (target >= 0 && BLOCKS[stack[target].kind].keywords[keyword.text].block) {
          // Missing `}`: close the blocks up to the one this keyword belongs in.
          for (let k = stack.length - 1; k > target; k--) {
            const open = stack[k].owner;
            diagnostics.push({
              code: 'missing-brace',
              severity: 'error',
              file,
              range: tokenRange(keyword),
              message: `'${keyword.text}' is not allowed inside '${open?.keyword.text ?? stack[k].kind}': the '${open?.keyword.text ?? stack[k].kind}' block opened on line ${(open?.open?.line ?? 0) + 1} is missing its '}'`,
              related: open?.open ? [{ file, range: tokenRange(open.open), message: 'block opened here' }] : undefined,
            });
          }
          stack.length = target + 1;
          stmt.context = stack[target].kind;
          stmt.entry = false;
        }
      }
      const parent = stack[stack.length - 1];
      parent.body.push(stmt);
      if (!stmt.entry && INCLUDE_KEYWORDS.has(keyword.text) && options.readFile) {
        followInclude(stmt, parent, diagnostics, options, state);
      }
      if (opensBlock) {
        openBlock(stmt, toks[j]);
        i = j + 1;
        continue;
      }
      const spec = stmt.entry ? undefined : BLOCKS[stmt.context]?.keywords[keyword.text];
      // Only a line that ends here may get its `{` from the next line.
      if (spec?.block && j === toks.length) awaitingBrace = stmt;
      else if (spec?.block && !stmt.templated) report('missing-open-brace', keyword, `'${keyword.text}' needs a block: add '{' after it`);
      i = j;
    }
  }
  if (awaitingBrace) report('missing-open-brace', awaitingBrace.keyword, `'${awaitingBrace.keyword.text}' needs a block: add '{' after it`);
  for (let k = stack.length - 1; k > 0; k--) {
    const owner = stack[k].owner;
    const at = owner?.open ?? { line: Math.max(0, lines.length - 1), start: 0, end: 0 };
    report('missing-brace', at, `the '${owner?.keyword.text ?? '{'}' block opened here is never closed: add '}'`);
  }
  return root;

  function openBlock(stmt: Statement, brace: Token): void {
    const spec = stmt.entry ? undefined : BLOCKS[stmt.context]?.keywords[stmt.keyword.text];
    stmt.open = brace;
    stmt.body = [];
    if (spec && !spec.block && !stmt.templated) {
      report('unexpected-brace', brace, `'${stmt.keyword.text}' does not take a block: remove '{' and its contents`);
    }
    stmt.opens = spec?.block ?? 'opaque';
    stack.push({ kind: stmt.opens, body: stmt.body, owner: stmt });
  }
}

function enclosingFrameAllowing(stack: Frame[], keyword: string): number {
  for (let k = stack.length - 2; k >= 0; k--) {
    if (BLOCKS[stack[k].kind]?.keywords[keyword]) return k;
  }
  return -1;
}

function followInclude(stmt: Statement, frame: Frame, diagnostics: ConfigDiagnostic[], options: ParseOptions, state: IncludeState): void {
  if (stmt.templated || stmt.args.length === 0) return;
  const pattern = stmt.args.map((a) => a.text).join(' ');
  const resolved = resolveInclude(pattern, path.dirname(path.resolve(stmt.file)));
  const range = tokenRange(stmt.args[0]);
  range.end = tokenRange(stmt.args[stmt.args.length - 1]).end;
  if (resolved.length === 0) {
    diagnostics.push({ code: 'include-not-found', severity: 'warning', file: stmt.file, range, message: `no file matches '${pattern}' (relative paths are relative to this file's folder)` });
    return;
  }
  for (const target of resolved) {
    if (state.stack.includes(target)) {
      const chain = [...state.stack.slice(state.stack.indexOf(target)), target].map((f) => path.basename(f)).join(' → ');
      diagnostics.push({ code: 'include-cycle', severity: 'error', file: stmt.file, range, message: `include cycle: ${chain}; remove one of these includes` });
      continue;
    }
    if (state.stack.length >= MAX_INCLUDE_DEPTH) {
      diagnostics.push({ code: 'include-cycle', severity: 'error', file: stmt.file, range, message: `includes nested deeper than ${MAX_INCLUDE_DEPTH} levels` });
      return;
    }
    const text = options.readFile?.(target);
    if (text === undefined) {
      diagnostics.push({ code: 'include-not-found', severity: 'warning', file: stmt.file, range, message: `cannot read included file ${target}` });
      continue;
    }
    if (!state.files.includes(target)) state.files.push(target);
    state.stack.push(target);
    const included = parseFile(text, target, frame.kind, diagnostics, options, state);
    state.stack.pop();
    frame.body.push(...included);
  }
}
