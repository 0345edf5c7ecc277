// A quiescent destination (weight 0) should take no new connections. If the
// director's rate counters still show new connections per second to it, clients
// are being sent there by persistence templates (reference §1.4 P1) — typical
// after a health check failed with inhibit_on_failure / ldirectord quiescent=yes.
import type { Finding } from '../../findings/finding';
import { formatEndpoint, livePersistence } from '../../state';
import type { CheckRule } from '../types';
import { liveServiceKey } from './ipvsDrift';

export const quiescentTraffic: CheckRule = (ctx) => {
  const out: Finding[] = [];
  for (const d of ctx.directors) {
    if (!d.ipvs || !d.ipvsRate) continue;
    for (const l of d.ipvs.services) {
      const key = liveServiceKey(l);
      const rateSvc = d.ipvsRate.services.find((r) => liveServiceKey(r) === key);
      for (const dst of l.destinations.filter((x) => x.weight === 0)) {
        const rate = rateSvc?.destinations.find((x) => x.address === dst.address && x.port === dst.port);
        const cps = rate?.counters?.CPS ?? 0;
        if (cps <= 0) continue;
        const svc = ctx.model.services.find((s) => s.vip === l.vip && s.port === l.port && s.protocol === l.protocol);
        const rs = svc?.realServers.find((r) => r.address === dst.address);
        const tpl = d.sysctl?.get('net.ipv4.vs.expire_quiescent_template');
        out.push({
          code: 'check-quiescent-receiving',
          severity: 'warning',
          message: `Real server ${formatEndpoint(dst.address, dst.port)} of ${key} has weight 0 on ${d.name} but still gets ${cps} new connection${cps === 1 ? '' : 's'} per second${livePersistence(l).persistent ? ': likely persistent clients still sent to it by their templates' : ''}.`,
          advice:
            livePersistence(l).persistent && tpl === '0'
              ? 'Set net.ipv4.vs.expire_quiescent_template=1 so the templates of a quiescent server expire.'
              : 'See which clients still reach it (ipvsadm -Lnc) and whether the server is really healthy.',
          evidence: [
            { host: d.name, text: `${d.ipvsSource} line ${dst.line}: -> ${formatEndpoint(dst.address, dst.port)} ${dst.forward ?? ''} weight 0` },
            { host: d.name, text: `ipvsadm -Ln --rate line ${rate?.line}: CPS ${cps}` },
          ],
          location: rs?.location ?? svc?.location,
          service: key,
          realServer: rs?.name,
        });
      }
    }
  }
  return out;
};
