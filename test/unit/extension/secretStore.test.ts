// The extension's SecretStore with a stand-in for the `vscode` module: an SSH password is
// stored only after the server accepted it, a refused stored one is forgotten (so the
// next connection asks instead of replaying it), and passwords are keyed by
// user@address:port, so the same alias at another address does not get it.
import * as assert from 'node:assert/strict';
import Module from 'node:module';

const boxAnswers: Array<string | undefined> = [];
const prompts: string[] = [];
const fakeVscode = {
  window: {
    showInputBox: async (o: { prompt: string }) => {
      prompts.push(o.prompt);
      return boxAnswers.shift();
    },
  },
};
const M = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const origLoad = M._load;

function fakeContext() {
  const secrets = new Map<string, string>();
  const state = new Map<string, unknown>();
  return {
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
    },
    globalState: {
      get: <T>(k: string, d: T) => (state.has(k) ? (state.get(k) as T) : d),
      update: async (k: string, v: unknown) => void state.set(k, v),
    },
    raw: secrets,
  };
}

describe('extension SecretStore (SSH passwords)', function () {
  let SecretStore: typeof import('../../../src/extension/capture/secrets').SecretStore;
  before(function () {
    M._load = function (request: string, parent: unknown, isMain: boolean) {
      if (request === 'vscode') return fakeVscode;
      return origLoad.call(this, request, parent, isMain);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    ({ SecretStore } = require('../../../src/extension/capture/secrets') as typeof import('../../../src/extension/capture/secrets'));
  });
  after(function () {
    M._load = origLoad;
  });

  const req = { kind: 'password' as const, host: 'web1', user: 'op', address: '10.0.0.5', port: 2222 };

  it('stores a typed password only after it was accepted, keyed by user@address:port', async function () {
    const ctx = fakeContext();
    const store = new SecretStore(ctx as never);
    boxAnswers.push('typo');
    assert.equal(await store.getSecret(req), 'typo');
    assert.equal(ctx.raw.size, 0, 'nothing stored before the server answered');
    await store.getSecret.outcome!(req, 'typo', false);
    assert.equal(ctx.raw.size, 0, 'a refused password is not stored');
    boxAnswers.push('good');
    assert.equal(await store.getSecret({ ...req, retry: true }), 'good');
    await store.getSecret.outcome!(req, 'good', true);
    assert.deepEqual([...ctx.raw.entries()], [['lvs.password:op@10.0.0.5:2222', 'good']]);
    assert.ok(prompts.every((p) => !p.includes('typo') && !p.includes('good')));
    // Same alias, another address (another workspace's hosts file): asked, not replayed.
    boxAnswers.push(undefined);
    assert.equal(await store.getSecret({ ...req, address: '203.0.113.9', port: 22 }), undefined);
    assert.equal(await store.getSecret(req), 'good', 'the stored password for the right address is used');
  });

  it('forgets a stored password the server refused, so it is not replayed', async function () {
    const ctx = fakeContext();
    const store = new SecretStore(ctx as never);
    boxAnswers.push('old');
    await store.getSecret(req);
    await store.getSecret.outcome!(req, 'old', true);
    assert.equal(ctx.raw.get('lvs.password:op@10.0.0.5:2222'), 'old');
    // The password changed on the server: the stored one is refused once, then forgotten.
    assert.equal(await store.getSecret(req), 'old');
    await store.getSecret.outcome!(req, 'old', false);
    assert.equal(ctx.raw.size, 0);
    boxAnswers.push('new');
    prompts.length = 0;
    assert.equal(await store.getSecret(req), 'new', 'asked again instead of replaying');
    assert.equal(prompts.length, 1);
    assert.equal(await store.forgetAll(), 0);
  });
});
