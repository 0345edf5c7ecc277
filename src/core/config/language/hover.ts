// Hover text: what a keyword does, its value type and default (keepalived), or
// what an option means (ipvsadm).
import { contains, type Position, type Range } from '../diagnostic';
import { tokenRange } from '../keepalived/ast';
import { type ArgSpec, BLOCKS } from '../keepalived/schema';
import type { AnalyzedDocument } from '../lint';
import { SCHEDULER_DOCS } from '../values';
import { OPTIONS } from '../ipvsadm/options';
import { locateToken } from './locate';
import { FORWARDING_METHOD_DOCS, VALUE_SIGNATURES, VRRP_STATE_DOCS } from './valueDocs';

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
      if (at.index === 0 && (canonical === 'lvs_method' || canonical === 'sorry_server_lvs_method') && FORWARDING_METHOD_DOCS[at.token.text]) return { contents: FORWARDING_METHOD_DOCS[at.token.text], range };
      if (at.index === 0 && canonical === 'state' && s.context === 'vrrp_instance') {
        const doc = VRRP_STATE_DOCS[at.token.text.toUpperCase()];
        if (doc) return { contents: doc, range };
      }
      return undefined;
    }
    if (s.entry) return block?.entries ? { contents: `Entry of **${s.context}** (${block.title}): ${block.entries.doc}`, range } : undefined;
    const spec = block?.keywords[s.keyword.text];
    if (!spec) return undefined;
    const signature = spec.block ? ' { … }' : (VALUE_SIGNATURES[spec.synonymOf ?? s.keyword.text] ?? argSignature(spec.args));
    const lines = [`**${s.keyword.text}**${signature}`, '', spec.doc];
    if (spec.default) lines.push('', `Default: \`${spec.default}\``);
    if (spec.synonymOf) lines.push('', `Same as \`${spec.synonymOf}\`.`);
    if (spec.deprecated) lines.push('', `Deprecated: use \`${spec.deprecated}\`.`);
    lines.push('', `In \`${s.context === 'root' ? 'top level' : s.context}\` (${block.title}).`);
    return { contents: lines.join('\n'), range };
  }
  if (doc.ipvsadm) {
    // Only the words of an ipvsadm command: a shell script's other commands have options
    // of their own (`set -e`, `[ -f`, `sysctl -w`), and a command ends at `;`, `&&`, `||`,
    // `|`, a redirection or a comment (the parser's range stops there).
    const line = text.split('\n')[pos.line] ?? '';
    let a = pos.character;
    let b = pos.character;
    while (a > 0 && WORD_CHAR.test(line[a - 1])) a--;
    while (b < line.length && WORD_CHAR.test(line[b])) b++;
    const word = line.slice(a, b).replace(/=.*$/, '');
    const wordRange: Range = { start: { line: pos.line, character: a }, end: { line: pos.line, character: a + word.length } };
    const c = doc.ipvsadm.commands.find((x) => word.length > 0 && contains(x.range, wordRange.start) && contains(x.range, wordRange.end));
    if (!c) return undefined;
    if (c.scheduler && c.scheduler.line === pos.line && pos.character >= c.scheduler.start && pos.character <= c.scheduler.end && SCHEDULER_DOCS[c.scheduler.text]) {
      return { contents: `**${c.scheduler.text}** — IPVS scheduler: ${SCHEDULER_DOCS[c.scheduler.text]}`, range: { start: { line: pos.line, character: c.scheduler.start }, end: { line: pos.line, character: c.scheduler.end } } };
    }
    const method = c.method && c.method.word.line === pos.line && a === c.method.word.start ? c.method.kind : undefined;
    const contents = ipvsadmOptionHover(word, method);
    return contents ? { contents, range: wordRange } : undefined;
  }
  return undefined;
}

/** A character of a shell word, as far as hovers go (not a blank, quote or shell operator). */
const WORD_CHAR = /[^\s;&|<>()'"`]/;

/** Hover for an ipvsadm option word; a forwarding method's option also says what the real servers need. */
export function ipvsadmOptionHover(word: string, method?: 'dr' | 'tun' | 'nat'): string | undefined {
  const o = OPTIONS[word];
  if (!o) return undefined;
  const forms = o.short ? `-${o.short}, --${o.name}` : `--${o.name}`;
  const head = `**${forms}**${o.value === 'required' ? ' VALUE' : o.value === 'optional' ? ' [VALUE]' : ''} — ${o.doc}`;
  const more = method ? FORWARDING_METHOD_DOCS[method.toUpperCase()] : undefined;
  return more ? `${head}\n\n${more}` : head;
}
