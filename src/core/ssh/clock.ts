// Reading a host's clock against ours over SSH (see SshHost.clock): the script the host
// runs, what its lines mean, and the sample kept.

import type { ClockReading } from './remote';

/**
 * Prints the host's clock per line read. With bash 5 its $EPOCHREALTIME (microseconds, no
 * process per sample: a `date` forked per sample reads the clock late in the round trip);
 * otherwise `date +%s.%N`.
 */
export const CLOCK_LOOP =
  'if [ -n "$(bash -c \'echo "$EPOCHREALTIME"\' 2>/dev/null)" ]; then exec bash -c \'while read -r x; do echo "$EPOCHREALTIME"; done\'; fi; ' +
  'while read -r x; do date +%s.%N; done';

/** A line CLOCK_LOOP printed, in ms since the epoch (a decimal comma from the locale too). */
export function parseClockLine(line: string): number | undefined {
  const t = line.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t) * 1000;
}

/** The best sample as recorded: offset and uncertainty (half its round trip), in µs steps. */
export function clockReading(best: { rtt: number; offset: number }): ClockReading {
  // `|| 0`: no -0 (it would not survive capture.json).
  return { offsetMs: Math.round(best.offset * 1000) / 1000 || 0, uncertaintyMs: Math.ceil((best.rtt / 2) * 1000) / 1000 };
}
