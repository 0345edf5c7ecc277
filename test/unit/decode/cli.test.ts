import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapWriter } from '../../../src/core/pcap';
import { repoRoot } from '../../helpers/env';
import { arp, ether, ipv4, tcp, udp, vrrp } from '../../helpers/frames';

function lvsTrace(...args: Array<string | Buffer>): { code: number | null; stdout: string; stderr: string } {
  const input = args.find((a): a is Buffer => Buffer.isBuffer(a));
  const argv = args.filter((a): a is string => typeof a === 'string');
  const script = `require('./src/cli/main').main(${JSON.stringify(argv)}).then((c) => { process.exitCode = c; })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lvs-trace decode', function () {
  this.timeout(30000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-decode-'));
  const file = path.join(dir, 'mixed.pcap');
  const M1 = '02:00:c0:00:02:01';
  const M2 = '02:00:c0:00:02:02';
  const frames = [
    ether({ src: M1, dst: 'ff:ff:ff:ff:ff:ff' }, arp({ op: 'request', senderMac: M1, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' })),
    ether({ src: M1, dst: M2 }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp', id: 5 }, tcp({ sport: 42330, dport: 80, seq: 100, flags: 'S' }))),
    ether({ src: M2, dst: M1 }, ipv4({ src: '192.0.2.100', dst: '198.51.100.10', proto: 'tcp', id: 6 }, tcp({ sport: 80, dport: 42330, seq: 900, ack: 101, flags: 'SA' }))),
    ether({ src: M1, dst: M2 }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'udp', id: 7 }, udp({ sport: 40000, dport: 9000 }, new Uint8Array(21)))),
    ether({ src: '00:00:5e:00:01:33', dst: '01:00:5e:00:00:12' }, ipv4({ src: '192.0.2.2', dst: '224.0.0.18', proto: 'vrrp', ttl: 255 }, vrrp({ version: 2, vrid: 51, priority: 150, addresses: ['192.0.2.100'] }))),
    ether({ src: M2, dst: '02:00:c0:00:02:0b' }, ipv4({ src: '192.0.2.2', dst: '192.0.2.11', proto: 'ipip' }, ipv4({ src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp', id: 5 }, tcp({ sport: 42330, dport: 80, seq: 100, flags: 'S' })))),
  ];
  const w = new PcapWriter({ linkType: 1 });
  frames.forEach((f, k) => w.add(1764080525 + k / 10, f));
  w.writeFile(file);

  it('prints one JSON object per packet with the documented keys', function () {
    const r = lvsTrace('decode', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, frames.length);
    assert.deepEqual(rows.map((o) => o.n), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(rows[0], { n: 1, ts: 1764080525, srcMac: M1, dstMac: 'ff:ff:ff:ff:ff:ff', proto: 'arp', arp: { op: 'request', senderMac: M1, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' } });
    assert.deepEqual(
      { ...rows[2], tcp: undefined },
      { n: 3, ts: 1764080525.2, srcMac: M2, dstMac: M1, src: '192.0.2.100', dst: '198.51.100.10', ipId: 6, ttl: 64, proto: 'tcp', sport: 80, dport: 42330, flags: 'S.', seq: 900, ack: 101, len: 0, tcp: undefined },
    );
    assert.equal(rows[3].len, 21);
    assert.equal(rows[3].proto, 'udp');
    assert.deepEqual(rows[4].vrrp, { version: 2, type: 1, vrid: 51, priority: 150, intervalSec: 1, addresses: ['192.0.2.100'], authType: 0 });
    assert.equal(rows[5].proto, 'ipip');
    assert.deepEqual(rows[5].inner, { src: '198.51.100.10', dst: '192.0.2.100', proto: 'tcp', ipId: 5, sport: 42330, dport: 80, flags: 'S', seq: 100, len: 0 });
    for (const o of rows) assert.ok(!Object.values(o).includes(undefined));
  });

  it('prints tcpdump-like text by default', function () {
    const r = lvsTrace('decode', file);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, frames.length);
    assert.equal(lines[0], '2025-11-25 14:22:05.000000 02:00:c0:00:02:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.100 tell 192.0.2.1, length 28');
    assert.match(lines[1], /ethertype IPv4 \(0x0800\), length 54: 198\.51\.100\.10\.42330 > 192\.0\.2\.100\.80: Flags \[S\], seq 100, win 64240, length 0$/);
    assert.match(lines[5], /192\.0\.2\.2 > 192\.0\.2\.11: 198\.51\.100\.10\.42330 > 192\.0\.2\.100\.80: Flags \[S\], seq 100, win 64240, length 0$/);
    assert.match(lines[4], /VRRPv2, Advertisement, vrid 51, prio 150/);
  });

  it('decodes a live pcap stream on stdin (-)', function () {
    const r = lvsTrace('decode', '-', '--json', fs.readFileSync(file));
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, frames.length);
    assert.equal(rows[5].proto, 'ipip');
    assert.equal(lvsTrace('decode', file, '--json').stdout, r.stdout);
  });

  it('prints the packets of a truncated file and warns with the byte offset', function () {
    const cut = path.join(dir, 'cut.pcap');
    const buf = fs.readFileSync(file);
    fs.writeFileSync(cut, buf.subarray(0, buf.length - 7));
    const last = buf.length - 16 - frames[frames.length - 1].length;
    const r = lvsTrace('decode', cut, '--json');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim().split('\n').length, frames.length - 1);
    assert.match(r.stderr, new RegExp(`cut\\.pcap: warning: file truncated: .* at byte ${last}`));
  });

  it('prints the packets before a record that turns corrupt, then fails naming it (exit 1)', function () {
    const bytes = fs.readFileSync(file);
    let at = 24;
    for (let k = 0; k < 2; k++) at += 16 + bytes.readUInt32LE(at + 8);
    bytes.writeUInt32LE(0x7fffffff, at + 8);
    const broken = path.join(dir, 'broken.pcap');
    fs.writeFileSync(broken, bytes);
    const r = lvsTrace('decode', broken);
    assert.equal(r.code, 1);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.match(r.stderr, new RegExp(`broken\\.pcap: impossible captured length \\d+ .* at byte ${at}`));
  });

  it('fails on a file that is not a capture, naming the file and offset (exit 2: input error)', function () {
    const bad = path.join(dir, 'notes.txt');
    fs.writeFileSync(bad, 'hello, this is not a pcap\n');
    const r = lvsTrace('decode', bad);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /notes\.txt: not a pcap or pcapng file \(magic 0x68656c6c\) at byte 0/);
    const missing = lvsTrace('decode', path.join(dir, 'nope.pcap'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.pcap: no such file or folder/);
  });
});
