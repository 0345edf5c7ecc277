// Shared by the keepalived virtual_server rules that read the syntax tree: what
// keepalived itself computes from a virtual_server block (forwarding methods,
// fwmark or address, real servers it keeps, their weights), and edits that
// delete a whole line or one value.
import type { TextEdit } from '../diagnostic';
import { type ParsedConfig, type Statement, type Token, child, children, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { isIP } from '../values';
import { removeStatement } from './edits';
import type { LintContext } from './rule';

export type Method = 'NAT' | 'DR' | 'TUN';

/** keepalived takes NAT/DR/TUN in upper case only; anything else leaves the default (NAT). */
function methodWord(s: Statement | undefined): Method | undefined {
  const v = s?.args[0]?.text;
  return v === 'NAT' || v === 'DR' || v === 'TUN' ? v : undefined;
}

/** The virtual_server's forwarding method (keepalived's default is NAT). */
export function vsMethod(vs: Statement): Method {
  return methodWord(child(vs, 'lvs_method', 'lb_kind')) ?? 'NAT';
}

/** A real server's method: its own lvs_method, else the virtual_server's. */
export function rsMethod(vs: Statement, rs: Statement): Method {
  return methodWord(child(rs, 'lvs_method', 'lb_kind')) ?? vsMethod(vs);
}

/** The sorry server's method: sorry_server_lvs_method, else the virtual_server's. */
export function sorryMethod(vs: Statement): Method {
  return methodWord(child(vs, 'sorry_server_lvs_method')) ?? vsMethod(vs);
}

/** A body whose content we cannot fully see: parameters, conditionals, sequences, includes. */
export function hasHiddenContent(s: Statement): boolean {
  return (s.body ?? []).some((b) => b.templated || /^include[rmwba]?$/.test(b.keyword.text));
}

/** keepalived skips a real_server (or sorry_server) whose address or port it cannot parse. */
export function isSkippedServer(s: Statement): boolean {
  if (s.templated) return false;
  const [addr, port] = s.args;
  if (!addr) return true;
  if (!isIP(addr.text.replace(/%[^%]*$/, ''))) return true;
  return port !== undefined && (!/^\d+$/.test(port.text) || Number(port.text) > 65535);
}

export interface VsShape {
  /** `virtual_server fwmark N`, or a group with fwmark entries. */
  fwmark: boolean;
  /** A group that has only fwmark entries (keepalived then ignores `protocol`). */
  fwmarkOnly: boolean;
  group: boolean;
  /** The port of `virtual_server IP PORT` (0 when absent); undefined for fwmark and groups. */
  port?: number;
  /** How keepalived names it in its messages: `[192.0.2.1]:tcp:80`, `FWM 5`, `[GROUP]:0`. */
  name: string;
}

export function vsShape(cfg: ParsedConfig | undefined, vs: Statement): VsShape {
  const [a0, a1] = vs.args;
  if (a0?.text === 'fwmark') return { fwmark: true, fwmarkOnly: true, group: false, name: `FWM ${a1?.text ?? ''}` };
  if (a0?.text === 'group') {
    const g = topLevel(cfg, 'virtual_server_group').find((s) => s.args[0]?.text === a1?.text);
    const entries = (g?.body ?? []).filter((e) => e.entry);
    const marks = entries.filter((e) => e.keyword.text === 'fwmark').length;
    return { fwmark: marks > 0, fwmarkOnly: marks > 0 && marks === entries.length, group: true, name: `[${a1?.text ?? ''}]:0` };
  }
  const proto = child(vs, 'protocol')?.args[0]?.text.toLowerCase() ?? 'udp';
  const port = a1 && /^\d+$/.test(a1.text) ? Number(a1.text) : 0;
  return { fwmark: false, fwmarkOnly: false, group: false, port, name: `[${a0?.text ?? ''}]:${proto}:${port}` };
}

/** The real servers keepalived keeps: parsable ones, duplicates (same address and port) removed. */
export function keptRealServers(vs: Statement): Statement[] {
  const seen = new Set<string>();
  const out: Statement[] = [];
  for (const rs of children(vs, 'real_server')) {
    if (isSkippedServer(rs)) continue;
    const key = `${rs.args[0]?.text} ${rs.args[1]?.text ?? ''}`;
    if (!rs.templated && seen.has(key)) continue;
    seen.add(key);
    out.push(rs);
  }
  return out;
}

/** A whole number value of a statement, undefined when absent, templated or not a number. */
export function intValue(s: Statement | undefined): number | undefined {
  const v = s?.args[0]?.text;
  return s && !s.templated && v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Total weight of the real servers keepalived keeps (a real server without
 * `weight` gets the virtual_server's `weight`, default 1; keepalived 2.2.7
 * refuses 0 there, "Virtual server weight 0 is outside range"); undefined when a
 * weight cannot be read (templated lines, includes).
 */
export function totalWeight(vs: Statement): number | undefined {
  const vsWeightSt = child(vs, 'weight');
  const written = vsWeightSt ? intValue(vsWeightSt) : 1;
  if (written === undefined) return undefined;
  const vsWeight = Math.max(1, written);
  let sum = 0;
  for (const rs of keptRealServers(vs)) {
    if (rs.templated || hasHiddenContent(rs)) return undefined;
    const w = child(rs, 'weight');
    const value = w ? intValue(w) : vsWeight;
    if (value === undefined) return undefined;
    sum += value;
  }
  return sum;
}

/** An edit deleting the line of `s` when it stands alone on it; a trailing comment stays (see removeStatement). */
export function deleteLineEdit(ctx: LintContext, s: Statement): TextEdit | undefined {
  if (s.body || s.keyword.line !== (s.args[s.args.length - 1] ?? s.keyword).line) return undefined;
  return removeStatement(ctx, s);
}

/** An edit deleting a value and the blank before it (`real_server 192.0.2.1 80` → `real_server 192.0.2.1`). */
export function deleteValueEdit(s: Statement, tok: Token): TextEdit {
  const i = s.args.indexOf(tok);
  const before = i > 0 ? s.args[i - 1] : s.keyword;
  const r = tokenRange(tok);
  return { file: s.file, range: { start: { line: before.line, character: before.end }, end: r.end }, newText: '' };
}
