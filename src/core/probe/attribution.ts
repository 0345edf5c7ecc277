// Which real server an attempt is put on, and, for those no real server can be named
// for, why and what would name one: shared by the judgement, the text output and the
// one-line summary, so that they say the same thing.
import type { ProbeAttempt } from './index';

/** The real server an attempt landed on: the one capture that saw it arrive, else the one that answered it (capture or answer text). */
export function landedOn(a: ProbeAttempt): string | undefined {
  return a.seenBy && a.seenBy.length === 1 ? a.seenBy[0] : a.answeredBy;
}

/** Why attempts could not be attributed, in words; `answers`: how many of them were answered. */
export function unattributedWhy(answers: number, captured: boolean): string {
  const seen = captured ? 'the capture did not place them on one real server' : 'no capture';
  return answers > 0 ? `${seen}, and the answers do not name one` : seen;
}

/** What would attribute them (after "To attribute them: "). */
export function attributionAdvice(answers: number, captured: boolean): string {
  if (captured) {
    return answers > 0
      ? 'have each real server name itself in its answers (its host name or address, e.g. in the page it serves), and see the notes for the real servers the capture missed'
      : 'see the notes for the real servers the capture missed';
  }
  return answers > 0
    ? 'probe with a capture on the real servers (--capture), or have each real server name itself in its answers (its host name or address, e.g. in the page it serves)'
    : 'probe with a capture on the real servers (--capture) to see which real server took them';
}

/**
 * Real servers the capture saw receive connections and answer none of them (no
 * SYN-ACK / UDP reply left; a refusal is no answer): dead for the service but in
 * rotation. Only a capture sets seenBy, so without one there are none.
 */
export function deadServers(attempts: ProbeAttempt[], servers: string[]): string[] {
  return servers.filter((s) => {
    const landedHere = attempts.filter((a) => a.seenBy?.length === 1 && a.seenBy[0] === s);
    return landedHere.length > 0 && landedHere.every((a) => !a.repliedBy?.includes(s));
  });
}
