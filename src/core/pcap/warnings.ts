// Warnings are capped so that a file with a problem in every record cannot grow memory.
import type { ReadSummary } from './frame';

const MAX_WARNINGS = 50;

export function addWarning(summary: ReadSummary, message: string): void {
  if (summary.warnings.length < MAX_WARNINGS) summary.warnings.push(message);
  else if (summary.warnings.length === MAX_WARNINGS) summary.warnings.push('further warnings suppressed');
}
