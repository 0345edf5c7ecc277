// What a keepalived config says its directors are: the `router_id` of global_defs, and the
// VRRP instances' `unicast_src_ip` and `unicast_peer` addresses. Used to tell which host is a
// director (hosts from ~/.ssh/config, pcaps taken by hand). ipvsadm rules name none.
import type { AnalyzedDocument } from './lint';
import { child } from './keepalived/ast';

export interface ConfigDirectors {
  names: string[];
  addresses: string[];
}

/** The directors one parsed config names (empty lists for ipvsadm rules). */
export function configDirectors(doc: AnalyzedDocument): ConfigDirectors {
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const v of doc.model.vrrpInstances) v.unicastPeers.forEach((a) => addresses.add(a));
  for (const s of doc.keepalived?.statements ?? []) {
    const kw = s.keyword.text;
    if (kw === 'global_defs') {
      const id = child(s, 'router_id')?.args[0]?.text;
      if (id) names.add(id);
    } else if (kw === 'vrrp_instance') {
      const src = child(s, 'unicast_src_ip')?.args[0]?.text;
      if (src) addresses.add(src);
    }
  }
  return { names: [...names], addresses: [...addresses] };
}
