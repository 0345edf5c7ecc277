// The one error every host-output parser throws on input it does not understand:
// it names the command whose output it was and the offending line, so a user
// reading "ipvsadm -Ln: unexpected line 7" knows what to look at.

export class StateParseError extends Error {
  constructor(
    /** The command whose output was being parsed, e.g. `ipvsadm -Ln`. */
    readonly command: string,
    /** 1-based line number in that output (0 when the whole output is the problem). */
    readonly line: number,
    reason: string,
    text?: string,
  ) {
    const where = line > 0 ? ` at line ${line}` : '';
    const shown = text === undefined ? '' : `: ${JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text)}`;
    super(`${command}: ${reason}${where}${shown}`);
    this.name = 'StateParseError';
  }
}

/** Split command output into lines without the trailing empty line, keeping numbering 1-based. */
export function outputLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
