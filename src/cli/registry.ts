// One line per sub-command.
import type { CliCommand } from './command';
import { decodeCommand } from './commands/decode';
import { lintCommand } from './commands/lint';

export const commands: CliCommand[] = [];
commands.push(decodeCommand);
commands.push(lintCommand);
