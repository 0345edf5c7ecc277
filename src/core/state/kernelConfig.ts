// Kernel build configuration lines, from `/boot/config-$(uname -r)` or
// `zcat /proc/config.gz`: `CONFIG_IP_VS_PROTO_TCP=y`, `=m`, `="text"`, or
// `# CONFIG_IP_VS_PROTO_SCTP is not set`. Other comments and blank lines are skipped.

import { outputLines, StateParseError } from './parseError';

/** Option name (with the CONFIG_ prefix) to value: `y`, `m`, `n` (not set), or the text/number. */
export type KernelConfig = Map<string, string>;

export function parseKernelConfig(text: string, command = 'kernel config'): KernelConfig {
  const out: KernelConfig = new Map();
  outputLines(text).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    if (unset) {
      out.set(unset[1], 'n');
      return;
    }
    if (line.startsWith('#')) return;
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (!m) throw new StateParseError(command, i + 1, 'expected CONFIG_NAME=value or "# CONFIG_NAME is not set"', raw);
    out.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  });
  return out;
}

/** Built in (`y`) or as a module (`m`). */
export function kernelHas(config: KernelConfig, option: string): boolean {
  const v = config.get(option.startsWith('CONFIG_') ? option : `CONFIG_${option}`);
  return v === 'y' || v === 'm';
}
