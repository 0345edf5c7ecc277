// `quorum` is the total weight of live real servers below which keepalived
// switches to the sorry server (and runs quorum_down). A quorum above the total
// weight of all the real servers can never be reached: keepalived lowers it
// ("quorum N for VS exceeds total weight of real servers M, reducing quorum to M",
// a keepalived -t error). All weights 0 is all-weights-zero's finding.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { intValue, totalWeight, vsShape } from './virtual-server';

export const quorumExceedsWeight: LintRule = {
  code: 'quorum-exceeds-weight',
  severity: 'error',
  languages: ['keepalived'],
  description: 'quorum above the total weight of the real servers: it can never be reached, keepalived lowers it.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const st = child(vs, 'quorum');
      const quorum = intValue(st);
      const total = totalWeight(vs);
      if (!st || quorum === undefined || total === undefined || total === 0 || quorum <= total) continue;
      const value = st.args[0];
      ctx.report({
        file: st.file,
        range: tokenRange(value),
        message: `quorum ${quorum} is more than the total weight of the real servers (${total}): it could never be reached, so keepalived lowers it to ${total} (keepalived: "quorum ${quorum} for ${vsShape(ctx.keepalived, vs).name} exceeds total weight of real servers ${total}, reducing quorum to ${total}"). Lower the quorum, or raise the real servers' weights`,
        fixes: [{ title: `Set quorum to ${total} (what keepalived uses)`, edits: [{ file: st.file, range: tokenRange(value), newText: String(total) }] }],
      });
    }
  },
};
