// The flow webview in headless Chromium, under the CSP the extension sets: lanes,
// arrows and finding marks match the analysis, packet clicks round-trip to the
// "extension", the keyboard works, state survives a reload, and hostile strings
// from packets and host names stay text.
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { AnalysisResult } from '../../src/core/analysis/result';
import { hopsIndex, withoutHops, type PacketDetails } from '../../src/extension/flow/protocol';
import { flowCsp } from '../../src/extension/flow/html';
import { citedPackets, orderColumns, refKey } from '../../media/flow/model';
import * as path from 'node:path';
import { analyzeCapture } from '../../src/core/analysis';
import { decodeFrame } from '../../src/core/decode';
import { readPacketDetails } from '../../src/core/analysis/packetDetails';
import { hasCommand, hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../helpers/env';
import { CHROMIUM, buildWebview, launchChromium, openFlowPage, posted, saveScreenshot, serveWebview, type FlowServer, type HostHandler } from './harness';
import { syntheticAnalysis } from './syntheticAnalysis';

/** Answers like the extension: `show` on ready, a details object for each packet request. */
export function hostFor(result: AnalysisResult, title: string, details?: (ref: { point: number; n: number }) => PacketDetails): HostHandler {
  const hops = hopsIndex(result);
  return async (msg, reply) => {
    if (msg.type === 'ready') await reply({ type: 'show', resultJson: JSON.stringify(withoutHops(result)), title, source: result.folder });
    if (msg.type === 'hopsRequest') await reply({ type: 'hops', inReplyTo: msg.requestId, connectionId: msg.connectionId, hops: hops.get(msg.connectionId) ?? [] });
    if (msg.type === 'packetRequest') {
      const d = details?.(msg.ref) ?? {
        ref: msg.ref,
        where: `${result.lanes[msg.ref.point]?.host ?? '?'} · eth0`,
        ts: 1_764_000_000,
        capturedLength: 4,
        originalLength: 4,
        fields: [{ name: 'Frame', children: [{ name: 'number', value: String(msg.ref.n) }] }],
        hex: 'deadbeef',
      };
      await reply({ type: 'packetDetails', inReplyTo: msg.requestId, details: d });
    }
  };
}

/** Waits until the page has drawn the selected connection. */
async function drawn(page: Page): Promise<void> {
  await page.waitForSelector('svg.diagram', { timeout: 10_000 });
}

/** The capture folders under samples/ (in the repository), analysed once each. */
const sampleResults = new Map<string, Promise<AnalysisResult>>();
function sampleFolder(name: string): string {
  return name.startsWith('lab/') ? path.join(labFixturesDir, name.slice(4)) : path.join(repoRoot, 'samples', name);
}
function sample(name: string): Promise<AnalysisResult> {
  if (!sampleResults.has(name)) sampleResults.set(name, analyzeCapture(sampleFolder(name)));
  return sampleResults.get(name)!;
}

/** Opens the flow view of a capture the way the extension shows it: hops on request, packet details read from the pcaps. */
async function openSample(browser: Browser, origin: string, name: string, viewport?: { width: number; height: number }): Promise<{ page: Page; result: AnalysisResult }> {
  const result = await sample(name);
  const page = await openFlowPage(browser, origin, hostFor(result, name, (ref) => readPacketDetails(sampleFolder(name), result.manifest, ref, decodeFrame)), viewport);
  await drawn(page);
  return { page, result };
}

/** x of each lane's line in the diagram, by `host/interface` (the lane's title names both). */
async function laneXs(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const g of document.querySelectorAll('svg.diagram g.lane')) {
      const m = /^(.*) \((.*)\) (.*)$/.exec(g.querySelector('title')?.textContent ?? '');
      const line = g.querySelector('line.lane-line');
      if (m && line) out[`${m[1]}/${m[3]}`] = Number(line.getAttribute('x1'));
    }
    return out;
  });
}

/** Start and end x of the arrow of hop `i`. */
async function hopLine(page: Page, i: number): Promise<{ x1: number; x2: number }> {
  return page.evaluate((k) => {
    const line = document.querySelector(`svg.diagram g.hop[data-hop="${k}"] line.hop-line`)!;
    return { x1: Number(line.getAttribute('x1')), x2: Number(line.getAttribute('x2')) };
  }, i);
}

/** Asserts that hop `i`'s arrow runs from lane `from` to lane `to` (ends within a few pixels of the lane lines). */
async function assertArrow(page: Page, i: number, from: string, to: string): Promise<void> {
  const xs = await laneXs(page);
  assert.ok(xs[from] !== undefined && xs[to] !== undefined, `lanes ${from} and ${to} in ${JSON.stringify(xs)}`);
  const { x1, x2 } = await hopLine(page, i);
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 8;
  const name = (x: number): string => Object.entries(xs).find(([, v]) => near(v, x))?.[0] ?? String(x);
  assert.ok(near(x1, xs[from]) && near(x2, xs[to]), `hop ${i} is drawn ${name(x1)} → ${name(x2)}, expected ${from} → ${to}`);
}

describe('flow webview (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: FlowServer;

  before(async function () {
    requireOrSkip(this, hasCommand(CHROMIUM), `Chromium at ${CHROMIUM}`);
    server = await serveWebview(await buildWebview());
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await server?.close();
  });

  it('draws one lane per host, one arrow per hop and marks the packets a finding cites', async function () {
    const result = syntheticAnalysis({ connections: 40 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    // The first connection a finding cites is selected: connection 2 (rs2, no reply).
    const conn = result.connections[1];
    const cited = citedPackets(result);
    const expectCited = conn.hops.filter((h) => cited.has(refKey(h.ref.point, h.ref.n))).length;
    assert.ok(expectCited > 0, 'the sample cites packets of the selected connection');
    assert.equal(await page.locator('svg.diagram g.lane').count(), orderColumns(result.lanes).length);
    assert.equal(await page.locator('svg.diagram g.hop').count(), conn.hops.length);
    assert.equal(await page.locator('svg.diagram g.hop.cited').count(), expectCited);
    assert.equal(await page.locator('svg.diagram g.stopped').count(), 1);
    assert.match((await page.locator('svg.diagram .stop-text').textContent()) ?? '', /never answered/);
    assert.equal(await page.locator('svg.diagram .hop-note.rewrite').count(), conn.hops.filter((h) => h.rewrite === 'mac').length);
    assert.equal(await page.locator('.findings .finding').count(), result.findings.length);
    assert.equal(await page.locator('.count').textContent(), '40 of 40');
    // Virtualised: far fewer rows in the DOM than connections once the list is long.
    assert.equal(await page.locator('.vlist-row.selected').count(), 1);
    await saveScreenshot(page, 'flow-sample.png');
    await page.close();
  });

  it('posts a packet request on click and shows the details sent back', async function () {
    const result = syntheticAnalysis({ connections: 4 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    await page.locator('svg.diagram g.hop').nth(2).click();
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    const req = (await posted(page)).filter((m) => m.type === 'packetRequest');
    assert.equal(req.length, 1);
    const hop = result.connections[1].hops[2];
    assert.deepEqual(req[0].type === 'packetRequest' && req[0].ref, hop.ref);
    assert.match((await page.locator('.details').textContent()) ?? '', new RegExp(`Packet ${hop.ref.n}`));
    assert.match((await page.locator('.details .hex').textContent()) ?? '', /de ad be ef/);
    await page.close();
  });

  it('works by keyboard: arrows move through the list, Enter opens, Enter on a packet asks for it', async function () {
    const result = syntheticAnalysis({ connections: 30 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    await page.locator('.vlist').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('.vlist-row.selected span').first().textContent(), '3');
    assert.match((await page.locator('.conn-title').textContent()) ?? '', /40002/);
    await page.keyboard.press('End');
    assert.equal(await page.locator('.vlist-row.selected span').first().textContent(), '30');
    await page.keyboard.press('Enter');
    // Its hops are asked for on Enter (the selection passed rows too quickly to ask before).
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-hop') === '0', undefined, { timeout: 5000 });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    const req = (await posted(page)).filter((m) => m.type === 'packetRequest');
    assert.deepEqual(req.at(-1)?.type === 'packetRequest' && req.at(-1), { type: 'packetRequest', requestId: 1, ref: result.connections[29].hops[1].ref });
    await page.close();
  });

  it('asks once for hops that are slow to come, and a late second answer does not take the keyboard focus', async function () {
    const result = syntheticAnalysis({ connections: 12 });
    const answer = hostFor(result, 'slow');
    // Hops answers wait until the test lets them go (an analysis worker busy elsewhere).
    const held: Array<() => Promise<void>> = [];
    const page = await openFlowPage(browser, server.origin, (msg, reply) => {
      if (msg.type === 'hopsRequest') held.push(() => answer(msg, reply) as Promise<void>);
      else return answer(msg, reply);
    });
    await page.waitForSelector('.vlist-row', { timeout: 10_000 });
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'hopsRequest'));
    for (const go of held.splice(0)) await go();
    await drawn(page);
    await page.locator('.vlist').focus();
    await page.keyboard.press('End');
    // Selected again (Enter) while its hops are on their way: no second request.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    const last = result.connections[11].id;
    const asked = (await posted(page)).filter((m) => m.type === 'hopsRequest' && m.connectionId === last);
    assert.equal(asked.length, 1, 'one request for the connection');
    for (const go of held.splice(0)) await go();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-hop') === '0');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), '1');
    // The same answer once more (say, from an earlier request): the diagram stays as it is.
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'hops', inReplyTo: 99, connectionId: last, hops: [] });
    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), '1', 'focus kept');
    assert.equal(await page.locator('svg.diagram g.hop').count(), result.connections[11].hops.length);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    await page.close();
  });

  it('filters by finding and search, and restores the view after a reload', async function () {
    const result = syntheticAnalysis({ connections: 50 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    await page.locator('.findings .finding').first().click();
    assert.equal(await page.locator('.count').textContent(), '25 of 50');
    await page.locator('#search input, #search').first().click();
    await page.keyboard.type('40021');
    await page.waitForFunction(() => document.querySelector('.count')?.textContent === '1 of 50', undefined, { timeout: 5000 });
    assert.match((await page.locator('.conn-title').textContent()) ?? '', /40021/);
    await page.waitForTimeout(300); // the state is saved 150 ms after the last change
    await page.reload();
    await drawn(page);
    assert.equal(await page.locator('.count').textContent(), '1 of 50');
    assert.match((await page.locator('.conn-title').textContent()) ?? '', /40021/);
    await page.close();
  });

  it('keeps 1,000 connections out of the DOM: only the rows in view exist', async function () {
    const result = syntheticAnalysis({ connections: 1000 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    const rows = await page.locator('.vlist-row:not([hidden])').count();
    assert.ok(rows > 5 && rows < 80, `rows in the DOM: ${rows}`);
    await page.locator('.vlist').evaluate((e) => (e.scrollTop = 20000));
    await page.waitForFunction(() => [...document.querySelectorAll('.vlist-row:not([hidden]) span:first-child')].some((s) => Number(s.textContent) > 700), undefined, { timeout: 5000 });
    await page.close();
  });

  it('runs no script from hostile host names and packet text, without needing the CSP to stop it', async function () {
    const result = syntheticAnalysis({ connections: 6, hostile: true });
    const page = await openFlowPage(browser, server.origin, hostFor(result, '<img src=x onerror="window.__xss=1">'));
    await drawn(page);
    // The findings' advice and evidence (packet- and host-derived text) too.
    for (const more of await page.locator('.findings button.more').all()) await more.click();
    assert.match((await page.locator('.finding-more .evidence').first().textContent()) ?? '', /SYNs without answer<script>/);
    await page.locator('svg.diagram g.hop').first().click();
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    await page.waitForTimeout(200);
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss,
      csp: (window as unknown as { __cspViolations: string[] }).__cspViolations,
      imgs: document.querySelectorAll('img').length,
      scripts: document.querySelectorAll('script').length,
      text: document.body.textContent ?? '',
    }));
    assert.equal(state.xss, undefined);
    assert.deepEqual(state.csp, [], 'nothing had to be blocked: the markup was never parsed');
    assert.equal(state.imgs, 0);
    assert.equal(state.scripts, 1, 'only our own script tag');
    assert.ok(state.text.includes('<script>window.__xss'), 'the payload is shown as text');
    assert.ok(state.text.includes('<img src=x onerror='), 'the payload is shown as text');
    await saveScreenshot(page, 'flow-hostile.png');
    await page.close();
  });

  for (const scenario of ['dr-healthy', 'dr-arp-problem', 'nat-healthy', 'nat-wrong-gateway', 'tun-healthy']) {
    it(`shows the analysis of the real ${scenario} capture, with real packet details on click`, async function () {
      requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
      const folder = path.join(labFixturesDir, scenario);
      const result = await analyzeCapture(folder);
      assert.ok(result.connections.length > 0, `${scenario} has connections`);
      const page = await openFlowPage(
        browser,
        server.origin,
        hostFor(result, scenario, (ref) => readPacketDetails(folder, result.manifest, ref, decodeFrame)),
      );
      await drawn(page);
      const cols = orderColumns(result.lanes);
      assert.equal(await page.locator('svg.diagram g.lane').count(), cols.length);
      assert.equal(await page.locator('.findings .finding').count(), result.findings.length);
      assert.equal(await page.locator('.count').textContent(), `${result.connections.length} of ${result.connections.length}`);
      // The selected connection: the first a finding cites, else the first.
      const codes = result.connections.map((c) => new Set([...(c.findings ?? []), ...result.findings.filter((f) => f.connections?.includes(c.id)).map((f) => f.code)]));
      const selected = Math.max(0, codes.findIndex((c) => c.size > 0));
      const conn = result.connections[selected];
      const cited = citedPackets(result);
      assert.equal(await page.locator('svg.diagram g.hop').count(), Math.min(conn.hops.length, 400));
      assert.equal(
        await page.locator('svg.diagram g.hop.cited').count(),
        conn.hops.slice(0, 400).filter((h) => cited.has(refKey(h.ref.point, h.ref.n))).length,
      );
      assert.equal(await page.locator('svg.diagram g.stopped').count(), conn.stoppedAt ? 1 : 0);
      // A click decodes that packet from its pcap (our decoder, through the extension's code).
      await page.locator('svg.diagram g.hop').first().click();
      await page.waitForSelector('.details .hex', { timeout: 5000 });
      const hop = conn.hops[0];
      const text = (await page.locator('.details').textContent()) ?? '';
      assert.match(text, new RegExp(`Packet ${hop.ref.n} at `));
      assert.ok(text.includes(hop.src), `details show the source ${hop.src}`);
      await saveScreenshot(page, `flow-${scenario}.png`);
      await page.close();
    });
  }

  it("draws a rewrite made at the director leaving the director for where the packet is seen next (DR, TUN)", async function () {
    // dr-healthy hop 3: the SYN leaving the director (MAC → rs2), captured on the interface it came in on.
    let { page, result } = await openSample(browser, server.origin, 'dr-healthy');
    const hops = (await sample('dr-healthy')).connections[0].hops;
    assert.equal(hops[3].rewrite, 'mac');
    assert.equal(result.lanes[hops[3].ref.point].host, 'director');
    await assertArrow(page, 3, 'director/eth0', 'rs2/eth0');
    await assertArrow(page, 4, 'director/eth0', 'rs2/eth0');
    assert.match((await page.locator('svg.diagram g.hop[data-hop="3"] .hop-note').textContent()) ?? '', /MAC → 02:00:c0:00:02:0c \(rs2\)/);
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="3"] .hop-note.rewrite').count(), 1, 'the director made it: an LVS rewrite');
    // Time offsets keep the microseconds that tell copies of one packet apart.
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="16"] .hop-time').textContent(), '+12.731 ms');
    await page.close();

    // tun-healthy hop 2: IP-in-IP at the director, next seen at router/eth2; the router comes after the director.
    ({ page, result } = await openSample(browser, server.origin, 'tun-healthy'));
    const xs = await laneXs(page);
    assert.ok(xs['director/eth0'] < xs['router/eth2'], `lanes along the path: ${JSON.stringify(xs)}`);
    await assertArrow(page, 2, 'director/eth0', 'router/eth2');
    // The router's forwarding is routing, not an LVS rewrite; the real server's decapsulation is written.
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="3"] .hop-note.rewrite').count(), 0);
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="3"] .hop-note.routing').count(), 1);
    assert.match((await page.locator('svg.diagram g.hop[data-hop="5"] .hop-note').textContent()) ?? '', /decapsulated \(tunnel 192\.0\.2\.2 → 203\.0\.113\.11\)/);
    await assertArrow(page, 5, 'rs1/eth0', 'rs1/tunl0');
    await saveScreenshot(page, 'flow-tun-path.png');
    await page.close();
  });

  it('draws a request captured at the client to where it is seen next, not to the director it bypasses', async function () {
    // dr-arp-problem: the router sends the clients' requests straight to rs1.
    let { page } = await openSample(browser, server.origin, 'dr-arp-problem');
    await assertArrow(page, 0, 'client/eth0', 'router/eth1');
    await assertArrow(page, 1, 'client/eth0', 'router/eth1');
    await assertArrow(page, 2, 'router/eth1', 'rs1/eth0');
    await page.close();
    // nat-wrong-gateway: the client's RST to 10.0.0.12:8080 goes through the router to rs2.
    ({ page } = await openSample(browser, server.origin, 'nat-wrong-gateway'));
    const hops = (await sample('nat-wrong-gateway')).connections[0].hops;
    assert.equal(hops[9].summary, 'R');
    await assertArrow(page, 9, 'client/eth0', 'router/eth0');
    // SNAT/DNAT are written on the director's own steps (nat-healthy below); here the DNAT.
    await assertArrow(page, 3, 'director/eth0', 'director/eth1');
    await page.close();
  });

  it("writes DNAT and SNAT on the director's eth0 ↔ eth1 steps, where they happen", async function () {
    const { page } = await openSample(browser, server.origin, 'nat-healthy');
    const hops = (await sample('nat-healthy')).connections[0].hops;
    assert.equal(hops[2].rewrite, 'dnat');
    assert.equal(hops[6].rewrite, 'snat');
    await assertArrow(page, 2, 'director/eth0', 'director/eth1');
    await assertArrow(page, 6, 'director/eth1', 'director/eth0');
    await assertArrow(page, 7, 'director/eth0', 'client/eth0');
    assert.match((await page.locator('svg.diagram g.hop[data-hop="6"] .hop-note.rewrite').textContent()) ?? '', /^SNAT /);
    assert.doesNotMatch((await page.locator('svg.diagram g.hop[data-hop="7"]').textContent()) ?? '', /SNAT/);
    await page.close();
  });

  it('draws copies of one packet at two captures of one host (any and eth0) inside that host, not as a hop', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
    const { page } = await openSample(browser, server.origin, 'lab/no-real-servers');
    // The UDP connection: SYN-less datagrams the director answers itself with ICMP port unreachable.
    await page.locator('.vlist').focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => /UDP/.test(document.querySelector('.conn-title')?.textContent ?? ''));
    await drawn(page);
    // The director's own ICMP goes to the client, not towards eth0 and the real servers.
    await assertArrow(page, 3, 'director/any', 'client/eth0');
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="2"].kind-copy').count(), 1);
    assert.equal(await page.locator('svg.diagram-head .host .lane-host', { hasText: /^director$/ }).count(), 1, 'one box for the director');
    await saveScreenshot(page, 'flow-any-copies.png');
    await page.close();
  });

  it('hides rows a filter leaves unused: only matching connections show and can be clicked', async function () {
    const result = syntheticAnalysis({ connections: 40 });
    let page = await openFlowPage(browser, server.origin, hostFor(result, 'sample'));
    await drawn(page);
    const shownRows = (): Promise<string[]> =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.vlist-row')].filter((r) => getComputedStyle(r).display !== 'none').map((r) => r.children[0].textContent ?? ''),
      );
    assert.ok((await shownRows()).length > 10);
    await page.locator('#search').click();
    await page.keyboard.type('40021');
    await page.waitForFunction(() => document.querySelector('.count')?.textContent === '1 of 40');
    assert.deepEqual(await shownRows(), ['22'], 'the other rows are gone, not left behind');
    await page.close();

    // dead-rs: two findings share a code (UDP and TCP); clicking one shows its own connections only.
    ({ page } = await openSample(browser, server.origin, 'dead-rs'));
    const dead = await sample('dead-rs');
    assert.equal(dead.findings.length, 2);
    assert.equal(dead.findings[0].code, dead.findings[1].code);
    await page.locator('.findings .finding').nth(1).click();
    const tcp = dead.findings[1].connections ?? [];
    await page.waitForFunction((n) => document.querySelector('.count')?.textContent === `${n} of 10`, tcp.length);
    assert.equal(await page.locator('.findings .finding.active').count(), 1, 'only the clicked finding is active');
    assert.equal(await page.locator('.findings .finding').nth(1).getAttribute('class'), 'finding sev-error active');
    assert.equal((await shownRows()).length, tcp.length);
    await page.close();
  });

  it('fits a narrow pane: no page overflow sideways, the diagram scrolls in its own box, lanes, state and stop reason in view', async function () {
    for (const viewport of [
      { width: 800, height: 700 },
      { width: 1100, height: 800 },
      { width: 1400, height: 860 },
    ]) {
      const { page } = await openSample(browser, server.origin, 'nat-wrong-gateway', viewport);
      const doc = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(doc <= viewport.width, `${viewport.width} px: the page is ${doc} px wide`);
      // (No named functions inside evaluate: tsx would wrap them in a helper the page lacks.)
      const rights = await page.evaluate((sels) => sels.map((s) => document.querySelector(s)?.getBoundingClientRect().right ?? Infinity), [
        '.diagram-box',
        '.conn-title .state',
        '.stop-reason',
        '.vlist',
      ]);
      const m = { win: viewport.width, box: rights[0], state: rights[1], stop: rights[2], list: rights[3] };
      for (const k of ['box', 'state', 'stop', 'list'] as const) assert.ok(m[k] <= m.win, `${viewport.width} px: ${k} ends at ${m[k]}`);
      if (viewport.width === 800) await saveScreenshot(page, 'flow-narrow.png');
      await page.close();
    }
  });

  it('shows the whole stop reason: in the header as wrapped text, and wrapped inside the diagram', async function () {
    const { page } = await openSample(browser, server.origin, 'nat-wrong-gateway', { width: 800, height: 700 });
    const reason = (await sample('nat-wrong-gateway')).connections[0].stoppedAt!.reason;
    assert.ok(reason.length > 80, 'a long reason');
    const head = await page.evaluate(() => {
      const p = document.querySelector<HTMLElement>('.stop-reason')!;
      return { text: p.textContent ?? '', overflows: p.scrollWidth > p.clientWidth, role: p.getAttribute('role') };
    });
    assert.ok(head.text.endsWith(reason), head.text);
    assert.equal(head.overflows, false);
    assert.equal(head.role, 'note');
    const inSvg = await page.evaluate(() => {
      const svg = document.querySelector<SVGSVGElement>('svg.diagram')!;
      const text = svg.querySelector<SVGTextElement>('.stop-text')!;
      const right = Math.max(...[...text.querySelectorAll('tspan')].map((t) => t.getBoundingClientRect().right));
      return { text: text.textContent ?? '', lines: text.querySelectorAll('tspan').length, right, svgRight: svg.getBoundingClientRect().right };
    });
    assert.equal(inSvg.text, `stopped: ${reason}`);
    assert.ok(inSvg.lines > 1, 'wrapped');
    assert.ok(inSvg.right <= inSvg.svgRight, `the text ends at ${inSvg.right}, the diagram at ${inSvg.svgRight}`);
    await page.close();
  });

  it("shows each finding's advice and evidence as text; cited packet numbers open the packets", async function () {
    const { page, result } = await openSample(browser, server.origin, 'dr-arp-problem');
    const f = result.findings[0];
    const more = page.locator('.findings .finding button.more').first();
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    // By keyboard: the button is a Tab stop.
    await more.focus();
    await page.keyboard.press('Enter');
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    const panel = page.locator('.findings .finding-more').first();
    assert.ok(await panel.isVisible());
    assert.equal(await panel.locator('.advice').textContent(), `Advice: ${f.advice}`);
    const lines = await panel.locator('.evidence li .ev-text').allTextContents();
    assert.deepEqual(lines, f.evidence.map((e) => e.text));
    // The router's ARP replies (2, 35, 68) are reachable: #35 opens packet 35 of router/eth1.
    const router = result.manifest.points.findIndex((p) => p.file === f.evidence[0].file);
    await panel.locator(`button.pkt[data-point="${router}"][data-n="35"]`).click();
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    const req = (await posted(page)).filter((m) => m.type === 'packetRequest').at(-1);
    assert.deepEqual(req?.type === 'packetRequest' && req.ref, { point: router, n: 35 });
    assert.match((await page.locator('.details-head').textContent()) ?? '', /^Packet 35 at router · eth1/);
    assert.match((await page.locator('.details').textContent()) ?? '', /ARP/);
    // Opening the evidence does not filter the list.
    assert.equal(await page.locator('.count').textContent(), `${result.connections.length} of ${result.connections.length}`);
    await saveScreenshot(page, 'flow-evidence.png');
    await page.close();
  });

  it("pins the lane header at the top of the scrolling diagram and writes each lane's role on it", async function () {
    const { page } = await openSample(browser, server.origin, 'dr-healthy');
    const head = page.locator('svg.diagram-head');
    assert.deepEqual(await head.locator('.lane-role').allTextContents(), ['client', 'router', 'director', 'real server', 'real server']);
    assert.deepEqual(await head.locator('.lane-host').allTextContents(), ['client', 'router', 'director', 'rs1', 'rs2']);
    // Scrolled far down: the header is still at the top of the box.
    await page.evaluate(() => (document.querySelector('.diagram-box')!.scrollTop = 900));
    const pinned = await page.evaluate(() => document.querySelector('svg.diagram-head')!.getBoundingClientRect().top - document.querySelector('.diagram-box')!.getBoundingClientRect().top);
    assert.ok(Math.abs(pinned) <= 1, `header ${pinned} px from the top of the box`);
    await page.close();
  });

  it('keeps the opened packet in view when the details pane takes room from the diagram', async function () {
    const { page } = await openSample(browser, server.origin, 'dr-healthy');
    // The last packet wholly in view, at the bottom of the box.
    const target = await page.evaluate(() => {
      const box = document.querySelector('.diagram-box')!.getBoundingClientRect();
      const hops = [...document.querySelectorAll<SVGGElement>('svg.diagram g.hop')];
      return Number(hops.filter((g) => g.getBoundingClientRect().bottom <= box.bottom).at(-1)!.dataset.hop);
    });
    await page.locator(`svg.diagram g.hop[data-hop="${target}"]`).click();
    await page.waitForSelector('.details .hex', { timeout: 5000 });
    const seen = await page.evaluate((k) => {
      const box = document.querySelector('.diagram-box')!.getBoundingClientRect();
      const headH = document.querySelector('svg.diagram-head')?.getBoundingClientRect().height ?? 0;
      const r = document.querySelector(`svg.diagram g.hop[data-hop="${k}"] .hop-bg`)!.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, boxTop: box.top + headH, boxBottom: box.bottom };
    }, target);
    assert.ok(seen.top >= seen.boxTop - 1 && seen.bottom <= seen.boxBottom + 1, `packet at ${seen.top}–${seen.bottom}, box shows ${seen.boxTop}–${seen.boxBottom}`);
    await page.close();
  });

  it('makes the diagram one Tab stop (arrow keys inside) and Escape goes back to the list', async function () {
    const { page } = await openSample(browser, server.origin, 'dr-healthy');
    assert.equal(await page.locator('svg.diagram g.hop[tabindex="0"]').count(), 1);
    await page.locator('.vlist').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), '2');
    assert.equal(await page.locator('svg.diagram g.hop[tabindex="0"]').count(), 1);
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="2"]').getAttribute('tabindex'), '0');
    await page.keyboard.press('End');
    const last = String((await page.locator('svg.diagram g.hop').count()) - 1);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), last);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('svg.diagram') ?? null), null, 'Tab leaves the diagram');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), last, 'and comes back to the packet it left');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'vlist');
    await page.close();
  });

  it('shows every client port in the connection list, however narrow the pane', async function () {
    for (const viewport of [
      { width: 800, height: 700 },
      { width: 1100, height: 800 },
      { width: 1400, height: 860 },
    ]) {
      const { page, result } = await openSample(browser, server.origin, 'dead-rs', viewport);
      const cells = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.vlist-row:not([hidden])')].map((row) => {
          const cell = row.children[1] as HTMLElement;
          const port = cell.querySelector('.port')?.getBoundingClientRect();
          const box = cell.getBoundingClientRect();
          return { index: Number(row.children[0].textContent) - 1, text: cell.textContent ?? '', clipped: !port || port.right > box.right + 0.5 || port.width === 0 };
        }),
      );
      assert.equal(cells.length, result.connections.length);
      for (const c of cells) {
        assert.ok(c.text.endsWith(`:${result.connections[c.index].clientPort}`), `${viewport.width} px: row ${c.index + 1} shows ${c.text}`);
        assert.ok(!c.clipped, `${viewport.width} px: the port of row ${c.index + 1} is cut`);
      }
      await page.close();
    }
  });

  it('follows the VS Code theme through its --vscode-* variables (light and high contrast)', async function () {
    const result = syntheticAnalysis({ connections: 12 });
    const page = await openFlowPage(browser, server.origin, hostFor(result, 'theme'));
    await drawn(page);
    // What VS Code does when the theme changes: variables on <html> (CSSOM, allowed by the CSP) and a body class.
    const applyTheme = (kind: string, vars: Record<string, string>): Promise<void> =>
      page.evaluate(
        ([k, v]) => {
          const root = document.documentElement;
          for (const [name, value] of Object.entries(v as Record<string, string>)) root.style.setProperty(name, value);
          document.body.className = k as string;
        },
        [kind, vars] as const,
      );
    await applyTheme('vscode-light', {
      '--vscode-editor-background': '#ffffff',
      '--vscode-foreground': '#3b3b3b',
      '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-activeSelectionForeground': '#000000',
      '--vscode-errorForeground': '#e51400',
      '--vscode-editorWidget-background': '#f3f3f3',
      '--vscode-descriptionForeground': '#717171',
      '--vscode-panel-border': '#e5e5e5',
      '--vscode-list-hoverBackground': '#f0f0f0',
      '--vscode-editorWarning-foreground': '#bf8803',
      '--vscode-input-background': '#ffffff',
      '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece',
      '--vscode-dropdown-background': '#ffffff',
      '--vscode-dropdown-foreground': '#3b3b3b',
      '--vscode-dropdown-border': '#cecece',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-green': '#388a34',
      '--vscode-charts-purple': '#652d90',
    });
    const light = await page.evaluate(() => ({
      bg: getComputedStyle(document.body).backgroundColor,
      fg: getComputedStyle(document.body).color,
      sel: getComputedStyle(document.querySelector('.vlist-row.selected')!).backgroundColor,
      stop: getComputedStyle(document.querySelector('svg.diagram .stop-text')!).fill,
    }));
    assert.deepEqual(light, { bg: 'rgb(255, 255, 255)', fg: 'rgb(59, 59, 59)', sel: 'rgb(232, 232, 232)', stop: 'rgb(229, 20, 0)' });
    await saveScreenshot(page, 'flow-light.png');
    await applyTheme('vscode-high-contrast', { '--vscode-editor-background': '#000000', '--vscode-foreground': '#ffffff', '--vscode-contrastBorder': '#6fc3df' });
    const outline = await page.evaluate(() => getComputedStyle(document.querySelector('.findings .finding')!).outlineColor);
    assert.equal(outline, 'rgb(111, 195, 223)', 'high contrast borders on findings');
    await page.close();
  });

  it('serves the page under a strict CSP: nonce scripts only, no unsafe-inline or unsafe-eval', async function () {
    const csp = flowCsp('https://x.vscode-cdn.net', 'N0NCE');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0NCE'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-/);
    // And the page really runs under it with nothing blocked.
    const page = await openFlowPage(browser, server.origin, hostFor(syntheticAnalysis({ connections: 3 }), 'csp'));
    await drawn(page);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(meta ?? '', /default-src 'none'/);
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    await page.close();
  });
});
