// The same real server (address and port) twice in one virtual service: keepalived
// drops the second one ("is duplicated - removing second rs"), ipvsadm refuses it
// ("Destination already exists"). Its weight and checks are then not what is written.
import { toRange } from '../location';
import { replayIpvsadm } from '../ipvsadm/replay';
import type { LintRule } from './rule';

export const duplicateRealServer: LintRule = {
  code: 'duplicate-real-server',
  severity: 'error',
  languages: ['keepalived', 'ipvsadm'],
  description: 'The same real server listed twice in one virtual service.',
  check(ctx) {
    if (ctx.ipvsadm) {
      for (const e of replayIpvsadm(ctx.ipvsadm).filter((x) => x.kind === 'duplicate-dest')) {
        ctx.report({ file: ctx.ipvsadm.file, range: e.range, message: `${e.what} is already a real server of this service (ipvsadm: "Destination already exists"): remove this line or use -e to edit it` });
      }
      return;
    }
    for (const svc of ctx.model.services) {
      const seen = new Map<string, typeof svc.realServers[number]>();
      for (const rs of svc.realServers) {
        const key = `${rs.address}:${rs.port}`;
        const first = seen.get(key);
        if (!first) {
          seen.set(key, rs);
          continue;
        }
        const loc = rs.location;
        if (!loc) continue;
        ctx.report({
          file: loc.file,
          range: toRange(loc),
          message: `real server ${key} is listed twice in this virtual_server: keepalived ignores the second one (and its weight and checks). Remove one of them`,
          related: first.location ? [{ file: first.location.file, range: toRange(first.location), message: 'first definition' }] : undefined,
        });
      }
    }
  },
};
