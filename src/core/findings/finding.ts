// A finding: something the analysis (of a capture) or the cluster check (of live
// state) concluded, in the words an LVS operator uses. Shared by analysis, check,
// probe, the CLI and the VS Code layer.

export type Severity = 'error' | 'warning' | 'info';

/** A position in a config file (1-based line and column, as editors show them). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** One piece of evidence: a packet at a capture point, or a line of host state. */
export interface Evidence {
  /** Capture point host name (as in capture.json) or host checked. */
  host: string;
  /** Capture file (relative to the capture folder) and 1-based packet numbers. */
  file?: string;
  packets?: number[];
  /** Time of the first cited packet, seconds since the epoch. */
  ts?: number;
  /** What this evidence shows, one line. */
  text: string;
}

export interface Finding {
  /** Stable code, e.g. `arp-problem`, `rs-no-reply`. */
  code: string;
  severity: Severity;
  /** One or two sentences saying what is wrong. */
  message: string;
  /** What to check or change. */
  advice?: string;
  evidence: Evidence[];
  /** The config line to blame, when the config is known. */
  location?: SourceLocation;
  /** Which service / real server this is about, when it is about one. */
  service?: string;
  realServer?: string;
  /** Connection ids (from the analysis) this finding cites. */
  connections?: string[];
  /**
   * A suggested change, as data: what would run on which host. Nothing applies it
   * on its own; the VS Code layer offers it only after a confirmation showing exactly this.
   */
  fix?: FindingFix;
}

export interface FindingFix {
  /** One line: what the fix does. */
  description: string;
  /** Host name (as in the hosts file) the command runs on. */
  host: string;
  /** The command, as an argument vector (quoted by the SSH layer). */
  argv: string[];
  /** Needs root. */
  sudo?: boolean;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then warnings, then info; stable within a severity. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank[a.f.severity] - severityRank[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}
