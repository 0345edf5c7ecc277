// The shape of one `lvs-trace` sub-command, and its --help text. The options a command
// documents are the options its parser accepts (argSpec): the help cannot drift from it.
import { parseArgs, type ArgSpec, type ParsedArgs } from './args';

/** One option: `--name VALUE` (or a flag without `value`) and what it does, on one line. */
export interface OptionDoc {
  /** Without the dashes: `out`. */
  name: string;
  /** The placeholder of its value (`FILE`); absent for a flag. */
  value?: string;
  text: string;
}

export interface CliCommand {
  name: string;
  /** e.g. `decode FILE [--json]` (the command list; --help lists every option). */
  usage: string;
  summary: string;
  /** Positional arguments: name and meaning, for --help. */
  args?: Array<[string, string]>;
  /** Every option the command accepts. */
  options: OptionDoc[];
  /** Exit statuses and what each means. */
  exitStatus: Array<[number, string]>;
  /** More lines for --help (environment variables, forms of a value...). */
  notes?: string[];
  /** Analyses a capture folder: runs in an analysis worker thread (cli/isolated.ts). */
  analysesCaptures?: boolean;
  /** Returns the process exit status. */
  run(args: string[]): Promise<number>;
}

/** The parser's view of a command's options. */
export function argSpec(cmd: Pick<CliCommand, 'options'>): ArgSpec {
  return { flags: cmd.options.filter((o) => o.value === undefined).map((o) => o.name), options: cmd.options.filter((o) => o.value !== undefined).map((o) => o.name) };
}

/** Parses a command's arguments against the options it documents. */
export function parseCommandArgs(cmd: Pick<CliCommand, 'options'>, args: string[]): ParsedArgs {
  return parseArgs(args, argSpec(cmd));
}

/** `--help` or `-h` among the arguments: not as the value of an option, not after `--`. */
export function wantsHelp(cmd: Pick<CliCommand, 'options'>, args: string[]): boolean {
  const valued = new Set(argSpec(cmd).options);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
    if (a.startsWith('--') && !a.includes('=') && valued.has(a.slice(2))) i++;
  }
  return false;
}

const COLUMN = 28;

function row(left: string, text: string): string {
  return left.length < COLUMN - 2 ? `  ${left.padEnd(COLUMN - 2)}${text}` : `  ${left}\n${' '.repeat(COLUMN)}${text}`;
}

/** `lvs-trace NAME --help`. */
export function commandHelp(cmd: CliCommand): string {
  const out = [`usage: lvs-trace ${cmd.usage}`, '', `${cmd.summary[0].toUpperCase()}${cmd.summary.slice(1)}.`];
  if (cmd.args?.length) out.push('', 'arguments:', ...cmd.args.map(([name, text]) => row(name, text)));
  out.push('', 'options:', ...cmd.options.map((o) => row(`--${o.name}${o.value ? ` ${o.value}` : ''}`, o.text)), row('-h, --help', 'print this help and exit'));
  if (cmd.notes?.length) out.push('', ...cmd.notes);
  out.push('', 'exit status:', ...cmd.exitStatus.map(([code, text]) => `  ${code}  ${text}`));
  return `${out.join('\n')}\n`;
}
