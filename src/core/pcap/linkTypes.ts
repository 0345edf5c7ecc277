// LINKTYPE_* values we decode (tcpdump.org linktypes).
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as written by old tools (12; 14 on OpenBSD). */
export const LINKTYPE_RAW_OLD = 12;
export const LINKTYPE_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: Record<number, string> = {
  0: 'NULL (BSD loopback)',
  1: 'EN10MB (Ethernet)',
  12: 'RAW (Raw IP)',
  14: 'RAW (Raw IP)',
  101: 'RAW (Raw IP)',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL (Linux cooked v1)',
  228: 'IPV4 (Raw IPv4)',
  229: 'IPV6 (Raw IPv6)',
  276: 'LINUX_SLL2 (Linux cooked v2)',
};

export function linkTypeName(t: number): string {
  return NAMES[t] ?? `link type ${t}`;
}
