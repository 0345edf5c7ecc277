// What the LVS view shows (src/extension/tree/treeNodes.ts, no vscode).
import * as assert from 'node:assert/strict';
import { analyzeText } from '../../../src/core/config';
import { clusterNodes, NO_CONFIG, rootNodes } from '../../../src/extension/tree/treeNodes';

const VRRP_ONLY = `vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.10
  }
}
`;

describe('LVS tree nodes', function () {
  it('shows nothing at the root without a workspace folder, so the welcome content (Open Capture…) appears', function () {
    assert.deepEqual(rootNodes(0), []);
    assert.deepEqual(
      rootNodes(1).map((n) => (n.kind === 'section' ? n.id : n.kind)),
      ['cluster', 'captures', 'check'],
    );
  });

  it('a keepalived.conf with only vrrp_instance blocks shows its directors, not "no config"', function () {
    const model = analyzeText(VRRP_ONLY, '/ws/keepalived.conf')!.model;
    assert.equal(model.services.length, 0);
    assert.deepEqual(clusterNodes(model).map((n) => n.kind), ['directors']);
  });

  it('services then directors; nothing at all says there is no config', function () {
    const model = analyzeText('virtual_server 192.0.2.10 80 {\n  protocol TCP\n  real_server 10.0.0.1 80 {\n  }\n}\n', '/ws/keepalived.conf')!.model;
    assert.deepEqual(clusterNodes(model).map((n) => n.kind), ['service', 'directors']);
    assert.deepEqual(clusterNodes({ services: [], vrrpInstances: [] }), [{ kind: 'message', text: NO_CONFIG }]);
  });
});
