// Bad input: the linters never throw and always finish, whatever the text.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyzeText, completeAt, detectLanguage, documentSymbols, hoverAt, lintText } from '../../../src/core/config';
import { hasSharedFixtures, labFixturesDir } from '../../helpers/env';
import { drConfig, lint, withCode } from './helpers';

const FRAGMENTS = ['{', '}', '\n', ' ', '"', "'", '#', '!', '$X', '${Y}', '@id ', '~SEQ(i,1,2) ', 'virtual_server ', 'real_server ', '192.0.2.1 ', '80 ', 'lb_kind DR', 'include *.conf', 'vrrp_instance V', 'virtual_ipaddress', '-A -t 1.2.3.4:80', ' -a -r [::1]:80 -g', ' -s', ' -p', '\\\n', 'ipvsadm '];

describe('config robustness', function () {
  it('lints random mixtures of config fragments without throwing', function () {
    const seeds = [drConfig()];
    if (hasSharedFixtures()) {
      const dir = path.join(labFixturesDir, 'keepalived-config-test', 'guest');
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.conf'))) seeds.push(fs.readFileSync(path.join(dir, f), 'utf8'));
    }
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...FRAGMENTS)), { maxLength: 20 }), fc.constantFrom('keepalived', 'ipvsadm'), (seed, edits, lang) => {
        let text = seed;
        for (const [at, frag] of edits) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + frag + text.slice(i);
        }
        const file = `/nonexistent/fuzz.${lang === 'keepalived' ? 'keepalived.conf' : 'ipvsadm'}`;
        const diags = lintText(text, file);
        for (const d of diags) assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0 && d.message.length > 0);
        const doc = analyzeText(text, file);
        if (doc) {
          documentSymbols(doc);
          hoverAt(doc, text, { line: 3, character: 4 });
          completeAt(doc, text, { line: 3, character: 4 });
        }
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('reports overlong lines, unmatched quotes and stray braces', function () {
    const long = `global_defs {\n    router_id ${'x'.repeat(1100)}\n}\n`;
    assert.equal(withCode(lint(long), 'line-too-long').length, 1);
    assert.equal(withCode(lint('global_defs {\n    router_id "abc\n}\n'), 'unmatched-quote').length, 1);
    assert.equal(withCode(lint('global_defs {\n    router_id a {\n    }\n}\n'), 'unexpected-brace').length, 1);
    assert.equal(withCode(lint('global_defs {\n}\n{\n}\n'), 'unexpected-brace').length, 1);
    assert.equal(withCode(lint('global_defs\nrouter_id a\n'), 'missing-open-brace').length, 1);
  });

  it('accepts a whole block on one line', function () {
    assert.deepEqual(lint('global_defs { router_id a }\n'), []);
  });
});

describe('language detection', function () {
  it('uses the language id, then the file name, then the content', function () {
    assert.equal(detectLanguage('/x/y.txt', '', 'keepalived'), 'keepalived');
    assert.equal(detectLanguage('/x/run.sh', '', 'shellscript'), 'ipvsadm');
    assert.equal(detectLanguage('/etc/keepalived/keepalived.conf', ''), 'keepalived');
    assert.equal(detectLanguage('/etc/lvs/web.keepalived.conf', ''), 'keepalived');
    assert.equal(detectLanguage('/etc/sysconfig/ipvsadm', ''), 'ipvsadm');
    assert.equal(detectLanguage('/srv/ipvsadm-save.20260101', ''), 'ipvsadm');
    assert.equal(detectLanguage('/srv/a.rules', '-A -t 192.0.2.1:80 -s rr\n'), 'ipvsadm');
    assert.equal(detectLanguage('/srv/director.cfg', 'vrrp_instance V {\n}\n'), 'keepalived');
    assert.equal(detectLanguage('/etc/keepalived/conf.d/web.conf', 'real_server 1.2.3.4 80 {\n}\n'), 'keepalived');
    assert.equal(detectLanguage('/srv/notes.txt', 'hello'), undefined);
  });
});
