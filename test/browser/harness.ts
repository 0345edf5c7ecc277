// Runs the built flow webview in headless Chromium the way VS Code hosts it: the
// page comes from the extension's own HTML builder (so the real CSP applies), and
// a stand-in for acquireVsCodeApi forwards posted messages to the test (Node).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderFlowHtml } from '../../src/extension/flow/html';
import type { FromWebviewMessage, ToWebviewMessage } from '../../src/extension/flow/protocol';
import { repoRoot } from '../helpers/env';

export const CHROMIUM = '/usr/bin/chromium';
export const artifactsDir = path.join(repoRoot, 'test-artifacts');

/** Bundles media/flow exactly as scripts/build.mjs does, into a temp folder. */
export async function buildWebview(): Promise<string> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-flow-'));
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'media/flow/main.ts')],
    outfile: path.join(out, 'flow.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'error',
  });
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'media/flow/flow.css')],
    outfile: path.join(out, 'flow.css'),
    bundle: true,
    logLevel: 'error',
  });
  return out;
}

export interface FlowServer {
  origin: string;
  close(): Promise<void>;
}

/** Serves the page and the bundle on loopback. `/blank` is an empty page for baselines. */
export async function serveWebview(bundleDir: string): Promise<FlowServer> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderFlowHtml({ cspSource: origin, scriptUri: `${origin}/flow.js`, styleUri: `${origin}/flow.css`, title: 'LVS flow (test)' }));
      return;
    }
    if (url === '/blank') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE html><html><body></body></html>');
      return;
    }
    const file = { '/flow.js': 'flow.js', '/flow.css': 'flow.css' }[url];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/css' });
    fs.createReadStream(path.join(bundleDir, file)).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The stand-in for VS Code's webview API, run before the page's own script. */
const STAND_IN = `
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '') + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { window.__posted.push(m); void window.__hostReceive(m); },
    getState: () => JSON.parse(sessionStorage.getItem('vscodeState') || 'null') || undefined,
    setState: (s) => sessionStorage.setItem('vscodeState', JSON.stringify(s)),
  });
`;

/** The test's side of the conversation: what the extension host would do. */
export type HostHandler = (msg: FromWebviewMessage, reply: (m: ToWebviewMessage) => Promise<void>) => void | Promise<void>;

/**
 * Opens the flow page with a stand-in VS Code API. State set with setState survives
 * reloads (sessionStorage), as VS Code keeps it for a webview.
 */
export async function openFlowPage(browser: Browser, origin: string, handler: HostHandler, viewport = { width: 1400, height: 860 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  const reply = (m: ToWebviewMessage): Promise<void> => page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as object).then(() => undefined);
  await page.exposeFunction('__hostReceive', (m: FromWebviewMessage) => handler(m, reply));
  // A string, not a function: tsx would wrap a function's inner names in helpers the page lacks.
  await page.addInitScript(STAND_IN);
  await page.goto(`${origin}/`);
  return page;
}

export async function posted(page: Page): Promise<FromWebviewMessage[]> {
  return page.evaluate(() => (window as unknown as { __posted: FromWebviewMessage[] }).__posted);
}

export function saveScreenshot(page: Page, name: string): Promise<Buffer> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  return page.screenshot({ path: path.join(artifactsDir, name) });
}
