// Completion: the keywords valid in the block at the cursor (keepalived), values
// of enumerated keywords, or ipvsadm options and schedulers.
import type { Position } from '../diagnostic';
import { BLOCKS } from '../keepalived/schema';
import type { AnalyzedDocument } from '../lint';
import { SCHEDULER_DOCS, SCHEDULERS } from '../values';
import { OPTION_LIST } from '../ipvsadm/options';
import { blockAt } from './locate';

export interface CompletionEntry {
  label: string;
  kind: 'keyword' | 'block' | 'value' | 'option';
  detail?: string;
  documentation?: string;
  /** Text to insert (snippet syntax `${1:…}` allowed when `snippet`). */
  insertText?: string;
  snippet?: boolean;
}

/**
 * The completions at `pos`; none when the token under the cursor is already one of them
 * in full. Offering it anyway lets Enter at the end of a finished line (`state MASTER⏎`,
 * `-s rr⏎`) accept the item instead of inserting a newline, and the next line is joined
 * to it (VS Code has no per-item control of what Enter does). The editor asks again as
 * the user types (the list is incomplete), so a longer keyword is offered again after
 * one more character (`notify` → `notify_`).
 */
export function completeAt(doc: AnalyzedDocument, text: string, pos: Position): CompletionEntry[] {
  const line = (text.split('\n')[pos.line] ?? '').slice(0, pos.character);
  const items = candidatesAt(doc, line, pos);
  const typed = /\S+$/.exec(line)?.[0];
  return typed && items.some((i) => i.label === typed) ? [] : items;
}

function candidatesAt(doc: AnalyzedDocument, line: string, pos: Position): CompletionEntry[] {
  if (doc.keepalived) {
    const kind = blockAt(doc.keepalived.statements, doc.file, pos);
    const block = BLOCKS[kind];
    if (!block) return [];
    const words = line.trim().split(/\s+/).filter(Boolean);
    const typingFirst = words.length === 0 || (words.length === 1 && !/\s$/.test(line));
    if (typingFirst) {
      return Object.entries(block.keywords)
        .filter(([, spec]) => !spec.deprecated)
        .map(([label, spec]) => ({
          label,
          kind: spec.block ? 'block' : 'keyword',
          detail: spec.default ? `default ${spec.default}` : block.title,
          documentation: spec.doc,
          insertText: spec.block && !spec.args?.length ? `${label} {\n\t$0\n}` : undefined,
          snippet: spec.block !== undefined && !spec.args?.length,
        }));
    }
    const spec = block.keywords[words[0]];
    const argIndex = words.length - (/\s$/.test(line) ? 1 : 2);
    const arg = spec?.args?.[argIndex];
    if (arg?.kind === 'enum') {
      return (arg.values ?? []).map((v) => ({ label: v, kind: 'value', documentation: SCHEDULER_DOCS[v] }));
    }
    if (spec?.check && (spec.synonymOf ?? words[0]).endsWith('method') && argIndex === 0) {
      return ['NAT', 'DR', 'TUN'].map((v) => ({ label: v, kind: 'value' }));
    }
    return [];
  }
  // In shell scripts only ipvsadm command lines get ipvsadm completions.
  if (!/(^|[\s;&|(])ipvsadm\s/.test(line) && !/^\s*-/.test(line)) return [];
  if (/(^|\s)(-s|--scheduler)\s+\S*$/.test(line)) {
    return SCHEDULERS.map((s) => ({ label: s, kind: 'value', documentation: SCHEDULER_DOCS[s] }));
  }
  return OPTION_LIST.map((o) => ({ label: o.label, kind: 'option', documentation: o.doc }));
}
