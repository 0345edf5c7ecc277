// The hosts Capture, Check Cluster and Probe offer (src/extension/capture/hosts.ts, no
// vscode): a hosts file is the cluster's; an ssh_config is every host the user reaches,
// so only the ones the workspace config names get a role and are preselected.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCandidates, hostPickItem, loadHostChoices, roleOf, tryLoadHostChoices } from '../../../src/extension/capture/hosts';
import { workspaceConfigOf } from '../../../src/extension/capture/workspaceFiles';

const KEEPALIVED = `global_defs {
  router_id lb-b
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 90
  unicast_src_ip 10.0.0.12
  unicast_peer {
    10.0.0.11
  }
  virtual_ipaddress {
    192.0.2.10
  }
}
virtual_server 192.0.2.10 80 {
  lvs_sched rr
  lvs_method DR
  protocol TCP
  real_server 10.0.0.21 80 {
    weight 1
  }
}
`;

const SSH_CONFIG = `Host *
  ServerAliveInterval 30
Host github.com
  User git
Host lb1
  HostName 10.0.0.11
Host lb-b
  HostName lb-b.example.net
Host web1
  HostName 10.0.0.21
Host 10.0.0.21
Host bastion
  HostName 198.51.100.1
`;

describe('hosts for capture, check and probe', function () {
  let dir: string;
  let ws: ReturnType<typeof workspaceConfigOf>;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-hosts-'));
    fs.writeFileSync(path.join(dir, 'keepalived.conf'), KEEPALIVED);
    fs.writeFileSync(path.join(dir, 'ssh_config'), SSH_CONFIG);
    ws = workspaceConfigOf([{ file: path.join(dir, 'keepalived.conf'), languageId: 'keepalived' }]);
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ssh_config hosts the workspace config does not name get no role and are not preselected', function () {
    const choices = loadHostChoices(ws.model, undefined, path.join(dir, 'ssh_config'), ws.directors);
    assert.equal(choices.fromHostsFile, false);
    const role = Object.fromEntries(choices.hosts.map((h) => [h.name, h.role ?? 'none']));
    assert.deepEqual(role, { 'github.com': 'none', lb1: 'director', 'lb-b': 'director', web1: 'real-server', '10.0.0.21': 'real-server', bastion: 'none' });
    const picked = choices.hosts.filter((h) => hostPickItem(h, 'captured').picked).map((h) => h.name);
    assert.deepEqual(picked, ['lb1', 'lb-b', 'web1', '10.0.0.21']);
    assert.equal(choices.hosts.find((h) => h.name === 'web1')?.realServer, '10.0.0.21');
    assert.match(hostPickItem(choices.hosts[0], 'checked').description, /not in the workspace config/);
  });

  it('Check Cluster asks which ssh_config hosts to read; a hosts file\'s directors and real servers are read as listed', function () {
    const fromSsh = checkCandidates(loadHostChoices(ws.model, undefined, path.join(dir, 'ssh_config'), ws.directors));
    assert.equal(fromSsh.ask, true);
    const hostsFile = path.join(dir, 'hosts.json');
    fs.writeFileSync(hostsFile, JSON.stringify([{ name: 'd1', host: '10.0.0.11' }, { name: 'c', host: '10.0.0.99', role: 'client' }, { name: 'r1', host: '10.0.0.21', address: '10.0.0.21' }]));
    const fromFile = checkCandidates(loadHostChoices(ws.model, hostsFile, undefined, ws.directors));
    assert.equal(fromFile.ask, false);
    assert.deepEqual(fromFile.hosts.map((h) => [h.name, roleOf(h)]), [['d1', 'director'], ['r1', 'real-server']]);
  });

  it('a broken hosts file gives a message that names it', function () {
    const hostsFile = path.join(dir, 'hosts.json');
    fs.writeFileSync(hostsFile, '{ not json');
    const r = tryLoadHostChoices(ws.model, hostsFile);
    assert.ok('error' in r);
    assert.match(r.error, new RegExp(`hosts file ${hostsFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(setting lvs.hostsFile\\): not valid JSON`));
    const gone = tryLoadHostChoices(ws.model, path.join(dir, 'nope.json'));
    assert.ok('error' in gone && gone.error.includes('nope.json'));
  });
});
