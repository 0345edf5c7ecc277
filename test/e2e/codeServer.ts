// A real VS Code for the end-to-end tests: code-server 4.100.3 (installed into
// .tools/ by scripts/install-code-server.sh, see ../shared/E2E.md) with our packaged
// .vsix installed into a fresh extensions folder, driven through headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { repoRoot } from '../helpers/env';

export const codeServerEntry = path.join(repoRoot, '.tools', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const vsixPath = path.join(repoRoot, 'dist', 'lvs-troubleshooter.vsix');

export function hasCodeServer(): boolean {
  return fs.existsSync(codeServerEntry);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion with a time bound; resolves with its output. */
function runBounded(argv: string[], timeoutMs: number, cwd = repoRoot): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** `npm run package` → dist/lvs-troubleshooter.vsix (built once per test run). */
/** The packaged .vsix, built once per test run: every e2e file asks for it, and the sources do
 *  not change between them. A failed build is not kept, so a later file tries again. */
let packaged: Promise<string> | undefined;

export function packageExtension(): Promise<string> {
  packaged ??= (async () => {
    const r = await runBounded(['npm', 'run', '--silent', 'package'], 240_000);
    if (r.code !== 0 || !fs.existsSync(vsixPath)) throw new Error(`npm run package failed (${r.code}):\n${r.out}`);
    return vsixPath;
  })().catch((e: unknown) => {
    packaged = undefined;
    throw e;
  });
  return packaged;
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Fresh extensions and user-data folders with the .vsix installed; then code-server on loopback. */
export async function startCodeServer(
  workspace: string,
  vsix: string,
  opts: { workspaceTrust?: boolean; userSettings?: Record<string, unknown> } = {},
): Promise<CodeServer> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-e2e-'));
  const extDir = path.join(base, 'extensions');
  const userDataDir = path.join(base, 'user-data');
  if (opts.userSettings) {
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(opts.userSettings, null, 2));
  }
  const common = ['--extensions-dir', extDir, '--user-data-dir', userDataDir];
  const install = await runBounded([process.execPath, codeServerEntry, ...common, '--install-extension', vsix], 120_000);
  // An error about the extension gallery being unreachable is expected offline: only the result counts.
  const installed = fs.existsSync(extDir) && fs.readdirSync(extDir).some((d) => d.startsWith('lvs-troubleshooter.lvs-troubleshooter-'));
  if (!installed) throw new Error(`installing ${vsix} failed (${install.code}):\n${install.out}`);

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      codeServerEntry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      // Tests only: real users keep workspace trust (capture needs a trusted workspace).
      ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
      ...common,
      workspace,
    ],
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logs = '';
  const keep = (d: Buffer): void => {
    logs = (logs + d.toString()).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${logs}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`code-server did not answer on ${url} within 60 s:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    userDataDir,
    logs: () => logs,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Opens the workbench of `folder` and waits until it is ready for input. */
export async function openWorkbench(browser: Browser, server: CodeServer, folder: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('[id="status.problems"]', { timeout: 60_000 });
  return page;
}

/**
 * Runs a command from the command palette by its title. Right after start-up the
 * extension may not be registered yet: the palette is reopened until the command shows.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      await row.waitFor({ state: 'visible', timeout: 3000 });
      await row.click({ timeout: 5000 });
      return;
    } catch (e) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Waits for the quick pick to show an item containing `text` and accepts it. */
export async function pickQuickItem(page: Page, text: string, timeoutMs = 30_000): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The Problems counters from the status bar, e.g. { errors: 1, warnings: 2 }. */
export async function problemCounts(page: Page): Promise<{ errors: number; warnings: number; label: string }> {
  const label = (await page.locator('[id="status.problems"]').first().getAttribute('aria-label')) ?? '';
  const n = (re: RegExp): number => Number(re.exec(label)?.[1] ?? 0);
  return { errors: n(/Errors?:\s*(\d+)/i), warnings: n(/Warnings?:\s*(\d+)/i), label };
}

/** Polls `check` until it returns a value, within `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** The text of every log file code-server wrote (the extension's output channel is one). */
export function logTexts(userDataDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(path.join(userDataDir, 'logs'))) walk(path.join(userDataDir, 'logs'));
  return out;
}

/**
 * Answers VS Code's "simple" file dialog (code-server's: a quick input a path is typed into):
 * waits until it has filled in its start folder (typing sooner is overwritten), types `target`,
 * waits until it lists `listed` (an entry of the folder typed), checks it left the path as typed
 * (it completes names), and presses Enter.
 */
export async function answerFileDialog(page: Page, target: string, listed: string, timeoutMs = 20_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await waitFor('the file dialog ready', timeoutMs, async () =>
    (await input.inputValue()).startsWith('/') && (await page.locator('.quick-input-widget .monaco-list-row').count()) > 0 ? true : undefined,
  );
  await input.fill(target);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: listed }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  const value = await input.inputValue();
  if (value !== target) throw new Error(`the file dialog holds ${value}, not ${target}`);
  await page.keyboard.press('Enter');
}

/** The frame of a webview whose document has `selector` (webviews are nested iframes). */
export async function webviewFrame(page: Page, selector: string): Promise<Frame | undefined> {
  for (const f of page.frames()) {
    if (f === page.mainFrame()) continue;
    if (await f.locator(selector).count().catch(() => 0)) return f;
  }
  return undefined;
}
