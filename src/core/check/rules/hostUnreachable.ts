// A host we could not run a single command on: everything else about it is unknown.
import type { CheckRule } from '../types';

export const hostUnreachable: CheckRule = (ctx) =>
  ctx.states
    .filter((s) => s.unreachable !== undefined)
    .map((s) => ({
      code: 'check-host-unreachable',
      severity: 'error' as const,
      message: `Could not read ${s.role} ${s.name}: ${s.unreachable}`,
      advice: 'Check the SSH settings for this host (hosts file / ~/.ssh/config), that it is up, and that the key is accepted.',
      evidence: [{ host: s.name, text: s.unreachable ?? '' }],
    }));
