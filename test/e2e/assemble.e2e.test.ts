// End to end in a real VS Code (code-server 4.100.3) with the packaged .vsix: "LVS: Assemble
// Capture from pcap Files…" run from the command palette on the pcaps of the bundled sample
// dr-vip-missing-on-lo (taken by hand, as far as the command knows), every prompt answered with
// the keyboard as a user would: the capture folder is written with the points and roles chosen,
// the flow view opens on it and names the real server whose VIP is missing on lo (rs-no-reply),
// and so does the Problems panel, on that real server's line of the workspace's keepalived.conf.
// Every wait is bounded.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hasCommand, repoRoot, requireOrSkip } from '../helpers/env';
import { CHROMIUM, launchChromium, saveScreenshot } from '../browser/harness';
import { answerFileDialog, hasCodeServer, logTexts, openWorkbench, packageExtension, runCommand, startCodeServer, waitFor, webviewFrame, type CodeServer } from './codeServer';

const SAMPLE = path.join(repoRoot, 'samples', 'dr-vip-missing-on-lo');
const VIP = '192.0.2.100';
/** rs2 of the sample: the director forwards to it, and it drops the frames (no VIP on lo). */
const SILENT_RS = '192.0.2.12';
const LIVE_RS = '192.0.2.11';

/** The sample's rs2-eth0.pcap is node2-eth0.pcap in the workspace: a name that tells no role. */
const RENAMED: Record<string, string> = { 'rs2-eth0.pcap': 'node2-eth0.pcap' };

/** A workspace with the sample's keepalived.conf and its pcaps in pcaps/, as if copied from the hosts. */
function makeWorkspace(): string {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-e2e-asm-'));
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }, null, 2));
  fs.copyFileSync(path.join(SAMPLE, 'keepalived.conf'), path.join(ws, 'keepalived.conf'));
  fs.mkdirSync(path.join(ws, 'pcaps'));
  for (const f of fs.readdirSync(path.join(SAMPLE, 'pcap'))) if (f.endsWith('.pcap')) fs.copyFileSync(path.join(SAMPLE, 'pcap', f), path.join(ws, 'pcaps', RENAMED[f] ?? f));
  return ws;
}

/** The visible quick input: its title, the text in its box and the box's placeholder. */
async function quickInput(page: Page): Promise<{ title: string; value: string; placeholder: string }> {
  const w = page.locator('.quick-input-widget:visible');
  if (!(await w.count())) return { title: '', value: '', placeholder: '' };
  const input = w.locator('input.input').first();
  return {
    title: ((await w.locator('.quick-input-title').textContent().catch(() => '')) ?? '').trim(),
    value: await input.inputValue().catch(() => ''),
    placeholder: (await input.getAttribute('placeholder').catch(() => '')) ?? '',
  };
}

/** The labels of the quick pick's rows (each row's first label: a row reused from an earlier
 *  pick may keep a hidden detail line). */
async function rowLabels(page: Page): Promise<string[]> {
  return page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row').evaluateAll((els) => els.map((e) => e.querySelector('.label-name')?.textContent?.trim() ?? ''));
}

/** The label of the row the quick pick has active (what Enter takes). */
async function activeRow(page: Page): Promise<string> {
  return ((await page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row.focused .label-name').first().textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
}

/** Presses Enter in the quick input until `step` (a predicate on it) no longer holds: a box
 *  that validates what is typed takes Enter only once it has. */
async function enterUntilGone(page: Page, what: string, step: (q: { title: string; value: string; placeholder: string }) => boolean): Promise<void> {
  await waitFor(what, 20_000, async () => {
    if (!step(await quickInput(page))) return true;
    await page.locator('.quick-input-widget:visible input.input').first().press('Enter').catch(() => undefined);
    await page.waitForTimeout(300);
    return undefined;
  });
}

/** Types `label` into the quick pick's filter until the row it leaves active is `label`. */
async function filterTo(page: Page, label: string): Promise<void> {
  await page.locator('.quick-input-widget:visible input.input').first().fill(label);
  await waitFor(`${label} the active row`, 10_000, async () => ((await activeRow(page)) === label ? true : undefined));
}

/**
 * One file's steps: the host box (prefilled from the file name: checked, kept or replaced by
 * `host`), then its role: the picker must start on the row `starts` (the role the command
 * infers or its name makes likely, or, when nothing tells, a row that commits nothing). A role
 * row is taken with Enter; the row that commits nothing is accepted with Enter (the picker
 * stays, asking again), then the role is typed into the filter and the row it leaves is taken.
 * A real server whose name the config does not know is then asked which of the config's it is:
 * the rows offered are checked, "Not known" first, and `realServer.pick` taken.
 */
async function describeFile(
  page: Page,
  o: { n: number; total: number; file: string; prefill: string; host?: string; role: string; starts: string; realServer?: { offered: string[]; pick: string } },
): Promise<void> {
  const title = `(${o.n}/${o.total}): ${o.file}`;
  // The host box has no placeholder; the role and real server picks of the file have one.
  const hostBox = (q: { title: string; placeholder: string }): boolean => q.title.includes(title) && q.placeholder === '';
  const seen = await waitFor(`the host box of ${o.file}`, 30_000, async () => {
    const q = await quickInput(page);
    return hostBox(q) && q.value ? q : undefined;
  });
  assert.equal(seen.value, o.prefill, `the host of ${o.file} is prefilled from its name`);
  const input = page.locator('.quick-input-widget:visible input.input').first();
  if (o.host !== undefined) await input.fill(o.host);
  await enterUntilGone(page, `the host of ${o.file} accepted`, hostBox);
  const host = (o.host ?? o.prefill).split('@')[0];
  await waitFor(`the role pick of ${o.file}`, 20_000, async () => {
    const q = await quickInput(page);
    return q.title.includes(title) && q.placeholder === `What is ${host}?` ? true : undefined;
  });
  const active = await waitFor(`the first active row of the role pick of ${host}`, 10_000, async () => (await activeRow(page)) || undefined);
  assert.equal(active, o.starts, `the role pick of ${host} starts on ${o.starts}`);
  if (o.starts !== o.role) {
    // Enter out of habit commits nothing: the same pick asks again.
    assert.equal((await rowLabels(page))[0], o.starts, 'the row that commits nothing is first');
    await page.keyboard.press('Enter');
    const again = await waitFor(`the role of ${host} asked again`, 10_000, async () => {
      const q = await quickInput(page);
      return q.title.includes(title) && q.placeholder.startsWith(`What is ${host}? Pick one of the roles`) ? q : undefined;
    });
    assert.equal(again.value, '');
    await filterTo(page, o.role);
  }
  await enterUntilGone(page, `the role of ${o.file} accepted`, (q) => q.title.includes(title) && q.placeholder.startsWith(`What is ${host}?`));
  if (!o.realServer) return;
  const which = (q: { title: string; placeholder: string }): boolean => q.title.includes(title) && q.placeholder.startsWith(`Which real server of the config is ${host}?`);
  await waitFor(`which real server ${host} is`, 20_000, async () => (which(await quickInput(page)) ? true : undefined));
  const offered = await rowLabels(page);
  assert.deepEqual(offered, o.realServer.offered, `the real servers offered for ${host}`);
  assert.equal(await activeRow(page), 'Not known', 'Enter alone ties nothing');
  await filterTo(page, o.realServer.pick);
  await enterUntilGone(page, `the real server of ${host} accepted`, which);
}

describe('end to end in code-server: Assemble Capture from pcap Files', function () {
  this.timeout(300_000);
  let vsix: string;
  let browser: Browser;

  before(async function () {
    requireOrSkip(this, hasCodeServer(), 'code-server in .tools (scripts/install-code-server.sh)');
    requireOrSkip(this, hasCommand(CHROMIUM), `Chromium at ${CHROMIUM}`);
    vsix = await packageExtension();
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
  });

  it('assembles the sample pcaps picked from the command palette: capture.json with the chosen points and roles, the flow view and the Problems panel name the real server without the VIP on lo', async function () {
    const ws = makeWorkspace();
    let server: CodeServer | undefined;
    let page: Page | undefined;
    try {
      server = await startCodeServer(ws, vsix);
      page = await openWorkbench(browser, server, ws);
      await runCommand(page, 'LVS: Assemble Capture from pcap Files');

      // 1. The file dialog is VS Code's simple one here (a path typed in a box): it picks one file.
      await page.locator('.quick-input-widget:visible', { hasText: 'pcap files taken by hand' }).waitFor({ state: 'visible', timeout: 20_000 });
      await answerFileDialog(page, path.join(ws, 'pcaps', 'director-eth0.pcap'), 'director-eth0.pcap');

      // 2. ...so the command lists the pcaps of its folder, that one checked. Checked with the
      //    keyboard (↓ into the list, Space): client, node2 (rs2 of the sample) and rs1; the router's is left out.
      await waitFor('the list of the folder\'s pcaps', 20_000, async () => ((await quickInput(page!)).title.includes('the pcaps in') ? true : undefined));
      const rows = page.locator('.quick-input-widget:visible .quick-input-list .monaco-list-row');
      const listed = await rowLabels(page);
      assert.deepEqual(listed, ['client-eth0.pcap', 'director-eth0.pcap', 'node2-eth0.pcap', 'router-eth1.pcap', 'rs1-eth0.pcap']);
      const checked = async (): Promise<string[]> =>
        (
          await rows.evaluateAll((els) =>
            els.map((e) => ({ label: e.querySelector('.label-name')?.textContent?.trim() ?? '', checked: e.getAttribute('aria-checked') === 'true' || !!e.querySelector('.monaco-custom-toggle.checked') })),
          )
        )
          .filter((r) => r.checked)
          .map((r) => r.label);
      assert.deepEqual(await checked(), ['director-eth0.pcap'], 'only the file picked in the dialog is checked');
      const want = ['client-eth0.pcap', 'director-eth0.pcap', 'node2-eth0.pcap', 'rs1-eth0.pcap'];
      for (let i = 0; i < listed.length * 2 && (await checked()).join() !== want.join(); i++) {
        await page.keyboard.press('ArrowDown');
        const at = await activeRow(page);
        const isChecked = (await checked()).includes(at);
        if (want.includes(at) !== isChecked) await page.keyboard.press('Space');
      }
      assert.deepEqual(await checked(), want);
      await page.keyboard.press('Enter');

      // 3. The service: the workspace config's, first in the list.
      await waitFor('the service pick', 20_000, async () => ((await quickInput(page!)).title.includes('virtual service') ? true : undefined));
      assert.equal(await activeRow(page), `tcp ${VIP}:80`);
      await enterUntilGone(page, 'the service accepted', (q) => q.title.includes('virtual service'));

      // 4. Host and role of each file, in the order listed. client and director are inferred from
      //    their names. node2 and rs1 say nothing to the config (its real servers are addresses):
      //    node2's name tells no role either, so its pick starts on a row that commits nothing;
      //    rs1's makes a real server likely. Then which real server each is (the one taken is not
      //    offered again).
      await describeFile(page, { n: 1, total: 4, file: 'client-eth0.pcap', prefill: 'client@eth0', role: 'client', starts: 'client' });
      await describeFile(page, { n: 2, total: 4, file: 'director-eth0.pcap', prefill: 'director@eth0', role: 'director', starts: 'director' });
      await describeFile(page, {
        n: 3,
        total: 4,
        file: 'node2-eth0.pcap',
        prefill: 'node2@eth0',
        role: 'real-server',
        starts: 'Choose the role of node2 (node2-eth0.pcap)',
        realServer: { offered: ['Not known', LIVE_RS, SILENT_RS], pick: SILENT_RS },
      });
      await describeFile(page, {
        n: 4,
        total: 4,
        file: 'rs1-eth0.pcap',
        prefill: 'rs1@eth0',
        role: 'real-server',
        starts: 'real-server',
        realServer: { offered: ['Not known', LIVE_RS], pick: LIVE_RS },
      });

      // 5. The folder: a new one under the workspace's .lvs/captures by default.
      const dest = await waitFor('the destination box', 20_000, async () => {
        const q = await quickInput(page!);
        return q.title.includes('folder to write') && q.value ? q.value : undefined;
      });
      assert.ok(dest.startsWith(path.join(ws, '.lvs', 'captures') + path.sep), dest);
      assert.ok(!fs.existsSync(dest), 'a new folder');
      await enterUntilGone(page, 'the destination accepted', (q) => q.title.includes('folder to write'));

      // The capture folder: capture.json with the points and roles chosen, the pcaps and the config.
      const manifestFile = path.join(dest, 'capture.json');
      await waitFor('capture.json written', 30_000, async () => (fs.existsSync(manifestFile) ? true : undefined));
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
        target: unknown;
        services: Array<{ protocol: string; port?: number; method: string }>;
        points: Array<{ host: string; role: string; interface: string; file: string; realServer?: string }>;
        config?: string;
        warnings?: string[];
      };
      assert.deepEqual(
        manifest.points.map((p) => ({ host: p.host, role: p.role, interface: p.interface, file: p.file, realServer: p.realServer })),
        [
          { host: 'client', role: 'client', interface: 'eth0', file: 'pcap/client-eth0.pcap', realServer: undefined },
          { host: 'director', role: 'director', interface: 'eth0', file: 'pcap/director-eth0.pcap', realServer: undefined },
          { host: 'node2', role: 'real-server', interface: 'eth0', file: 'pcap/node2-eth0.pcap', realServer: SILENT_RS },
          { host: 'rs1', role: 'real-server', interface: 'eth0', file: 'pcap/rs1-eth0.pcap', realServer: LIVE_RS },
        ],
      );
      assert.equal(manifest.warnings, undefined, 'every real server tied to the config: no warning');
      assert.deepEqual(manifest.target, { vip: VIP, protocol: 'tcp', port: 80 });
      assert.deepEqual(manifest.services.map((s) => `${s.protocol}:${s.port} ${s.method}`).sort(), ['tcp:80 dr', 'udp:9000 dr']);
      for (const p of manifest.points) assert.ok(fs.statSync(path.join(dest, p.file)).size > 0, p.file);
      assert.equal(manifest.config, 'keepalived.conf');
      assert.equal(fs.readFileSync(path.join(dest, 'keepalived.conf'), 'utf8'), fs.readFileSync(path.join(ws, 'keepalived.conf'), 'utf8'));
      assert.ok(fs.existsSync(path.join(ws, '.lvs', '.gitignore')), 'the captures are kept out of git');

      // The flow view opens on it and names the silent real server.
      const frame = await waitFor('the flow view of the assembled capture', 90_000, () => webviewFrame(page!, '.vlist-row'));
      const findings = await waitFor('the findings in the flow view', 30_000, async () => {
        const texts = await frame.locator('.findings .finding').allTextContents();
        return texts.length ? texts : undefined;
      });
      const noReply = findings.filter((t) => t.includes('rs-no-reply'));
      assert.ok(noReply.some((t) => t.includes(SILENT_RS)), `rs-no-reply for ${SILENT_RS} in the flow view (findings: ${findings.join(' | ')})`);
      assert.ok(!noReply.some((t) => t.includes(LIVE_RS)), `${LIVE_RS} answers: ${noReply.join(' | ')}`);
      assert.equal(await page.locator('.notification-list-item-message', { hasText: 'Capture assembled' }).count(), 0, 'no warning notification');
      const analysed = await waitFor('the analysis in the extension log', 20_000, async () => logTexts(server!.userDataDir).find((t) => t.includes(`analysed ${dest}`)));
      assert.ok(analysed.includes(`assembled ${dest} from`), 'the extension logged the assembly');

      // The Problems panel: rs-no-reply on a real_server line of the silent server in keepalived.conf.
      const rsLines = fs
        .readFileSync(path.join(ws, 'keepalived.conf'), 'utf8')
        .split('\n')
        .flatMap((l, i) => (l.trim().startsWith(`real_server ${SILENT_RS} `) ? [i + 1] : []));
      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel').first().waitFor({ state: 'visible', timeout: 20_000 });
      const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
      await filter.fill('rs-no-reply', { timeout: 10_000 });
      const problem = await waitFor('rs-no-reply in the Problems panel', 30_000, async () => {
        const texts = await page!.locator('.markers-panel .monaco-list-row').allTextContents();
        const entry = texts.find((t) => t.includes('rs-no-reply') && /Ln \d+/.test(t));
        return texts.some((t) => t.includes('keepalived.conf')) && entry ? { text: entry, line: Number(/Ln (\d+)/.exec(entry)![1]) } : undefined;
      });
      assert.ok(problem.text.includes(SILENT_RS), problem.text);
      assert.ok(rsLines.includes(problem.line), `line ${problem.line} is a real_server line of ${SILENT_RS} (${rsLines.join(', ')})`);
      await saveScreenshot(page, 'e2e-assemble.png');
    } catch (e) {
      if (page) await saveScreenshot(page, 'e2e-assemble-failed.png').catch(() => undefined);
      if (server) console.log(server.logs().slice(-4000));
      if (server) for (const t of logTexts(server.userDataDir)) if (t.includes('assemble')) console.log(t.slice(-3000));
      throw e;
    } finally {
      await page?.close();
      await server?.stop();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
