// The ipvsadm options (ipvsadm(8), 1.31): short and long form, whether a value
// follows, the command an option selects, and a one-line description. The parser,
// hovers and completion all read this table.

export type IpvsadmOp = 'add-service' | 'edit-service' | 'delete-service' | 'add-dest' | 'edit-dest' | 'delete-dest' | 'clear' | 'other';

export interface OptionSpec {
  /** Long name without dashes (`add-service`). */
  name: string;
  short?: string;
  value: 'none' | 'required' | 'optional';
  /** Set for options that are the command of the line (-A, -a, ...). */
  op?: IpvsadmOp;
  doc: string;
}

const TABLE: OptionSpec[] = [
  { short: 'A', name: 'add-service', value: 'none', op: 'add-service', doc: 'Add a virtual service.' },
  { short: 'E', name: 'edit-service', value: 'none', op: 'edit-service', doc: 'Edit a virtual service.' },
  { short: 'D', name: 'delete-service', value: 'none', op: 'delete-service', doc: 'Delete a virtual service and its real servers.' },
  { short: 'C', name: 'clear', value: 'none', op: 'clear', doc: 'Clear the whole virtual server table.' },
  { short: 'R', name: 'restore', value: 'none', op: 'other', doc: 'Restore rules from stdin (ipvsadm-save format).' },
  { short: 'S', name: 'save', value: 'none', op: 'other', doc: 'Print the rules in a form -R reads back.' },
  { short: 'a', name: 'add-server', value: 'none', op: 'add-dest', doc: 'Add a real server to a virtual service.' },
  { short: 'e', name: 'edit-server', value: 'none', op: 'edit-dest', doc: 'Edit a real server.' },
  { short: 'd', name: 'delete-server', value: 'none', op: 'delete-dest', doc: 'Delete a real server.' },
  { short: 'L', name: 'list', value: 'none', op: 'other', doc: 'List the table (-l is the same).' },
  { short: 'Z', name: 'zero', value: 'none', op: 'other', doc: 'Zero the counters.' },
  { name: 'set', value: 'required', op: 'other', doc: 'Set the tcp, tcpfin and udp timeouts (three numbers of seconds).' },
  { name: 'start-daemon', value: 'required', op: 'other', doc: 'Start the connection sync daemon (master or backup).' },
  { name: 'stop-daemon', value: 'required', op: 'other', doc: 'Stop the connection sync daemon.' },
  { short: 'h', name: 'help', value: 'none', op: 'other', doc: 'Help.' },
  { short: 'v', name: 'version', value: 'none', op: 'other', doc: 'Version.' },
  { short: 't', name: 'tcp-service', value: 'required', doc: 'TCP service: ADDRESS:PORT or [IPv6]:PORT; names are resolved unless -n.' },
  { short: 'u', name: 'udp-service', value: 'required', doc: 'UDP service: ADDRESS:PORT.' },
  { name: 'sctp-service', value: 'required', doc: 'SCTP service: ADDRESS:PORT.' },
  { short: 'f', name: 'fwmark-service', value: 'required', doc: 'Firewall-mark service: an integer above 0; add -6 for IPv6.' },
  { short: 's', name: 'scheduler', value: 'required', doc: 'Scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos (default wlc).' },
  { short: 'p', name: 'persistent', value: 'optional', doc: 'Persistent service [seconds, default 300]: a client keeps its real server.' },
  { short: 'M', name: 'netmask', value: 'required', doc: 'Persistence granularity (netmask, or prefix length for IPv6).' },
  { short: 'b', name: 'sched-flags', value: 'required', doc: 'Scheduler flags: flag-1,flag-2,flag-3, sh-fallback, sh-port, mh-fallback, mh-port.' },
  { short: 'o', name: 'ops', value: 'none', doc: 'One-packet scheduling (UDP only).' },
  { name: 'pe', value: 'required', doc: 'Persistence engine, e.g. sip.' },
  { short: '6', name: 'ipv6', value: 'none', doc: 'IPv6 firewall-mark service.' },
  { short: 'r', name: 'real-server', value: 'required', doc: 'Real server ADDRESS[:PORT]; with DR (-g) and TUN (-i) the port must equal the service port.' },
  { short: 'g', name: 'gatewaying', value: 'none', doc: 'Direct routing, DR (the default): real servers hold the VIP on lo; ports cannot be remapped.' },
  { short: 'i', name: 'ipip', value: 'none', doc: 'IP-in-IP tunnelling, TUN.' },
  { short: 'm', name: 'masquerading', value: 'none', doc: 'Masquerading, NAT: real servers route replies back through the director.' },
  { short: 'w', name: 'weight', value: 'required', doc: 'Weight 0-65535 (default 1); 0 = quiescent, no new connections.' },
  { short: 'x', name: 'u-threshold', value: 'required', doc: 'Upper connection threshold.' },
  { short: 'y', name: 'l-threshold', value: 'required', doc: 'Lower connection threshold.' },
  { name: 'tun-type', value: 'required', doc: 'Tunnel type: ipip (default), gue or gre.' },
  { name: 'tun-port', value: 'required', doc: 'Destination port of GUE tunnels.' },
  { name: 'tun-nocsum', value: 'none', doc: 'Tunnel without checksum.' },
  { name: 'tun-csum', value: 'none', doc: 'Tunnel with checksum.' },
  { name: 'tun-remcsum', value: 'none', doc: 'Tunnel with remote checksum offload.' },
  { short: 'n', name: 'numeric', value: 'none', doc: 'Numeric addresses and ports.' },
  { short: 'c', name: 'connection', value: 'none', doc: 'List connections.' },
  { name: 'exact', value: 'none', doc: 'Exact numbers.' },
  { name: 'stats', value: 'none', doc: 'Statistics.' },
  { name: 'rate', value: 'none', doc: 'Rates.' },
  { name: 'thresholds', value: 'none', doc: 'Thresholds.' },
  { name: 'persistent-conn', value: 'none', doc: 'Persistent connections.' },
  { name: 'nosort', value: 'none', doc: 'Do not sort.' },
  { name: 'sort', value: 'none', doc: 'Sort.' },
  { name: 'tun-info', value: 'none', doc: 'Tunnel information.' },
  { name: 'timeout', value: 'none', doc: 'Show the timeouts.' },
  { name: 'daemon', value: 'none', doc: 'Show the sync daemon.' },
  { name: 'syncid', value: 'required', doc: 'Sync daemon id 0-255.' },
  { name: 'sync-maxlen', value: 'required', doc: 'Sync message size.' },
  { name: 'mcast-interface', value: 'required', doc: 'Sync daemon interface.' },
  { name: 'mcast-group', value: 'required', doc: 'Sync multicast group (default 224.0.0.81).' },
  { name: 'mcast-port', value: 'required', doc: 'Sync port (default 8848).' },
  { name: 'mcast-ttl', value: 'required', doc: 'Sync multicast TTL (default 1).' },
];

/** Every spelling (`-A`, `--add-service`, and `-l` for list) → its spec. */
export const OPTIONS: Record<string, OptionSpec> = {};
for (const o of TABLE) {
  if (o.short) OPTIONS[`-${o.short}`] = o;
  OPTIONS[`--${o.name}`] = o;
}
OPTIONS['-l'] = OPTIONS['-L'];

/** Options for completion: the short form when there is one. */
export const OPTION_LIST: ReadonlyArray<{ label: string; doc: string }> = TABLE.map((o) => ({ label: o.short ? `-${o.short}` : `--${o.name}`, doc: `${o.doc}${o.short ? ` (--${o.name})` : ''}` }));

export const SERVICE_ONLY = new Set(['scheduler', 'persistent', 'netmask', 'sched-flags', 'ops', 'pe']);
export const DEST_ONLY = new Set(['real-server', 'gatewaying', 'ipip', 'masquerading', 'weight', 'u-threshold', 'l-threshold', 'tun-type', 'tun-port', 'tun-nocsum', 'tun-csum', 'tun-remcsum']);
export const SCHED_FLAGS = new Set(['flag-1', 'flag-2', 'flag-3', 'sh-fallback', 'sh-port', 'mh-fallback', 'mh-port']);

/** Well-known service names ipvsadm resolves through /etc/services. */
export const SERVICE_PORTS: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, www: 80, pop3: 110, ntp: 123, imap: 143, snmp: 161,
  ldap: 389, https: 443, syslog: 514, submission: 587, imaps: 993, pop3s: 995, mysql: 3306, postgresql: 5432, sip: 5060, 'http-alt': 8080,
};
