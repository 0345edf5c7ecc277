// "LVS: Capture VIP Traffic": pick a service (from the workspace's keepalived.conf /
// ipvsadm rules, or typed), the hosts and how long; capture on every host at once
// over SSH with a cancellable progress notification showing live per-host counts;
// save the folder under .lvs/captures/, then open the flow view and publish the
// findings. The capture itself is the core's (planCapture + runCapture).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { trustedFor } from '../util/trust';
import type { ForwardingMethod } from '../../core/model/cluster';
import { serviceKey, type VirtualService } from '../../core/model/cluster';
import { parseServiceSpec, planCapture, remoteCleanupSummary, runCapture, type CapturePlan, type HostProgress, type PlanHost } from '../../core/capture';
import { SshPool, type LogFn } from '../../core/ssh';
import { CAPTURES_DIR, type CaptureLibrary } from '../captures/captureLibrary';
import { askUnknownHostKey } from '../capture/hostKeys';
import { hostPickItem, roleOf, tryLoadHostChoices, type HostChoice } from '../capture/hosts';
import { askServiceSpec, serviceRow } from '../capture/servicePick';
import type { SecretStore } from '../capture/secrets';
import { workspaceModel } from '../capture/workspaceConfig';
import { topLevelConfigOf } from '../capture/workspaceFiles';
import { FlowPanel, type FlowDeps } from '../flow/flowPanel';
import { readSettings } from '../util/settings';

export const CAPTURE_COMMAND = 'lvs.captureVipTraffic';

interface Deps extends FlowDeps {
  library: CaptureLibrary;
  secrets: SecretStore;
}

type ServicePick = { kind: 'model'; service: VirtualService } | { kind: 'typed'; spec: string };

function describe(s: VirtualService): string {
  return `${s.method.toUpperCase()} · ${s.scheduler}${s.persistenceSeconds ? ` · persistent ${s.persistenceSeconds}s` : ''} · ${s.realServers.length} real server${s.realServers.length === 1 ? '' : 's'}`;
}

async function pickService(services: VirtualService[]): Promise<ServicePick | undefined> {
  type Item = vscode.QuickPickItem & { pick?: ServicePick };
  const items: Item[] = services
    .filter((s) => s.vip)
    .map((s) => ({
      ...serviceRow(s),
      description: describe(s),
      pick: { kind: 'model', service: s },
    }));
  items.push({ label: '$(edit) Type a service…', description: 'e.g. tcp 192.0.2.10:80' });
  const chosen = await vscode.window.showQuickPick(items, { title: 'LVS: Capture VIP Traffic (1/3): virtual service', placeHolder: 'Pick the virtual service to capture', ignoreFocusOut: true });
  if (!chosen) return undefined;
  if (chosen.pick) return chosen.pick;
  const spec = await askServiceSpec('LVS: Capture VIP Traffic: service');
  return spec ? { kind: 'typed', spec } : undefined;
}

async function pickMethod(): Promise<ForwardingMethod | undefined> {
  const items = [
    { label: 'DR', description: 'direct routing: the director rewrites the MAC only', value: 'dr' as const },
    { label: 'NAT', description: 'the director rewrites addresses both ways', value: 'nat' as const },
    { label: 'TUN', description: 'IP-in-IP to the real servers', value: 'tun' as const },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'Forwarding method of this service', ignoreFocusOut: true }))?.value;
}

async function pickHosts(hosts: HostChoice[], from: string): Promise<HostChoice[] | undefined> {
  if (!hosts.length) {
    void vscode.window.showErrorMessage(`No hosts to capture on: ${from} lists none. Set "lvs.hostsFile" to a hosts file (JSON, as the capture CLI reads) or add Host entries to your SSH config.`);
    return undefined;
  }
  // Preselected: the hosts the hosts file or the workspace config gives a role (not every Host of ~/.ssh/config).
  const items = hosts.map((h) => hostPickItem(h, 'captured'));
  const chosen = await vscode.window.showQuickPick(items, { title: `LVS: Capture VIP Traffic (2/3): hosts (from ${path.basename(from)})`, canPickMany: true, ignoreFocusOut: true });
  return chosen?.length ? chosen.map((c) => c.host) : undefined;
}

async function pickLength(defaultSeconds: number, defaultCount: number): Promise<{ durationMs?: number; count?: number } | undefined> {
  type Item = vscode.QuickPickItem & { value?: { durationMs?: number; count?: number }; ask?: 'seconds' | 'count' };
  const secs = [...new Set([defaultSeconds, 10, 30, 60])];
  const items: Item[] = secs.map((s) => ({ label: `${s} seconds`, value: { durationMs: s * 1000 } }));
  if (defaultCount > 0) items.unshift({ label: `${defaultCount} packets per host`, value: { count: defaultCount, durationMs: defaultSeconds * 1000 } });
  items.push({ label: 'Other duration…', ask: 'seconds' }, { label: 'Until a number of packets…', ask: 'count' });
  const chosen = await vscode.window.showQuickPick(items, { title: 'LVS: Capture VIP Traffic (3/3): how long', ignoreFocusOut: true });
  if (!chosen) return undefined;
  if (chosen.value) return chosen.value;
  const n = await vscode.window.showInputBox({
    title: chosen.ask === 'seconds' ? 'Capture duration (seconds)' : 'Packets per host (stops after 10 minutes at most)',
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) > 0 && Number(v) <= 1_000_000 ? undefined : 'a whole number from 1 to 1000000'),
    ignoreFocusOut: true,
  });
  if (!n) return undefined;
  return chosen.ask === 'seconds' ? { durationMs: Number(n) * 1000 } : { count: Number(n) };
}

/** `.lvs/captures/20261125-150102-tcp_192.0.2.10_80`, and `.lvs/.gitignore` so captures stay out of git. */
export function captureFolder(root: string, target: CapturePlan['target'], gitignore: boolean, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const svc = `${target.protocol ?? 'any'}_${target.vip}_${target.port ?? 'any'}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = path.join(root, CAPTURES_DIR, `${stamp}-${svc}`);
  fs.mkdirSync(dir, { recursive: true });
  const ignore = path.join(root, '.lvs', '.gitignore');
  if (gitignore && !fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Captures hold packet data: keep them out of git.\n*\n');
  return dir;
}

function progressText(hosts: Record<string, HostProgress>): string {
  return Object.entries(hosts)
    .map(([name, p]) => `${name}: ${p.state === 'failed' ? 'failed' : `${p.packets}`}${p.state === 'capturing' || p.state === 'failed' ? '' : ` (${p.state})`}`)
    .join(' · ');
}

export async function captureVipTraffic(deps: Deps): Promise<void> {
  const log = deps.log;
  if (!trustedFor('Capturing')) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Open the folder that holds your keepalived.conf or ipvsadm rules first: captures are saved in it (.lvs/captures).');
    return;
  }
  const settings = readSettings(folder);
  const { model, errors, directors, documents } = await workspaceModel(folder);
  for (const e of errors) log.warn(`config not used for the service list: ${e}`);
  const service = await pickService(model.services);
  if (!service) return;

  const choices = tryLoadHostChoices(model, settings.hostsFile, settings.sshConfigFile, directors);
  if ('error' in choices) {
    void vscode.window.showErrorMessage(choices.error);
    return;
  }
  const hosts = await pickHosts(choices.hosts, choices.from);
  if (!hosts) return;
  const length = await pickLength(settings.defaultDurationSeconds, settings.defaultPacketCount);
  if (!length) return;

  const planHosts: PlanHost[] = hosts.map((h) => ({ name: h.name, role: roleOf(h), address: h.address, realServer: h.realServer }));
  let plan: CapturePlan;
  try {
    if (service.kind === 'model') {
      plan = planCapture({ model, service: serviceKey(service.service), hosts: planHosts });
    } else {
      const target = parseServiceSpec(service.spec);
      const known = model.services.filter((s) => s.vip === target.vip);
      const method = known[0]?.method ?? (await pickMethod());
      if (!method) return;
      plan = planCapture({ target, method, services: known, hosts: planHosts });
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`Cannot plan the capture: ${(e as Error).message}`);
    return;
  }
  for (const w of plan.warnings) log.warn(`capture plan: ${w}`);
  const outDir = captureFolder(folder.uri.fsPath, plan.target, settings.gitignoreCaptures);
  const coreLog: LogFn = (level, msg) => log[level](msg);
  const pool = new SshPool({
    hosts: (name) => hosts.find((h) => h.name === name)?.config,
    knownHostsPath: settings.knownHostsFile,
    sshConfigPath: settings.sshConfigFile,
    connectTimeoutMs: settings.connectTimeoutSeconds * 1000,
    onUnknownHostKey: askUnknownHostKey,
    getSecret: deps.secrets.getSecret,
    log: coreLog,
  });
  const label = `${plan.target.protocol ?? ''} ${plan.target.vip}:${plan.target.port ?? '*'}`.trim();
  log.info(`capturing ${label} on ${hosts.map((h) => h.name).join(', ')} into ${outDir}`);

  let manifestOk = false;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `LVS capture ${label}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        const started = Date.now();
        const total = length.durationMs ?? 0;
        let reported = 0;
        const manifest = await runCapture(plan, pool, {
          outDir,
          durationMs: length.durationMs,
          count: length.count,
          snaplen: settings.snaplen,
          maxBytesPerHost: Math.round(settings.maxMegabytesPerHost * 1048576),
          signal: abort.signal,
          log: coreLog,
          // The whole config of the director that defines the service (a conf.d file's includer), with its
          // includes; capture.json records its path in the workspace, to show findings on the user's file.
          configFile: plan.config && topLevelConfigOf(plan.config, documents),
          configRoot: folder.uri.fsPath,
          onProgress: (p) => {
            const pct = total ? Math.min(100, ((Date.now() - started) / total) * 100) : 0;
            progress.report({ message: progressText(p), increment: Math.max(0, pct - reported) });
            reported = Math.max(reported, pct);
          },
        });
        for (const e of manifest.errors ?? []) log.warn(`capture on ${e.host}: ${e.message}`);
        const limited = (manifest.warnings ?? []).filter((w) => !plan.warnings.includes(w));
        for (const w of limited) log.warn(`capture: ${w}`);
        if (limited.length && !manifest.errors?.length) void vscode.window.showWarningMessage(`${limited[0]} (setting lvs.capture.maxMegabytesPerHost).`);
        if (token.isCancellationRequested) {
          const { removed, left } = remoteCleanupSummary(manifest, plan.points.map((p) => p.host));
          if (removed.length) log.info(`capture cancelled: remote processes and files removed on ${removed.join(', ')}`);
          for (const l of left) log.warn(`capture cancelled: ${l}`);
          return;
        }
        manifestOk = true;
        if (manifest.errors?.length) {
          void vscode.window.showWarningMessage(`Captured with problems on ${manifest.errors.map((e) => e.host).join(', ')}: ${manifest.errors[0].message}`);
        }
      },
    );
  } catch (e) {
    log.error(`capture failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Capture failed: ${(e as Error).message}`, 'Show Log').then((c) => c && log.show());
    return;
  } finally {
    await pool.closeAll();
  }
  deps.library.notifyChanged();
  if (!manifestOk) return;
  try {
    const result = await deps.library.analyze(outDir);
    FlowPanel.show(outDir, deps, result);
    const n = result.findings.filter((f) => f.severity !== 'info').length;
    void vscode.window.showInformationMessage(
      `Captured ${result.stats.packets} packets, ${result.stats.connections} connections: ${n ? `${n} finding${n === 1 ? '' : 's'} in the Problems panel` : 'no problem found'}.`,
    );
  } catch (e) {
    log.error(`analysis of ${outDir} failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`The capture is saved in ${outDir} but could not be analysed: ${(e as Error).message}`);
  }
}
