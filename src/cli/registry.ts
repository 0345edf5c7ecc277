// One line per sub-command.
import type { CliCommand } from './command';
import { decodeCommand } from './commands/decode';
import { lintCommand } from './commands/lint';
import { analyzeCommand } from './commands/analyze';

export const commands: CliCommand[] = [];
commands.push(decodeCommand);
commands.push(lintCommand);
commands.push(analyzeCommand);
