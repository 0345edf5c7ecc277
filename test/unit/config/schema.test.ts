// The keyword table against the real thing: every keyword we accept in a block
// is a keyword keepalived 2.2.7 accepts there (`keepalived -t` reports no
// "Unknown keyword" for it), so we never flag a valid config; and the sample
// values we build from each keyword's value type pass our own checks. The other
// way round, for virtual_server and real_server: every word of the keepalived
// binary that keepalived accepts as a keyword there is in our table (this is how
// `omega` and real_server `snmp_name` were found missing).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lintText } from '../../../src/core/config';
import { type ArgSpec, BLOCKS, type KeywordSpec } from '../../../src/core/config/keepalived/schema';
import { hasCommand, requireOrSkip } from '../../helpers/env';

/** Keywords that exist only in some keepalived builds (Debian's lacks libipset). */
const BUILD_DEPENDENT = new Set(['vrrp_ipsets']);

const WRAP: Record<string, [string, string]> = {
  root: ['', ''],
  global_defs: ['global_defs {', '}'],
  vrrp_instance: ['vrrp_instance V {', '}'],
  vrrp_script: ['vrrp_script S {', '}'],
  vrrp_track_process: ['vrrp_track_process P {', '}'],
  vrrp_sync_group: ['vrrp_sync_group G {', '}'],
  authentication: ['vrrp_instance V {\nauthentication {', '}\n}'],
  virtual_server: ['virtual_server 192.0.2.1 80 {', '}'],
  real_server: ['virtual_server 192.0.2.1 80 {\nreal_server 192.0.2.2 80 {', '}\n}'],
  url: ['virtual_server 192.0.2.1 80 {\nreal_server 192.0.2.2 80 {\nHTTP_GET {\nurl {', '}\n}\n}\n}'],
  SSL: ['SSL {', '}'],
};
for (const c of ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'SMTP_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']) {
  WRAP[c] = [`virtual_server 192.0.2.1 80 {\nreal_server 192.0.2.2 80 {\n${c} {`, '}\n}\n}'];
}

/** Values for keywords with a grammar of their own, or that take free text. */
const SAMPLE: Record<string, string> = { lvs_method: 'DR', lb_kind: 'DR', sorry_server_lvs_method: 'DR', lvs_sync_daemon: 'eth0 V', virtual_server: '192.0.2.9 80', status_code: '200', lvs_timeouts: 'tcp 900', regex: 'ok', debug: '1' };
const NO_VALUE = new Set(['use_ipvlan', 'old_unicast_checksum', 'lvs_flush_on_stop', 'dynamic_interfaces', 'vrrp_iptables', 'vrrp_ipsets', 'nftables', 'reload_check_config', 'include_check']);

function sampleArg(a: ArgSpec): string {
  if (a.optional) return '';
  switch (a.kind) {
    case 'ip': return '192.0.2.5';
    case 'ip-prefix': return '192.0.2.5/24';
    case 'port': return '80';
    case 'int': return String(Math.max(a.min ?? 1, Math.min(1, a.max ?? 1)));
    case 'timer': return '1';
    case 'enum': return a.values?.[0] ?? '';
    case 'hex': return 'ab';
    case 'netmask': return '255.255.255.0';
    default: return 'x';
  }
}

function line(kw: string, spec: KeywordSpec): string {
  if (spec.block) {
    const head = kw === 'virtual_server' ? 'virtual_server 192.0.2.9 80' : kw === 'real_server' ? 'real_server 192.0.2.3 80' : spec.args?.length ? `${kw} X` : kw;
    return `${head} {\n}`;
  }
  if (kw in SAMPLE) return `${kw} ${SAMPLE[kw]}`;
  if (NO_VALUE.has(kw)) return kw;
  const v = spec.args ? spec.args.map(sampleArg).filter(Boolean).join(' ') : '1';
  return v ? `${kw} ${v}` : kw;
}

/** A config with every keyword of `block`, each followed by a made-up keyword that must be reported. */
function probe(block: string): { text: string; keywords: string[] } {
  const [open, close] = WRAP[block];
  const keywords = Object.keys(BLOCKS[block].keywords).filter((k) => !k.startsWith('include'));
  const lines = [open];
  for (const kw of keywords) lines.push(`zzz_${kw}`, line(kw, BLOCKS[block].keywords[kw]));
  lines.push(close);
  return { text: `${lines.join('\n')}\n`, keywords };
}

/** The keepalived executable on PATH, when it can be read. */
function keepalivedBinary(): string | undefined {
  const r = spawnSync('sh', ['-c', 'command -v keepalived'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return p;
  } catch {
    return undefined;
  }
}

/**
 * Words of a binary that may be keywords: the identifier at the end of each
 * NUL-terminated string and every suffix of it (the linker merges "weight" into the
 * tail of a longer string ending in "weight").
 */
function binaryWords(data: Buffer): string[] {
  const words = new Set<string>();
  for (const chunk of data.toString('latin1').split('\0')) {
    const m = /[A-Za-z0-9_-]{2,60}$/.exec(chunk);
    if (!m) continue;
    for (let i = 0; i < m[0].length - 1; i++) {
      const w = m[0].slice(i);
      if (/^[A-Za-z][A-Za-z0-9_-]+$/.test(w) && !w.startsWith('include')) words.add(w);
    }
  }
  return [...words].sort();
}

/**
 * The candidates keepalived -t does not call "Unknown keyword" inside `block`. Each
 * candidate line is followed by a keyword of that block only (`sentinel`): when
 * keepalived calls the sentinel unknown, a candidate opened a sub-block or ended
 * parsing, so the chunk is split in two and each half tried again; a single such
 * candidate is tried as a block (`{ }`).
 */
function acceptedKeywords(dir: string, block: 'virtual_server' | 'real_server', candidates: string[], sentinel: string): string[] {
  const [open, close] = WRAP[block];
  const sentinelKw = sentinel.split(' ')[0];
  const unknownIn = (lines: string[]): Set<string> => {
    const file = path.join(dir, `probe-${block}.conf`);
    fs.writeFileSync(file, `${open}\n${lines.join('\n')}\n${close}\n`);
    const r = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 });
    return new Set([...r.stderr.matchAll(/Unknown keyword '([^']*)'/g)].map((m) => m[1]));
  };
  const accepted: string[] = [];
  const probe = (chunk: string[]): void => {
    const unknown = unknownIn(chunk.flatMap((w) => [`${w} 1`, sentinel]));
    if (!unknown.has(sentinelKw)) {
      accepted.push(...chunk.filter((w) => !unknown.has(w)));
    } else if (chunk.length > 1) {
      probe(chunk.slice(0, chunk.length >> 1));
      probe(chunk.slice(chunk.length >> 1));
    } else {
      const u = unknownIn([`${chunk[0]} {\n}`, sentinel]);
      if (!u.has(sentinelKw) && !u.has(chunk[0])) accepted.push(chunk[0]);
    }
  };
  const words = candidates.filter((w) => w !== sentinelKw);
  for (let k = 0; k < words.length; k += 2000) probe(words.slice(k, k + 2000));
  return [...accepted, sentinelKw];
}

describe('keyword table vs keepalived 2.2.7', function () {
  let dir: string;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived'), 'keepalived');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-schema-'));
  });
  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('knows every keyword keepalived accepts in virtual_server and real_server (candidates: the words of the keepalived binary)', function () {
    this.timeout(120000);
    const bin = keepalivedBinary();
    requireOrSkip(this, bin !== undefined, 'a readable keepalived binary');
    const candidates = binaryWords(fs.readFileSync(bin as string));
    // Sanity: the extraction finds the keywords we know are there.
    for (const k of ['lvs_sched', 'real_server', 'quorum', 'ops', 'weight', 'uthreshold', 'TCP_CHECK']) assert.ok(candidates.includes(k), k);
    const missing: Record<string, string[]> = {};
    for (const [block, sentinel] of [['virtual_server', 'lb_algo rr'], ['real_server', 'uthreshold 1']] as const) {
      const accepted = acceptedKeywords(dir, block, candidates, sentinel);
      // The probe saw the block's keywords (it is not vacuous).
      assert.ok(accepted.length >= (block === 'virtual_server' ? 30 : 20), accepted.join(' '));
      missing[block] = accepted.filter((k) => !(k in BLOCKS[block].keywords));
    }
    assert.deepEqual(missing, { virtual_server: [], real_server: [] }, 'keywords keepalived 2.2.7 accepts there that our keyword table does not know');
  });

  for (const block of Object.keys(WRAP)) {
    it(`every '${block}' keyword is known to keepalived, with valid sample values`, function () {
      const { text, keywords } = probe(block);
      const file = path.join(dir, `${block}.conf`);
      fs.writeFileSync(file, text);
      const r = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', timeout: 20000 });
      const unknown = [...r.stderr.matchAll(/Unknown keyword '([^']*)'/g)].map((m) => m[1]);
      // The made-up keywords prove keepalived parsed the whole block in that context.
      assert.deepEqual(keywords.filter((k) => !unknown.includes(`zzz_${k}`)), [], `keepalived stopped parsing '${block}' early:\n${r.stderr}`);
      assert.deepEqual(unknown.filter((u) => !u.startsWith('zzz_') && !BUILD_DEPENDENT.has(u)), []);
      // Our linter: exactly the made-up keywords are unknown, no sample value is refused.
      const ours = lintText(text, file, 'keepalived').filter((d) => d.severity === 'error');
      const SYNTAX = ['invalid-value', 'missing-value', 'keyword-not-allowed', 'missing-brace', 'extra-brace', 'unexpected-brace', 'missing-open-brace'];
      assert.deepEqual(ours.filter((d) => SYNTAX.includes(d.code)).map((d) => `${d.range.start.line + 1}: ${d.code} ${d.message}`), []);
      assert.equal(ours.filter((d) => d.code === 'unknown-keyword').length, keywords.length);
    });
  }
});
