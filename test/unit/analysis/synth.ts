// A packet-by-packet LVS simulator for analysis tests: it writes, for each capture
// point, the frames that point would see for DR, NAT or TUN traffic (director's in and
// out copies, real server's view, client's view), with one knob per fault the real
// fixtures lack (no reply, reply from the RIP, dead server, RST...). Only the test
// helpers' frame builders and the project's PcapWriter are used.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CaptureManifest, CapturePoint, ManifestService } from '../../../src/core/capture/manifest';
import { PcapWriter } from '../../../src/core/pcap/writer';
import { arp, ether, icmpUnreach, ipv4, sll, sll2, tcp, udp, vrrp } from '../../helpers/frames';

export const CLIENT = '198.51.100.10';
export const CLIENT_MAC = '02:00:c6:33:64:0a';
export const ROUTER_MAC = '02:00:c0:00:02:01';
export const ROUTER_IN_MAC = '02:00:c6:33:64:01';
export const DIRECTOR = '192.0.2.2';
export const DIRECTOR_MAC = '02:00:c0:00:02:02';
export const DIRECTOR_IN = '10.0.0.1';
export const DIRECTOR_IN_MAC = '02:00:0a:00:00:01';
export const VIP = '192.0.2.100';

export interface SynthRs {
  name: string;
  address: string;
  mac: string;
  weight?: number;
}

export type Method = 'dr' | 'nat' | 'tun';

export interface SynthOptions {
  method: Method;
  protocol?: 'tcp' | 'udp';
  port?: number;
  rsPort?: number;
  scheduler?: string;
  persistenceSeconds?: number;
  rs?: SynthRs[];
  /** Which points to write (default: client, director, every real server). */
  points?: Array<'client' | 'director' | string>;
  /** The director is also captured with `-i any`, once per entry (LINUX_SLL or LINUX_SLL2):
   *  every frame its interface captures record, in and out, with the source MAC only. These
   *  points are listed before its interface captures (as in the lab's fixtures) unless
   *  `directorAnyLast`. With `points` naming `director-any` but not `director`, the director
   *  is captured on `any` alone. */
  directorAny?: Array<'sll' | 'sll2'>;
  directorAnyLast?: boolean;
}

/** What happens to one connection. */
export interface ConnOptions {
  /** The director forwards it (default true). */
  forwarded?: boolean;
  /** It arrives at the real server (default true). */
  arrives?: boolean;
  /** The real server answers: normally, with RST / ICMP, or not at all. */
  answer?: 'ok' | 'reject' | 'none';
  /** The client's packets never reach the director (default true). */
  reachesDirector?: boolean;
  /** DR/TUN: reply from the RIP instead of the VIP. */
  replyFromRip?: boolean;
  /** UDP: datagrams in this exchange. */
  datagrams?: number;
  /** Payload bytes of the request. */
  requestBytes?: number;
  /** TCP: request/response rounds between handshake and teardown (default 1). */
  exchanges?: number;
  /** DR/TUN: a switch that has not learnt the real server's MAC floods the director's copy
   *  to these points too (their promiscuous captures record it). */
  floodTo?: string[];
}

const defaultRs: SynthRs[] = [
  { name: 'rs1', address: '192.0.2.11', mac: '02:00:c0:00:02:0b', weight: 1 },
  { name: 'rs2', address: '192.0.2.12', mac: '02:00:c0:00:02:0c', weight: 1 },
];

const natRs: SynthRs[] = [
  { name: 'rs1', address: '10.0.0.11', mac: '02:00:0a:00:00:0b', weight: 1 },
  { name: 'rs2', address: '10.0.0.12', mac: '02:00:0a:00:00:0c', weight: 1 },
];

export class SynthLab {
  readonly rs: SynthRs[];
  protocol: 'tcp' | 'udp';
  port: number;
  rsPort: number;
  /** Services of the connections made so far (see useProtocol()). */
  private readonly services: ManifestService[] = [];
  private readonly writers = new Map<string, PcapWriter>();
  private readonly ipIds = new Map<string, number>();
  private readonly extraPoints: CapturePoint[] = [];
  private isn = 1000;

  constructor(
    readonly dir: string,
    readonly opts: SynthOptions,
  ) {
    this.rs = opts.rs ?? (opts.method === 'nat' ? natRs : defaultRs);
    this.protocol = opts.protocol ?? 'tcp';
    this.port = opts.port ?? (this.protocol === 'tcp' ? 80 : 9000);
    this.rsPort = opts.rsPort ?? this.port;
    fs.mkdirSync(path.join(dir, 'pcap'), { recursive: true });
  }

  private wants(point: string): boolean {
    return !this.opts.points || this.opts.points.includes(point);
  }

  /** The director's `-i any` captures are written: with its interfaces' (`director`), or
   *  alone (`director-any` in `points`). */
  private wantsAny(): boolean {
    return this.wants('director') || this.wants('director-any');
  }

  /** Adds a frame to a point's file (created on first use). */
  emit(point: string, ts: number, frame: Uint8Array): void {
    const base = point.replace(/-eth1$/, '');
    if (base === 'director') this.emitAny(point === 'director' ? 2 : 3, ts, frame);
    const standard = base === 'client' || base === 'director' || this.rs.some((r) => r.name === base);
    if (standard && !this.wants(base)) return;
    let w = this.writers.get(point);
    if (!w) this.writers.set(point, (w = new PcapWriter({ linkType: 1 })));
    w.add(ts, frame);
  }

  /** The director's `-i any` captures of a frame its interface `ifIndex` (2 eth0, 3 eth1)
   *  captured: cooked, outgoing when it is from one of the director's own MACs. */
  private emitAny(ifIndex: number, ts: number, frame: Uint8Array): void {
    const kinds = this.opts.directorAny ?? [];
    if (kinds.length === 0 || !this.wantsAny()) return;
    const mac = (at: number): string => [...frame.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const src = mac(6);
    const packetType = src === DIRECTOR_MAC || src === DIRECTOR_IN_MAC ? 4 : 0;
    const type = (frame[12] << 8) | frame[13];
    const payload = frame.subarray(14);
    kinds.forEach((kind, k) => {
      const key = `director-any${k}`;
      let w = this.writers.get(key);
      if (!w) this.writers.set(key, (w = new PcapWriter({ linkType: kind === 'sll' ? 113 : 276 })));
      w.add(ts, kind === 'sll' ? sll({ packetType, src, type }, payload) : sll2({ packetType, src, type, ifIndex }, payload));
    });
  }

  private nextId(host: string): number {
    const v = ((this.ipIds.get(host) ?? 0x1000) + 1) & 0xffff;
    this.ipIds.set(host, v);
    return v;
  }

  private rsByName(name: string): SynthRs {
    const r = this.rs.find((x) => x.name === name);
    if (!r) throw new Error(`no real server ${name}`);
    return r;
  }

  /** One client request packet along its path; returns the time it reached the RS. */
  private request(t: number, rs: SynthRs, l4: (dst: number) => Uint8Array, o: ConnOptions): void {
    const proto = this.protocol;
    const id = this.nextId('client');
    const ip = (dst: string, dport: number): Uint8Array => ipv4({ src: CLIENT, dst, proto, id, df: true }, l4(dport));
    const orig = ip(VIP, this.port);
    this.emit('client', t, ether({ src: CLIENT_MAC, dst: ROUTER_IN_MAC }, orig));
    if (o.reachesDirector === false) return;
    this.emit('director', t + 0.0005, ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, orig));
    if (o.forwarded === false) return;
    const tf = t + 0.0006;
    let atRs: Uint8Array;
    if (this.opts.method === 'dr') {
      atRs = ether({ src: DIRECTOR_MAC, dst: rs.mac }, orig);
      this.emit('director', tf, atRs);
    } else if (this.opts.method === 'tun') {
      atRs = ether({ src: DIRECTOR_MAC, dst: rs.mac }, ipv4({ src: DIRECTOR, dst: rs.address, proto: 4, id: this.nextId('director') }, orig));
      this.emit('director', tf, atRs);
    } else {
      atRs = ether({ src: DIRECTOR_IN_MAC, dst: rs.mac }, ip(rs.address, this.rsPort));
      this.emit('director-eth1', tf, atRs);
    }
    for (const other of o.floodTo ?? []) this.emit(other, tf + 0.00015, atRs);
    if (o.arrives === false) return;
    this.emit(rs.name, tf + 0.0002, atRs);
  }

  /** One reply packet from the real server along its path back. */
  private reply(t: number, rs: SynthRs, l4: (sport: number) => Uint8Array, o: ConnOptions): void {
    const proto = this.protocol;
    const id = this.nextId(rs.name);
    if (this.opts.method === 'nat') {
      const fromRs = ipv4({ src: rs.address, dst: CLIENT, proto, id, df: true }, l4(this.rsPort));
      this.emit(rs.name, t, ether({ src: rs.mac, dst: DIRECTOR_IN_MAC }, fromRs));
      this.emit('director-eth1', t + 0.0002, ether({ src: rs.mac, dst: DIRECTOR_IN_MAC }, fromRs));
      const back = ipv4({ src: VIP, dst: CLIENT, proto, id, df: true }, l4(this.port));
      this.emit('director', t + 0.0003, ether({ src: DIRECTOR_MAC, dst: ROUTER_MAC }, back));
      this.emit('client', t + 0.0008, ether({ src: ROUTER_IN_MAC, dst: CLIENT_MAC }, back));
      return;
    }
    const src = o.replyFromRip ? rs.address : VIP;
    const pkt = ipv4({ src, dst: CLIENT, proto, id, df: true }, l4(this.port));
    this.emit(rs.name, t, ether({ src: rs.mac, dst: ROUTER_MAC }, pkt));
    this.emit('client', t + 0.0005, ether({ src: ROUTER_IN_MAC, dst: CLIENT_MAC }, pkt));
  }

  /** A TCP connection: handshake, one request, one response, teardown (as far as the faults allow). */
  tcpConnection(t: number, cport: number, rsName: string, o: ConnOptions = {}): void {
    const rs = this.rsByName(rsName);
    const c = (this.isn += 100000);
    const s = c * 7 + 13;
    const answer = o.answer ?? 'ok';
    const seg = (flags: string, seq: number, ack: number, data?: Uint8Array) => (port: number) =>
      tcp({ sport: cport, dport: port, flags, seq, ack }, data);
    const rseg = (flags: string, seq: number, ack: number, data?: Uint8Array) => (port: number) =>
      tcp({ sport: port, dport: cport, flags, seq, ack }, data);
    this.request(t, rs, seg('S', c, 0), o);
    if (answer === 'none' || o.forwarded === false || o.arrives === false || o.reachesDirector === false) {
      // Client retransmits its SYN, nothing comes back.
      this.request(t + 1, rs, seg('S', c, 0), o);
      this.request(t + 3, rs, seg('S', c, 0), o);
      return;
    }
    if (answer === 'reject') {
      this.reply(t + 0.001, rs, rseg('R.', 0, c + 1), o);
      return;
    }
    if (o.replyFromRip) {
      // The client cannot match a SYN-ACK from another address: it retransmits its SYN.
      this.reply(t + 0.001, rs, rseg('S.', s, c + 1), o);
      this.request(t + 1, rs, seg('S', c, 0), o);
      this.reply(t + 1.001, rs, rseg('S.', s, c + 1), o);
      return;
    }
    const req = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(o.requestBytes ?? 30, ' '));
    const resp = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    this.reply(t + 0.001, rs, rseg('S.', s, c + 1), o);
    this.request(t + 0.002, rs, seg('.', c + 1, s + 1), o);
    // Each round: a request, then its response (sequence numbers moving on each time).
    const rounds = o.exchanges ?? 1;
    let cs = c + 1;
    let ss = s + 1;
    let tt = t;
    for (let k = 0; k < rounds; k++, tt += 0.002) {
      this.request(tt + 0.003, rs, seg('P.', cs, ss, req), o);
      cs += req.length;
      this.reply(tt + 0.004, rs, rseg('P.', ss, cs, resp), o);
      ss += resp.length;
    }
    tt -= 0.002;
    this.request(tt + 0.005, rs, seg('F.', cs, ss), o);
    this.reply(tt + 0.006, rs, rseg('F.', ss, cs + 1), o);
    this.request(tt + 0.007, rs, seg('.', cs + 1, ss + 1), o);
  }

  /** UDP datagrams from one client port, each answered unless told otherwise. */
  udpExchange(t: number, cport: number, rsName: string, o: ConnOptions = {}): void {
    const rs = this.rsByName(rsName);
    const n = o.datagrams ?? 1;
    const answer = o.answer ?? 'ok';
    for (let k = 0; k < n; k++) {
      const tt = t + k * 0.2;
      const payload = new TextEncoder().encode(`ping ${cport} ${k}`);
      this.request(tt, rs, (port) => udp({ sport: cport, dport: port }, payload), o);
      if (o.forwarded === false || o.arrives === false) continue;
      if (answer === 'reject') {
        this.udpRefusal(tt + 0.001, rs, udp({ sport: cport, dport: this.port }, payload));
        continue;
      }
      if (answer !== 'ok') continue;
      this.reply(tt + 0.001, rs, (port) => udp({ sport: port, dport: cport }, new TextEncoder().encode(`pong ${k}`)), o);
    }
  }

  /** DR/TUN: the real server's ICMP port unreachable for a datagram to the VIP (nothing
   *  listens there), from the VIP, straight to the client. */
  private udpRefusal(t: number, rs: SynthRs, datagram: Uint8Array): void {
    if (this.opts.method === 'nat') throw new Error('udpRefusal: DR and TUN only');
    const quoted = ipv4({ src: CLIENT, dst: VIP, proto: 'udp', id: 0, df: true }, datagram);
    const pkt = ipv4({ src: VIP, dst: CLIENT, proto: 'icmp', id: this.nextId(rs.name) }, icmpUnreach(3, quoted));
    this.emit(rs.name, t, ether({ src: rs.mac, dst: ROUTER_MAC }, pkt));
    this.emit('client', t + 0.0005, ether({ src: ROUTER_IN_MAC, dst: CLIENT_MAC }, pkt));
  }

  /** A TCP health check (keepalived TCP_CHECK) of a real server from the director: connect
   *  from `sport` to the real server's address and port, then close. DR and TUN from the
   *  director's address on its one interface, NAT from its inner address on eth1; seen there
   *  and at the real server 0.1 ms later (each way). `reject`: the server answers RST;
   *  `none`: it never answers (the SYN sent again 1 s and 3 s later). */
  healthCheck(t: number, sport: number, rsName: string, answer: 'ok' | 'reject' | 'none' = 'ok'): void {
    const rs = this.rsByName(rsName);
    const nat = this.opts.method === 'nat';
    const dir = nat ? { ip: DIRECTOR_IN, mac: DIRECTOR_IN_MAC, point: 'director-eth1' } : { ip: DIRECTOR, mac: DIRECTOR_MAC, point: 'director' };
    const c = (this.isn += 100000);
    const s = c * 7 + 13;
    const out = (at: number, flags: string, seq: number, ack: number): void => {
      const f = ether({ src: dir.mac, dst: rs.mac }, ipv4({ src: dir.ip, dst: rs.address, proto: 'tcp', id: this.nextId('director'), df: true }, tcp({ sport, dport: this.rsPort, flags, seq, ack })));
      this.emit(dir.point, at, f);
      this.emit(rs.name, at + 0.0001, f);
    };
    const back = (at: number, flags: string, seq: number, ack: number): void => {
      const f = ether({ src: rs.mac, dst: dir.mac }, ipv4({ src: rs.address, dst: dir.ip, proto: 'tcp', id: this.nextId(rs.name), df: true }, tcp({ sport: this.rsPort, dport: sport, flags, seq, ack })));
      this.emit(rs.name, at, f);
      this.emit(dir.point, at + 0.0001, f);
    };
    out(t, 'S', c, 0);
    if (answer === 'none') {
      out(t + 1, 'S', c, 0);
      out(t + 3, 'S', c, 0);
      return;
    }
    if (answer === 'reject') {
      back(t + 0.0002, 'R.', 0, c + 1);
      return;
    }
    back(t + 0.0002, 'S.', s, c + 1);
    out(t + 0.0004, '.', c + 1, s + 1);
    out(t + 0.0005, 'F.', c + 1, s + 1);
    back(t + 0.0007, 'F.', s + 1, c + 2);
    out(t + 0.0009, '.', c + 2, s + 2);
  }

  /** A VRRPv2 advert as a director point (and the other director) sees it. */
  vrrpAdvert(points: string[], t: number, src: string, srcMac: string, vrid: number, priority: number): void {
    const frame = ether(
      { src: srcMac, dst: '01:00:5e:00:00:12' },
      ipv4({ src, dst: '224.0.0.18', proto: 112, ttl: 255, id: this.nextId(src) }, vrrp({ version: 2, vrid, priority, addresses: [VIP], authType: 1, authPass: 'lvslab1' })),
    );
    for (const p of points) this.emit(p, t, frame);
  }

  /** ARP request + reply for `ip` seen at a point (keeps its capture "running"). */
  arpExchange(point: string, t: number, ip: string, mac: string, askerIp = '192.0.2.1', askerMac = ROUTER_MAC): void {
    this.emit(point, t, ether({ src: askerMac, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: askerMac, senderIp: askerIp, targetMac: '00:00:00:00:00:00', targetIp: ip })));
    this.emit(point, t + 0.0002, ether({ src: mac, dst: askerMac }, arp({ op: 'reply', senderMac: mac, senderIp: ip, targetMac: askerMac, targetIp: askerIp })));
  }

  /** TUN: a router on the way says the IPIP packet to `rs` is too big (ICMP 3/4). */
  fragNeeded(t: number, rsName: string, mtu: number): void {
    const rs = this.rsByName(rsName);
    const inner = ipv4({ src: CLIENT, dst: VIP, proto: 'tcp', id: 77, df: true }, tcp({ sport: 50000, dport: this.port, flags: 'P.', seq: 1, ack: 1 }, new Uint8Array(1460)));
    const outer = ipv4({ src: DIRECTOR, dst: rs.address, proto: 4, id: 78, df: true }, inner);
    const icmp = ipv4({ src: '192.0.2.1', dst: DIRECTOR, proto: 'icmp', id: 79 }, icmpUnreach(4, outer, mtu));
    this.emit('director', t, ether({ src: ROUTER_MAC, dst: DIRECTOR_MAC }, icmp));
  }

  addPoint(p: CapturePoint): void {
    this.extraPoints.push(p);
  }

  /** Connections made from now on are to the VIP's other service, `protocol` on its
   *  default port (80 TCP, 9000 UDP): a capture holding a TCP and a UDP service. */
  useProtocol(protocol: 'tcp' | 'udp'): void {
    this.keepService();
    this.protocol = protocol;
    this.port = protocol === 'tcp' ? 80 : 9000;
    this.rsPort = this.port;
  }

  private keepService(): void {
    const s = this.service();
    if (!this.services.some((x) => x.protocol === s.protocol && x.port === s.port)) this.services.push(s);
  }

  service(): ManifestService {
    return {
      protocol: this.protocol,
      vip: VIP,
      port: this.port,
      method: this.opts.method,
      scheduler: this.opts.scheduler ?? 'rr',
      persistenceSeconds: this.opts.persistenceSeconds ?? 0,
      realServers: this.rs.map((r) => ({ name: r.name, address: r.address, port: this.rsPort, weight: r.weight ?? 1 })),
    };
  }

  /** Writes the pcaps and capture.json; returns the folder. */
  write(extra: Partial<CaptureManifest> = {}): string {
    const points: CapturePoint[] = [];
    const add = (host: string, role: CapturePoint['role'], iface: string, key: string, realServer?: string): void => {
      const w = this.writers.get(key);
      if (!w && !this.wants(key)) return;
      const file = `pcap/${key.includes('-') ? key : `${key}-${iface}`}.pcap`;
      (w ?? new PcapWriter({ linkType: 1 })).writeFile(path.join(this.dir, file));
      points.push({ host, role, interface: iface, file, ...(realServer ? { realServer } : {}) });
    };
    const addAny = (): void => {
      (this.opts.directorAny ?? []).forEach((kind, k) => {
        if (!this.wantsAny()) return;
        const key = `director-any${k}`;
        const file = `pcap/${key}.pcap`;
        (this.writers.get(key) ?? new PcapWriter({ linkType: kind === 'sll' ? 113 : 276 })).writeFile(path.join(this.dir, file));
        points.push({ host: 'director', role: 'director', interface: 'any', file });
      });
    };
    add('client', 'client', 'eth0', 'client');
    if (!this.opts.directorAnyLast) addAny();
    add('director', 'director', 'eth0', 'director');
    if (this.opts.method === 'nat' && this.wants('director')) add('director', 'director', 'eth1', 'director-eth1');
    if (this.opts.directorAnyLast) addAny();
    for (const r of this.rs) add(r.name, 'real-server', 'eth0', r.name, r.name);
    for (const p of this.extraPoints) {
      const key = p.file.replace(/^pcap\//, '').replace(/\.pcap$/, '');
      (this.writers.get(key) ?? new PcapWriter({ linkType: 1 })).writeFile(path.join(this.dir, p.file));
      points.push(p);
    }
    const manifest: CaptureManifest = {
      format: 1,
      target: { vip: VIP },
      services: (this.keepService(), this.services),
      points,
      ...extra,
    };
    fs.writeFileSync(path.join(this.dir, 'capture.json'), JSON.stringify(manifest, null, 2));
    return this.dir;
  }
}
