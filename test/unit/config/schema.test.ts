// The keyword table against the real thing: every keyword we accept in a block
// is a keyword keepalived 2.2.7 accepts there (`keepalived -t` reports no
// "Unknown keyword" for it), so we never flag a valid config; and the sample
// values we build from each keyword's value type pass our own checks.
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

describe('keyword table vs keepalived 2.2.7', function () {
  let dir: string;
  before(function () {
    requireOrSkip(this, hasCommand('keepalived'), 'keepalived');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-schema-'));
  });
  after(function () {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
