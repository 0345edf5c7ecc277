// Hover text for values whose meaning is worth more than the keyword's line: the IPVS
// forwarding methods (keepalived's lvs_method/lb_kind, ipvsadm's -m/-g/-i) and the
// VRRP initial states. Facts from keepalived.conf(5) and its sources, ipvsadm(8), the LVS
// HOWTOs (NAT, DR, TUN) and the kernel's ip-sysctl documentation (see also
// docs/findings/arp-problem.md), in our own words. Kept here rather than in the keyword
// table (../keepalived/schema.ts), which holds one line per keyword.

/** NAT, DR and TUN: what the director rewrites, and what the real servers need. */
export const FORWARDING_METHOD_DOCS: Record<string, string> = {
  NAT: [
    '**NAT** — masquerading (ipvsadm `-m`; keepalived\'s default when no method is set).',
    '',
    'The director rewrites the destination address (VIP → real server) and port of each request, and the source back to the VIP on each reply.',
    '',
    'Real servers: their **default gateway (default route) must be the director**, so replies come back through it to be rewritten (a client on the real servers\' own subnet has the same problem); the director forwards (`net.ipv4.ip_forward=1`).',
    'The only method where the real server port may differ from the virtual port.',
  ].join('\n'),
  DR: [
    '**DR** — direct routing (ipvsadm `-g`, gatewaying; ipvsadm\'s default).',
    '',
    'The director rewrites only the destination **MAC** address: the IP packet goes unchanged (TTL − 1) to the real server\'s MAC, which answers the client directly.',
    '',
    'Real servers: on the **same layer-2 segment** as the director; the **VIP on `lo`** (e.g. `/32`), not answering ARP for it — `arp_ignore=1` and `arp_announce=2` (the higher of `conf/all` and `conf/<iface>` counts); the service listening on the VIP.',
    'The real server port must be the **same port** as the virtual one: DR cannot remap ports (keepalived resets it, with a warning).',
  ].join('\n'),
  TUN: [
    '**TUN** — IP-in-IP tunnelling (ipvsadm `-i`; keepalived `TUN [type ipip|gue port N|gre]`).',
    '',
    'The director wraps each packet in an outer IP header to the real server\'s address (protocol 4 for ipip); the real server unwraps it and answers the client directly.',
    '',
    'Real servers: the **`ipip` module** loaded (`tunl0` present); the **VIP on `tunl0`** (or `lo`), not answering ARP; **`rp_filter` 0 or 2** on `tunl0` and `all` (the higher counts), else the unwrapped packets are dropped. The outer header adds 20 bytes: large packets need working PMTU discovery or a lower MTU/MSS on the real servers.',
    'Ports cannot be remapped, as with DR.',
  ].join('\n'),
};

/** A vrrp_instance's initial state. */
export const VRRP_STATE_DOCS: Record<string, string> = {
  MASTER: [
    '**MASTER** — start as master.',
    '',
    'Only the address owner (`priority 255`) takes the VIPs at once; with a lower priority keepalived waits about 3 advert intervals for a higher-priority master first. Either way the highest priority wins the election, so the state matters little.',
    '`nopreempt` does not work with state MASTER (keepalived clears it).',
  ].join('\n'),
  BACKUP: [
    '**BACKUP** — start as backup (also what keepalived does when no state is given).',
    '',
    'It becomes master when no advert from a higher priority arrives for about 3 advert intervals, or preempts a master of lower priority unless `nopreempt` is set.',
    '`nopreempt` needs state BACKUP on every director of the instance.',
  ].join('\n'),
};

/** Signatures of keywords whose values the keyword table checks with a grammar of its own. */
export const VALUE_SIGNATURES: Record<string, string> = {
  lvs_method: ' <NAT|DR|TUN> [type ipip|gue port N|gre] [nocsum|csum|remcsum]',
  sorry_server_lvs_method: ' <NAT|DR|TUN> [type ipip|gue port N|gre] [nocsum|csum|remcsum]',
};
