// The text report of `lvs-trace analyze`: a capture with thousands of connections lists a
// readable few — every one that stopped or that a finding cites first — and counts the
// rest by state; --all lists them all.
import * as assert from 'node:assert/strict';
import { analysisText, LISTED_CONNECTIONS } from '../../../src/core/analysis/text';
import type { AnalysisResult } from '../../../src/core/analysis/result';
import { syntheticAnalysis } from '../../browser/syntheticAnalysis';

const connectionLines = (text: string): string[] => text.split('\n').filter((l) => / → \S+:\d+ /.test(l) && l.startsWith('  '));

describe('analysis: the text report', function () {
  it('lists every connection of a small capture, with the count by state', function () {
    const r = syntheticAnalysis({ connections: 8 });
    const text = analysisText(r);
    assert.equal(connectionLines(text).length, 8);
    const states = new Map<string, number>();
    for (const c of r.connections) states.set(c.state, (states.get(c.state) ?? 0) + 1);
    for (const [state, n] of states) assert.match(text, new RegExp(`Connections: 8 \\(.*\\b${n} ${state}\\b`));
    assert.doesNotMatch(text, /more \(/);
  });

  it('past the limit, keeps the connections that stopped or that a finding cites, in capture order', function () {
    const r: AnalysisResult = syntheticAnalysis({ connections: 300 });
    // Three notable connections far down the capture; none other stops or is cited.
    const notable = [r.connections[120].id, r.connections[201].id, r.connections[299].id];
    for (const c of r.connections) {
      if (notable.slice(0, 2).includes(c.id)) c.stoppedAt = { point: 1, reason: 'reached the director, not forwarded' };
      else delete c.stoppedAt;
    }
    for (const f of r.findings) f.connections = [notable[2]];
    const text = analysisText(r);
    const lines = connectionLines(text);
    assert.equal(lines.length, LISTED_CONNECTIONS);
    const port = (id: string): string => `:${r.connections.find((c) => c.id === id)!.clientPort} `;
    for (const id of notable) assert.ok(lines.some((l) => l.includes(port(id))), `${id} is listed`);
    // The others are the first ones of the capture, and the order is the capture's.
    assert.ok(lines[0].includes(port(r.connections[0].id)));
    const order = lines.map((l) => r.connections.findIndex((c) => l.includes(port(c.id))));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.match(text, new RegExp(`… and ${300 - LISTED_CONNECTIONS} more`));
    assert.equal(connectionLines(analysisText(r, { all: true })).length, 300);
  });
});
