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
import { hasCommand, hasSharedFixtures, labFixturesDir, requireOrSkip } from '../helpers/env';
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
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-hop')), '0');
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
