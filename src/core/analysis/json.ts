// The analysis result as JSON text, a piece at a time. `JSON.stringify(result, null, 2)`
// makes one string, and the connections of a big capture with their hops (~20 KB of text
// each) reach V8's longest string (2^29 characters) at ~25,000 connections: the CLI then
// failed with "Invalid string length". The pieces join to exactly that text; each
// connection is one piece, its hops built for it and not kept (see hopsWithoutKeeping()).
import { hopsWithoutKeeping } from './hops';
import type { AnalysisResult, Connection } from './result';

/** How `"connections": []` stands in the result without its connections (2-space indent:
 *  a line of its own, which no string value can contain, as JSON escapes newlines). */
const EMPTY_CONNECTIONS = '\n  "connections": []';

export function* analysisJsonPieces(result: AnalysisResult): Generator<string, void, undefined> {
  const rest = JSON.stringify({ ...result, connections: [] }, null, 2);
  const at = rest.indexOf(EMPTY_CONNECTIONS);
  const conns = result.connections;
  if (conns.length === 0 || at < 0) {
    yield conns.length === 0 ? rest : JSON.stringify(result, null, 2);
    return;
  }
  const open = at + EMPTY_CONNECTIONS.length - 1;
  yield rest.slice(0, open);
  for (let k = 0; k < conns.length; k++) {
    // An element of the top-level array sits 4 spaces deep: every line of it moves in by 4.
    const text = JSON.stringify(connectionForJson(conns[k]), null, 2).replace(/\n/g, '\n    ');
    yield `${k === 0 ? '' : ','}\n    ${text}`;
  }
  yield `\n  ${rest.slice(open)}`;
}

/** The connection's own properties in their order, hops included, without keeping them. */
function connectionForJson(c: Connection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(c)) out[k] = k === 'hops' ? hopsWithoutKeeping(c) : c[k as keyof Connection];
  return out;
}
