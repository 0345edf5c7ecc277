// Builds the large mixed capture the decode bench reads (TCP/UDP/ARP/VRRP/IP-in-IP, many
// distinct addresses), streamed to disk so that generating it needs little memory.
import { PcapFileWriter } from '../../src/core/pcap';
import { arp, ether, ipv4, tcp, udp, vrrp } from '../helpers/frames';

const DIR_MAC = '02:00:c0:00:02:02';
const RTR_MAC = '02:00:c0:00:02:01';

/** A pool of distinct frames; the capture cycles through it. */
export function framePool(size = 4096): Uint8Array[] {
  const pool: Uint8Array[] = [];
  for (let k = 0; pool.length < size; k++) {
    const client = `198.51.${100 + ((k >> 8) & 3)}.${k & 255}`;
    const rs = `192.0.2.${11 + (k % 4)}`;
    const rsMac = `02:00:c0:00:02:${(11 + (k % 4)).toString(16).padStart(2, '0')}`;
    const sport = 32768 + (k % 28000);
    switch (k % 10) {
      case 0:
        pool.push(ether({ src: RTR_MAC, dst: DIR_MAC }, ipv4({ src: client, dst: '192.0.2.100', proto: 'tcp', id: k & 0xffff, df: true }, tcp({ sport, dport: 80, seq: k * 7919, flags: 'S', mss: 1460, sackOk: true, ts: [k, 0], ws: 7 }))));
        break;
      case 1:
        pool.push(ether({ src: DIR_MAC, dst: rsMac }, ipv4({ src: client, dst: '192.0.2.100', proto: 'tcp', id: k & 0xffff, df: true }, tcp({ sport, dport: 80, seq: k * 7919 + 1, ack: k * 31, flags: 'PA', ts: [k, k] }, new Uint8Array(75)))));
        break;
      case 2:
      case 3:
        pool.push(ether({ src: rsMac, dst: RTR_MAC }, ipv4({ src: '192.0.2.100', dst: client, proto: 'tcp', id: k & 0xffff, df: true }, tcp({ sport: 80, dport: sport, seq: k * 31, ack: k * 7919 + 76, flags: 'A', ts: [k, k] }))));
        break;
      case 4:
        pool.push(ether({ src: RTR_MAC, dst: DIR_MAC }, ipv4({ src: client, dst: '192.0.2.100', proto: 'udp', id: k & 0xffff }, udp({ sport, dport: 9000 }, new Uint8Array(21)))));
        break;
      case 5:
        pool.push(ether({ src: rsMac, dst: RTR_MAC }, ipv4({ src: '192.0.2.100', dst: client, proto: 'udp', id: k & 0xffff }, udp({ sport: 9000, dport: sport }, new Uint8Array(26)))));
        break;
      case 6:
        pool.push(ether({ src: RTR_MAC, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: RTR_MAC, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: rs })));
        break;
      case 7:
        pool.push(ether({ src: rsMac, dst: RTR_MAC }, arp({ op: 'reply', senderMac: rsMac, senderIp: rs, targetMac: RTR_MAC, targetIp: '192.0.2.1' })));
        break;
      case 8:
        pool.push(ether({ src: '00:00:5e:00:01:33', dst: '01:00:5e:00:00:12' }, ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100'] }))));
        break;
      default:
        pool.push(ether({ src: DIR_MAC, dst: RTR_MAC }, ipv4({ src: '192.0.2.2', dst: rs, proto: 'ipip', df: true }, ipv4({ src: client, dst: '192.0.2.100', proto: 'tcp', id: k & 0xffff }, tcp({ sport, dport: 80, seq: k, flags: 'S' })))));
    }
  }
  return pool;
}

/** Writes `packets` frames to `file` (classic pcap, µs). */
export function writeBenchCapture(file: string, packets: number, pool = framePool()): number {
  const w = new PcapFileWriter(file, { linkType: 1 });
  const t0 = 1764080525;
  for (let k = 0; k < packets; k++) w.add(t0 + k * 1e-5, pool[k % pool.length]);
  w.close();
  return packets;
}
