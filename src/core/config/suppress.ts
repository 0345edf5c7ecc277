// Suppression comments, for the rare intended exception:
//   # lvs-lint-disable dr-port-remap, vip-not-in-vrrp   (on its own line: applies to the next line)
//   real_server 10.0.0.1 8080 {  # lvs-lint-disable dr-port-remap   (trailing: applies to this line)
// Without codes every diagnostic of that line is silenced. `!` works as well as `#`.
import type { ConfigDiagnostic } from './diagnostic';

const DIRECTIVE = /[#!]\s*lvs-lint-disable\b([^#!]*)/;

function codesOf(text: string): Set<string> | 'all' {
  const codes = text.split(/[\s,]+/).filter(Boolean);
  return codes.length ? new Set(codes) : 'all';
}

export function applySuppressions(diags: ConfigDiagnostic[], textOf: (file: string) => string | undefined): ConfigDiagnostic[] {
  const cache = new Map<string, Map<number, Set<string> | 'all'>>();
  const rulesFor = (file: string): Map<number, Set<string> | 'all'> => {
    let m = cache.get(file);
    if (m) return m;
    m = new Map();
    const text = textOf(file) ?? '';
    if (text.includes('lvs-lint-disable')) {
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const hit = DIRECTIVE.exec(line);
        if (!hit) return;
        const ownLine = /^\s*[#!]/.test(line);
        (m as Map<number, Set<string> | 'all'>).set(ownLine ? i + 1 : i, codesOf(hit[1]));
      });
    }
    cache.set(file, m);
    return m;
  };
  return diags.filter((d) => {
    const rule = rulesFor(d.file).get(d.range.start.line);
    return !(rule === 'all' || rule?.has(d.code));
  });
}
