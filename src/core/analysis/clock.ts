// Clock offsets between hosts from packets seen at two of them, NTP style: a packet
// going director -> host gives (latency + offset), one going host -> director gives
// (latency - offset); with the minimum of each, offset = (fwd - rev) / 2. With only
// one direction (DR: replies never pass the director) it is only a bound.

export interface OffsetSamples {
  /** min(t_host - t_ref) over packets the reference saw first. */
  fwd: number;
  /** min(t_ref - t_host) over packets the host saw first. */
  rev: number;
  fwdCount: number;
  revCount: number;
}

export function newSamples(): OffsetSamples {
  return { fwd: Infinity, rev: Infinity, fwdCount: 0, revCount: 0 };
}

export function addSample(s: OffsetSamples, downstream: boolean, deltaHostMinusRef: number): void {
  if (downstream) {
    s.fwdCount++;
    if (deltaHostMinusRef < s.fwd) s.fwd = deltaHostMinusRef;
  } else {
    s.revCount++;
    if (-deltaHostMinusRef < s.rev) s.rev = -deltaHostMinusRef;
  }
}

export interface OffsetEstimate {
  /** Host clock minus reference clock, seconds (when both directions were seen). */
  offset?: number;
  /** One-way latency estimate, seconds. */
  latency?: number;
  /** Upper bound of (host - reference) when only reference -> host packets were seen. */
  upperBound?: number;
  /** Lower bound when only host -> reference packets were seen. */
  lowerBound?: number;
  text: string;
}

const ms = (s: number): string => `${(s * 1000).toFixed(3)} ms`;

export function estimateOffset(s: OffsetSamples, host: string, ref: string): OffsetEstimate | undefined {
  if (s.fwdCount > 0 && s.revCount > 0) {
    const offset = (s.fwd - s.rev) / 2;
    const latency = (s.fwd + s.rev) / 2;
    return {
      offset,
      latency,
      text: `${host} clock − ${ref} clock ≈ ${ms(offset)} (${s.fwdCount}+${s.revCount} matched packets, one-way ≈ ${ms(latency)})`,
    };
  }
  if (s.fwdCount > 0) {
    return { upperBound: s.fwd, text: `${host} clock − ${ref} clock ≤ ${ms(s.fwd)} (only ${ref} → ${host} packets to match)` };
  }
  if (s.revCount > 0) {
    return { lowerBound: -s.rev, text: `${host} clock − ${ref} clock ≥ ${ms(-s.rev)} (only ${host} → ${ref} packets to match)` };
  }
  return undefined;
}
