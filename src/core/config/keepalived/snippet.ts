// A keepalived file opened on its own that is a fragment of a config: the
// `real_server` blocks a `virtual_server { include rs/*.conf }` pulls in, or a
// checker, or the lines of a vrrp_instance. Parsed as a top level, every line of
// it is "not allowed in the top level" — a false error, as keepalived reads it
// where the include stands. The editor lints such a file in the block of its
// `include` directive when a config of the workspace includes it; when none does
// (a fragment on its own, its config elsewhere), the block is guessed from the file:
//
// * a file whose top level has a keyword of the top level (global_defs,
//   vrrp_instance, virtual_server, ...) is a whole config: nothing is guessed, and a
//   misplaced keyword in it stays an error;
// * else, when its top-level keywords (the known ones) are all allowed in one block,
//   the file is checked as the body of that block (all of it is still checked);
// * else (keywords of several blocks, e.g. `state` and `lvs_sched`) the file is
//   checked leniently: its top-level keywords are not reported as misplaced, as where
//   it is included is unknown; other problems are reported as usual.
import { type Statement } from './ast';
import { BLOCKS, blocksAllowing } from './schema';

const INCLUDE = /^include[rmwba]?$/;

/** The statements of `file` at its own top level (included files' are spliced in beside them). */
export function topLevelOf(statements: Statement[], file: string): Statement[] {
  return statements.filter((s) => s.file === file && !s.entry);
}

/** The block to check a fragment as (`context`), `lenient` when no one block fits, undefined for a whole config. */
export function snippetContext(statements: Statement[], file: string): { context?: string; lenient?: boolean } | undefined {
  const keywords = topLevelOf(statements, file)
    .filter((s) => !s.templated && !s.keyword.text.includes('$') && !INCLUDE.test(s.keyword.text))
    .map((s) => s.keyword.text);
  if (keywords.some((k) => BLOCKS.root.keywords[k])) return undefined;
  const foreign = [...new Set(keywords.filter((k) => blocksAllowing(k).length > 0))];
  if (foreign.length === 0) return undefined;
  const fits = Object.entries(BLOCKS).find(([id, b]) => id !== 'root' && id !== 'opaque' && !b.entries && foreign.every((k) => b.keywords[k]));
  return fits ? { context: fits[0] } : { lenient: true };
}
