import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import {
  commandLine,
  shellQuote,
  validateAddress,
  validateBpfFilter,
  validateHostName,
  validateInterface,
  validateRemotePath,
  InvalidValueError,
} from '../../../src/core/ssh/quote';

/** What a POSIX shell makes of a command line: the argv printf receives, NUL-separated. */
function shellArgs(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('ssh/quote', function () {
  it('quotes so that sh gives back exactly the original strings (property, any Unicode but NUL)', function () {
    const anyString = fc.string({ unit: 'binary', minLength: 0, maxLength: 40 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(fc.array(anyString, { minLength: 1, maxLength: 10 }), (list) => {
        assert.deepEqual(shellArgs(list.map(shellQuote).join(' ')), list);
      }),
      { numRuns: 40 },
    );
  });

  it('round-trips a whole argv through commandLine (property)', function () {
    const arg = fc.string({ unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', ';', '\n', '*', '|', '&', 'é', '(', '-'), maxLength: 12 });
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        assert.deepEqual(shellArgs(commandLine(argv)), argv);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps injection-shaped values inert', function () {
    for (const evil of ['eth0;reboot', '$(touch /tmp/x)', '`id`', "a'b", '; rm -rf /', '--help', '']) {
      assert.deepEqual(shellArgs(shellQuote(evil)), [evil]);
    }
    assert.equal(shellQuote('eth0'), 'eth0');
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
    assert.throws(() => shellQuote('a\0b'), InvalidValueError);
  });

  it('refuses interface names Linux would not accept, or that carry shell syntax', function () {
    for (const ok of ['eth0', 'ens3', 'br-lan', 'vlan.100', 'wlp2s0', 'a', 'x'.repeat(15), 'veth@x']) assert.equal(validateInterface(ok), ok);
    for (const bad of ['eth0;reboot', '', 'x'.repeat(16), 'eth 0', 'eth0/1', 'eth0:1', '.', '..', '-i', '$(id)', 'eth0\n']) {
      assert.throws(() => validateInterface(bad), (e: Error) => e instanceof InvalidValueError && e.message.includes('interface name'), bad);
    }
  });

  it('refuses filters with control characters, shell syntax or a leading dash', function () {
    assert.equal(validateBpfFilter('host 192.0.2.1 and (tcp port 80 or arp)'), 'host 192.0.2.1 and (tcp port 80 or arp)');
    for (const bad of ['host 1.2.3.4\nreboot', 'a\0b', 'tcp; reboot', '$(id)', '`id`', '-w /etc/passwd', 'x'.repeat(5000), 'a | b', 'a > b']) {
      assert.throws(() => validateBpfFilter(bad), InvalidValueError, JSON.stringify(bad));
    }
  });

  it('checks paths, host names and addresses', function () {
    assert.equal(validateRemotePath('/tmp/lvs-capture.AbC123/eth0.pcap'), '/tmp/lvs-capture.AbC123/eth0.pcap');
    for (const bad of ['tmp/x', '/tmp/../etc', '/tmp/a b', "/tmp/a'"]) assert.throws(() => validateRemotePath(bad), InvalidValueError);
    for (const ok of ['rs1', 'rs1.example.com', '192.0.2.1', '2001:db8::1', 'host_1']) assert.equal(validateHostName(ok), ok);
    for (const bad of ['-oProxyCommand=x', 'a b', 'a;b', '', 'a..b']) assert.throws(() => validateHostName(bad), InvalidValueError);
    assert.equal(validateAddress('192.0.2.100'), '192.0.2.100');
    assert.equal(validateAddress('2001:db8::1'), '2001:db8::1');
    for (const bad of ['256.1.1.1', '1.2.3', 'host', '1.2.3.4 or 1']) assert.throws(() => validateAddress(bad), InvalidValueError);
  });
});
