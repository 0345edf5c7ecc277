// Document symbols for the Outline view: VRRP instances, virtual servers with
// their real servers and checkers (keepalived); services with their real servers (ipvsadm).
import type { Range } from '../diagnostic';
import { type Statement, headerRange, statementRange } from '../keepalived/ast';
import { isCheckerKeyword } from '../keepalived/schema';
import type { AnalyzedDocument } from '../lint';
import { commandServiceKey } from '../ipvsadm/model';

export interface ConfigSymbol {
  name: string;
  detail: string;
  kind: 'namespace' | 'object' | 'field' | 'event' | 'module';
  range: Range;
  selectionRange: Range;
  children: ConfigSymbol[];
}

const KINDS: Record<string, ConfigSymbol['kind']> = {
  global_defs: 'module',
  vrrp_instance: 'namespace',
  vrrp_sync_group: 'namespace',
  vrrp_script: 'event',
  vrrp_track_process: 'event',
  virtual_server: 'namespace',
  virtual_server_group: 'namespace',
  real_server: 'object',
};

function symbolOf(s: Statement, file: string): ConfigSymbol | undefined {
  const kw = s.keyword.text;
  if (s.entry || s.file !== file || !(kw in KINDS || isCheckerKeyword(kw))) return undefined;
  const children = (s.body ?? []).map((c) => symbolOf(c, file)).filter((c): c is ConfigSymbol => c !== undefined);
  return {
    name: s.args.length ? `${kw} ${s.args.map((a) => a.text).join(' ')}` : kw,
    detail: kw === 'virtual_server' ? methodDetail(s) : '',
    kind: KINDS[kw] ?? 'field',
    range: statementRange(s),
    selectionRange: headerRange(s),
    children,
  };
}

function methodDetail(vs: Statement): string {
  const get = (...k: string[]): string | undefined => vs.body?.find((c) => !c.entry && k.includes(c.keyword.text))?.args[0]?.text;
  return [get('protocol') ?? 'TCP', get('lvs_method', 'lb_kind') ?? 'NAT', get('lvs_sched', 'lb_algo') ?? 'wlc'].join(' ');
}

export function documentSymbols(doc: AnalyzedDocument): ConfigSymbol[] {
  if (doc.keepalived) {
    return doc.keepalived.statements.map((s) => symbolOf(s, doc.file)).filter((s): s is ConfigSymbol => s !== undefined);
  }
  const services = new Map<string, ConfigSymbol>();
  for (const c of doc.ipvsadm?.commands ?? []) {
    const key = commandServiceKey(c);
    if (!key) continue;
    if (c.op === 'add-service' && !services.has(key)) {
      services.set(key, { name: key, detail: c.scheduler?.text ?? 'wlc', kind: 'namespace', range: c.range, selectionRange: c.range, children: [] });
    } else if (c.op === 'add-dest' && c.dest) {
      const svc = services.get(key);
      svc?.children.push({ name: c.dest.word.text, detail: `${c.method?.kind ?? 'dr'} w=${c.weight?.value ?? 1}`, kind: 'object', range: c.range, selectionRange: c.range, children: [] });
    }
  }
  return [...services.values()];
}
