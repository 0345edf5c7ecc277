// Cross-file: the directors' keepalived.conf files linted together (`lvs-trace
// lint d1.keepalived.conf d2.keepalived.conf`). The vrrp_instances of different
// files that hold a common address are the same virtual router on two directors,
// and must agree, or each drops the other's adverts and both become MASTER
// (split brain, reference §1.6 H2-H5):
//  - virtual_router_id (a different VRID is a different router);
//  - VRRP version ("wrong VRRP version");
//  - advert_int with VRRPv2 ("advertisement interval mismatch"; VRRPv3 backups
//    follow the master's interval);
//  - authentication as keepalived uses it ("received an invalid passwd",
//    "received a %d auth, expecting %d"): type and first 8 characters.
// Both starting as MASTER with one priority is a hazard (warning): the election
// then falls to the higher IP address (RFC 5798 §6.4.3), not to the config.
// A BACKUP with a higher priority than a peer that starts as MASTER (warning):
// VRRP elects by priority and a backup preempts a lower-priority master (RFC 5798
// §6.4.2; keepalived's default), so the BACKUP holds the VIP whenever it is up and
// `state MASTER` only says how the other starts. Not reported when that BACKUP has
// nopreempt in force (keepalived honours it only with state BACKUP and below 255,
// see nopreempt-without-backup and vrrp-owner-nopreempt): it then does not take
// the VIP from a running master, the usual "no failback" set-up. preempt_delay
// only delays the takeover (after start-up or after seeing a lower-priority
// master), so it is still reported, with the delay.
// Files with the same global router_id are taken to be one director (copies of
// one config) and not compared. Each finding is reported in both files, with the
// other file's line as related location.
import type { ConfigDiagnostic, Range, RelatedLocation } from '../diagnostic';
import { type ParsedConfig, type Statement, child, headerRange } from '../keepalived/ast';
import type { VrrpSettings } from '../keepalived/model';
import { atInstance, vrrpInstances } from './vrrp-common';
import type { LintRule } from './rule';

export const vrrpPeerMismatch: LintRule = {
  code: 'vrrp-peer-mismatch',
  severity: 'error',
  languages: ['keepalived'],
  description: 'Across directors (files linted together): instances holding the same VIP with different virtual_router_id, VRRP version, advert_int or authentication.',
  check() {
    // Only across files: see vrrpPeerDiagnostics (called by lintFiles).
  },
};

export const vrrpPeerSamePriority: LintRule = {
  code: 'vrrp-peer-same-priority',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'Across directors (files linted together): both start as MASTER of one VIP with the same priority.',
  check() {
    // Only across files: see vrrpPeerDiagnostics.
  },
};

export const vrrpPeerPriorityInversion: LintRule = {
  code: 'vrrp-peer-priority-inversion',
  severity: 'warning',
  languages: ['keepalived'],
  description: 'Across directors (files linted together): a BACKUP with a higher priority than the MASTER of the same VIP preempts it.',
  check() {
    // Only across files: see vrrpPeerDiagnostics.
  },
};

interface Side {
  v: VrrpSettings;
  file: string;
  label: string;
}

function where(s: Statement | undefined, v: VrrpSettings): { file: string; range: Range } {
  return s ? { file: s.file, range: headerRange(s) } : atInstance(v);
}

function routerId(cfg: ParsedConfig): string | undefined {
  let id: string | undefined;
  for (const g of cfg.statements) if (!g.entry && g.keyword.text === 'global_defs') id = child(g, 'router_id')?.args[0]?.text ?? id;
  return id;
}

/** Short names for the files: the shortest path tails that tell them apart (`dir1/keepalived.conf`). */
function labels(files: string[]): Map<string, string> {
  const parts = files.map((f) => f.split(/[\\/]/).filter(Boolean));
  const out = new Map<string, string>();
  files.forEach((f, i) => {
    for (let n = 1; n <= parts[i].length; n++) {
      const tail = parts[i].slice(-n).join('/');
      if (n === parts[i].length || parts.every((p, j) => j === i || p.slice(-n).join('/') !== tail)) {
        out.set(f, tail);
        break;
      }
    }
  });
  return out;
}

/** Authentication as keepalived uses it (none when it ignores it, see vrrp-auth-ignored). */
function authOf(v: VrrpSettings): { type: string; pass: string } | undefined {
  const type = v.authType?.args[0]?.text;
  const pass = v.authPass?.args[0]?.text;
  if (v.strict || v.version === 3 || (type !== 'PASS' && type !== 'AH') || !pass) return undefined;
  return { type, pass: pass.slice(0, 8) };
}

/** Diagnostics about VRRP instances of different keepalived.conf files that hold the same addresses. */
export function vrrpPeerDiagnostics(configs: ParsedConfig[]): ConfigDiagnostic[] {
  // One diagnostic per statement and check: a director compared with several others
  // gets one, whose related locations list them all.
  const found = new Map<string, { d: ConfigDiagnostic; others: number }>();
  const sides = configs.map((cfg) => ({ cfg, id: routerId(cfg), instances: vrrpInstances({ keepalived: cfg }).filter((v) => !v.templated) }));
  const names = labels(configs.map((c) => c.file));
  const pair = (code: string, check: string, severity: 'error' | 'warning', a: Side, b: Side, sa: Statement | undefined, sb: Statement | undefined, say: (me: Side, other: Side) => string): void => {
    for (const [me, other, mine, theirs] of [[a, b, sa, sb], [b, a, sb, sa]] as const) {
      const rel: RelatedLocation = { ...where(theirs, other.v), message: `${other.v.name} in ${other.label}` };
      const loc = where(mine, me.v);
      const key = `${code}|${check}|${loc.file}|${loc.range.start.line}:${loc.range.start.character}`;
      const seen = found.get(key);
      if (!seen) {
        found.set(key, { d: { code, severity, ...loc, message: say(me, other), related: [rel] }, others: 0 });
      } else {
        seen.d.related?.push(rel);
        seen.others++;
      }
    }
  };
  for (let i = 0; i < sides.length; i++) {
    for (let j = i + 1; j < sides.length; j++) {
      const [x, y] = [sides[i], sides[j]];
      if (x.cfg.file === y.cfg.file || (x.id !== undefined && x.id === y.id)) continue;
      for (const va of x.instances) {
        const addrs = new Set([...va.vips, ...va.excluded].map((s) => s.toLowerCase()));
        for (const vb of y.instances) {
          const shared = [...vb.vips, ...vb.excluded].find((s) => addrs.has(s.toLowerCase()));
          if (!shared) continue;
          const a: Side = { v: va, file: x.cfg.file, label: names.get(x.cfg.file) ?? x.cfg.file };
          const b: Side = { v: vb, file: y.cfg.file, label: names.get(y.cfg.file) ?? y.cfg.file };
          const intro = (me: Side, other: Side): string => `${me.v.name} holds ${shared} like ${other.v.name} in ${other.label}, but`;
          const split = (log: string): string => `each director drops the other's adverts (keepalived logs "${log}") and both become MASTER: split brain`;
          if (va.vrid !== undefined && vb.vrid !== undefined && va.vrid !== vb.vrid) {
            pair('vrrp-peer-mismatch', 'vrid', 'error', a, b, va.vridStatement, vb.vridStatement, (me, o) => `${intro(me, o)} with virtual_router_id ${me.v.vrid} here and ${o.v.vrid} there: they are two different virtual routers, never see each other, and both become MASTER. Use the same VRID on every director`);
          }
          if (va.version !== vb.version) {
            pair('vrrp-peer-mismatch', 'version', 'error', a, b, va.versionStatement, vb.versionStatement, (me, o) => `${intro(me, o)} with VRRP version ${me.v.version} here and ${o.v.version} there: ${split('wrong VRRP version')}. Use the same version on every director`);
          } else if (va.version === 2 && va.advertInt !== vb.advertInt) {
            pair('vrrp-peer-mismatch', 'advert', 'error', a, b, va.advertStatement, vb.advertStatement, (me, o) => `${intro(me, o)} with advert_int ${me.v.advertInt} here and ${o.v.advertInt} there: with VRRP version 2 ${split('advertisement interval mismatch')}. Use the same advert_int on every director`);
          }
          const [aa, ab] = [authOf(va), authOf(vb)];
          if (va.version === vb.version && (aa?.type !== ab?.type || aa?.pass !== ab?.pass)) {
            const what = (s: Side): string => {
              const t = authOf(s.v);
              return t ? `auth_type ${t.type}` : 'no authentication';
            };
            const detail = aa && ab && aa.type === ab.type ? `a different auth_pass (the first 8 characters count)` : `${what(a)} in ${a.label} and ${what(b)} in ${b.label}`;
            pair('vrrp-peer-mismatch', 'auth', 'error', a, b, va.authPass ?? va.authentication, vb.authPass ?? vb.authentication, (me, o) => `${intro(me, o)} with ${detail}: ${split(aa && ab && aa.type === ab.type ? 'received an invalid passwd' : 'received a … auth, expecting …')}. Use the same authentication on every director`);
          }
          const [master, backup] = va.effectiveState === 'MASTER' && vb.effectiveState === 'BACKUP' ? [a, b] : vb.effectiveState === 'MASTER' && va.effectiveState === 'BACKUP' ? [b, a] : [];
          if (master && backup && va.vrid !== undefined && va.vrid === vb.vrid && backup.v.priority > master.v.priority && !(backup.v.nopreempt && backup.v.priority < 255)) {
            const lineOf = (s: Side): string => `${s.label} (line ${where(s.v.priorityStatement ?? s.v.stateStatement, s.v).range.start.line + 1})`;
            const delay = Number(backup.v.preemptDelay?.args[0]?.text);
            const when = delay > 0 ? ` after its preempt_delay of ${delay} s` : '';
            const vip = shared;
            const isBackup = backup.v.state === 'BACKUP' ? 'is state BACKUP' : 'starts as BACKUP';
            const stateMaster = master.v.state === 'MASTER' ? 'state MASTER' : 'starting as MASTER';
            pair('vrrp-peer-priority-inversion', 'inversion', 'warning', master, backup, master.v.priorityStatement ?? master.v.stateStatement, backup.v.priorityStatement ?? backup.v.stateStatement, (me, o) =>
              me === master
                ? `${me.v.name} starts as MASTER with priority ${me.v.priority} here, but ${o.v.name} in ${lineOf(o)} ${isBackup} with the higher priority ${o.v.priority}: VRRP elects by priority and a backup preempts a lower-priority master, so ${o.label} takes ${vip}${when} whenever it is up, and this director holds it only while that one is down ('state' only sets how an instance starts). Give the intended MASTER the highest priority; or, for no failback, set nopreempt on ${o.label} (it works with state BACKUP only)`
                : `${me.v.name} ${isBackup} here with priority ${me.v.priority}, higher than ${o.v.name} in ${lineOf(o)}, ${stateMaster} with priority ${o.v.priority}: VRRP elects by priority and a backup preempts a lower-priority master, so this director takes ${vip}${when} whenever it is up, and ${o.label} holds it only while this one is down ('state' only sets how an instance starts). Give this BACKUP a priority below ${o.v.priority}; or, for no failback, set nopreempt here (it works with state BACKUP only)`,
            );
          }
          if (va.effectiveState === 'MASTER' && vb.effectiveState === 'MASTER' && va.priority === vb.priority) {
            pair('vrrp-peer-same-priority', 'masters', 'warning', a, b, va.stateStatement ?? va.priorityStatement, vb.stateStatement ?? vb.priorityStatement, (me, o) => `${intro(me, o)} both start as MASTER with priority ${me.v.priority}: the election then goes to the director with the higher IP address, not to the one you meant. Make one of them state BACKUP with a lower priority`);
          }
        }
      }
    }
  }
  return [...found.values()].map(({ d, others }) => (others ? { ...d, message: `${d.message} (the same with ${others} other director${others > 1 ? 's' : ''}: see the related locations)` } : d));
}
