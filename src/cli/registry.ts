// One line per sub-command.
import type { CliCommand } from './command';

export const commands: CliCommand[] = [];
