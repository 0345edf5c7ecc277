// Options shared by the sub-commands that connect to hosts (capture, check, probe):
// which hosts (--hosts FILE, --host NAME=ROLE via ssh_config), durations, and an
// SSH pool whose secrets come from the environment or the terminal, never the log.

import * as readline from 'node:readline';
import { optionValue, type ParsedArgs } from './args';
import type { HostRole } from '../core/capture/manifest';
import { loadHostsFile, resolveFromSshConfig, SshPool, type HostConfig, type SecretRequest, type UnknownHostKeyInfo } from '../core/ssh';

const roles: HostRole[] = ['director', 'real-server', 'client', 'router', 'other'];

/** `10s`, `500ms`, `2m`, or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration "${text}" is not a duration (examples: 10s, 500ms, 2m)`);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60000 : 1000);
  if (n <= 0 || n > 24 * 3600 * 1000) throw new Error(`--duration "${text}" must be between 1 ms and 24 h`);
  return n;
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

export const sshOptions = ['hosts', 'host', 'known-hosts', 'ssh-config', 'connect-timeout'];

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

/** An SSH pool for the CLI: secrets from the environment or the terminal; unknown host keys refused unless accepted. */
export function cliPool(p: ParsedArgs, configs: HostConfig[], acceptNew: boolean, verbose = false): SshPool {
  const connectTimeout = optionValue(p, 'connect-timeout');
  return new SshPool({
    hosts: configs,
    knownHostsPath: optionValue(p, 'known-hosts'),
    sshConfigPath: optionValue(p, 'ssh-config'),
    connectTimeoutMs: connectTimeout ? parseDuration(connectTimeout) : undefined,
    getSecret: (req) => getSecretFromEnvOrPrompt(req),
    log: (level, msg) => {
      if (verbose || level === 'warn' || level === 'error') process.stderr.write(`${level}: ${msg}\n`);
    },
    onUnknownHostKey: async (info: UnknownHostKeyInfo) => {
      if (acceptNew) return 'accept-save';
      if (!process.stdin.isTTY) {
        process.stderr.write(`refusing unknown host key of ${info.host} (${info.keyType} ${info.fingerprint}); add it to ${info.knownHostsPath} or pass --accept-new-host-keys\n`);
        return 'reject';
      }
      const a = await prompt(
        `The authenticity of host ${info.host} (${info.hostname}:${info.port}) can't be established.\n` +
          `${info.keyType} key fingerprint is ${info.fingerprint}.\n` +
          `Accept and save to ${info.knownHostsPath} [s], accept once [o], or refuse [N]? `,
      );
      return /^s/i.test(a) ? 'accept-save' : /^o/i.test(a) ? 'accept-once' : 'reject';
    },
  });
}

