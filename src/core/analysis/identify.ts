// Which real server a real server's capture point is, when capture.json does not say so (no
// `realServer`: a hand-written capture.json, a folder assembled from pcaps taken by hand). The
// point's own capture tells: (a) the real server's address is its own (it sends from it, or
// claims it in ARP, from its own NIC); (b) the director sends that real server's share to it
// (DR/TUN: to its NIC's MAC; NAT and health checks: requests to that real server's address
// arrive at its NIC); (c) by elimination, the one real server no other point is, for the one
// point left. Conflicting evidence (two real servers for one host, two hosts for one real
// server) leaves the point as it was, with a note on its lane saying why. Runs once per point
// and per flow of the points it identifies, never per packet (see correlate.ts learnMacs).

import type { Facts, PointInfo } from './facts';
import * as F from './flowColumns';
import type { ServiceMap } from './endpoints';

const BY_ELIMINATION = 'by elimination: every other real server is another capture point';

/** How a point was tied to a real server: its address and the reasons, or the conflict. */
interface Evidence {
  /** Real server address -> why the capture points to it (first reason per kind). */
  addresses: Map<string, string[]>;
  /** MACs that tie the point to a real server (the director's forwarded copies go there). */
  macs: Map<string, string>;
}

/** The points of one host that capture.json does not tie to a real server. */
interface HostPoints {
  host: string;
  points: PointInfo[];
  /** The real server a point of this host is tied to by capture.json, if any: its name and
   *  address (the name when its address is not known). */
  namedAs?: string;
  named?: string;
  addresses: Map<string, string[]>;
  macs: Map<string, string>;
  /** Why the host could not be identified. */
  conflict?: string;
  address?: string;
}

/**
 * Identifies the real-server points capture.json does not name (see the file's comment): sets
 * their `realServer` and their lanes' `realServer` and `realServerNote` (or only the note, on
 * a conflict). A real server the services name only by its address takes the host's name (as
 * a point's `realServer` naming it would, see learnRealServerAddresses), and `facts.rsMacs`
 * follows. Returns the points identified, each with the MAC the director forwards its share
 * to when that is how it was found. `forwardMacs`: MAC -> real server name, for the MACs the
 * director points forward copies to (DR/TUN), as far as they are known.
 */
export function identifyRealServers(facts: Facts, forwardMacs: Map<string, string>): Array<{ point: PointInfo; mac?: string }> {
  const { services, points } = facts;
  const hosts = new Map<string, HostPoints>();
  for (const p of points) {
    if (p.spec.role !== 'real-server') continue;
    let h = hosts.get(p.spec.host);
    if (!h) hosts.set(p.spec.host, (h = { host: p.spec.host, points: [], addresses: new Map(), macs: new Map() }));
    if (p.realServer === undefined) h.points.push(p);
    else if (h.namedAs === undefined) {
      h.namedAs = p.realServer;
      h.named = services.rsAddressByName.get(p.realServer) ?? p.realServer;
    }
  }
  const open = [...hosts.values()].filter((h) => h.points.length > 0);
  if (open.length === 0 || services.rsByAddress.size === 0) return [];
  // What each point's own capture shows, merged per host (a host's points are one server).
  for (const h of open) {
    for (const p of h.points) {
      if (!p.readable) continue;
      const e = pointEvidence(p, facts, forwardMacs);
      for (const [a, why] of e.addresses) h.addresses.set(a, [...(h.addresses.get(a) ?? []), ...why]);
      for (const [m, a] of e.macs) h.macs.set(m, a);
    }
    if (h.named !== undefined) {
      // Another point of the host is named: the same server, unless its capture says otherwise.
      const other = [...h.addresses.keys()].filter((a) => a !== h.named);
      if (other.length > 0) h.conflict = `its capture points to ${listOf(other, services)}, but capture.json ties ${h.host}'s other capture point to ${h.namedAs}`;
      else {
        h.address = h.named;
        h.addresses.set(h.named, [...(h.addresses.get(h.named) ?? []), `capture.json ties ${h.host}'s other capture point to it`]);
      }
    } else if (h.addresses.size > 1) {
      h.conflict = `its capture points to more than one real server: ${[...h.addresses].map(([a, why]) => `${nameOf(a, services)} (${why[0]})`).join('; ')}`;
    } else if (h.addresses.size === 1) h.address = [...h.addresses.keys()][0];
  }
  // Real servers capture.json ties to a point of another host, and the ones two hosts claim.
  const taken = new Map<string, string>();
  for (const h of hosts.values()) if (h.named !== undefined && !taken.has(h.named)) taken.set(h.named, h.host);
  const claims = new Map<string, HostPoints[]>();
  for (const h of open) if (h.address !== undefined && h.named === undefined) claims.set(h.address, [...(claims.get(h.address) ?? []), h]);
  for (const [a, list] of claims) {
    const owner = taken.get(a);
    for (const h of list) {
      if (owner !== undefined) h.conflict = `its capture points to ${nameOf(a, services)}, which capture.json ties to ${owner}'s capture`;
      else if (list.length > 1) h.conflict = `its capture points to ${nameOf(a, services)}, and so do the captures of ${list.filter((o) => o !== h).map((o) => o.host).join(', ')}`;
      else continue;
      h.address = undefined;
    }
  }
  // By elimination: one real server no point is, one host with nothing pointing elsewhere.
  const left = open.filter((h) => h.address === undefined);
  if (left.length === 1 && left[0].conflict === undefined && left[0].addresses.size === 0) {
    const known = new Set<string>(taken.keys());
    for (const h of open) if (h.address !== undefined) known.add(h.address);
    const remaining = [...services.rsByAddress.keys()].filter((a) => !known.has(a));
    if (remaining.length === 1) {
      left[0].address = remaining[0];
      left[0].addresses.set(remaining[0], [BY_ELIMINATION]);
    }
  }
  const out: Array<{ point: PointInfo; mac?: string }> = [];
  for (const h of open) {
    if (h.address === undefined) {
      const why = h.conflict ?? 'its capture does not show which real server it is';
      for (const p of h.points) p.lane.realServerNote = `not identified as a real server of the service: ${why}`;
      continue;
    }
    const address = h.address;
    const name = h.namedAs ?? adoptName(h.host, address, facts);
    const reasons = [...new Set(h.addresses.get(address) ?? [])];
    let mac: string | undefined;
    for (const [m, a] of h.macs) if (a === address) mac ??= m;
    const what = `identified as real server ${name}${name !== address ? ` (${address})` : ''}`;
    const from = h.points.length > 1 ? `the captures of ${h.host}` : 'its capture';
    const note = reasons.length === 1 && reasons[0] === BY_ELIMINATION ? `${what} ${BY_ELIMINATION}` : `${what} from ${from}: ${reasons.join('; ')}`;
    for (const p of h.points) {
      p.realServer = name;
      p.lane.realServer = name;
      p.lane.realServerNote = note;
      out.push({ point: p, mac });
    }
  }
  return out;
}

/** The name of real server `address` for a point of `host`: the services' name, or the host's
 *  when they name it only by its address (and no other real server has that name), as the
 *  lanes are named; the analysis's names follow (services, facts.rsMacs). */
function adoptName(host: string, address: string, facts: Facts): string {
  const { services } = facts;
  const name = services.rsByAddress.get(address) ?? address;
  if (name !== address || host === address) return name;
  const other = services.rsAddressByName.get(host);
  if ((other !== undefined && other !== address) || services.vips.has(host)) return name;
  services.addRealServer(host, address, true);
  for (const [m, n] of facts.rsMacs) if (n === name) facts.rsMacs.set(m, host);
  return host;
}

function nameOf(address: string, services: ServiceMap): string {
  const name = services.rsByAddress.get(address);
  return name !== undefined && name !== address ? `${name} (${address})` : address;
}

function listOf(addresses: string[], services: ServiceMap): string {
  return addresses.map((a) => nameOf(a, services)).join(', ');
}

/** What point p's own capture says about which real server it is (see the file's comment). */
function pointEvidence(p: PointInfo, facts: Facts, forwardMacs: Map<string, string>): Evidence {
  const { services } = facts;
  const addresses = new Map<string, string[]>();
  const macs = new Map<string, string>();
  const add = (address: string, why: string): void => {
    const list = addresses.get(address);
    if (!list) addresses.set(address, [why]);
    else if (!list.includes(why)) list.push(why);
  };
  const mine = ownMacs(p, facts);
  // (a) Its own address: sent from its own NIC, or claimed in ARP by it.
  for (const [ip, mac] of p.table.srcMacByIp) if (services.rsByAddress.has(ip) && mine.has(mac)) add(ip, `it sends from ${ip}`);
  for (const [mac, ips] of p.table.macClaims) {
    if (!mine.has(mac)) continue;
    for (const ip of ips) if (services.rsByAddress.has(ip)) add(ip, `it claims ${ip} in ARP (${mac})`);
  }
  // (b) The director sends a real server's share to its NIC (DR/TUN: to that server's MAC).
  for (const mac of mine) {
    const name = forwardMacs.get(mac);
    const address = name === undefined ? undefined : (services.rsAddressByName.get(name) ?? name);
    if (address === undefined || !services.rsByAddress.has(address)) continue;
    add(address, `its MAC ${mac} is the one the director forwards ${nameOf(address, services)}'s connections to`);
    macs.set(mac, address);
  }
  // ... or requests to a real server's address (NAT's rewritten destination, a tunnel's outer
  // destination, health checks) arrive at its NIC (frames with no MAC: at this host).
  const flows = p.table.allFlows();
  let lastDsts: string[] | undefined;
  let lastEncap: string[] | undefined;
  let lastMacs: string[] | undefined;
  for (let k = 0; k < flows.length; k++) {
    const { cols, row } = flows[k];
    const dsts = cols.list(row, F.REQ_DSTS);
    const encap = cols.list(row, F.ENCAP_DSTS);
    const dstMacs = cols.list(row, F.REQ_DST_MACS);
    // Flows share their lists: the same lists as the flow before say nothing new.
    if (dsts === lastDsts && encap === lastEncap && dstMacs === lastMacs) continue;
    lastDsts = dsts;
    lastEncap = encap;
    lastMacs = dstMacs;
    if (!forThisHost(dstMacs, mine)) continue;
    for (let j = 0; j < dsts.length; j++) {
      const colon = dsts[j].lastIndexOf(':');
      const ip = colon < 0 ? dsts[j] : dsts[j].slice(0, colon);
      if (services.rsByAddress.has(ip)) add(ip, `requests to ${ip} reach it`);
    }
    for (let j = 0; j < encap.length; j++) if (services.rsByAddress.has(encap[j])) add(encap[j], `tunnelled requests to ${encap[j]} reach it`);
  }
  return { addresses, macs };
}

/** Whether requests sent to these MACs were for this host: to one of its own MACs, or with
 *  no MAC at all (a cooked or raw-IP capture: what the host itself received). */
function forThisHost(dstMacs: string[], mine: Set<string>): boolean {
  let any = false;
  for (let j = 0; j < dstMacs.length; j++) {
    const m = dstMacs[j];
    if (m === undefined || m === '') continue;
    any = true;
    if (mine.has(m)) return true;
  }
  return !any;
}

/**
 * The MACs of point p's own NIC, as far as its capture shows without knowing which real server
 * it is: those its replies leave from (not those the requests came from); for a host that
 * never answered, the unicast MAC the most flows' requests were sent to, when one has strictly
 * more than any other (frames flooded to it for another host are fewer), leaving out the
 * directors' MACs and those ARP gives other hosts' addresses.
 */
function ownMacs(p: PointInfo, facts: Facts): Set<string> {
  const own = new Set<string>();
  const flows = p.table.allFlows();
  const requestedTo = new Map<string, number>();
  for (let k = 0; k < flows.length; k++) {
    const { cols, row } = flows[k];
    const repSrcMacs = cols.list(row, F.REP_SRC_MACS);
    const reqSrcMacs = cols.list(row, F.REQ_SRC_MACS);
    for (let j = 0; j < repSrcMacs.length; j++) {
      const m = repSrcMacs[j];
      if (m && !reqSrcMacs.includes(m)) own.add(m);
    }
    const reqDstMacs = cols.list(row, F.REQ_DST_MACS);
    for (let j = 0; j < reqDstMacs.length; j++) {
      const m = reqDstMacs[j];
      if (m) requestedTo.set(m, (requestedTo.get(m) ?? 0) + 1);
    }
  }
  if (own.size > 0) return own;
  let best: string | undefined;
  let bestCount = 0;
  let second = 0;
  for (const [mac, count] of requestedTo) {
    // Group bit set: broadcast, multicast.
    if ((parseInt(mac.slice(0, 2), 16) & 1) !== 0 || facts.directorMacs.has(mac) || othersByArp(mac, facts)) continue;
    if (count > bestCount) {
      second = bestCount;
      best = mac;
      bestCount = count;
    } else if (count > second) second = count;
  }
  if (best !== undefined && bestCount > second) own.add(best);
  return own;
}

/** Whether ARP shows `mac` claiming addresses, none of them a real server's. */
function othersByArp(mac: string, facts: Facts): boolean {
  const claims = facts.macClaims.get(mac);
  if (claims === undefined || claims.size === 0) return false;
  for (const ip of claims) if (facts.services.rsByAddress.has(ip)) return false;
  return true;
}
