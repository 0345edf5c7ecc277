// `lvs-trace`: the command line over the core. Each sub-command is one file in
// ./commands, registered in ./registry; this file only dispatches.

import { processCompilesSynchronously } from '../core/analysis/worker/isolate';
import { describeFileError, isFileError, plainFileError } from '../core/fileErrors';
import { commandHelp, wantsHelp } from './command';
import { runInAnalysisIsolate, serveIsolatedCommand } from './isolated';
import { commands } from './registry';

export interface MainOptions {
  /** The bundle this runs from (dist/cli.js): commands that analyse a capture run in a
   *  worker thread of it, unless this process already compiles synchronously (node started
   *  with --no-concurrent-recompilation). Without it (from source, in tests) everything runs
   *  here. */
  bundle?: string;
}

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    // `lvs-trace help COMMAND`: that command's help.
    const of = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(of ? commandHelp(of) : usage());
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`lvs-trace: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (wantsHelp(cmd, rest)) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  // The worker's isolate compiles synchronously (see isolated.ts); a process started with
  // --no-concurrent-recompilation does already, and spares the worker's start-up.
  if (cmd.analysesCaptures && opts.bundle && !processCompilesSynchronously()) return runInAnalysisIsolate(opts.bundle, argv);
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = e as Error;
    // A file-system error nothing above caught: the file it is about, in plain words.
    const message = isFileError(err) ? (err.path ? describeFileError(err.path, err) : plainFileError(err)) : err.message;
    process.stderr.write(`lvs-trace ${name}: ${message}\n`);
    if (process.env.LVS_TRACE_DEBUG) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}

// When this bundle is loaded as the worker of runInAnalysisIsolate().
serveIsolatedCommand((argv) => main(argv));

function usage(): string {
  // Usage on one line, what it does indented below: usages are too long for columns.
  const lines = commands.map((c) => `  lvs-trace ${c.usage}\n      ${c.summary}`);
  return `usage: lvs-trace <command> [options]\n\n${lines.join('\n')}\n\nlvs-trace <command> --help lists every option of a command and its exit statuses.\n`;
}
