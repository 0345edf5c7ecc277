// End to end in a real VS Code (code-server 4.100.3) with the packaged .vsix: the config
// language features as a user meets them with the keyboard.
// * A keepalived.conf that includes conf.d/*.conf and, inside its virtual_server, rs/*.conf:
//   the problems of the included files are listed in the Problems panel under those files
//   although only keepalived.conf is open; Ctrl+. on keepalived.conf's line 16 offers no fix
//   of conf.d/vrrp.conf's line 16, while Ctrl+. there does, and applying it edits that file only.
// * Lines typed with Enter at the end of each (no Escape), in keepalived.conf and in ipvsadm
//   rules, keep their line breaks: Enter never takes a completion equal to the word typed.
// * A block just opened (`virtual_server … {` then Enter) shows no "missing" errors at once;
//   they appear after a pause.
// Every wait is bounded.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hasCommand, requireOrSkip } from '../helpers/env';
import { CHROMIUM, launchChromium, saveScreenshot } from '../browser/harness';
import { hasCodeServer, openWorkbench, packageExtension, startCodeServer, waitFor, type CodeServer } from './codeServer';

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.editor.enablePreview': false,
  'workbench.editor.enablePreviewFromQuickOpen': false,
  'files.autoSave': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
};

const MAIN = `global_defs {
    router_id LVS1
}
include conf.d/*.conf
virtual_server 192.0.2.10 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
    include rs/web-*.conf
}
virtual_server 192.0.2.10 25 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 25 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
    delay_loop 6
}
`;
const VRRP = `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.10/24
    }
}
virtual_server 192.0.2.10 443 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 10.0.0.11 8443 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
`;
const RS = `real_server 10.0.0.11 8080 {
    TCP_CHECK {
        connect_timeout 3
    }
}
`;

/** The lines a user types, Enter after each; `}` = leave the block the editor closed itself (↓, End). */
const KEEPALIVED_LINES = [
  'global_defs {', 'router_id LVS_A', '}',
  'vrrp_instance VI_1 {', 'state MASTER', 'interface eth0', 'virtual_router_id 51', 'priority 150', 'advert_int 1',
  'virtual_ipaddress {', '192.0.2.10/24', '}', '}',
  'virtual_server 192.0.2.10 80 {', 'delay_loop 6', 'lb_algo wlc', 'lb_kind DR', 'protocol TCP',
  'real_server 10.0.0.11 80 {', 'weight 1', 'TCP_CHECK {', 'connect_timeout 3', '}', '}', '}',
];
const IPVSADM_LINES = [
  '-A -t 192.0.2.10:80 -s rr',
  '-a -t 192.0.2.10:80 -r 10.0.0.11:80 -g -w 1',
  '-A -t 192.0.2.10:25 -s wrr',
  '-a -t 192.0.2.10:25 -r 10.0.0.11:25 -g -w 1',
  '-A -u 192.0.2.10:53 -s rr -p 300 --ops',
  '-a -u 192.0.2.10:53 -r 10.0.0.11 -g -w 0',
];

function makeWorkspace(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-e2e-editor-'));
  const ka = path.join(ws, 'keepalived');
  fs.mkdirSync(path.join(ka, 'conf.d'), { recursive: true });
  fs.mkdirSync(path.join(ka, 'rs'));
  fs.writeFileSync(path.join(ka, 'keepalived.conf'), MAIN);
  fs.writeFileSync(path.join(ka, 'conf.d', 'vrrp.conf'), VRRP);
  fs.writeFileSync(path.join(ka, 'rs', 'web-1.conf'), RS);
  fs.mkdirSync(path.join(ws, 'typed'));
  fs.writeFileSync(path.join(ws, 'typed', 'keepalived.conf'), '');
  fs.writeFileSync(path.join(ws, 'typed', 'rules.ipvsadm'), '');
  return ws;
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor. */
async function openFile(page: Page, rel: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(rel);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(rel) }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForTimeout(300);
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.basename(rel) }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.waitForTimeout(500);
}

/** Moves the cursor with Ctrl+G to line:col (1-based). */
async function gotoLine(page: Page, line: number, col: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 5000 });
  await input.fill(`:${line}:${col}`);
  await page.waitForTimeout(200);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(200);
}

/** The rows of the Problems panel (file rows and problem rows), as text. */
async function problems(page: Page): Promise<string[]> {
  return page.locator('.markers-panel .monaco-tl-row').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
}

/** Ctrl+. at line:col: the titles of the quick fixes offered ([] when none). */
async function quickFixes(page: Page, line: number, col: number): Promise<string[]> {
  await gotoLine(page, line, col);
  await page.keyboard.press('Control+.');
  const widget = page.locator('.action-widget');
  try {
    await widget.first().waitFor({ state: 'visible', timeout: 4000 });
  } catch {
    return [];
  }
  await page.waitForTimeout(300);
  const rows = await widget.locator('.monaco-list-row:not(.group-header)').evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
  return rows.filter((r) => !/^(Learn more|Configure|Fix using Copilot)/i.test(r));
}

/** Types the lines at the end of the open editor as a user does: Enter after each, no Escape. */
async function typeLines(page: Page, lines: string[]): Promise<void> {
  await page.keyboard.press('Control+End');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === '}') {
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('End');
    } else {
      if (i > 0) await page.keyboard.press('Enter');
      await page.keyboard.type(lines[i], { delay: 60 });
    }
    // The completion list answers in the meantime, as it does for a user.
    await page.waitForTimeout(400);
  }
}

/** Saves the active editor; the file's lines once `saved` holds for them (else as they are after 10 s). */
async function saveAndRead(page: Page, file: string, saved: (lines: string[]) => boolean): Promise<string[]> {
  await page.keyboard.press('Control+S');
  const read = (): string[] => fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  return waitFor(`${path.basename(file)} saved`, 10_000, async () => (saved(read()) ? read() : undefined)).catch(() => read());
}

describe('end to end in code-server: keepalived and ipvsadm editing', function () {
  this.timeout(300_000);
  let browser: Browser;
  let ws: string;
  let server: CodeServer | undefined;
  let page: Page;

  before(async function () {
    requireOrSkip(this, hasCodeServer(), 'code-server in .tools (scripts/install-code-server.sh)');
    requireOrSkip(this, hasCommand(CHROMIUM), `Chromium at ${CHROMIUM}`);
    const vsix = await packageExtension();
    browser = await launchChromium();
    ws = makeWorkspace();
    server = await startCodeServer(ws, vsix, { userSettings: SETTINGS });
    page = await openWorkbench(browser, server, ws);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await saveScreenshot(page, `e2e-editor-failed-${this.currentTest.title.split(' ')[0]}.png`).catch(() => undefined);
    // Whatever a failed step left open (a menu, a quick input).
    await page?.keyboard.press('Escape').catch(() => undefined);
  });
  after(async function () {
    await page?.close().catch(() => undefined);
    await server?.stop();
    await browser?.close();
    if (ws) fs.rmSync(ws, { recursive: true, force: true });
  });

  it('included: the problems of the files keepalived.conf includes are listed under those files, only keepalived.conf being open', async function () {
    await openFile(page, 'keepalived/keepalived.conf');
    await page.keyboard.press('Control+Shift+M');
    const listed = await waitFor('the included files in the Problems panel', 30_000, async () => {
      const rows = await problems(page);
      return rows.some((r) => r.startsWith('vrrp.conf')) && rows.some((r) => r.startsWith('web-1.conf')) ? rows : undefined;
    });
    const under = (file: string): string[] => {
      const at = listed.findIndex((r) => r.startsWith(file));
      const next = listed.findIndex((r, i) => i > at && /^[\w.-]+\.conf\S/.test(r));
      return listed.slice(at + 1, next < 0 ? undefined : next);
    };
    assert.ok(under('vrrp.conf').some((r) => /port 8443 differs from the virtual port 443/.test(r) && /Ln 16/.test(r)), listed.join('\n'));
    assert.ok(under('web-1.conf').some((r) => /port 8080 differs from the virtual port 80/.test(r) && /Ln 1\b/.test(r)), listed.join('\n'));
    assert.ok(!listed.some((r) => /not allowed in the top level/.test(r)), 'the real_server snippet is read inside its virtual_server');
  });

  it('quick-fixes: Ctrl+. offers a file only its own fixes (none of conf.d/vrrp.conf\'s line 16 on keepalived.conf\'s), and a fix edits its own file', async function () {
    await openFile(page, 'keepalived/keepalived.conf');
    // Line 16 is a real_server line as long as vrrp.conf's: the cursor is on the columns of that file's diagnostic.
    assert.equal(MAIN.split('\n')[15].slice(26, 30), '25 {');
    const onMain = await quickFixes(page, 16, 27);
    await page.keyboard.press('Escape');
    assert.deepEqual(onMain.filter((t) => /real server port/i.test(t)), [], `offered on keepalived.conf: ${onMain.join(', ')}`);

    await openFile(page, 'keepalived/conf.d/vrrp.conf');
    const onVrrp = await quickFixes(page, 16, 27);
    assert.ok(onVrrp.includes('Set the real server port to 443'), `offered on vrrp.conf: ${onVrrp.join(', ')}`);
    for (let i = 0; i < onVrrp.indexOf('Set the real server port to 443'); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(500);
    const vrrp = await saveAndRead(page, path.join(ws, 'keepalived', 'conf.d', 'vrrp.conf'), (l) => l.join('\n') + '\n' !== VRRP);
    assert.equal(vrrp[15], '    real_server 10.0.0.11 443 {');
    assert.equal(fs.readFileSync(path.join(ws, 'keepalived', 'keepalived.conf'), 'utf8'), MAIN, 'keepalived.conf untouched');
  });

  it('typing: lines typed with Enter at the end of each keep their line breaks (keepalived.conf, ipvsadm rules)', async function () {
    await openFile(page, 'typed/keepalived.conf');
    await typeLines(page, KEEPALIVED_LINES);
    const typed = await saveAndRead(page, path.join(ws, 'typed', 'keepalived.conf'), (l) => l.length === KEEPALIVED_LINES.length);
    assert.deepEqual(typed.map((l) => l.trim()), KEEPALIVED_LINES);
    await openFile(page, 'typed/rules.ipvsadm');
    await typeLines(page, IPVSADM_LINES);
    const rules = await saveAndRead(page, path.join(ws, 'typed', 'rules.ipvsadm'), (l) => l.length === IPVSADM_LINES.length);
    assert.deepEqual(rules.map((l) => l.trim()), IPVSADM_LINES);
  });

  it('new-block: a block just opened reports nothing missing while empty at the cursor, everything after a pause', async function () {
    await openFile(page, 'typed/keepalived.conf');
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('virtual_server 192.0.2.10 443 {', { delay: 40 });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+Shift+M');
    await page.waitForTimeout(900);
    const early = (await problems(page)).filter((r) => /no protocol set|no scheduler set/.test(r));
    assert.deepEqual(early, [], 'nothing reported for the block being filled in');
    await waitFor('the empty block\'s problems after a pause', 10_000, async () => ((await problems(page)).some((r) => /no protocol set/.test(r)) ? true : undefined));
  });
});
