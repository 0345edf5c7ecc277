// Schema-driven syntax checks of a parsed keepalived.conf: unknown keywords (with
// "did you mean" from the keywords of that block), keywords in the wrong block,
// missing and ill-typed values, deprecated keywords.
import type { ConfigDiagnostic, Range } from '../diagnostic';
import { didYouMean } from '../values';
import { type Statement, type Token, headerRange, tokenRange, walk } from './ast';
import { type ArgProblem, BLOCKS, blocksAllowing, checkArgList } from './schema';

export function validateSyntax(statements: Statement[], out: ConfigDiagnostic[]): void {
  walk(statements, (s) => {
    if (s.context === 'opaque') return;
    const block = BLOCKS[s.context];
    if (!block) return;
    if (s.entry) {
      if (s.templated || !block.entries) return;
      report(s, block.entries.check([s.keyword.text, ...s.args.map((a) => a.text)]).map(shiftEntry), out);
      return;
    }
    const kw = s.keyword.text;
    if (kw.includes('$')) return;
    // include works at any level: the included text is spliced in where it stands.
    const spec = block.keywords[kw] ?? (/^include[rmwba]?$/.test(kw) ? BLOCKS.root.keywords[kw] : undefined);
    if (!spec) {
      out.push(unknownKeyword(s));
      return;
    }
    if (spec.deprecated) {
      const fixable = BLOCKS[s.context].keywords[spec.deprecated] !== undefined;
      out.push({
        code: 'deprecated-keyword',
        severity: 'warning',
        file: s.file,
        range: tokenRange(s.keyword),
        message: `'${kw}' is deprecated: use ${spec.deprecated}`,
        fixes: fixable ? [{ title: `Replace with '${spec.deprecated}'`, isPreferred: true, edits: [{ file: s.file, range: tokenRange(s.keyword), newText: spec.deprecated }] }] : undefined,
      });
    }
    if (s.templated) return;
    const words = s.args.map((a) => a.text);
    const problems = spec.check ? spec.check(words) : spec.args ? checkArgList(words, spec.args) : [];
    report(s, problems, out);
  });
}

/** Entry checks index the first word as 0; statement args start after the keyword. */
function shiftEntry(p: ArgProblem): ArgProblem {
  return { index: p.index - 1, message: p.message };
}

function report(s: Statement, problems: ArgProblem[], out: ConfigDiagnostic[]): void {
  for (const p of problems) {
    const missing = p.message.startsWith('missing');
    const tok: Token | undefined = p.index < 0 ? s.keyword : s.args[p.index];
    const range: Range = tok ? tokenRange(tok) : headerRange(s);
    const what = s.entry ? `'${s.context}' entry` : `'${s.keyword.text}'`;
    out.push({
      code: missing ? 'missing-value' : 'invalid-value',
      severity: 'error',
      file: s.file,
      range,
      message: `${what}: ${p.message}${p.suggestion && !p.message.includes(`'${p.suggestion}'`) ? ` — did you mean '${p.suggestion}'?` : ''}`,
      fixes: p.suggestion && tok ? [{ title: `Change to '${p.suggestion}'`, isPreferred: true, edits: [{ file: s.file, range, newText: p.suggestion }] }] : undefined,
    });
  }
}

function unknownKeyword(s: Statement): ConfigDiagnostic {
  const kw = s.keyword.text;
  const range = tokenRange(s.keyword);
  const elsewhere = blocksAllowing(kw).filter((b) => b !== s.context);
  if (elsewhere.length > 0) {
    const where = elsewhere.slice(0, 3).map((b) => (b === 'root' ? 'the top level' : `'${b}'`)).join(', ');
    return {
      code: 'keyword-not-allowed',
      severity: 'error',
      file: s.file,
      range,
      message: `'${kw}' is not allowed in ${s.context === 'root' ? 'the top level' : `'${s.context}'`}; it belongs in ${where} — move it there`,
    };
  }
  const suggestion = didYouMean(kw, Object.keys(BLOCKS[s.context].keywords));
  const where = s.context === 'root' ? 'at the top level' : `in '${s.context}'`;
  return {
    code: 'unknown-keyword',
    severity: 'error',
    file: s.file,
    range,
    message: suggestion
      ? `unknown keyword '${kw}' ${where}: did you mean '${suggestion}'?`
      : `unknown keyword '${kw}' ${where}: keepalived ignores it — check the spelling`,
    fixes: suggestion ? [{ title: `Change to '${suggestion}'`, isPreferred: true, edits: [{ file: s.file, range, newText: suggestion }] }] : undefined,
  };
}
