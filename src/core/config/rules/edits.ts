// Text edits shared by the keepalived quick fixes: lines they insert follow the
// file's own indentation (tabs or N spaces, as the block's lines are written),
// and statements they remove leave a trailing comment of their line in place.
import type { TextEdit } from '../diagnostic';
import { type Statement, statementRange, walk } from '../keepalived/ast';
import type { LintContext } from './rule';

type Ctx = Pick<LintContext, 'lineText' | 'keepalived'>;

/** The whitespace before a statement's keyword, or undefined when something else precedes it on its line. */
export function lineIndent(ctx: Pick<LintContext, 'lineText'>, s: Statement): string | undefined {
  const before = ctx.lineText(s.file, s.keyword.line).slice(0, s.keyword.start);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** The step from a block's indentation to its lines' (`\t`, `  `...), when the block shows one. */
function stepOf(ctx: Pick<LintContext, 'lineText'>, parent: Statement | undefined, c: Statement): string | undefined {
  if (parent && (c.file !== parent.file || c.keyword.line === parent.keyword.line)) return undefined;
  const ci = lineIndent(ctx, c);
  const pi = parent ? lineIndent(ctx, parent) : '';
  if (ci === undefined || pi === undefined || !ci.startsWith(pi) || ci.length === pi.length) return undefined;
  return ci.slice(pi.length);
}

/**
 * The indentation unit of `s`'s file: the step from a block to its lines, looked for
 * in `s` itself first, then in the rest of the file; else a tab when the file's lines
 * are indented with tabs, else four spaces.
 */
export function indentUnit(ctx: Ctx, s: Statement): string {
  let found: string | undefined;
  const look = (list: Statement[], parent?: Statement): void => {
    walk(list, (c, p) => {
      found ??= c.file === s.file ? stepOf(ctx, p ?? parent, c) : undefined;
    });
  };
  look(s.body ?? [], s);
  if (found) return found;
  const top = ctx.keepalived?.statements ?? [];
  // Top-level statements of a file included inside a block are not at column 0: only nested pairs count.
  walk(top, (c, p) => {
    found ??= c.file === s.file && p ? stepOf(ctx, p, c) : undefined;
  });
  if (found) return found;
  let tabs = false;
  walk(top, (c) => {
    tabs ||= c.file === s.file && (lineIndent(ctx, c) ?? '').includes('\t');
  });
  return tabs ? '\t' : '    ';
}

/**
 * The indentation of a new line in `block`'s body: that of its first statement on a
 * line of its own, else the block's own plus the file's unit.
 */
export function bodyIndent(ctx: Ctx, block: Statement): string {
  for (const c of block.body ?? []) {
    if (c.file !== block.file || c.keyword.line === block.keyword.line) continue;
    const ci = lineIndent(ctx, c);
    if (ci !== undefined) return ci;
  }
  return (lineIndent(ctx, block) ?? '') + indentUnit(ctx, block);
}

/** Where a comment starts in `rest` (text after a statement on its line): `#` or `!` after blanks. */
function commentAt(rest: string): number | undefined {
  const m = /^[ \t]*(?=[#!])/.exec(rest);
  return m ? m[0].length : rest.trim() === '' ? -1 : undefined;
}

/**
 * An edit removing a statement (its body included) when nothing but indentation
 * precedes it and at most a comment follows it: the whole lines go, except a
 * trailing comment, which stays on its line (`inhibit_on_failure  # why` → `# why`).
 */
export function removeStatement(ctx: Pick<LintContext, 'lineText'>, s: Statement): TextEdit | undefined {
  const r = statementRange(s);
  if (lineIndent(ctx, s) === undefined) return undefined;
  const last = ctx.lineText(s.file, r.end.line);
  const at = commentAt(last.slice(r.end.character));
  if (at === undefined) return undefined;
  if (at < 0) return { file: s.file, range: { start: { line: r.start.line, character: 0 }, end: { line: r.end.line + 1, character: 0 } }, newText: '' };
  return { file: s.file, range: { start: r.start, end: { line: r.end.line, character: r.end.character + at } }, newText: '' };
}
