// The text lines of `lvs-trace decode` against what real tcpdump prints with the same
// layout options (-nn -e -tttt -S, UTC) on the same files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { formatPacketLine, readPackets, type Packet } from '../../../src/core/decode';
import { hasCommand, hasSharedFixtures, requireOrSkip } from '../../helpers/env';
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
