// `hysteresis` widens the quorum: quorum is lost when the live weight falls below
// quorum - hysteresis and gained again at quorum + hysteresis. With a hysteresis of
// quorum or more it could never be lost, so keepalived sets it to quorum - 1
// ("hysteresis H >= quorum Q; setting hysteresis to Q-1", a keepalived -t error),
// comparing with the quorum it uses: the total weight when the quorum is above it.
import { child, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';
import { intValue, totalWeight, vsShape } from './virtual-server';

export const hysteresisAboveQuorum: LintRule = {
  code: 'hysteresis-above-quorum',
  severity: 'error',
  languages: ['keepalived'],
  description: 'hysteresis at or above the quorum: keepalived resets it to quorum - 1.',
  check(ctx) {
    for (const vs of topLevel(ctx.keepalived, 'virtual_server')) {
      const st = child(vs, 'hysteresis');
      const hysteresis = intValue(st);
      const quorumSt = child(vs, 'quorum');
      const written = quorumSt ? intValue(quorumSt) : 1;
      const total = totalWeight(vs);
      if (!st || hysteresis === undefined || written === undefined || total === undefined || total === 0) continue;
      const quorum = Math.min(written, total);
      if (hysteresis < quorum) continue;
      const value = st.args[0];
      const why = quorum < written ? `the quorum keepalived uses, ${quorum} (quorum ${written} is lowered to the total weight of the real servers)` : `the quorum, ${quorum}${quorumSt ? '' : ' (the default)'}`;
      ctx.report({
        file: st.file,
        range: tokenRange(value),
        message: `hysteresis ${hysteresis} is not below ${why}: quorum would only be lost when the live weight fell below ${quorum - hysteresis}, which cannot happen, so keepalived sets hysteresis to ${quorum - 1} (keepalived: "Virtual server ${vsShape(ctx.keepalived, vs).name}: hysteresis ${hysteresis} >= quorum ${quorum}; setting hysteresis to ${quorum - 1}"). Use a hysteresis below the quorum`,
        fixes: [{ title: `Set hysteresis to ${quorum - 1} (what keepalived uses)`, isPreferred: true, edits: [{ file: st.file, range: tokenRange(value), newText: String(quorum - 1) }] }],
      });
    }
  },
};
