// Replays ipvsadm commands against an empty table and reports the ones the
// kernel would refuse because of the order of commands: a real server added to a
// service never defined ("Service not defined"), a service added twice ("Service
// already exists"), edits and deletes of things that do not exist.
import type { Range } from '../diagnostic';
import { commandServiceKey, destKey } from './model';
import type { ParsedIpvsadm } from './parser';

export interface ReplayEvent {
  kind: 'undefined-service' | 'duplicate-service' | 'undefined-dest' | 'duplicate-dest';
  range: Range;
  /** `tcp:192.0.2.10:80` or `10.0.0.11:80`. */
  what: string;
}

const cache = new WeakMap<ParsedIpvsadm, ReplayEvent[]>();

export function replayIpvsadm(parsed: ParsedIpvsadm): ReplayEvent[] {
  const hit = cache.get(parsed);
  if (hit) return hit;
  const events: ReplayEvent[] = [];
  const services = new Map<string, { port?: number; dests: Set<string> }>();
  for (const c of parsed.commands) {
    if (c.op === 'clear') {
      services.clear();
      continue;
    }
    if (c.dynamic) continue;
    // A refused -A still declares what the user meant: later lines about that service
    // should not all fail again (the first mistake is reported on the -A line).
    if (c.invalid && c.op !== 'add-service') continue;
    const key = commandServiceKey(c);
    if (!key) continue;
    const svc = services.get(key);
    const range = c.serviceWord ? { start: { line: c.serviceWord.line, character: c.serviceWord.start }, end: { line: c.serviceWord.line, character: c.serviceWord.end } } : c.range;
    switch (c.op) {
      case 'add-service':
        if (svc) events.push({ kind: 'duplicate-service', range, what: key });
        else services.set(key, { port: c.service?.port, dests: new Set() });
        break;
      case 'edit-service':
      case 'delete-service':
        if (!svc) events.push({ kind: 'undefined-service', range, what: key });
        else if (c.op === 'delete-service') services.delete(key);
        break;
      case 'add-dest':
      case 'edit-dest':
      case 'delete-dest': {
        if (!svc) {
          events.push({ kind: 'undefined-service', range, what: key });
          break;
        }
        if (!c.dest) break;
        const dk = destKey(c.dest, svc.port);
        const destRange = { start: { line: c.dest.word.line, character: c.dest.word.start }, end: { line: c.dest.word.line, character: c.dest.word.end } };
        // Non-NAT destinations take the service port whatever is written.
        const effective = c.method?.kind === 'nat' ? dk : destKey({ ...c.dest, port: svc.port }, svc.port);
        const exists = svc.dests.has(dk) || svc.dests.has(effective);
        if (c.op === 'add-dest') {
          if (exists) events.push({ kind: 'duplicate-dest', range: destRange, what: dk });
          else svc.dests.add(effective);
        } else if (!exists) events.push({ kind: 'undefined-dest', range: destRange, what: dk });
        else if (c.op === 'delete-dest') {
          svc.dests.delete(dk);
          svc.dests.delete(effective);
        }
        break;
      }
      default:
        break;
    }
  }
  cache.set(parsed, events);
  return events;
}
