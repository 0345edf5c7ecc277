// The text lines of `lvs-trace decode` against what real tcpdump prints with the same
// layout options (-nn -e -tttt -S, UTC) on the same files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatPacketLine, readPackets, type Packet } from '../../../src/core/decode';
import { PcapWriter } from '../../../src/core/pcap';
import { hasCommand, hasSharedFixtures, repoRoot, requireOrSkip } from '../../helpers/env';
import { arp, ether, sll, sll2 } from '../../helpers/frames';
import { pcapFixtures } from '../pcap/fixtures';
import { writeSyntheticCaptures } from './synthetic';

function tcpdumpLines(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('tcpdump', ['-nn', '-e', '-tttt', '-S', '-r', file], { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.split('\n').filter((l) => l !== ''));
    });
  });
}

/**
 * Lines we do not imitate, and why: IGMP (tcpdump decodes the group records), IPv6
 * extension headers (tcpdump prints them as "HBH DSTOPT ..." before the ports), and GRE
 * with the checksum bit (tcpdump adds the offset field).
 */
function imitated(p: Packet, theirs: string): boolean {
  if (p.proto === 'igmp' || p.ipv6ExtHeaders !== undefined) return false;
  if (p.gre && (p.data[(p.l4Offset ?? 0)] & 0x80) !== 0) return false;
  return !/igmp/.test(theirs);
}

async function compare(file: string): Promise<{ problems: string[]; compared: number }> {
  const theirs = await tcpdumpLines(file);
  const problems: string[] = [];
  let k = 0;
  let compared = 0;
  readPackets(file, (p) => {
    const t = theirs[k++];
    if (t === undefined || !imitated(p, t)) return;
    compared++;
    const ours = formatPacketLine(p);
    // tcpdump goes on to decode application payloads (": HTTP: GET / ..."): compare up to there.
    if (t !== ours && !t.startsWith(`${ours}: `) && problems.length < 10) problems.push(`#${p.n}\n  tcpdump: ${t}\n  ours:    ${ours}`);
  });
  if (k !== theirs.length) problems.push(`${k} packets, tcpdump printed ${theirs.length} lines`);
  return { problems, compared };
}

describe('decode text lines match tcpdump -nn -e -tttt -S', function () {
  this.timeout(60000);

  it('on every lab fixture pcap', async function () {
    requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump');
    requireOrSkip(this, hasSharedFixtures(), 'shared lab fixtures (../shared/fixtures/lab)');
    let compared = 0;
    for (const file of pcapFixtures()) {
      const r = await compare(file);
      assert.deepEqual(r.problems, [], file);
      compared += r.compared;
    }
    assert.ok(compared > 2000, `${compared} lines compared`);
  });

  it('ARP: the length after the link header, padding included (Ethernet, VLAN, cooked v1 and v2)', async function () {
    const M1 = '02:00:c0:00:02:01';
    const request = arp({ op: 'request', senderMac: M1, senderIp: '192.0.2.1', targetMac: '00:00:00:00:00:00', targetIp: '192.0.2.100' });
    const reply = arp({ op: 'reply', senderMac: M1, senderIp: '192.0.2.100', targetMac: M1, targetIp: '192.0.2.1' });
    /** Zero padding up to `size` bytes, as a NIC pads a short frame to 60 bytes. */
    const pad = (f: Uint8Array, size: number): Uint8Array => {
      const out = new Uint8Array(Math.max(size, f.length));
      out.set(f);
      return out;
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-arp-len-'));
    try {
      const cases: Array<{ linkType: number; frame: Uint8Array; expected: RegExp }> = [
        { linkType: 1, frame: pad(ether({ src: M1, dst: 'ff:ff:ff:ff:ff:ff' }, request), 60), expected: /length 60: Request who-has 192\.0\.2\.100 tell 192\.0\.2\.1, length 46$/ },
        { linkType: 1, frame: ether({ src: M1, dst: 'ff:ff:ff:ff:ff:ff' }, request), expected: /length 42: Request who-has .*, length 28$/ },
        { linkType: 1, frame: pad(ether({ src: M1, dst: M1, vlan: 100 }, reply), 64), expected: /Reply 192\.0\.2\.100 is-at 02:00:c0:00:02:01, length 46$/ },
        { linkType: 113, frame: pad(sll({ packetType: 1, src: M1, type: 0x0806 }, request), 62), expected: /length 62: Request who-has .*, length 46$/ },
        { linkType: 276, frame: pad(sll2({ packetType: 1, src: M1, type: 0x0806, ifIndex: 2 }, reply), 66), expected: /length 66: Reply .*, length 46$/ },
      ];
      for (const [k, c] of cases.entries()) {
        const file = path.join(dir, `arp-${k}.pcap`);
        const w = new PcapWriter({ linkType: c.linkType });
        w.add(1764080525 + k, c.frame);
        w.writeFile(file);
        const ours: string[] = [];
        readPackets(file, (p) => void ours.push(formatPacketLine(p)));
        assert.match(ours[0], c.expected, `case ${k}`);
        // SLL2 left out: tcpdump names the interface index after this host's interfaces.
        if (hasCommand('tcpdump') && c.linkType !== 276) assert.deepEqual(ours, await tcpdumpLines(file), `case ${k} against tcpdump`);
      }
      // pcap-parser's sample: ARP in 60-byte Ethernet frames.
      const be = path.join(repoRoot, 'node_modules', 'pcap-parser', 'test', 'be.pcap');
      if (fs.existsSync(be)) {
        const lines: string[] = [];
        readPackets(be, (p) => void (p.arp && lines.push(formatPacketLine(p))));
        assert.ok(lines.length >= 2 && lines.every((l) => l.endsWith(', length 46')), lines.join('\n'));
        if (hasCommand('tcpdump')) {
          const theirs = (await tcpdumpLines(be)).filter((l) => /ethertype ARP/.test(l));
          assert.deepEqual(lines, theirs);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on generated captures (Ethernet with VLANs, cooked v1, loopback, raw IP)', async function () {
    requireOrSkip(this, hasCommand('tcpdump'), 'tcpdump');
    // Microsecond files only: tcpdump truncates nanoseconds where our float timestamp
    // rounds; SLL2 is left out because tcpdump names interface indexes after this host's.
    const files = writeSyntheticCaptures().filter((s) => /^(ethernet-us|sll\.|null|loop|raw-22)/.test(s.name));
    assert.equal(files.length, 7);
    for (const s of files) {
      const r = await compare(s.file);
      assert.deepEqual(r.problems, [], s.name);
      assert.ok(r.compared >= s.frames - 4, `${s.name}: ${r.compared} of ${s.frames} compared`);
    }
  });
});
