// keepalived's own log (`journalctl -u keepalived -o cat`, syslog, or its console
// log with -l): the VRRP state each instance last entered, and whether keepalived
// has since stopped. Only the last run counts (after the last "Starting Keepalived").
//   (VI_WEB) Entering MASTER STATE
//   (VI_WEB) Entering BACKUP STATE (init)
//   Stopped Keepalived v2.2.7 (01/16,2022)
// systemd's own lines about the unit count as the end of keepalived too (a killed
// keepalived logs nothing itself, and its VIPs may stay behind):
//   keepalived.service: Main process exited, code=killed, status=9/KILL
//   keepalived.service: Failed with result 'signal'.
//   keepalived.service: Deactivated successfully.
//   Stopped keepalived.service - LVS and VRRP High Availability Monitor.

import { outputLines } from './parseError';

export type VrrpLogState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface KeepalivedLogState {
  /** Last state per VRRP instance in the last run. */
  instances: Map<string, { state: VrrpLogState; line: number; text: string }>;
  /** keepalived logged that it stopped after its last start (or systemd said its process ended). */
  stopped: boolean;
  /** The line that said so. */
  stoppedLine?: { line: number; text: string };
  /** The log has any keepalived line at all. */
  seen: boolean;
}

/** systemd's lines (in `journalctl -u keepalived`) saying the unit's main process is gone. */
const SYSTEMD_END = /(^|\s)[\w@.-]+\.service: (Main process exited|Failed with result|Deactivated successfully)|(^|:\s)Stopped (keepalived\.service|.*High Availability Monitor|.*[Kk]eepalived)/;

export function parseKeepalivedLog(text: string): KeepalivedLogState {
  const out: KeepalivedLogState = { instances: new Map(), stopped: false, seen: false };
  outputLines(text).forEach((raw, i) => {
    if (/Starting Keepalived v/.test(raw)) {
      out.instances.clear();
      out.stopped = false;
      out.stoppedLine = undefined;
      out.seen = true;
      return;
    }
    if (/Stopped Keepalived v/.test(raw) || SYSTEMD_END.test(raw)) {
      // Only the first line of the end counts (the log goes on: "Failed with result...", "Stopped...").
      if (!out.stopped) out.stoppedLine = { line: i + 1, text: raw.trim() };
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
