// One SSH connection per host, reused by everyone who asks for that host (the
// pending promise is shared, so concurrent get()s open one connection). Jump hosts
// are connections in the same pool; a target behind them connects over a
// `forwardOut` channel (ssh2 "connection hopping"). A dropped connection is
// replaced on the next get().

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, utils, type AuthenticationType, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import { describeConnectError, hostLabel, SshError, seconds } from './errors';
import type { HostConfig, HostResolver } from './hostConfig';
import { appendKnownHost, checkHostKey, fingerprint, keyTypeOf, knownHostsName, knownKeyTypes, readKnownHosts } from './knownHosts';
import { LocalHost } from './localHost';
import type { RemoteHost } from './remote';
import type { GetSecret, LogFn, SecretRequest } from './secrets';
import { parseJumpSpec, resolveFromSshConfig } from './sshConfig';
import { SshHost } from './sshHost';

export interface UnknownHostKeyInfo {
  /** Alias of the host. */
  host: string;
  /** Address or name we connected to, and port. */
  hostname: string;
  port: number;
  keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  fingerprint: string;
  knownHostsPath: string;
  /** Key types already known for this host (the server offered another one). */
  otherKnownTypes: string[];
}

export type HostKeyDecision = 'accept-once' | 'accept-save' | 'reject' | { reject: string };

export interface SshPoolOptions {
  hosts: HostConfig[] | HostResolver;
  /** Default ~/.ssh/known_hosts. */
  knownHostsPath?: string;
  onUnknownHostKey(info: UnknownHostKeyInfo): Promise<HostKeyDecision>;
  getSecret: GetSecret;
  log?: LogFn;
  /** TCP connect + SSH handshake + authentication, not counting time spent waiting for the user. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 5000 ms and 3 missed answers. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** ssh_config used to resolve names the host list does not know (jump hops). Default ~/.ssh/config when present. */
  sshConfigPath?: string;
  /** Most SSH handshakes in progress at once (jump hops included). Default 16. */
  maxConnecting?: number;
}

/** Default bound on SSH connections being opened at once. */
export const DEFAULT_MAX_CONNECTING = 16;

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

export class SshPool {
  private readonly live = new Map<string, RemoteHost>();
  private readonly pending = new Map<string, Promise<RemoteHost>>();
  private readonly clients = new Set<Client>();
  private readonly knownHostsPath: string;
  private readonly log: LogFn;
  private readonly acceptedOnce = new Map<string, Buffer>();
  private closed = false;
  private connecting = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly opts: SshPoolOptions) {
    this.knownHostsPath = opts.knownHostsPath ?? path.join(os.homedir(), '.ssh', 'known_hosts');
    this.log = opts.log ?? (() => {});
  }

  /** The host's connection, opened on first use and reopened when it dropped. */
  async get(name: string): Promise<RemoteHost> {
    if (this.closed) throw new Error('the SSH pool is closed');
    const cur = this.live.get(name);
    if (cur && (!(cur instanceof SshHost) || cur.connected)) return cur;
    this.live.delete(name);
    let p = this.pending.get(name);
    if (!p) {
      p = this.open(name).finally(() => this.pending.delete(name));
      this.pending.set(name, p);
    }
    return p;
  }

  /** The settings used for a host name. */
  async config(name: string): Promise<HostConfig> {
    const h = this.opts.hosts;
    const found = Array.isArray(h) ? h.find((c) => c.name === name) : await h(name);
    if (found) return found;
    if (Array.isArray(h)) {
      if (this.opts.sshConfigPath || fs.existsSync(path.join(os.homedir(), '.ssh', 'config')))
        return resolveFromSshConfig(name, this.opts.sshConfigPath);
      throw new Error(`unknown host "${name}": not in the hosts list`);
    }
    return resolveFromSshConfig(name, this.opts.sshConfigPath);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    // Ending the clients first makes connections still logging in fail, so their
    // get()s settle; a get() waiting for the user is not waited for longer than 2 s.
    for (const c of this.clients) {
      c.end();
      (c as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
    }
    for (const w of this.waiting.splice(0)) w();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.pending.values()]),
      new Promise<void>((res) => {
        timer = setTimeout(res, 2000);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    const hosts = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(hosts.map((h) => h.close()));
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  /** The hop list of a ProxyJump value, or [] when it is empty or names only the host itself. */
  private hopsOf(proxyJump: string | undefined, self: string[]): string[] {
    const hops = proxyJump ? proxyJump.split(',').map((s) => s.trim()).filter(Boolean) : [];
    // `Host *` + `ProxyJump bastion` also applies to the bastion: a host that would jump
    // through itself is connected directly (so is an explicit self-jump).
    if (hops.some((h) => self.some((n) => n === h || n === parseJumpSpec(h).host))) {
      this.log('debug', `${self[0]}: ProxyJump ${hops.join(',')} goes through the host itself; connecting directly`);
      return [];
    }
    return hops;
  }

  /** Walks the whole jump chain before connecting, so a loop is an error, not a hang. */
  private async checkChain(name: string, hops: string[], chain: string[]): Promise<void> {
    if (!hops.length) return;
    // The first hop is reached with its own ProxyJump; the others through the hop before.
    const walked = [...chain];
    for (const spec of hops) {
      const hopHost = parseJumpSpec(spec).host;
      if (walked.some((c) => c === spec || parseJumpSpec(c).host === hopHost))
        throw new SshError('jump', name, `ProxyJump loop: ${[...walked, spec].join(' → ')}`);
      walked.push(spec);
    }
    const first = hops[0];
    const { host } = parseJumpSpec(first);
    let base: HostConfig | undefined;
    try {
      base = await this.config(host);
    } catch {
      base = undefined;
    }
    if (chain.length > 32) throw new SshError('jump', name, `ProxyJump chain too long: ${chain.join(' → ')}`);
    // The first hop's own ProxyJump must not lead back to any host of this chain.
    await this.checkChain(name, this.hopsOf(base?.proxyJump, [first, host]), [...chain, ...hops.slice(1).reverse(), first]);
  }

  /** Waits for a free connection slot (see maxConnecting). */
  private async slot(): Promise<() => void> {
    const max = this.opts.maxConnecting ?? DEFAULT_MAX_CONNECTING;
    while (this.connecting >= max && !this.closed) await new Promise<void>((res) => this.waiting.push(res));
    this.connecting++;
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.connecting--;
      this.waiting.shift()?.();
    };
  }

  private async open(name: string): Promise<RemoteHost> {
    const cfg = await this.config(name);
    let host: RemoteHost;
    if (cfg.local) host = new LocalHost(cfg.name, this.opts.getSecret, this.log);
    else {
      let sock: Duplex | undefined;
      const hops = this.hopsOf(cfg.proxyJump, [name, cfg.name]);
      await this.checkChain(name, hops, [name]);
      if (hops.length) {
        const via = await this.jumpHost(hops);
        sock = await this.forward(via, cfg);
      }
      host = await this.connect(cfg, sock);
    }
    if (this.closed) {
      void host.close();
      throw new Error('the SSH pool is closed');
    }
    this.live.set(name, host);
    return host;
  }

  /** The last hop of a ProxyJump chain, connected through the hops before it. */
  private async jumpHost(hops: string[]): Promise<SshHost> {
    const spec = hops[hops.length - 1];
    const { user, host, port } = parseJumpSpec(spec);
    let base: HostConfig;
    try {
      base = await this.config(host);
    } catch {
      base = { name: host, host };
    }
    const cfg: HostConfig = {
      ...base,
      name: spec,
      user: user ?? base.user,
      port: port ?? base.port,
      proxyJump: hops.length > 1 ? hops.slice(0, -1).join(',') : this.hopsOf(base.proxyJump, [spec, host]).join(',') || undefined,
    };
    // Kept in the pool under its spec, so every host behind it shares the connection.
    const h = await this.getWithConfig(spec, cfg);
    if (!(h instanceof SshHost)) throw new Error(`jump host ${spec} must be reached over SSH`);
    return h;
  }

  private async getWithConfig(name: string, cfg: HostConfig): Promise<RemoteHost> {
    const cur = this.live.get(name);
    if (cur && (!(cur instanceof SshHost) || cur.connected)) return cur;
    let p = this.pending.get(name);
    if (!p) {
      p = (async () => {
        let sock: Duplex | undefined;
        if (cfg.proxyJump) sock = await this.forward(await this.jumpHost(cfg.proxyJump.split(',').map((s) => s.trim())), cfg);
        const h = await this.connect(cfg, sock);
        if (this.closed) {
          void h.close();
          throw new Error('the SSH pool is closed');
        }
        this.live.set(name, h);
        return h;
      })().finally(() => this.pending.delete(name));
      this.pending.set(name, p);
    }
    return p;
  }

  private forward(via: SshHost, target: HostConfig): Promise<Duplex> {
    const port = target.port ?? 22;
    return new Promise((resolve, reject) => {
      via.forwardOut(target.host, port, (err, stream) => {
        if (err)
          reject(
            new SshError(
              'jump',
              target.name,
              `${hostLabel(target.name, target.host, port)}: jump host ${via.name} could not open a connection to it: ${err.message}`,
            ),
          );
        else resolve(stream);
      });
    });
  }

  private async connect(cfg: HostConfig, sock?: Duplex): Promise<SshHost> {
    const release = await this.slot();
    if (this.closed) {
      release();
      sock?.destroy();
      throw new Error('the SSH pool is closed');
    }
    try {
      return await this.connectNow(cfg, sock);
    } finally {
      release();
    }
  }

  private connectNow(cfg: HostConfig, sock?: Duplex): Promise<SshHost> {
    const port = cfg.port ?? 22;
    const user = cfg.user ?? os.userInfo().username;
    const label = hostLabel(cfg.name, cfg.host, port);
    const timeoutMs = cfg.connectTimeoutMs ?? this.opts.connectTimeoutMs ?? 10000;
    const client = new Client();
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));

    return new Promise<SshHost>((resolve, reject) => {
      let settled = false;
      let failure: SshError | undefined;
      const tried: string[] = [];
      // Our own connect timer: unlike ssh2's readyTimeout it stops while the user
      // is being asked (host key, password), and restarts afterwards.
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          fail(new SshError('timeout', cfg.name, `${label}: connection timed out after ${seconds(timeoutMs)}`));
        }, timeoutMs);
      };
      const pause = (): void => clearTimeout(timer);
      const fail = (e: SshError): void => {
        failure ??= e;
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        (client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
        reject(failure);
      };
      const ask = async <T>(f: () => Promise<T>): Promise<T> => {
        pause();
        try {
          return await f();
        } finally {
          if (!settled) arm();
        }
      };

      // Host key check against known_hosts (see knownHosts.ts for the format).
      const names = [knownHostsName(cfg.host, port)];
      if (cfg.name !== cfg.host && !cfg.name.includes('@') && !cfg.name.includes(',')) names.push(knownHostsName(cfg.name, port));
      const entries = readKnownHosts(this.knownHostsPath);
      const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
        const fp = fingerprint(key);
        const type = keyTypeOf(key);
        const once = this.acceptedOnce.get(names[0]);
        if (once && once.equals(key)) return verify(true);
        const st = checkHostKey(entries, names, key);
        if (st.status === 'trusted') return verify(true);
        if (st.status === 'revoked') {
          failure = new SshError('host-key-revoked', cfg.name, `host key for ${label} is marked @revoked in ${this.knownHostsPath} line ${st.entry.line} (${fp}); refusing to connect`);
          return verify(false);
        }
        if (st.status === 'changed') {
          const exp = st.expected.map((e) => `${fingerprint(e.key)} (${this.knownHostsPath}:${e.line})`).join(', ');
          failure = new SshError(
            'host-key-changed',
            cfg.name,
            `host key for ${label} changed: expected ${exp}, received ${fp} (${type}). ` +
              `Someone could be intercepting the connection, or the host was reinstalled. ` +
              `If you trust the new key, remove the old entry from ${this.knownHostsPath} and connect again.`,
          );
          // Not logged as an error: it is the connection's error, which the caller reports.
          this.log('debug', failure.message);
          return verify(false);
        }
        void ask(() =>
          this.opts.onUnknownHostKey({
            host: cfg.name,
            hostname: cfg.host,
            port,
            keyType: type,
            fingerprint: fp,
            knownHostsPath: this.knownHostsPath,
            otherKnownTypes: st.otherTypes,
          }),
        ).then(
          (decision) => {
            if (typeof decision === 'object') {
              // Refused with the caller's own sentence (what to do about it).
              failure = new SshError('host-key-rejected', cfg.name, decision.reject);
              return verify(false);
            }
            if (decision === 'reject') {
              failure = new SshError('host-key-rejected', cfg.name, `${label}: host key ${fp} (${type}) was not accepted`);
              return verify(false);
            }
            if (decision === 'accept-save') {
              try {
                appendKnownHost(this.knownHostsPath, names[0], key);
                this.log('info', `added ${names[0]} ${type} ${fp} to ${this.knownHostsPath}`);
              } catch (e) {
                this.log('warn', `could not save the host key of ${label}: ${(e as Error).message}`);
              }
            }
            this.acceptedOnce.set(names[0], key);
            verify(true);
          },
          () => {
            failure = new SshError('host-key-rejected', cfg.name, `${label}: host key ${fp} (${type}) was not accepted`);
            verify(false);
          },
        );
      };

      // Authentication: agent, key files (asking for passphrases), then password.
      const agentSock = cfg.agent === false ? undefined : typeof cfg.agent === 'string' ? cfg.agent : process.env.SSH_AUTH_SOCK;
      const keyFiles =
        cfg.identityFiles ??
        DEFAULT_KEYS.map((k) => path.join(os.homedir(), '.ssh', k)).filter((f) => fs.existsSync(f));
      type Attempt = () => Promise<unknown>;
      const attempts: Array<{ method: AuthenticationType; label: string; make: Attempt }> = [];
      if (agentSock) attempts.push({ method: 'agent', label: 'agent', make: async () => ({ type: 'agent', username: user, agent: agentSock }) });
      for (const file of keyFiles) {
        attempts.push({
          method: 'publickey',
          label: `key ${file}`,
          make: async () => {
            let data: Buffer;
            try {
              data = fs.readFileSync(file);
            } catch (e) {
              this.log('warn', `${label}: cannot read key file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
              return undefined;
            }
            let parsed = utils.parseKey(data);
            if (!(parsed instanceof Error)) return { type: 'publickey', username: user, key: data };
            if (!/passphrase/i.test(parsed.message)) {
              this.log('warn', `${label}: key file ${file} is not a usable private key: ${parsed.message}`);
              return undefined;
            }
            for (let i = 0; i < 2; i++) {
              const req: SecretRequest = { kind: 'passphrase', host: cfg.name, user, keyFile: file, retry: i > 0 };
              const pp = await ask(() => this.opts.getSecret(req));
              if (!pp) return undefined;
              parsed = utils.parseKey(data, pp);
              if (!(parsed instanceof Error)) return { type: 'publickey', username: user, key: data, passphrase: pp };
              this.log('warn', `${label}: the passphrase for ${file} was not accepted`);
            }
            return undefined;
          },
        });
      }
      // The password is asked for at most twice per connection: a refused one (typed or
      // stored) is reported to the secret store, which forgets it, and asked for once more.
      let password: string | undefined;
      let passwordAsks = 0;
      let passwordIndex = -1;
      const passwordReq = (retry: boolean): SecretRequest => ({ kind: 'password', host: cfg.name, user, address: cfg.host, port, retry });
      const outcome = (accepted: boolean): void => {
        const pw = password;
        if (pw === undefined || !this.opts.getSecret.outcome) return;
        Promise.resolve(this.opts.getSecret.outcome(passwordReq(false), pw, accepted)).catch((e: Error) =>
          this.log('warn', `${label}: could not update the stored password: ${e.message}`),
        );
      };
      const getPassword = async (): Promise<string | undefined> => {
        if (password === undefined && passwordAsks < 2) {
          const retry = passwordAsks > 0;
          passwordAsks++;
          password = await ask(() => this.opts.getSecret(passwordReq(retry)));
        }
        return password;
      };
      const usedPassword = (): boolean => {
        const last = tried[tried.length - 1];
        return last === 'password' || last === 'keyboard-interactive';
      };
      attempts.push({
        method: 'password',
        label: 'password',
        make: async () => {
          const pw = await getPassword();
          return pw ? { type: 'password', username: user, password: pw } : undefined;
        },
      });
      attempts.push({
        method: 'keyboard-interactive',
        label: 'keyboard-interactive',
        make: async () => {
          const pw = await getPassword();
          if (!pw) return undefined;
          return {
            type: 'keyboard-interactive',
            username: user,
            prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (a: string[]) => void) =>
              finish(prompts.map(() => pw)),
          };
        },
      });
      let next = 0;
      let first = true;
      const authHandler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, cb: (a: unknown) => void): void => {
        if (first) {
          first = false;
          return cb({ type: 'none', username: user });
        }
        void (async () => {
          if (password !== undefined && usedPassword()) {
            // Asked again after the password: it was refused.
            outcome(false);
            password = undefined;
            if (passwordAsks < 2) next = passwordIndex;
          }
          while (next < attempts.length) {
            const a = attempts[next++];
            // The server names `publickey`; the agent is one way of doing it.
            const wire = a.method === 'agent' ? 'publickey' : a.method;
            if (methodsLeft && !methodsLeft.includes(wire)) continue;
            // keyboard-interactive repeats the password: only when password auth was not offered.
            if (a.method === 'keyboard-interactive' && tried.includes('password')) continue;
            const auth = await a.make();
            if (auth) {
              if (a.method === 'password' || a.method === 'keyboard-interactive') passwordIndex = next - 1;
              tried.push(a.label);
              return cb(auth);
            }
          }
          const what = tried.length ? [...new Set(tried)].join(', ') : 'no method available: no agent, no key file, no password given';
          failure ??= new SshError(
            'auth',
            cfg.name,
            `authentication failed for ${user}@${label} (tried: ${what})` +
              (tried.includes('password') || tried.includes('keyboard-interactive') ? '; the password was refused' : ''),
          );
          cb(false);
        })().catch((e: Error) => fail(new SshError('auth', cfg.name, `${label}: ${e.message}`)));
      };

      const connectCfg: ConnectConfig = {
        host: sock ? undefined : cfg.host,
        port: sock ? undefined : port,
        sock: sock as ConnectConfig['sock'],
        username: user,
        readyTimeout: 0,
        keepaliveInterval: this.opts.keepaliveIntervalMs ?? 5000,
        keepaliveCountMax: this.opts.keepaliveCountMax ?? 3,
        hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
        authHandler: authHandler as ConnectConfig['authHandler'],
      };
      const preferred = knownKeyTypes(entries, names);
      if (preferred.length) {
        // Ask the server for a key type we already know (as OpenSSH does), so a host
        // with several keys is not reported "unknown" because it offered another.
        const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
        const wants = (alg: string): boolean => preferred.includes(alg) || (alg.startsWith('rsa-sha2') && preferred.includes('ssh-rsa'));
        connectCfg.algorithms = { serverHostKey: [...all.filter(wants), ...all.filter((a) => !wants(a))] as never };
      }

      client.on('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (password !== undefined && usedPassword()) outcome(true);
        this.log('info', `connected to ${label} as ${user}`);
        resolve(new SshHost(cfg.name, user, label, client, this.opts.getSecret, this.log));
      });
      client.on('error', (err: Error & { code?: string; level?: string }) => {
        if (!settled) {
          if (failure) return fail(failure);
          if (err.level === 'client-authentication')
            return fail(new SshError('auth', cfg.name, `authentication failed for ${user}@${label}`));
          return fail(describeConnectError(err, cfg.name, label));
        }
        this.log('warn', `${label}: ${err.message}`);
      });
      client.on('close', () => {
        if (!settled) fail(failure ?? new SshError('connection-lost', cfg.name, `${label}: connection closed during login`));
        else this.log('info', `${label}: connection closed`);
      });
      arm();
      this.log('debug', `connecting to ${label} as ${user}${sock ? ' through a jump host' : ''}`);
      client.connect(connectCfg);
    });
  }
}
