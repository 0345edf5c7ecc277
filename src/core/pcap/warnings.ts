// Warnings are capped so that a file with a problem in every record cannot grow memory.
import type { ReadSummary } from './frame';

const MAX_WARNINGS = 50;

export function addWarning(summary: ReadSummary, message: string): void {
  if (summary.warnings.length < MAX_WARNINGS) summary.warnings.push(message);
  else if (summary.warnings.length === MAX_WARNINGS) summary.warnings.push('further warnings suppressed');
}

/** Describes the first record with a problem: its packet number, byte offset, two lengths. */
export type DescribeRecord = (n: number, offset: number, a: number, b: number) => string;

/**
 * A problem that may repeat in every record of a file (a length that disagrees with the
 * header): one warning per file, naming the first record, with the count of such records.
 * add() only counts after the first; the readers call update() at the end of each batch
 * (and before they throw), which brings the count in the warning up to date.
 */
export class RepeatedWarning {
  private count = 0;
  private shown = 0;
  /** The warning's index in summary.warnings (-1: over the cap, not shown). */
  private index = -1;
  private first = '';

  constructor(private readonly describe: DescribeRecord) {}

  add(summary: ReadSummary, n: number, offset: number, a: number, b: number): void {
    if (this.count++ > 0) return;
    this.first = this.describe(n, offset, a, b);
    this.index = summary.warnings.length < MAX_WARNINGS ? summary.warnings.length : -1;
    addWarning(summary, this.first);
    this.shown = 1;
  }

  update(summary: ReadSummary): void {
    if (this.count === this.shown) return;
    this.shown = this.count;
    if (this.index >= 0) summary.warnings[this.index] = `${this.first} (${this.count} packets like this in the file)`;
  }
}
