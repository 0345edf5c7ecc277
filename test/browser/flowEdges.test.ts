// The flow webview where a capture has holes or seams, in headless Chromium under the real
// CSP: a connection whose fate past a point is not known (the next host was not capturing),
// lanes' capture windows and clock corrections, packets the analysis did not keep, an
// unreadable or truncated lane, `-i any` copies of one packet, two lanes of one host and
// interface, the ARP problem's bypass of the director, a failed hops lookup, the search
// box's accessible name, a 360 px pane, UTC times and key repeat in the list.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { AnalysisResult, Hop } from '../../src/core/analysis/result';
import { analyzeCapture } from '../../src/core/analysis';
import { decodeFrame } from '../../src/core/decode';
import { readPacketDetails } from '../../src/core/analysis/packetDetails';
import { hopsIndex, withoutHops, type FromWebviewMessage, type PacketDetails, type ToWebviewMessage } from '../../src/extension/flow/protocol';
import { hasCommand, hasSharedFixtures, labFixturesDir, repoRoot, requireOrSkip } from '../helpers/env';
import { CHROMIUM, buildWebview, launchChromium, openFlowPage, posted, saveScreenshot, serveWebview, type FlowServer, type HostHandler } from './harness';
import { syntheticAnalysis } from './syntheticAnalysis';

const T0 = 1_764_000_000;

/** Answers like the extension: `show` on ready, hops and packet details on request. */
function host(result: AnalysisResult, title: string, details?: (ref: { point: number; n: number }) => PacketDetails): HostHandler {
  const hops = hopsIndex(result);
  return async (msg, reply) => {
    if (msg.type === 'ready') await reply({ type: 'show', resultJson: JSON.stringify(withoutHops(result)), title, source: result.folder });
    if (msg.type === 'hopsRequest') await reply({ type: 'hops', inReplyTo: msg.requestId, connectionId: msg.connectionId, hops: hops.get(msg.connectionId) ?? [] });
    if (msg.type === 'packetRequest') {
      const d = details?.(msg.ref) ?? {
        ref: msg.ref,
        where: `${result.lanes[msg.ref.point]?.host ?? '?'} · eth0`,
        ts: T0 + 3.25,
        capturedLength: 4,
        originalLength: 4,
        fields: [{ name: 'Frame', children: [{ name: 'number', value: String(msg.ref.n) }] }],
        hex: 'deadbeef',
      };
      await reply({ type: 'packetDetails', inReplyTo: msg.requestId, details: d });
    }
  };
}

async function drawn(page: Page): Promise<void> {
  await page.waitForSelector('svg.diagram', { timeout: 10_000 });
}

/** Narrows the list to one connection by typing in the search box, and waits for its diagram. */
async function pick(page: Page, text: string, id: string): Promise<void> {
  await page.locator('#search').click();
  await page.keyboard.type(text);
  await page.waitForFunction((want) => document.querySelector('svg.diagram')?.getAttribute('aria-label') === `Packets of connection ${want}`, id, { timeout: 10_000 });
}

function folderOf(name: string): string {
  return name.startsWith('lab/') ? path.join(labFixturesDir, name.slice(4)) : path.join(repoRoot, 'samples', name);
}

const analysed = new Map<string, Promise<AnalysisResult>>();
function sample(name: string): Promise<AnalysisResult> {
  if (!analysed.has(name)) analysed.set(name, analyzeCapture(folderOf(name)));
  return analysed.get(name)!;
}

async function openSample(browser: Browser, origin: string, name: string, viewport?: { width: number; height: number }): Promise<{ page: Page; result: AnalysisResult }> {
  const result = await sample(name);
  const page = await openFlowPage(browser, origin, host(result, name, (ref) => readPacketDetails(folderOf(name), result.manifest, ref, decodeFrame)), viewport);
  await drawn(page);
  return { page, result };
}

/** The hops without those seen at `point` (their `sameAs` renumbered). */
function withoutPoint(hops: Hop[], point: number): Hop[] {
  const index = new Map<number, number>();
  const out: Hop[] = [];
  hops.forEach((h, i) => {
    if (h.ref.point === point) return;
    index.set(i, out.length);
    out.push({ ...h, sameAs: h.sameAs === undefined ? undefined : index.get(h.sameAs) });
  });
  return out;
}

/**
 * The synthetic DR capture (client, director, rs1, rs2; every other connection to rs2) where
 * rs2's capture began 2 s late: its first connections were forwarded to rs2 before it
 * captured, so where they went past the director is not known.
 */
function lateRs2(recorded = true): AnalysisResult {
  const r = syntheticAnalysis({ connections: 8 });
  const start = T0 + 2;
  r.lanes[3].captureSpan = { start, end: T0 + 30, recorded };
  for (const l of r.lanes) if (l.point !== 3) l.captureSpan = { start: T0 - 1, end: T0 + 30, recorded };
  for (const c of r.connections) {
    if (c.realServer === 'rs1' || c.start >= start) continue;
    c.hops = withoutPoint(c.hops, 3);
    c.packets = c.hops.length;
    c.state = 'unknown';
    c.realServer = 'rs2';
    c.findings = undefined;
    c.stoppedAt = { point: 1, reason: "forwarded to rs2 before rs2's capture began (16:00:02.000 UTC): whether it arrived is not known" };
  }
  r.findings = [];
  return r;
}

describe('flow webview: holes and seams in a capture (headless Chromium)', function () {
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

  it("shows a connection whose fate is not known as such, not as a loss: neutral mark, its own state, searchable", async function () {
    const result = lateRs2();
    const unknown = result.connections.filter((c) => c.state === 'unknown');
    assert.ok(unknown.length >= 2);
    const page = await openFlowPage(browser, server.origin, host(result, 'late rs2'));
    await drawn(page);
    await pick(page, String(unknown[0].clientPort), unknown[0].id);
    const head = await page.evaluate(() => {
      const p = document.querySelector<HTMLElement>('.conn-head .stop-reason');
      return { text: p?.textContent ?? '', cls: p?.className ?? '', colour: p ? getComputedStyle(p).color : '' };
    });
    assert.match(head.text, /^\?\s*Not known past director eth0: forwarded to rs2 before rs2's capture began \(16:00:02\.000 UTC\): whether/);
    assert.doesNotMatch(head.text, /UTC\s*UTC/, 'the analysis says UTC: not said again');
    assert.doesNotMatch(head.text, /Stopped/);
    assert.match(head.cls, /\bunknown\b/);
    const errorColour = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'error';
      document.body.appendChild(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    assert.notEqual(head.colour, errorColour, 'not in the error colour');
    // The diagram's mark: a question, not a cross.
    assert.equal(await page.locator('svg.diagram g.stopped.unknown').count(), 1);
    assert.equal(await page.locator('svg.diagram g.stopped .stop-x').count(), 0);
    assert.match((await page.locator('svg.diagram g.stopped').getAttribute('aria-label')) ?? '', /^Not known past director eth0/);
    assert.match((await page.locator('svg.diagram .stop-text').textContent()) ?? '', /^not known past here: forwarded to rs2/);
    // Its own entry in the State filter, and the search finds it by its state.
    assert.equal(await page.locator('#filter-state vscode-option[value="unknown"]').count(), 1);
    await page.locator('#search').click({ clickCount: 3 });
    await page.keyboard.type('unknown');
    await page.waitForFunction((n) => document.querySelector('.count')?.textContent === `${n} of 8`, unknown.length);
    assert.equal(await page.locator('.vlist-row.selected .state-unknown').count(), 1);
    await saveScreenshot(page, 'flow-unknown.png');
    await page.close();
  });

  it("greys the time a lane was not capturing, and says whether that is its capture window or only its first packet", async function () {
    for (const recorded of [true, false]) {
      const result = lateRs2(recorded);
      const conn = result.connections.find((c) => c.state === 'unknown')!;
      const page = await openFlowPage(browser, server.origin, host(result, 'late rs2'));
      await drawn(page);
      await pick(page, String(conn.clientPort), conn.id);
      const lanes = await page.evaluate(() =>
        [...document.querySelectorAll('svg.diagram g.lane')].map((g) => ({
          point: g.getAttribute('data-point'),
          hatched: g.querySelectorAll('.span-out').length,
          label: [...g.querySelectorAll('.span-label')].map((t) => t.textContent).join(' | '),
        })),
      );
      const rs2 = lanes.find((l) => l.point === '3')!;
      assert.ok(rs2.hatched > 0, `rs2's lane is hatched before its capture: ${JSON.stringify(lanes)}`);
      if (recorded) assert.match(rs2.label, /capture began.*16:00:02\.000 UTC/);
      else assert.match(rs2.label, /first packet.*16:00:02\.000 UTC/);
      assert.doesNotMatch(rs2.label, recorded ? /first packet/ : /capture began/);
      for (const l of lanes.filter((x) => x.point !== '3')) assert.equal(l.hatched, 0, `lane ${l.point} captured all along`);
      if (recorded) await saveScreenshot(page, 'flow-capture-span.png');
      await page.close();
    }
  });

  it("shows each lane's clock correction and note, in the lane header and in the list of capture points", async function () {
    const result = syntheticAnalysis({ connections: 4 });
    result.lanes[3].clockOffsetMs = 50;
    result.lanes[3].clockNote = 'rs2 clock − director clock ≈ -50.000 ms (20+20 matched packets, one-way ≈ 0.030 ms)';
    result.lanes[2].clockOffsetMs = 0;
    result.lanes[2].clockNote = 'rs1 clock − director clock ≤ 0.049 ms (only director → rs1 packets to match)';
    const page = await openFlowPage(browser, server.origin, host(result, 'clock'));
    await drawn(page);
    const status = await page.evaluate(() =>
      [...document.querySelectorAll('svg.diagram-head .lane-status')].map((t) => ({ text: t.textContent, title: t.closest('g')?.querySelector(':scope > title')?.textContent ?? '' })),
    );
    const rs2 = status.find((s) => /rs2/.test(s.title));
    assert.ok(rs2, JSON.stringify(status));
    assert.equal(rs2.text, 'clock +50 ms');
    assert.match(rs2.title, /50 ms added to rs2's times/);
    assert.match(rs2.title, /≈ -50\.000 ms \(20\+20 matched packets/);
    // As text a screen reader reaches (the lane header is a picture).
    const points = page.locator('header details.points');
    assert.match((await points.locator('summary').textContent()) ?? '', /4 capture points/);
    await points.locator('summary').click();
    const items = await points.locator('li').allTextContents();
    assert.equal(items.length, 4);
    assert.match(items[3], /rs2 eth0.*clock \+50 ms.*≈ -50\.000 ms/);
    assert.match(items[2], /rs1 eth0.*≤ 0\.049 ms/);
    await page.close();
  });

  it('marks where packets the analysis did not keep would be, and says how many are not shown', async function () {
    const result = syntheticAnalysis({ connections: 2 });
    const conn = result.connections[0];
    // The middle of a long connection: 1,200 packets at the client and at the director not kept.
    const i = conn.hops.findIndex((h) => h.summary === 'P. 73');
    conn.hops[i].omittedBefore = 1200;
    conn.hops[i + 1].omittedBefore = 1200;
    conn.packets = conn.hops.length + 2400;
    const page = await openFlowPage(browser, server.origin, host(result, 'long'));
    await drawn(page);
    await pick(page, String(conn.clientPort), conn.id);
    const gaps = await page.evaluate(() =>
      [...document.querySelectorAll('svg.diagram .gap')].map((g) => ({ text: g.textContent ?? '', label: g.getAttribute('aria-label') ?? '', y: g.getBoundingClientRect().top })),
    );
    assert.equal(gaps.length, 1, 'one mark for the adjacent hops');
    assert.match(gaps[0].label, /1,200 packets at client eth0 and 1,200 at director eth0 not shown/);
    assert.match(gaps[0].text, /1,200/);
    // Drawn between the hop before and the hop after.
    const ys = await page.evaluate((k) => [k - 1, k].map((n) => document.querySelector(`svg.diagram g.hop[data-hop="${n}"]`)!.getBoundingClientRect().top), i);
    assert.ok(ys[0] < gaps[0].y && gaps[0].y < ys[1], `gap at ${gaps[0].y}, hops at ${ys}`);
    assert.match((await page.locator('.conn-head .shown-note').textContent()) ?? '', new RegExp(`Showing ${conn.hops.length} of ${conn.packets.toLocaleString('en')} packets`));
    await saveScreenshot(page, 'flow-omitted.png');
    await page.close();


    // More kept than are drawn (400): said too, with the marks' count.
    const many = syntheticAnalysis({ connections: 1 });
    const c = many.connections[0];
    const base = c.hops;
    const hops: Hop[] = [];
    for (let b = 0; hops.length < 450; b++) for (const h of base) hops.push({ ...h, ts: h.ts + b * 0.01, sameAs: h.sameAs === undefined ? undefined : h.sameAs + b * base.length });
    c.hops = hops.slice(0, 450);
    c.hops[200].omittedBefore = 5000;
    const p2 = await openFlowPage(browser, server.origin, host(many, 'many'));
    await drawn(p2);
    assert.equal(await p2.locator('svg.diagram g.hop').count(), 400);
    assert.equal(
      await p2.locator('.conn-head .shown-note').textContent(),
      'Showing 400 of 5,450 packets of this connection: 5,000 in the middle were not kept by the analysis (⋯ marks where); the 50 after the first 400 kept are not drawn.',
    );
    await p2.close();
  });

  it('marks a lane whose file is unreadable or truncated, and draws the packet towards it as unseen, not lost', async function () {
    const result = syntheticAnalysis({ connections: 4 });
    // Host-derived text (a file name, a note) with markup in it: shown as text.
    result.lanes[3].error = 'file not found: pcap/rs2-eth0.pcap <img src=x onerror="window.__xss=1">';
    result.lanes[1].clockNote = 'director clock <script>window.__xss=2</script>';
    result.lanes[3].packetCount = 0;
    result.lanes[2].warning = 'file ends in the middle of a packet at byte 680; analysed the 8 packets before it';
    // rs2's capture is unreadable: its connections end at the director.
    for (const c of result.connections) {
      if (c.realServer === 'rs1') continue;
      c.hops = withoutPoint(c.hops, 3);
      c.state = 'unknown';
      c.stoppedAt = { point: 1, reason: "forwarded to rs2, whose capture is unreadable: whether it arrived is not known" };
    }
    const page = await openFlowPage(browser, server.origin, host(result, 'unreadable'));
    await drawn(page);
    const head = await page.evaluate(() => [...document.querySelectorAll('svg.diagram-head .lane-status')].map((t) => `${t.textContent}|${t.getAttribute('class')}`));
    assert.ok(head.includes('unreadable|lane-status status-error'), JSON.stringify(head));
    assert.ok(head.includes('truncated|lane-status status-warning'), JSON.stringify(head));
    assert.equal(await page.locator('svg.diagram g.lane.unreadable[data-point="3"] .span-out').count(), 1, 'hatched all along');
    assert.equal(await page.locator('svg.diagram g.lane.truncated[data-point="2"]').count(), 1);
    // The director's copy heads for rs2: drawn to rs2's lane as not seen there.
    const toRs2 = page.locator('svg.diagram g.hop.unseen');
    assert.ok((await toRs2.count()) > 0);
    assert.match((await toRs2.first().getAttribute('aria-label')) ?? '', /towards rs2 eth0, not seen there: its capture is unreadable/);
    await page.locator('header details.points summary').click();
    assert.match((await page.locator('header details.points').textContent()) ?? '', /unreadable: file not found: pcap\/rs2-eth0\.pcap <img src=x/);
    const safe = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss,
      csp: (window as unknown as { __cspViolations: string[] }).__cspViolations,
      imgs: document.querySelectorAll('img').length,
    }));
    assert.deepEqual(safe, { xss: undefined, csp: [], imgs: 0 });
    await saveScreenshot(page, 'flow-unreadable.png');
    await page.close();
  });

  it('draws the copies of one packet at `-i any` beside eth0/eth1 as copies: one rewrite, no arrow backwards (nat-healthy, dr-healthy)', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
    let { page } = await openSample(browser, server.origin, 'lab/nat-healthy');
    await pick(page, '35818', 'tcp:198.51.100.10:35818');
    let notes = await page.locator('svg.diagram .hop-note.rewrite').allTextContents();
    assert.ok(notes.length > 0);
    for (const n of notes) assert.match(n, /^(DNAT|SNAT) /, `only the director's NAT is a rewrite: ${n}`);
    assert.equal(await page.locator('svg.diagram', { hasText: 'forwarded (destination MAC rewritten)' }).count(), 0);
    await saveScreenshot(page, 'flow-nat-any.png');
    await page.close();

    ({ page } = await openSample(browser, server.origin, 'lab/dr-healthy'));
    await pick(page, '48844', 'tcp:198.51.100.10:48844');
    const hops = (await sample('lab/dr-healthy')).connections.find((c) => c.id === 'tcp:198.51.100.10:48844')!.hops;
    // The SYN: in at director any, any, eth0 (copies), out (MAC → rs2) at the three again, then rs2.
    const syn = await page.evaluate(() =>
      [...document.querySelectorAll<SVGGElement>('svg.diagram g.hop.request')]
        .filter((g) => / S, /.test(g.getAttribute('aria-label') ?? ''))
        .map((g) => {
          const line = g.querySelector('line.hop-line');
          return { kind: /kind-(\w+)/.exec(g.getAttribute('class') ?? '')?.[1], x1: Number(line?.getAttribute('x1')), x2: Number(line?.getAttribute('x2')), note: g.querySelector('.hop-note')?.textContent ?? '', rewrite: !!g.querySelector('.hop-note.rewrite') };
        }),
    );
    assert.equal(syn.filter((h) => h.rewrite).length, 1, `one rewrite for the SYN: ${JSON.stringify(syn)}`);
    assert.match(syn.find((h) => h.rewrite)!.note, /MAC → 02:00:c0:00:02:0c \(rs2\)/);
    for (const h of syn.filter((x) => x.kind !== 'copy')) assert.ok(h.x2 >= h.x1, `a request drawn backwards, towards the client: ${JSON.stringify(h)}`);
    notes = await page.locator('svg.diagram .hop-note.rewrite').allTextContents();
    const requests = hops.filter((h) => h.direction === 'request' && h.sameAs === undefined).length;
    assert.equal(notes.length, requests, `one MAC rewrite per request: ${notes.join(' / ')}`);
    await saveScreenshot(page, 'flow-dr-any.png');
    await page.close();
  });

  it('tells apart two lanes of one host and interface (two `any` captures) by their files', async function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
    const { page } = await openSample(browser, server.origin, 'lab/dr-healthy');
    const titles = await page.locator('svg.diagram g.lane > title').allTextContents();
    assert.equal(new Set(titles).size, titles.length, `lane names repeat: ${titles.join(' / ')}`);
    const subs = await page.evaluate(() =>
      [...document.querySelectorAll('svg.diagram-head .host')].filter((g) => /^director/.test(g.querySelector('.lane-host')?.textContent ?? '')).flatMap((g) => [...g.querySelectorAll('.lane-sub')].map((t) => t.textContent ?? '')),
    );
    assert.equal(subs.length, 3);
    assert.equal(new Set(subs).size, subs.length, `the director's lane labels repeat: ${subs.join(' / ')}`);
    assert.ok(subs.includes('any-sll1') && subs.includes('eth0'), subs.join(' / '));
    const labels = await page.locator('svg.diagram g.hop').evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label') ?? ''));
    assert.ok(!labels.some((l) => /director any,|director any$/.test(l)), 'no hop names a bare "director any"');
    assert.ok(labels.some((l) => /director any \(director-any-sll1\.pcap\)/.test(l)));
    await page.close();
  });

  it("flags the VIP sent to a real server's MAC by something that is not a director (the ARP problem)", async function () {
    requireOrSkip(this, hasSharedFixtures(), 'the shared lab fixtures');
    const { page } = await openSample(browser, server.origin, 'lab/dr-arp-problem');
    const note = page.locator('svg.diagram g.hop[data-hop="1"] .hop-note');
    assert.equal(await note.getAttribute('class'), 'hop-note bypass');
    assert.match((await note.textContent()) ?? '', /^VIP sent to rs1's MAC, not the director's — bypasses LVS/);
    // rs1's own copy is the same frame: flagged once.
    assert.equal(await page.locator('svg.diagram g.hop[data-hop="2"] .hop-note.bypass').count(), 0);
    const colour = await note.evaluate((e) => getComputedStyle(e).fill);
    const warn = await page.evaluate(() => getComputedStyle(document.querySelector('svg.diagram .finding-mark') ?? document.body).fill);
    assert.equal(colour, warn, 'in the warning colour');
    await saveScreenshot(page, 'flow-arp-bypass.png');
    await page.close();
    // A healthy DR capture's director MAC rewrite is not flagged.
    const dr = await openSample(browser, server.origin, 'lab/dr-healthy');
    assert.equal(await dr.page.locator('svg.diagram .hop-note.bypass').count(), 0);
    await dr.page.close();
    const tun = await openSample(browser, server.origin, 'lab/tun-healthy');
    assert.equal(await tun.page.locator('svg.diagram .hop-note.bypass').count(), 0);
    await tun.page.close();
  });

  it('says when the packets of a connection could not be loaded, and loads them on Retry (a failure is not kept)', async function () {
    const result = syntheticAnalysis({ connections: 3 });
    const normal = host(result, 'fail');
    let failures = 1;
    const page = await openFlowPage(browser, server.origin, async (msg, reply) => {
      if (msg.type === 'hopsRequest' && failures > 0) {
        failures--;
        await reply({ type: 'hops', inReplyTo: msg.requestId, connectionId: msg.connectionId, hops: [], error: 'the analysis worker stopped' } as ToWebviewMessage);
        return;
      }
      await normal(msg, reply);
    });
    await page.waitForSelector('.diagram-box .load-error', { timeout: 10_000 });
    assert.equal(await page.locator('.diagram-box .load-error').textContent(), 'Could not load the packets: the analysis worker stopped');
    assert.equal(await page.locator('svg.diagram').count(), 0);
    const retry = page.locator('.diagram-box .retry');
    assert.equal(await retry.textContent(), 'Retry');
    await retry.click();
    await drawn(page);
    const asked = (await posted(page)).filter((m: FromWebviewMessage) => m.type === 'hopsRequest');
    assert.equal(asked.length, 2);
    assert.ok(asked[0].type === 'hopsRequest' && asked[1].type === 'hopsRequest' && asked[0].connectionId === asked[1].connectionId);
    // The next connection fails too; leaving it and coming back asks again (nothing kept).
    failures = 1;
    await page.locator('.vlist').focus();
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.diagram-box .load-error', { timeout: 10_000 });
    await page.keyboard.press('ArrowUp');
    await drawn(page);
    await page.waitForTimeout(200);
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((id) => document.querySelector('svg.diagram')?.getAttribute('aria-label') === `Packets of connection ${id}`, result.connections[2].id, { timeout: 5000 });
    const again = (await posted(page)).filter((m) => m.type === 'hopsRequest' && m.connectionId === result.connections[2].id);
    assert.equal(again.length, 2);
    await page.close();
  });

  it('gives the search box its name in the accessibility tree (not the toolkit\'s "Text field"), also after a new analysis', async function () {
    const result = syntheticAnalysis({ connections: 3 });
    const page = await openFlowPage(browser, server.origin, host(result, 'a11y'));
    await drawn(page);
    const names = async (): Promise<string[]> => {
      const cdp = await page.context().newCDPSession(page);
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: Array<{ ignored?: boolean; role?: { value?: string }; name?: { value?: string } }> };
      await cdp.detach();
      return nodes.filter((n) => !n.ignored && n.role?.value === 'textbox').map((n) => String(n.name?.value ?? ''));
    };
    assert.deepEqual(await names(), ['Search connections (address, port, server, state, finding)']);
    // A new analysis lays the page out again (the toolkit's connectedCallback runs again).
    await page.evaluate((r) => window.postMessage({ type: 'show', resultJson: r, title: 'again', source: '/again' }, '*'), JSON.stringify(withoutHops(result)));
    await page.waitForTimeout(200);
    assert.deepEqual(await names(), ['Search connections (address, port, server, state, finding)']);
    // The label is not shown twice (the placeholder says it).
    const labelBox = await page.evaluate(() => {
      const label = document.querySelector('#search')?.shadowRoot?.querySelector('label');
      const r = label?.getBoundingClientRect();
      return r ? r.width * r.height : 0;
    });
    assert.ok(labelBox <= 1, `the label takes ${labelBox} px²`);
    await page.close();
  });

  it('fits a 360 px pane without scrolling sideways', async function () {
    const cases: Array<[string, () => Promise<{ page: Page }>]> = [
      ['synthetic', async () => {
        const page = await openFlowPage(browser, server.origin, host(syntheticAnalysis({ connections: 20 }), 'narrow'), { width: 360, height: 800 });
        await drawn(page);
        return { page };
      }],
    ];
    if (hasSharedFixtures()) {
      for (const s of ['lab/dr-healthy', 'lab/nat-wrong-gateway', 'lab/dr-arp-problem']) cases.push([s, () => openSample(browser, server.origin, s, { width: 360, height: 800 })]);
    }
    for (const width of [360, 400]) {
      for (const [name, open] of cases) {
        const { page } = await open();
        await page.setViewportSize({ width, height: 800 });
        await page.waitForTimeout(250);
        const m = await page.evaluate(() => {
          const d = document.documentElement;
          const wide = [...document.querySelectorAll<HTMLElement>('#app *')]
            .filter((e) => !e.closest('.diagram-box') && !e.closest('.hex') && e.getBoundingClientRect().right > d.clientWidth + 0.5)
            .slice(0, 4)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
          return { scroll: d.scrollWidth, client: d.clientWidth, wide };
        });
        assert.ok(m.scroll <= m.client, `${name} at ${width} px: the page is ${m.scroll} px wide for ${m.client} (${m.wide.join(', ')})`);
        if (width === 360 && name === 'lab/dr-healthy') await saveScreenshot(page, 'flow-360.png');
        await page.close();
      }
    }
  });

  it('writes UTC beside clock times: in stop reasons and in the packet details', async function () {
    const result = lateRs2();
    const conn = result.connections.find((c) => c.state === 'unknown')!;
    const page = await openFlowPage(browser, server.origin, host(result, 'utc'));
    await drawn(page);
    await pick(page, String(conn.clientPort), conn.id);
    assert.match((await page.locator('.conn-head .stop-reason').textContent()) ?? '', /\(16:00:02\.000 UTC\)/);
    assert.match((await page.locator('svg.diagram .stop-text').textContent()) ?? '', /16:00:02\.000 UTC/);
    await page.locator('svg.diagram g.hop').first().click();
    await page.waitForSelector('.details .hex');
    assert.match((await page.locator('.details-head').textContent()) ?? '', /2025-11-24 16:00:03\.250 UTC/);
    await page.close();
  });

  it('asks for the hops of the connection the selection rests on, not of every row a held arrow key passes', async function () {
    const result = syntheticAnalysis({ connections: 40 });
    const page = await openFlowPage(browser, server.origin, host(result, 'keys'));
    await drawn(page);
    await page.locator('.vlist').focus();
    await page.keyboard.press('Home');
    await page.waitForFunction((id) => document.querySelector('svg.diagram')?.getAttribute('aria-label') === `Packets of connection ${id}`, result.connections[0].id);
    const before = (await posted(page)).filter((m) => m.type === 'hopsRequest').length;
    for (let k = 0; k < 12; k++) await page.keyboard.press('ArrowDown');
    const last = result.connections[12];
    await page.waitForFunction((id) => document.querySelector('svg.diagram')?.getAttribute('aria-label') === `Packets of connection ${id}`, last.id, { timeout: 5000 });
    const asked = (await posted(page)).filter((m) => m.type === 'hopsRequest').slice(before);
    assert.ok(asked.length <= 3, `${asked.length} requests for 12 key presses`);
    assert.ok(asked.some((m) => m.type === 'hopsRequest' && m.connectionId === last.id));
    assert.equal(await page.locator('svg.diagram g.hop').count(), last.hops.length);
    await page.close();
  });
});
