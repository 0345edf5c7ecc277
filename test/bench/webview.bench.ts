// The flow webview on a 100,000-packet analysis in headless Chromium: time from the
// `show` message to the first painted screen (list + diagram), and frame times
// while scrolling the connection list. Baselines run in the same browser: a blank
// page load, and a plain list that puts all 10,000 rows in the DOM (what the view
// would do without virtualisation). Target: first screen under 1 s.
import type { Page } from 'playwright-core';
import { buildWebview, launchChromium, openFlowPage, serveWebview } from '../browser/harness';
import { syntheticAnalysis } from '../browser/syntheticAnalysis';
import { hopsIndex, withoutHops } from '../../src/extension/flow/protocol';

/** Posts `show` from inside the page and resolves with ms until the view reported its paint. */
async function timeFirstScreen(page: Page): Promise<number> {
  return page.evaluate(
    `new Promise((resolve) => {
      const posted = window.__posted;
      const before = posted.length;
      const t0 = performance.now();
      window.postMessage({ type: 'show', resultJson: window.__result, title: 'bench', source: '/bench' }, '*');
      const poll = () => {
        const perf = posted.slice(before).find((m) => m.type === 'perf');
        if (perf) { window.__marks = perf.marks; window.__t0 = t0; resolve(perf.marks.painted - t0); }
        else setTimeout(poll, 5);
      };
      poll();
    })`,
  ) as Promise<number>;
}

/** Scrolls the list 150 px per frame for 120 frames; frame intervals in ms. */
async function scrollFrames(page: Page): Promise<number[]> {
  return page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector('.vlist');
    const times = [];
    let last = performance.now();
    let i = 0;
    const step = (now) => {
      times.push(now - last);
      last = now;
      list.scrollTop += 150;
      if (++i < 120) requestAnimationFrame(step);
      else resolve(times.slice(1));
    };
    requestAnimationFrame(step);
  })`) as Promise<number[]>;
}

/** The baseline: 10,000 rows of the same cells appended to the DOM, then painted. */
async function timeNaiveList(page: Page, rows: number): Promise<number> {
  return page.evaluate(`new Promise((resolve) => {
    const t0 = performance.now();
    const box = document.createElement('div');
    for (let i = 0; i < ${rows}; i++) {
      const row = document.createElement('div');
      for (let k = 0; k < 7; k++) {
        const span = document.createElement('span');
        span.textContent = k === 0 ? String(i + 1) : '198.51.100.7:' + (40000 + i);
        row.appendChild(span);
      }
      box.appendChild(row);
    }
    document.body.appendChild(box);
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
  })`) as Promise<number>;
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

export async function run(): Promise<void> {
  const result = syntheticAnalysis({ connections: 6700 });
  const server = await serveWebview(await buildWebview());
  const browser = await launchChromium();
  try {
    // Blank page load (navigation to load event), for scale.
    const blank = await browser.newPage();
    const b0 = Date.now();
    await blank.goto(`${server.origin}/blank`);
    const blankMs = Date.now() - b0;
    const naiveMs = await timeNaiveList(blank, 10_000);
    await blank.close();

    // The host side answers hop requests, as FlowSession does.
    const hops = hopsIndex(result);
    const page = await openFlowPage(browser, server.origin, async (m, reply) => {
      if (m.type === 'hopsRequest') await reply({ type: 'hops', inReplyTo: m.requestId, connectionId: m.connectionId, hops: hops.get(m.connectionId) ?? [] });
    });
    await page.waitForFunction('window.__posted.some((m) => m.type === "ready")', undefined, { timeout: 30_000 });
    // Hand the result to the page first, so the timing covers the view's work, not the transfer from Node.
    await page.evaluate((r) => ((window as unknown as { __result: unknown }).__result = r), JSON.stringify(withoutHops(result)));
    const firstMs = await timeFirstScreen(page);
    await page.waitForSelector('svg.diagram', { timeout: 30_000 });
    const marks = (await page.evaluate('Object.fromEntries(Object.entries(window.__marks).map(([k, v]) => [k, Math.round(v - window.__t0)]))')) as Record<string, number>;
    const rowsInDom = await page.locator('.vlist-row').count();
    const frames = await scrollFrames(page);
    await page.close();

    const line = (name: string, value: string): void => console.log(`  ${name.padEnd(58)} ${value}`);
    line(`analysis`, `${result.stats.packets.toLocaleString('en')} packets, ${result.connections.length.toLocaleString('en')} connections`);
    line('blank page load (baseline)', `${blankMs} ms`);
    line('10,000 rows all in the DOM, painted (baseline)', `${naiveMs.toFixed(0)} ms`);
    line('flow view first screen (list + diagram), 100k packets', `${firstMs.toFixed(0)} ms  (target < 1000 ms)`);
    line('  ratio to the 10,000-row non-virtualised list', `${(firstMs / naiveMs).toFixed(2)}x`);
    line('  list rows in the DOM', `${rowsInDom}`);
    line('  phases (ms after show was posted)', JSON.stringify(marks));
    line('scroll frame interval p50 / p95 / max', `${pct(frames, 50).toFixed(1)} / ${pct(frames, 95).toFixed(1)} / ${Math.max(...frames).toFixed(1)} ms  (16.7 ms = 60 fps)`);
  } finally {
    await browser.close();
    await server.close();
  }
}
