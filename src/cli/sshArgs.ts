// Options shared by the sub-commands that connect to hosts (capture, check, probe):
// which hosts (--hosts FILE, --host NAME=ROLE via ssh_config), durations, and an
// SSH pool whose secrets come from the environment or the terminal, never the log.

import * as readline from 'node:readline';
import { optionValue, type ParsedArgs } from './args';
import type { OptionDoc } from './command';
import type { HostRole } from '../core/capture/manifest';
import { loadHostsFile, resolveFromSshConfig, SshPool, type HostConfig, type SecretRequest, type UnknownHostKeyInfo } from '../core/ssh';

const roles: HostRole[] = ['director', 'real-server', 'client', 'router', 'other'];

export interface DurationRange {
  minMs: number;
  maxMs: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** How a range reads in a message: `1 ms`, `100 ms`, `10 s`, `24 h`. */
function durationText(ms: number): string {
  if (ms === 0) return '0';
  if (ms % 3600000 === 0) return `${ms / 3600000} h`;
  if (ms % 60000 === 0) return `${ms / 60000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/**
 * `500ms`, `10s`, `1.5s`, `2m`, `1h`, or a bare number of seconds, as whole milliseconds;
 * between 1 ms and 24 h unless `range` says otherwise. Errors name `option`.
 */
export function parseDuration(text: string, option = '--duration', range: DurationRange = { minMs: 1, maxMs: DAY_MS }): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`${option} "${text}" is not a duration (examples: 10s, 500ms, 2m, 1h)`);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60000 : m[2] === 'h' ? 3600000 : 1000);
  if (!(n >= range.minMs && n <= range.maxMs)) throw new Error(`${option} "${text}" must be between ${durationText(range.minMs)} and ${durationText(range.maxMs)}`);
  return Math.round(n);
}

/** The value of a duration option, checked (undefined when not given). */
export function durationOption(p: ParsedArgs, name: string, range?: DurationRange): number | undefined {
  const text = optionValue(p, name);
  return text === undefined ? undefined : parseDuration(text, `--${name}`, range);
}

function envName(prefix: string, host: string): string {
  return `${prefix}_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    rl.question(question, (a) => {
      rl.close();
      resolve(a.trim());
    });
  });
}

export async function getSecretFromEnvOrPrompt(req: SecretRequest, env = process.env, tty = process.stdin.isTTY): Promise<string | undefined> {
  const fromEnv =
    req.kind === 'passphrase'
      ? env.LVS_TRACE_PASSPHRASE
      : (env[envName('LVS_TRACE_PASSWORD', req.host)] ?? env.LVS_TRACE_PASSWORD);
  if (fromEnv !== undefined && !req.retry) return fromEnv;
  if (!tty) return undefined;
  const what =
    req.kind === 'passphrase' ? `passphrase for ${req.keyFile}` : req.kind === 'sudo' ? `sudo password for ${req.user}@${req.host}` : `password for ${req.user}@${req.host}`;
  return promptHidden(`${req.retry ? 'Refused. ' : ''}${what}: `);
}

/** Where the CLI takes a secret from, for the messages that say it is missing or wrong:
 *  `set LVS_TRACE_PASSWORD_RS2 or LVS_TRACE_PASSWORD`. */
export function secretHint(req: SecretRequest): string {
  if (req.kind === 'passphrase') return 'set LVS_TRACE_PASSPHRASE';
  return `set ${envName('LVS_TRACE_PASSWORD', req.host)} or LVS_TRACE_PASSWORD`;
}

/** The options of every command that connects to hosts (capture, check, probe). */
export const sshOptionDocs: OptionDoc[] = [
  { name: 'hosts', value: 'FILE', text: 'hosts file (JSON): how to reach each host and its role; see below' },
  { name: 'host', value: 'NAME=ROLE', text: 'a host from ~/.ssh/config and its role (director, real-server, client, router, other); repeatable' },
  { name: 'ssh-config', value: 'FILE', text: 'the ssh_config that --host names are looked up in (default ~/.ssh/config)' },
  { name: 'known-hosts', value: 'FILE', text: 'the known_hosts file host keys are checked against (default ~/.ssh/known_hosts)' },
  { name: 'accept-new-host-keys', text: 'accept and save the key of a host not yet in known_hosts (a changed key is still refused)' },
  { name: 'connect-timeout', value: 'DURATION', text: 'how long an SSH login may take, 1 s to 1 h (default 10s)' },
];

/** --connect-timeout's bounds. */
export const CONNECT_TIMEOUT: DurationRange = { minMs: 1000, maxMs: 3600 * 1000 };

/** The --help lines about hosts, durations and secrets, shared by capture, check and probe. */
export const sshNotes: string[] = [
  'DURATION: 500ms, 10s, 1.5s, 2m, 1h, or a number of seconds.',
  'The hosts file is a JSON array of hosts, or {"hosts": [...]} or {"hosts": {"NAME": {...}}}:',
  '  [{"name": "lb1", "host": "10.0.0.2", "port": 22, "user": "admin", "identityFile": "~/.ssh/id_ed25519",',
  '    "proxyJump": "bastion", "role": "director"},',
  '   {"name": "rs1", "host": "10.0.0.11", "role": "real-server", "address": "192.0.2.11", "realServer": "web1"}]',
  '"host" is where to connect (default: the name); "address" the address the service uses for a real',
  'server. Passwords never go in the file: they come from LVS_TRACE_PASSWORD_<HOST> (the name in capitals,',
  'other characters as _) or LVS_TRACE_PASSWORD, key passphrases from LVS_TRACE_PASSPHRASE, else they are',
  'asked on the terminal without echo.',
];

/** Hosts from --hosts FILE and --host NAME=ROLE (resolved through ssh_config). */
export function hostConfigsFromArgs(p: ParsedArgs): HostConfig[] {
  const sshConfig = optionValue(p, 'ssh-config');
  const hostsFile = optionValue(p, 'hosts');
  const configs: HostConfig[] = hostsFile ? loadHostsFile(hostsFile) : [];
  for (const spec of p.options.get('host') ?? []) {
    const [name, role] = spec.split('=');
    if (!name || !roles.includes(role as HostRole)) throw new Error(`--host "${spec}" must be NAME=ROLE, ROLE one of ${roles.join(', ')}`);
    const existing = configs.find((c) => c.name === name);
    if (existing) existing.role = role as HostRole;
    else configs.push({ ...resolveFromSshConfig(name, sshConfig), role: role as HostRole });
  }
  return configs;
}

/** An SSH pool for the CLI: secrets from the environment or the terminal; unknown host keys
 *  refused unless accepted. `connectTimeoutMs`: --connect-timeout, checked beforehand. */
export function cliPool(p: ParsedArgs, configs: HostConfig[], acceptNew: boolean, verbose = false, connectTimeoutMs?: number): SshPool {
  return new SshPool({
    hosts: configs,
    knownHostsPath: optionValue(p, 'known-hosts'),
    sshConfigPath: optionValue(p, 'ssh-config'),
    connectTimeoutMs,
    getSecret: Object.assign((req: SecretRequest) => getSecretFromEnvOrPrompt(req), { hint: secretHint }),
    log: (level, msg) => {
      if (verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${msg}\n`);
    },
    onUnknownHostKey: async (info: UnknownHostKeyInfo) => {
      if (acceptNew) return 'accept-save';
      // The refusal is the connection's error, which the command reports (once).
      if (!process.stdin.isTTY)
        return { reject: `${info.host} (${info.hostname}:${info.port}): unknown host key ${info.keyType} ${info.fingerprint} refused: add it to ${info.knownHostsPath} or pass --accept-new-host-keys` };
      const a = await prompt(
        `The authenticity of host ${info.host} (${info.hostname}:${info.port}) can't be established.\n` +
          `${info.keyType} key fingerprint is ${info.fingerprint}.\n` +
          `Accept and save to ${info.knownHostsPath} [s], accept once [o], or refuse [N]? `,
      );
      return /^s/i.test(a) ? 'accept-save' : /^o/i.test(a) ? 'accept-once' : 'reject';
    },
  });
}

