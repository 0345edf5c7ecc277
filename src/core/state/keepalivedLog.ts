// keepalived's own log (`journalctl -u keepalived -o cat`, syslog, or its console
// log with -l): the VRRP state each instance last entered, and whether keepalived
// has since stopped. Only the last run counts (after the last "Starting Keepalived").
//   (VI_WEB) Entering MASTER STATE
//   (VI_WEB) Entering BACKUP STATE (init)
//   Stopped Keepalived v2.2.7 (01/16,2022)

import { outputLines } from './parseError';

export type VrrpLogState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface KeepalivedLogState {
  /** Last state per VRRP instance in the last run. */
  instances: Map<string, { state: VrrpLogState; line: number; text: string }>;
  /** keepalived logged that it stopped after its last start. */
  stopped: boolean;
  /** The log has any keepalived line at all. */
  seen: boolean;
}

export function parseKeepalivedLog(text: string): KeepalivedLogState {
  const out: KeepalivedLogState = { instances: new Map(), stopped: false, seen: false };
  outputLines(text).forEach((raw, i) => {
    if (/Starting Keepalived v/.test(raw)) {
      out.instances.clear();
      out.stopped = false;
      out.seen = true;
      return;
    }
    if (/Stopped Keepalived v/.test(raw)) {
      out.stopped = true;
      out.seen = true;
      return;
    }
    const m = /\(([^()\s]+)\) Entering (MASTER|BACKUP|FAULT|STOP) STATE/.exec(raw);
    if (m) {
      out.seen = true;
      out.instances.set(m[1], { state: m[2] as VrrpLogState, line: i + 1, text: raw.trim() });
    }
  });
  return out;
}
