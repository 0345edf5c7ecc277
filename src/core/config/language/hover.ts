// Hover text: what a keyword does, its value type and default (keepalived), or
// what an option means (ipvsadm).
import type { Position, Range } from '../diagnostic';
import { tokenRange } from '../keepalived/ast';
import { type ArgSpec, BLOCKS } from '../keepalived/schema';
import type { AnalyzedDocument } from '../lint';
import { SCHEDULER_DOCS } from '../values';
import { OPTIONS } from '../ipvsadm/options';
import { locateToken } from './locate';

export interface HoverResult {
  /** Markdown. */
  contents: string;
  range: Range;
}

function argSignature(args: ArgSpec[] | undefined): string {
  if (!args) return ' …';
  return args.map((a) => (a.optional ? ` [${a.kind === 'enum' ? a.values?.join('|') : a.name}]` : ` <${a.kind === 'enum' ? a.values?.join('|') : a.name}>`)).join('') + (args.some((a) => a.rest) ? ' …' : '');
}

export function hoverAt(doc: AnalyzedDocument, text: string, pos: Position): HoverResult | undefined {
  if (doc.keepalived) {
    const at = locateToken(doc.keepalived.statements, doc.file, pos);
    if (!at) return undefined;
    const s = at.statement;
    const range = tokenRange(at.token);
    const block = BLOCKS[s.context];
    if (at.index >= 0) {
      const kw = block?.keywords[s.keyword.text];
      const canonical = kw?.synonymOf ?? s.keyword.text;
      if (canonical === 'lvs_sched' && SCHEDULER_DOCS[at.token.text]) return { contents: `**${at.token.text}** — IPVS scheduler: ${SCHEDULER_DOCS[at.token.text]}`, range };
      return undefined;
    }
    if (s.entry) return block?.entries ? { contents: `Entry of **${s.context}** (${block.title}): ${block.entries.doc}`, range } : undefined;
    const spec = block?.keywords[s.keyword.text];
    if (!spec) return undefined;
    const lines = [`**${s.keyword.text}**${spec.block ? ' { … }' : argSignature(spec.args)}`, '', spec.doc];
    if (spec.default) lines.push('', `Default: \`${spec.default}\``);
    if (spec.synonymOf) lines.push('', `Same as \`${spec.synonymOf}\`.`);
    if (spec.deprecated) lines.push('', `Deprecated: use \`${spec.deprecated}\`.`);
    lines.push('', `In \`${s.context === 'root' ? 'top level' : s.context}\` (${block.title}).`);
    return { contents: lines.join('\n'), range };
  }
  if (doc.ipvsadm) {
    for (const c of doc.ipvsadm.commands) {
      if (c.range.start.line > pos.line || c.range.end.line < pos.line) continue;
      if (c.scheduler && c.scheduler.line === pos.line && pos.character >= c.scheduler.start && pos.character <= c.scheduler.end && SCHEDULER_DOCS[c.scheduler.text]) {
        return { contents: `**${c.scheduler.text}** — IPVS scheduler: ${SCHEDULER_DOCS[c.scheduler.text]}`, range: { start: { line: pos.line, character: c.scheduler.start }, end: { line: pos.line, character: c.scheduler.end } } };
      }
    }
    // Options: the word under the cursor.
    const line = text.split('\n')[pos.line] ?? '';
    let a = pos.character;
    let b = pos.character;
    while (a > 0 && /\S/.test(line[a - 1])) a--;
    while (b < line.length && /\S/.test(line[b])) b++;
    const word = line.slice(a, b).replace(/=.*$/, '');
    const contents = ipvsadmOptionHover(word);
    return contents ? { contents, range: { start: { line: pos.line, character: a }, end: { line: pos.line, character: a + word.length } } } : undefined;
  }
  return undefined;
}

/** Hover for an ipvsadm option word (the VS Code layer passes the word under the cursor). */
export function ipvsadmOptionHover(word: string): string | undefined {
  const o = OPTIONS[word];
  if (!o) return undefined;
  const forms = o.short ? `-${o.short}, --${o.name}` : `--${o.name}`;
  return `**${forms}**${o.value === 'required' ? ' VALUE' : o.value === 'optional' ? ' [VALUE]' : ''} — ${o.doc}`;
}
