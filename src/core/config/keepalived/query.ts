// Small queries over the keepalived syntax tree used by the rules.
import { type ParsedConfig, type Statement } from './ast';

/** Top-level statements with this keyword (includes spliced in). */
export function topLevel(cfg: ParsedConfig | undefined, keyword: string): Statement[] {
  return (cfg?.statements ?? []).filter((s) => !s.entry && s.keyword.text === keyword && s.body);
}
