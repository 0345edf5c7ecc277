// VRRPv2 carries the advertisement interval in whole seconds: keepalived rounds a
// fractional advert_int of a version 2 instance to the nearest second, at least 1
// ("(VI_1) VRRPv2 advertisement interval 0.500000s must be an integer. rounding",
// a keepalived -t error), so the sub-second failover it was meant for does not
// happen. Version 3 (instance `version 3` or global_defs `vrrp_version 3`) takes
// centiseconds, and so does an IPv6 instance unless it says `version 2` itself
// (checked with keepalived 2.2.7 -t).
import { child, children, tokenRange } from '../keepalived/ast';
import { topLevel } from '../keepalived/query';
import type { LintRule } from './rule';

export const advertIntFraction: LintRule = {
  code: 'advert-int-fraction',
  severity: 'error',
  languages: ['keepalived'],
  description: 'Fractional advert_int on a VRRP version 2 instance: keepalived rounds it to whole seconds.',
  check(ctx) {
    const globalVersion = topLevel(ctx.keepalived, 'global_defs').map((g) => child(g, 'vrrp_version')?.args[0]?.text).filter((v) => v !== undefined).pop() ?? '2';
    for (const vi of topLevel(ctx.keepalived, 'vrrp_instance')) {
      const st = child(vi, 'advert_int');
      const value = st?.args[0];
      if (!st || !value || st.templated) continue;
      const version = child(vi, 'version');
      if (version?.templated || (version?.args[0]?.text ?? globalVersion) !== '2') continue;
      // An IPv6 instance is version 3 unless the instance itself says `version 2`.
      const first = children(vi, 'virtual_ipaddress').flatMap((b) => b.body ?? []).find((e) => e.entry);
      if (first?.keyword.text.includes(':') && !version) continue;
      const seconds = Number(value.text);
      // Out of range and non-numbers are the schema's findings.
      // keepalived keeps microseconds.
      const micros = Math.round(seconds * 1e6);
      if (!Number.isFinite(seconds) || micros <= 0 || seconds >= 256 || micros % 1e6 === 0) continue;
      const rounded = Math.max(1, Math.floor((micros + 5e5) / 1e6));
      const name = vi.args[0]?.text ?? '';
      ctx.report({
        file: st.file,
        range: tokenRange(value),
        message: `advert_int ${value.text} is not a whole number of seconds: VRRP version 2 sends the interval in whole seconds, so keepalived rounds it to ${rounded} (keepalived: "(${name}) VRRPv2 advertisement interval ${(micros / 1e6).toFixed(6)}s must be an integer. rounding"). Use a whole number of seconds, or \`version 3\` on every router of this VRID for sub-second adverts`,
        fixes: [{ title: `Set advert_int to ${rounded} (what keepalived uses)`, isPreferred: true, edits: [{ file: st.file, range: tokenRange(value), newText: String(rounded) }] }],
      });
    }
  },
};
