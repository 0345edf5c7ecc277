// The shape of one `lvs-trace` sub-command.
export interface CliCommand {
  name: string;
  /** e.g. `decode FILE [--json]` */
  usage: string;
  summary: string;
  /** Analyses a capture folder: runs in an analysis worker thread (cli/isolated.ts). */
  analysesCaptures?: boolean;
  /** Returns the process exit status. */
  run(args: string[]): Promise<number>;
}
