// One line per sub-command.
import type { CliCommand } from './command';
import { decodeCommand } from './commands/decode';
import { lintCommand } from './commands/lint';
import { analyzeCommand } from './commands/analyze';
import { captureCommand } from './commands/capture';
import { checkCommand } from './commands/check';
import { probeCommand } from './commands/probe';
import { exportCommand } from './commands/export';
import { assembleCommand } from './commands/assemble';

export const commands: CliCommand[] = [];
commands.push(decodeCommand);
commands.push(lintCommand);
commands.push(analyzeCommand);
commands.push(exportCommand);
commands.push(assembleCommand);
commands.push(captureCommand);
commands.push(checkCommand);
commands.push(probeCommand);
