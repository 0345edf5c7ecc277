// The cluster check rules, in the order their findings are listed. One line per rule.
import type { CheckRule } from '../types';
import { arpSysctls } from './arpSysctls';
import { expireSysctls } from './expireSysctls';
import { hostUnreachable } from './hostUnreachable';
import { ipForward } from './ipForward';
import { ipvsDrift } from './ipvsDrift';
import { ipvsMissing } from './ipvsMissing';
import { kernelSupport } from './kernelSupport';
import { listener } from './listener';
import { quiescentTraffic } from './quiescentTraffic';
import { rpFilter } from './rpFilter';
import { rsDefaultRoute } from './rsDefaultRoute';
import { rsVip } from './rsVip';
import { serviceDestinations } from './serviceDestinations';
import { sourcesUnreadable } from './sourcesUnreadable';
import { synRecv } from './synRecv';
import { vipHolders } from './vipHolders';
import { vrrpState } from './vrrpState';

export const checkRules: { name: string; rule: CheckRule }[] = [
  { name: 'host unreachable', rule: hostUnreachable },
  { name: 'IPVS present', rule: ipvsMissing },
  { name: 'kernel protocol / scheduler support', rule: kernelSupport },
  { name: 'IPVS table vs config', rule: ipvsDrift },
  { name: 'services with no usable destination', rule: serviceDestinations },
  { name: 'ip_forward for NAT', rule: ipForward },
  { name: 'expire_quiescent_template / expire_nodest_conn', rule: expireSysctls },
  { name: 'quiescent servers still receiving', rule: quiescentTraffic },
  { name: 'VIP holders', rule: vipHolders },
  { name: 'VRRP state vs VIP holders', rule: vrrpState },
  { name: 'connections stuck in SYN_RECV', rule: synRecv },
  { name: 'VIP on the real server', rule: rsVip },
  { name: 'ARP sysctls', rule: arpSysctls },
  { name: 'rp_filter on the tunnel', rule: rpFilter },
  { name: 'NAT default route', rule: rsDefaultRoute },
  { name: 'listener on the service port', rule: listener },
  { name: 'sources that could not be read', rule: sourcesUnreadable },
];
