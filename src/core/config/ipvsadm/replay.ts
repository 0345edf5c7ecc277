// Replays ipvsadm commands against an empty table and reports the ones the
// kernel would refuse because of the order of commands: a real server added to a
// service never defined ("Service not defined"), a service added twice ("Service
// already exists"), edits and deletes of things that do not exist ("No such
// service", "No such destination").
//
// A command ipvsadm refuses (cmd.invalid: a bad option, or a scheduler the kernel
// does not have) changes nothing, as with real ipvsadm: a corrected -A of the same
// service on the next line is not a duplicate. To avoid a cascade after a typo,
// lines about a service whose only -A was refused are not reported again (the
// mistake is reported once, on the -A line), but that service is not in the table.
//
// An ipvsadm-save file is restored as a whole (`ipvsadm -R`), in order: what it
// has not defined does not exist (`stateKnown`). A shell script runs on a table
// whose earlier state is unknown, until it clears it with an `ipvsadm -C` that
// always runs (not in a branch, a function or after && / ||).
//
// Duplicates (-A of a service, -a of a real server that exists) are looked for
// only in one sequence: commands in different branches of one `case`, or in
// different functions, do not run one after the other (`start)` and `restart)`
// may each add the service), so a -A or -a there replaces the earlier one.
import type { Range } from '../diagnostic';
import { commandServiceKey, destKey } from './model';
import type { IpvsadmCommand, IpvsadmOp, ParsedIpvsadm } from './parser';
import { exclusiveScopes } from './shell';

export interface ReplayEvent {
  kind: 'undefined-service' | 'duplicate-service' | 'undefined-dest' | 'duplicate-dest';
  /** The command refused (-E and -D say "No such service", -a/-e/-d "Service not defined"). */
  op: IpvsadmOp;
  command: IpvsadmCommand;
  /** The table is known to start empty here (an ipvsadm-save file, or a script after `ipvsadm -C`). */
  stateKnown: boolean;
  range: Range;
  /** `tcp:192.0.2.10:80` or `10.0.0.11:80`. */
  what: string;
}

const cache = new WeakMap<ParsedIpvsadm, ReplayEvent[]>();

export function replayIpvsadm(parsed: ParsedIpvsadm): ReplayEvent[] {
  const hit = cache.get(parsed);
  if (hit) return hit;
  const events: ReplayEvent[] = [];
  let stateKnown = parsed.format === 'save';
  /** Each service and real server with the scope (./shell.ts) of the command that added it. */
  const services = new Map<string, { port?: number; scope?: string[]; dests: Map<string, string[] | undefined> }>();
  /** Services whose -A was refused and not (yet) followed by one that worked. */
  const refused = new Set<string>();
  for (const c of parsed.commands) {
    const emit = (e: Omit<ReplayEvent, 'command' | 'stateKnown'>): void => {
      events.push({ ...e, command: c, stateKnown });
    };
    if (c.op === 'clear') {
      if (!c.invalid) {
        services.clear();
        refused.clear();
        if (!c.shell?.branch && !c.shell?.conditional) stateKnown = true;
      }
      continue;
    }
    if (c.dynamic) continue;
    const key = commandServiceKey(c);
    if (!key) continue;
    const scope = c.shell?.scope;
    let svc = services.get(key);
    // An -A in a branch or function exclusive with the one that added the service: another run.
    if (svc && c.op === 'add-service' && exclusiveScopes(svc.scope, scope)) {
      services.delete(key);
      svc = undefined;
    }
    const range = c.serviceWord ? { start: { line: c.serviceWord.line, character: c.serviceWord.start }, end: { line: c.serviceWord.line, character: c.serviceWord.end } } : c.range;
    if (c.invalid) {
      // Refused: the table does not change. A refused -A of a service that exists is still
      // reported as a duplicate (fixing its own mistake alone would not make it work).
      if (c.op === 'add-service') {
        if (svc) emit({ kind: 'duplicate-service', op: c.op, range, what: key });
        else refused.add(key);
      }
      continue;
    }
    switch (c.op) {
      case 'add-service':
        if (svc) emit({ kind: 'duplicate-service', op: c.op, range, what: key });
        else {
          services.set(key, { port: c.service?.port, scope, dests: new Map() });
          refused.delete(key);
        }
        break;
      case 'edit-service':
      case 'delete-service':
        if (!svc) {
          if (!refused.has(key)) emit({ kind: 'undefined-service', op: c.op, range, what: key });
        } else if (c.op === 'delete-service') services.delete(key);
        break;
      case 'add-dest':
      case 'edit-dest':
      case 'delete-dest': {
        if (!svc) {
          if (!refused.has(key)) emit({ kind: 'undefined-service', op: c.op, range, what: key });
          break;
        }
        if (!c.dest) break;
        const dk = destKey(c.dest, svc.port);
        const destRange = { start: { line: c.dest.word.line, character: c.dest.word.start }, end: { line: c.dest.word.line, character: c.dest.word.end } };
        // Non-NAT destinations take the service port whatever is written.
        const effective = c.method?.kind === 'nat' ? dk : destKey({ ...c.dest, port: svc.port }, svc.port);
        const exists = svc.dests.has(dk) || svc.dests.has(effective);
        if (c.op === 'add-dest') {
          const earlier = svc.dests.has(dk) ? svc.dests.get(dk) : svc.dests.get(effective);
          if (exists && !exclusiveScopes(earlier, scope)) emit({ kind: 'duplicate-dest', op: c.op, range: destRange, what: dk });
          else {
            svc.dests.delete(dk);
            svc.dests.set(effective, scope);
          }
        } else if (!exists) emit({ kind: 'undefined-dest', op: c.op, range: destRange, what: dk });
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
