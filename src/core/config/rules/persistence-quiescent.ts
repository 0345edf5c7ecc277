// The persistence trap (LVS notes P1) on TCP/SCTP services: inhibit_on_failure sets
// a failed real server to weight 0 instead of removing it, and a quiescent server
// keeps its persistence templates, so a client that has one keeps being sent to the
// dead server (its new connections fail) until the template expires. UDP services
// have their own rule (quiescent-udp-persistence); ipvsadm's -p with -w 0 is checked
// on the ipvsadm side.
import { type Statement, child } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { toRange } from '../location';
import type { LintRule } from './rule';
import { deleteLineEdit } from './virtual-server';

export const persistenceQuiescent: LintRule = {
  code: 'persistence-quiescent',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'inhibit_on_failure on a persistent TCP/SCTP service: clients with a persistence template stay on the dead server.',
  check(ctx) {
    // The inhibit_on_failure statements by position, for the quick fix.
    const statements = new Map<string, Statement>();
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      for (const s of [vs, ...(vs.body ?? []).filter((b) => b.keyword.text === 'real_server')]) {
        const st = child(s, 'inhibit_on_failure');
        if (st) statements.set(`${st.file}:${st.keyword.line}:${st.keyword.start}`, st);
      }
    }
    const done = new Set<string>();
    for (const svc of ctx.model.services) {
      // UDP (and a service without a valid protocol, which keepalived makes UDP) is quiescent-udp-persistence's.
      if ((svc.protocol !== 'tcp' && svc.protocol !== 'sctp') || svc.persistenceSeconds <= 0) continue;
      const vsLoc = svc.optionLocations?.inhibit_on_failure;
      for (const rs of svc.realServers) {
        if (!rs.inhibitOnFailure) continue;
        const own = rs.optionLocations?.inhibit_on_failure;
        const loc = own ?? vsLoc;
        if (!loc) continue;
        const key = `${loc.file}:${loc.line - 1}:${loc.column - 1}`;
        if (done.has(key)) continue;
        done.add(key);
        const who = own ? `real server ${rs.address}` : 'a real server of this virtual_server';
        const st = statements.get(key);
        const edit = st && deleteLineEdit(ctx, st);
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `inhibit_on_failure on a persistent ${svc.protocol.toUpperCase()} service: when ${who} fails, keepalived sets its weight to 0 instead of removing it, and clients that have a persistence template for it keep being sent to the dead server (their new connections fail) until the template expires (${svc.persistenceSeconds} s after their last connection). Remove inhibit_on_failure, or set net.ipv4.vs.expire_quiescent_template=1 on the directors`,
          fixes: edit ? [{ title: 'Remove inhibit_on_failure (keepalived then removes a failed real server)', isPreferred: true, edits: [edit] }] : undefined,
        });
      }
    }
  },
};
