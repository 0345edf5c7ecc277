// The probe's one-shot clients (python3, node, bash) run for real on this machine
// against TCP and UDP servers on loopback: attempts, source ports, answers, refusals.
import { strict as assert } from 'node:assert';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { probeVip, type ProbeTool } from '../../../src/core/probe';
import { LocalHost } from '../../../src/core/ssh';
import { main } from '../../../src/cli/main';
import { hasCommand, requireOrSkip } from '../../helpers/env';

describe('probe clients against loopback servers', function () {
  this.timeout(60_000);
  let tcp: net.Server;
  let udp: dgram.Socket;
  let tcpPort = 0;
  let udpPort = 0;
  const tcpPeers: number[] = [];
  const udpPeers: number[] = [];
  const host = new LocalHost('here');

  before(async function () {
    tcp = net.createServer((s) => {
      tcpPeers.push(s.remotePort!);
      s.end('HTTP/1.0 200 OK\r\n\r\nhello from rsA\n');
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    tcpPort = (tcp.address() as net.AddressInfo).port;
    udp = dgram.createSocket('udp4');
    udp.on('message', (_m, rinfo) => {
      udpPeers.push(rinfo.port);
      udp.send('rsA', rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    udpPort = udp.address().port;
  });
  after(function () {
    tcp?.close();
    udp?.close();
  });

  const rs = (port: number): { name: string; address: string; port: number; weight: number }[] => [
    { name: 'rsA', address: '127.0.0.1', port, weight: 1 },
    { name: 'rsB', address: '127.0.0.2', port, weight: 1 },
  ];

  for (const tool of ['python3', 'node', 'bash'] as ProbeTool[]) {
    it(`${tool}: TCP attempts are answered, with the source ports the server saw`, async function () {
      requireOrSkip(this, hasCommand(tool), tool);
      tcpPeers.length = 0;
      const r = await probeVip({ from: host, tool, vip: '127.0.0.1', port: tcpPort, protocol: 'tcp', count: 6, realServers: rs(tcpPort), scheduler: 'rr', payload: 'GET / HTTP/1.0\r\n\r\n', intervalMs: 0 });
      assert.equal(r.tool, tool);
      assert.equal(r.attempts.length, 6);
      assert.ok(r.attempts.every((a) => a.ok && a.answeredBy === 'rsA' && a.via === 'answer'), JSON.stringify(r.attempts));
      if (tool !== 'bash') assert.deepEqual(r.attempts.map((a) => a.sourcePort).sort(), [...tcpPeers].sort());
      assert.deepEqual(r.distribution.map((d) => [d.server, d.count]), [['rsA', 6], ['rsB', 0]]);
      // rr over two servers expects 3 each: under 5 per server, so no verdict is given.
      assert.equal(r.judgement.verdict, 'too-few');
    });
  }

  for (const tool of ['python3', 'node'] as ProbeTool[]) {
    it(`${tool}: UDP requests are answered; a closed port is refused and reported`, async function () {
      requireOrSkip(this, hasCommand(tool), tool);
      udpPeers.length = 0;
      const r = await probeVip({ from: host, tool, vip: '127.0.0.1', port: udpPort, protocol: 'udp', count: 4, realServers: rs(udpPort), scheduler: 'rr', intervalMs: 0 });
      assert.ok(r.attempts.every((a) => a.ok && a.answeredBy === 'rsA'), JSON.stringify(r.attempts));
      assert.deepEqual(r.attempts.map((a) => a.sourcePort).sort(), [...udpPeers].sort());
      const closed = await new Promise<number>((res) => {
        const s = net.createServer();
        s.listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => res(p));
        });
      });
      const refused = await probeVip({ from: host, tool, vip: '127.0.0.1', port: closed, protocol: 'tcp', count: 3, realServers: rs(closed), scheduler: 'rr', intervalMs: 0 });
      assert.deepEqual(refused.attempts.map((a) => [a.ok, a.error]), [[false, 'refused'], [false, 'refused'], [false, 'refused']]);
      assert.deepEqual(refused.findings.map((f) => [f.code, f.severity]), [['probe-no-answer', 'error']]);
      assert.equal(refused.judgement.verdict, 'no-verdict');
    });
  }

  it('lvs-trace probe --from local --json: the same result through the command line', async function () {
    requireOrSkip(this, hasCommand('python3') || hasCommand('node'), 'python3 or node');
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      out += chunk;
      return true;
    }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['probe', '--service', `tcp:127.0.0.1:${tcpPort}`, '--from', 'local', '--count', '4', '--payload', 'GET / HTTP/1.0\\r\\n\\r\\n', '--interval', '1ms', '--json']);
    } finally {
      process.stdout.write = write;
    }
    assert.equal(code, 0);
    const r = JSON.parse(out) as { attempts: { ok: boolean; answer?: string }[]; judgement: { verdict: string; message: string } };
    assert.equal(r.attempts.length, 4);
    assert.ok(r.attempts.every((a) => a.ok && /hello from rsA/.test(a.answer ?? '')));
    assert.equal(r.judgement.verdict, 'no-verdict');
    assert.match(r.judgement.message, /no real servers known/);
    assert.equal(await main(['probe', '--service', `tcp:127.0.0.1:${tcpPort}`, '--from', 'local', '--count', '0']), 2);
  });

  it('refuses bad targets and counts before running anything', async function () {
    await assert.rejects(probeVip({ from: host, vip: '127.0.0.1; rm -rf /', port: 80, protocol: 'tcp', count: 1, realServers: [] }), /address/i);
    await assert.rejects(probeVip({ from: host, vip: '127.0.0.1', port: 80, protocol: 'tcp', count: 5000, realServers: [] }), /count must be 1-1000/);
    await assert.rejects(probeVip({ from: host, vip: '127.0.0.1', port: 0, protocol: 'tcp', count: 1, realServers: [] }), /port must be 1-65535/);
  });
});
