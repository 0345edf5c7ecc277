// The workspace's config as the LVS tree, Capture, Check and Probe see it
// (src/extension/capture/workspaceFiles.ts, no vscode): the same file names the
// editor's languages claim, and an included file counted once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { serviceKey } from '../../../src/core/model/cluster';
import { configFilesOf, configGlobs, topLevelConfigOf, workspaceConfigOf } from '../../../src/extension/capture/workspaceFiles';
import { repoRoot } from '../../helpers/env';

const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { contributes: { languages: Array<{ id: string }> } };

const VS = (vip: string): string => `virtual_server ${vip} 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  real_server 10.0.0.1 80 {\n    weight 1\n  }\n}\n`;

describe('workspace config files', function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-wscfg-'));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): string => {
    const f = path.join(dir, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };

  it('searches every file name the keepalived and ipvsadm languages claim', function () {
    const globs = configGlobs(pkg.contributes.languages as never, { '**/lb/*.rules': 'ipvsadm' });
    const languageOf = (rel: string): string[] => globs.filter((g) => path.matchesGlob(rel, g.glob)).map((g) => g.languageId);
    const expected: Record<string, string> = {
      'keepalived.conf': 'keepalived',
      'lb1/keepalived.conf': 'keepalived',
      'etc/keepalived/conf.d/web.conf': 'keepalived',
      'etc/keepalived.d/web.conf': 'keepalived',
      'lb1.keepalived': 'keepalived',
      'lb1.keepalived.conf': 'keepalived',
      'etc/sysconfig/ipvsadm': 'ipvsadm',
      'etc/sysconfig/ipvsadm-config': 'ipvsadm',
      ipvsadm: 'ipvsadm',
      'ipvsadm.conf': 'ipvsadm',
      'ipvsadm.rules': 'ipvsadm',
      'x/ipvsadm-save.txt': 'ipvsadm',
      'etc/ipvsadm/web.rules': 'ipvsadm',
      'lb2.ipvsadm': 'ipvsadm',
      'lb/web.rules': 'ipvsadm',
    };
    for (const [rel, lang] of Object.entries(expected)) assert.deepEqual(languageOf(rel), [lang], rel);
    for (const rel of ['README.md', 'etc/nginx/nginx.conf']) assert.deepEqual(languageOf(rel), [], rel);
  });

  it('a workspace whose only config is etc/sysconfig/ipvsadm has its services', function () {
    const f = write('etc/sysconfig/ipvsadm', '-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.1:80 -g -w 1\n');
    const files = configFilesOf([{ languageId: 'ipvsadm', files: [f] }]);
    const { model, errors } = workspaceConfigOf(files);
    assert.deepEqual(errors, []);
    assert.deepEqual(model.services.map(serviceKey), ['tcp:192.0.2.10:80']);
  });

  it('counts a virtual_server of an included file once, wherever the search found it', function () {
    const main = write('keepalived/keepalived.conf', 'global_defs {\n  router_id lb1\n}\ninclude conf.d/*.conf\n' + VS('192.0.2.10'));
    const web = write('keepalived/conf.d/web.conf', VS('192.0.2.20'));
    for (const order of [[main, web], [web, main]]) {
      const { model, documents, directors } = workspaceConfigOf(configFilesOf([{ languageId: 'keepalived', files: order }]));
      assert.deepEqual(model.services.map(serviceKey).sort(), ['tcp:192.0.2.10:80', 'tcp:192.0.2.20:80']);
      assert.deepEqual(documents.map((d) => d.file), [main]);
      assert.deepEqual(directors.names, ['lb1']);
      assert.equal(topLevelConfigOf(web, documents), main);
    }
  });

  it('keeps the services of two directors\' configs of the same name apart', function () {
    const a = write('lb1/keepalived.conf', VS('192.0.2.10'));
    const b = write('lb2/keepalived.conf', VS('192.0.2.10'));
    const { model, documents } = workspaceConfigOf(configFilesOf([{ languageId: 'keepalived', files: [b, a] }]));
    assert.equal(model.services.length, 2, 'one per director');
    assert.deepEqual(documents.map((d) => d.file), [a, b]);
  });

  it('names the directors the VRRP config gives: router_id, unicast_src_ip, unicast_peer', function () {
    const f = write(
      'keepalived.conf',
      'global_defs {\n  router_id lb-a\n}\nvrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  unicast_src_ip 10.0.0.11\n  unicast_peer {\n    10.0.0.12\n  }\n  virtual_ipaddress {\n    192.0.2.10\n  }\n}\n',
    );
    const { directors, model } = workspaceConfigOf([{ file: f, languageId: 'keepalived' }]);
    assert.deepEqual(directors, { names: ['lb-a'], addresses: ['10.0.0.12', '10.0.0.11'] });
    assert.equal(model.vrrpInstances.length, 1);
  });

  it('reports a file it cannot read instead of failing', function () {
    const { errors } = workspaceConfigOf([{ file: path.join(dir, 'gone', 'keepalived.conf'), languageId: 'keepalived' }]);
    assert.match(errors[0], /cannot read/);
  });
});
