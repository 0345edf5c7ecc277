// Shared by the vrrp-* rules: the instances' settings (keepalived's defaults
// applied, see keepalived/model.ts vrrpSettings) and the small edits their quick
// fixes make.
import type { Range, RelatedLocation, TextEdit } from '../diagnostic';
import { type ParsedConfig, type Statement, headerRange } from '../keepalived/ast';
import { type VrrpSettings, vrrpSettings } from '../keepalived/model';
import { indentUnit, lineIndent, removeStatement } from './edits';
import type { LintContext } from './rule';

const cache = new WeakMap<ParsedConfig, VrrpSettings[]>();

/** The vrrp_instances of the linted file, computed once per parse for all the rules. */
export function vrrpInstances(ctx: Pick<LintContext, 'keepalived'>): VrrpSettings[] {
  const cfg = ctx.keepalived;
  if (!cfg) return [];
  let v = cache.get(cfg);
  if (!v) {
    v = vrrpSettings(cfg);
    cache.set(cfg, v);
  }
  return v;
}

/** Where to report about a statement: its keyword through its last value. */
export function at(s: Statement): { file: string; range: Range } {
  return { file: s.file, range: headerRange(s) };
}

/** Where to report about an instance as a whole: its name (the keyword if it has none). */
export function atInstance(v: VrrpSettings): { file: string; range: Range } {
  const t = v.instance.args[0] ?? v.instance.keyword;
  return { file: v.instance.file, range: { start: { line: t.line, character: t.start }, end: { line: t.line, character: t.end } } };
}

export function related(s: Statement | undefined, message: string): RelatedLocation[] | undefined {
  return s ? [{ file: s.file, range: headerRange(s), message }] : undefined;
}

/**
 * An edit deleting a statement (block included), offered only when nothing else
 * shares its lines (text before it is indentation, after it at most a comment,
 * which stays in place).
 */
export function deleteLines(ctx: Pick<LintContext, 'lineText'>, s: Statement): TextEdit | undefined {
  return removeStatement(ctx, s);
}

/** An edit inserting a line above a statement, with its indentation (the block's, when the statement does not start its line). */
export function insertLineBefore(ctx: Pick<LintContext, 'lineText' | 'keepalived'>, s: Statement, text: string): TextEdit {
  const line = s.keyword.line;
  const indent = lineIndent(ctx, s) ?? indentUnit(ctx, s);
  return { file: s.file, range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}${text}\n` };
}

/** The first statement of an instance's body (to insert a line above it). */
export function firstBodyStatement(v: VrrpSettings): Statement | undefined {
  return v.instance.body?.find((s) => !s.entry);
}

/** Where strict mode comes from, for messages: `vrrp_strict` (global) or `strict_mode` (this instance). */
export function strictSource(v: VrrpSettings): string {
  return v.strictStatement?.keyword.text === 'strict_mode' ? 'strict_mode' : 'vrrp_strict';
}

/** Why an instance runs VRRP version 3, for messages. */
export function versionSource(v: VrrpSettings): string {
  if (v.versionStatement?.keyword.text === 'vrrp_version') return 'vrrp_version 3 in global_defs';
  if (v.versionStatement) return 'version 3';
  return 'its VIPs are IPv6';
}
