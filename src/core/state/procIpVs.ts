// `/proc/net/ip_vs`: the kernel's own table listing, laid out like `ipvsadm -Ln`
// but with hex addresses (`TCP  C0000264:0050 rr`). Readable without root, and
// its absence says the ip_vs module is not loaded.

import { type IpvsTable, parseIpvsadmList } from './ipvsadmList';

export function parseProcIpVs(text: string): IpvsTable {
  return parseIpvsadmList(text, { command: '/proc/net/ip_vs', hexAddresses: true });
}
