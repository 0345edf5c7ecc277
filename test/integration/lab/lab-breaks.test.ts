import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labUp, type Lab } from '../../lab/lab';
import { startCapture, readCapture } from '../../lab/tcpdump';
import { requireLabTools, ssh, tally } from './helpers';

/** Brings a lab up for one describe block and always takes it down. */
function withLab(opts: Parameters<typeof labUp>[0], body: (get: () => Lab) => void): void {
  let lab: Lab | undefined;
  before(async function () {
    requireLabTools(this);
    lab = await labUp(opts);
  });
  after(async function () {
    await lab?.down();
  });
  body(() => lab!);
}

async function withCapture<T>(lab: Lab, host: string, iface: string, filter: string, fn: () => Promise<T>): Promise<{ lines: string[]; result: T }> {
  const dir = fs.mkdtempSync('/tmp/lvslab-test-');
  try {
    const h = lab.hosts.find((x) => x.name === host)!;
    const cap = await startCapture(h.netns, iface, path.join(dir, 'cap.pcap'), { filter });
    const result = await fn();
    await cap.stop();
    return { lines: await readCapture(cap.file), result };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('lab breaks', function () {
  this.timeout(60_000);

  describe('arp-problem (DR): rs1 answers ARP for the VIP', function () {
    withLab({ mode: 'dr', breaks: ['arp-problem'] }, (lab) => {
      it('an ARP request from the router for the VIP gets a reply from rs1 as well as the director', async function () {
        const rs1 = lab().hosts.find((h) => h.name === 'rs1')!;
        const director = lab().hosts.find((h) => h.name === 'director')!;
        assert.equal(lab().brokenHost['arp-problem'], 'rs1');
        const { lines } = await withCapture(lab(), 'router', 'eth1', 'arp', async () => {
          await lab().exec('router', ['ip', 'neigh', 'flush', 'dev', 'eth1']);
          return lab().clientTraffic({ protocol: 'tcp', count: 1 });
        });
        const replies = lines.filter((l) => /Reply 192\.0\.2\.100 is-at/.test(l));
        assert.ok(replies.some((l) => l.includes(`is-at ${rs1.mac}`)), `rs1 replies:\n${lines.join('\n')}`);
        assert.ok(replies.some((l) => l.includes(`is-at ${director.mac}`)), `director replies:\n${lines.join('\n')}`);
      });
      it('rs2, configured right, does not answer ARP for the VIP', async function () {
        const rs2 = lab().hosts.find((h) => h.name === 'rs2')!;
        const { lines } = await withCapture(lab(), 'router', 'eth1', 'arp', async () => {
          await lab().exec('router', ['ip', 'neigh', 'flush', 'dev', 'eth1']);
          return lab().clientTraffic({ protocol: 'udp', count: 1 });
        });
        assert.ok(lines.some((l) => /Request who-has 192\.0\.2\.100/.test(l)), lines.join('\n'));
        assert.ok(!lines.some((l) => l.includes(`is-at ${rs2.mac}`) && l.includes('192.0.2.100')), lines.join('\n'));
      });
    });
  });

  describe('vip-missing-on-lo (DR): rs2 lacks the VIP', function () {
    withLab({ mode: 'dr', breaks: ['vip-missing-on-lo'] }, (lab) => {
      it('requests sent to rs2 get no answer while rs1 answers', async function () {
        assert.equal(lab().brokenHost['vip-missing-on-lo'], 'rs2');
        const lo = await lab().exec('rs2', ['ip', '-o', 'addr', 'show', 'dev', 'lo']);
        assert.doesNotMatch(lo.stdout, /192\.0\.2\.100/);
        // Fixed source ports: the lab's seeded hash splits them 4:4 (see test/lab/samples.ts),
        // so both real servers get requests on every run (random ports: not about once in 500).
        const { lines, result } = await withCapture(lab(), 'rs2', 'eth0', 'tcp port 80', () =>
          lab().clientTraffic({ protocol: 'tcp', count: 8, sourcePortBase: 41013, timeoutMs: 600 }),
        );
        const t = tally(result);
        assert.equal(t.rs1, 4, JSON.stringify(t));
        assert.equal(t.rs2, undefined, JSON.stringify(t));
        assert.equal(t['error:timeout'], 4, JSON.stringify(t));
        // the SYNs reached rs2 and it said nothing
        assert.ok(lines.some((l) => /> 192\.0\.2\.100\.80: Flags \[S\]/.test(l)), lines.join('\n'));
        assert.ok(!lines.some((l) => /192\.0\.2\.100\.80 > /.test(l)), lines.join('\n'));
      });
    });
  });

  describe('wrong-gateway (NAT): rs2 routes replies around the director', function () {
    withLab({ mode: 'nat', breaks: ['wrong-gateway'] }, (lab) => {
      it("rs2's replies leave with the router's MAC, not the director's, and the client never gets them right", async function () {
        assert.equal(lab().brokenHost['wrong-gateway'], 'rs2');
        const rs2 = lab().hosts.find((h) => h.name === 'rs2')!;
        const dirPriv = lab().hosts.find((h) => h.name === 'director')!.interfaces.find((i) => i.name === 'eth1')!;
        const routerPriv = lab().hosts.find((h) => h.name === 'router')!.interfaces.find((i) => i.name === 'eth2')!;
        const { lines, result } = await withCapture(lab(), 'rs2', 'eth0', 'tcp port 8080', () =>
          lab().clientTraffic({ protocol: 'tcp', count: 8, sourcePortBase: 41013, timeoutMs: 600 }),
        );
        const t = tally(result);
        assert.equal(t.rs1, 4, JSON.stringify(t));
        assert.equal(t.rs2, undefined, JSON.stringify(t));
        const replies = lines.filter((l) => / 10\.0\.0\.12\.8080 > /.test(l));
        assert.ok(replies.length > 0, lines.join('\n'));
        for (const l of replies) {
          assert.ok(l.includes(`${rs2.mac} > ${routerPriv.mac},`), `via the router: ${l}`);
          assert.ok(!l.includes(`> ${dirPriv.mac},`), l);
        }
      });
    });
  });

  describe('dead-rs and no-tcpdump:rs1 (DR)', function () {
    withLab({ mode: 'dr', breaks: ['dead-rs', 'no-tcpdump:rs1'] }, (lab) => {
      it('connections to rs2 are refused while rs1 answers; a fixed UDP source port keeps hitting the dead one', async function () {
        assert.equal(lab().brokenHost['dead-rs'], 'rs2');
        const t = tally(await lab().clientTraffic({ protocol: 'tcp', count: 12 }));
        assert.ok(t.rs1 > 0, JSON.stringify(t));
        assert.ok(t['error:ECONNREFUSED'] > 0, JSON.stringify(t));
        assert.equal(t.rs1 + t['error:ECONNREFUSED'], 12, JSON.stringify(t));
        // find a source port that the director sends to rs2, then stay on it
        let port = 0;
        for (let p = 40000; p < 40040 && !port; p++) {
          const [r] = await lab().clientTraffic({ protocol: 'udp', count: 1, fixedSourcePort: p, timeoutMs: 500 });
          if (!r.ok) port = p;
        }
        assert.ok(port, 'some source port maps to rs2');
        const again = await lab().clientTraffic({ protocol: 'udp', count: 4, fixedSourcePort: port, timeoutMs: 500 });
        assert.ok(again.every((r) => !r.ok), JSON.stringify(again));
      });
      it("rs1's sshd sessions cannot execute tcpdump; rs2's can; lab.exec is unaffected", async function () {
        const broken = await ssh(lab(), 'rs1', 'tcpdump --version');
        assert.notEqual(broken.code, 0);
        assert.match(broken.stderr, /Permission denied|not found/);
        const viaSudo = await ssh(lab(), 'rs1', 'sudo -n tcpdump --version');
        assert.match(viaSudo.stderr, /command not found/);
        const fine = await ssh(lab(), 'rs2', 'tcpdump --version');
        assert.equal(fine.code, 0, fine.stderr);
        const direct = await lab().exec('rs1', ['tcpdump', '--version']);
        assert.equal(direct.code, 0);
      });
    });
  });
});
