// One line per sub-command.
import type { CliCommand } from './command';
import { decodeCommand } from './commands/decode';

export const commands: CliCommand[] = [];
commands.push(decodeCommand);
