// The persistence trap (LVS notes P1) on TCP/SCTP services: a real server at
// weight 0 (quiescent) keeps its persistence templates, so a client that has one
// keeps being sent to it until the template expires — after a failure too (its new
// connections fail). keepalived's inhibit_on_failure sets a failed real server to
// weight 0 instead of removing it; in ipvsadm rules it is a real server at -w 0 on a
// -p service (fwmark services included: their templates work the same way). UDP
// services have their own rule (quiescent-udp-persistence), which reports both.
import { type Statement, child } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import { toRange } from '../location';
import type { LintContext, LintRule } from './rule';
import { deleteLineEdit } from './virtual-server';

export const persistenceQuiescent: LintRule = {
  code: 'persistence-quiescent',
  severity: 'warning',
  languages: ['keepalived', 'ipvsadm'],
  description: 'inhibit_on_failure / -w 0 on a persistent TCP/SCTP service: clients with a persistence template stay on the quiesced (or dead) server.',
  check(ctx) {
    if (ctx.language === 'ipvsadm') {
      checkIpvsadm(ctx);
      return;
    }
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

/** ipvsadm rules: a real server left at -w 0 on a persistent service, reported on the weight. */
function checkIpvsadm(ctx: LintContext): void {
  for (const svc of ctx.model.services) {
    // UDP is quiescent-udp-persistence's (it takes the services whose protocol is udp).
    if (svc.protocol === 'udp' || svc.persistenceSeconds <= 0) continue;
    const what = svc.fwmark !== undefined ? `fwmark ${svc.fwmark}` : svc.protocol.toUpperCase();
    for (const rs of svc.realServers) {
      const loc = rs.weight === 0 ? rs.optionLocations?.weight : undefined;
      if (!loc) continue;
      ctx.report({
        file: loc.file,
        range: toRange(loc),
        message: `real server ${rs.address} has weight 0 on a persistent ${what} service: IPVS schedules it no new clients, but clients that have a persistence template for it keep being sent to it until the template expires (${svc.persistenceSeconds} s after their last connection), even once it is down. Remove the real server (-d) instead of quiescing it, or set net.ipv4.vs.expire_quiescent_template=1 on the directors`,
      });
    }
  }
}
