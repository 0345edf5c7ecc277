// Helpers for the config tests: lint inline text and pick diagnostics by code.
import * as assert from 'node:assert/strict';
import { type ConfigDiagnostic, lintText } from '../../../src/core/config';

export function lint(text: string, file = '/tmp/lvs-test/keepalived.conf'): ConfigDiagnostic[] {
  return lintText(text, file);
}

export function withCode(diags: ConfigDiagnostic[], code: string): ConfigDiagnostic[] {
  return diags.filter((d) => d.code === code);
}

/**
 * Rule-tester style check: `valid` texts give no diagnostic with `code`; each
 * `invalid` case gives exactly the listed 1-based lines (an invalid case with no
 * expected line is refused, so a test cannot pass vacuously).
 */
export function ruleCases(code: string, file: string, cases: { valid: string[]; invalid: Array<{ text: string; lines: number[]; severity?: string }> }): void {
  for (const text of cases.valid) {
    const got = withCode(lint(text, file), code);
    assert.deepEqual(got.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], `valid case reported ${code}:\n${text}`);
  }
  for (const c of cases.invalid) {
    assert.ok(c.lines.length > 0, 'an invalid case must expect at least one diagnostic');
    const got = withCode(lint(c.text, file), code);
    assert.deepEqual(got.map((d) => d.range.start.line + 1), c.lines, `expected ${code} at ${c.lines.join(',')}:\n${c.text}`);
    if (c.severity) for (const d of got) assert.equal(d.severity, c.severity);
    for (const d of got) assert.ok(d.message.length > 20, 'message says what to do');
  }
}

/** A minimal DR web service + VRRP instance holding its VIP; `vs`/`rs` lines are spliced in. */
export function drConfig(opts: { vsExtra?: string; rsPort?: number; rsExtra?: string; protocol?: string; method?: string; vrrpExtra?: string; checker?: string } = {}): string {
  return `global_defs {
    router_id LVS_DIR1
}
vrrp_instance VI_WEB {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24 dev eth0
    }${opts.vrrpExtra ? `\n    ${opts.vrrpExtra}` : ''}
}
virtual_server 192.0.2.100 80 {
    delay_loop 6
    lb_algo wlc
    lb_kind ${opts.method ?? 'DR'}
    protocol ${opts.protocol ?? 'TCP'}${opts.vsExtra ? `\n    ${opts.vsExtra}` : ''}
    real_server 192.0.2.11 ${opts.rsPort ?? 80} {
        weight 1${opts.rsExtra ? `\n        ${opts.rsExtra}` : ''}
        ${opts.checker ?? 'TCP_CHECK'} {
            connect_timeout 3
        }
    }
    real_server 192.0.2.12 80 {
        weight 1
        ${opts.checker ?? 'TCP_CHECK'} {
            connect_timeout 3
        }
    }
}
`;
}
