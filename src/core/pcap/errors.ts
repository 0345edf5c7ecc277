// A capture file that cannot be read: names the file and the byte where it went wrong.

export class PcapFormatError extends Error {
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, problem: string) {
    super(`${file}: ${problem} at byte ${offset}`);
    this.name = 'PcapFormatError';
    this.file = file;
    this.offset = offset;
  }
}
