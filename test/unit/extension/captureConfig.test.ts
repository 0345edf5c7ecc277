// A capture keeps a copy of the config that defines its service (with the files that
// config includes), and capture.json records where it came from in the workspace, so
// the findings on the copy are shown on the user's own file
// (src/core/capture/manifest.ts copyConfig, src/extension/captures/workspaceTwin.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClusterModel } from '../../../src/core/config';
import { readManifest, validateManifest } from '../../../src/core/capture/manifest';
import type { CapturePlan } from '../../../src/core/capture/plan';
import { runCapture } from '../../../src/core/capture/run';
import { workspaceTwin } from '../../../src/extension/captures/workspaceTwin';
import { topLevelConfigOf, workspaceConfigOf } from '../../../src/extension/capture/workspaceFiles';

const VS = (vip: string, rs: string): string => `virtual_server ${vip} 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  real_server ${rs} 80 {\n    weight 1\n  }\n}\n`;

/** runCapture with no host: only the folder, the config copy and capture.json. */
async function captureWith(ws: string, configFile: string): Promise<string> {
  const out = path.join(ws, '.lvs', 'captures', '20261126-000000-tcp_192.0.2.10_80');
  fs.mkdirSync(out, { recursive: true });
  const plan: CapturePlan = { target: { vip: '192.0.2.10', protocol: 'tcp', port: 80 }, services: [], points: [], warnings: [] };
  await runCapture(plan, { get: () => Promise.reject(new Error('no host in this test')) } as never, { outDir: out, durationMs: 10, configFile, configRoot: ws });
  return out;
}

describe('the config of a capture and the workspace file it stands for', function () {
  let ws: string;
  beforeEach(function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-capcfg-'));
  });
  afterEach(function () {
    fs.rmSync(ws, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): string => {
    const f = path.join(ws, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };

  it('lb1/keepalived.conf and lb2/keepalived.conf: a finding on the copy of lb2\'s lands on lb2/keepalived.conf', async function () {
    write('lb1/keepalived.conf', VS('192.0.2.10', '10.0.0.1'));
    const lb2 = write('lb2/keepalived.conf', VS('192.0.2.10', '10.0.0.2'));
    const out = await captureWith(ws, lb2);
    const m = readManifest(out);
    assert.equal(m.config, 'keepalived.conf');
    assert.deepEqual(m.configFiles, [{ file: 'keepalived.conf', source: 'lb2/keepalived.conf' }]);
    const copy = loadClusterModel([path.join(out, m.config!)]).services[0].location!.file;
    assert.equal(workspaceTwin(copy, { folder: out, manifest: m }, [ws]), lb2);
  });

  it('a service in keepalived/conf.d/web.conf: the including keepalived.conf is copied with conf.d, findings land on web.conf', async function () {
    const main = write('keepalived/keepalived.conf', 'global_defs {\n  router_id lb1\n}\ninclude conf.d/*.conf\n');
    const web = write('keepalived/conf.d/web.conf', VS('192.0.2.10', '10.0.0.1'));
    const cfg = workspaceConfigOf([main, web].map((file) => ({ file, languageId: 'keepalived' })));
    const svc = cfg.model.services[0];
    assert.equal(svc.location?.file, web);
    const out = await captureWith(ws, topLevelConfigOf(svc.location!.file, cfg.documents));
    const m = readManifest(out);
    assert.deepEqual(m.configFiles, [
      { file: 'keepalived.conf', source: 'keepalived/keepalived.conf' },
      { file: 'conf.d/web.conf', source: 'keepalived/conf.d/web.conf' },
    ]);
    // The analysis loads the copy, whose include now resolves inside the capture folder.
    const copied = loadClusterModel([path.join(out, m.config!)]).services;
    assert.equal(copied.length, 1, 'the copy\'s include resolves');
    assert.equal(copied[0].location!.file, path.join(out, 'conf.d', 'web.conf'));
    assert.equal(workspaceTwin(copied[0].location!.file, { folder: out, manifest: m }, [path.join(os.tmpdir(), 'other-ws'), ws]), web);
  });

  it('a workspace file edited since the capture is not blamed (the copy\'s lines are the right ones)', async function () {
    const lb2 = write('lb2/keepalived.conf', VS('192.0.2.10', '10.0.0.2'));
    const out = await captureWith(ws, lb2);
    fs.appendFileSync(lb2, '# edited\n');
    assert.equal(workspaceTwin(path.join(out, 'keepalived.conf'), { folder: out, manifest: readManifest(out) }, [ws]), undefined);
  });

  it('an older capture.json without configFiles still opens and maps by name', function () {
    const file = write('keepalived.conf', VS('192.0.2.10', '10.0.0.1'));
    const out = path.join(ws, '.lvs', 'captures', 'old');
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(file, path.join(out, 'keepalived.conf'));
    fs.writeFileSync(path.join(out, 'capture.json'), JSON.stringify({ format: 1, target: { vip: '192.0.2.10' }, services: [], points: [], config: 'keepalived.conf' }));
    const m = readManifest(out);
    assert.equal(m.configFiles, undefined);
    assert.equal(workspaceTwin(path.join(out, 'keepalived.conf'), { folder: out, manifest: m }, [ws]), file);
  });

  it('malformed configFiles entries are left out, never fatal', function () {
    const base = { format: 1, target: { vip: '192.0.2.10' }, points: [] };
    assert.equal(validateManifest({ ...base, configFiles: 'x' }).configFiles, undefined);
    assert.deepEqual(validateManifest({ ...base, configFiles: [{ file: '../../etc/passwd', source: 'a' }, { file: 'k.conf' }, { file: 'k.conf', source: 'lb/k.conf' }] }).configFiles, [{ file: 'k.conf', source: 'lb/k.conf' }]);
  });
});
