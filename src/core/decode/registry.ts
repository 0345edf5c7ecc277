// The protocol registry: which decoder handles which link type, EtherType and IP
// protocol. Adding a protocol = one file + one line here.
import { linkTypes, etherTypes, registerIpProtocol } from './dispatch';
import { decodeArp } from './arp';
import { decodeEthernet } from './ethernet';
import { decodeGre } from './gre';
import { decodeIcmp } from './icmp';
import { decodeIcmp6 } from './icmp6';
import { decodeIgmp } from './igmp';
import { decodeIpInIp } from './ipip';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeLinuxSll } from './linuxSll';
import { decodeLinuxSll2 } from './linuxSll2';
import { decodeLoopback } from './loopback';
import { decodeRawIp, decodeRawIpv4, decodeRawIpv6 } from './rawIp';
import { decodeTcp } from './tcp';
import { decodeUdp } from './udp';
import { decodeVrrp } from './vrrp';

// Link types (LINKTYPE_*).
linkTypes[0] = decodeLoopback;
linkTypes[1] = decodeEthernet;
linkTypes[12] = decodeRawIp;
linkTypes[14] = decodeRawIp;
linkTypes[101] = decodeRawIp;
linkTypes[108] = decodeLoopback;
linkTypes[113] = decodeLinuxSll;
linkTypes[228] = decodeRawIpv4;
linkTypes[229] = decodeRawIpv6;
linkTypes[276] = decodeLinuxSll2;

// EtherTypes.
etherTypes[0x0800] = decodeIpv4;
etherTypes[0x0806] = decodeArp;
etherTypes[0x86dd] = decodeIpv6;

// IP protocols.
registerIpProtocol(1, 'icmp', decodeIcmp);
registerIpProtocol(2, 'igmp', decodeIgmp);
registerIpProtocol(4, 'ipip', decodeIpInIp);
registerIpProtocol(6, 'tcp', decodeTcp);
registerIpProtocol(17, 'udp', decodeUdp);
registerIpProtocol(41, 'ipip', decodeIpInIp);
registerIpProtocol(47, 'gre', decodeGre);
registerIpProtocol(58, 'icmp6', decodeIcmp6);
registerIpProtocol(112, 'vrrp', decodeVrrp);
