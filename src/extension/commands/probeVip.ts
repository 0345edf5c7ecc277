// "LVS: Probe VIP": from a chosen host (an SSH host acting as client, or this
// machine) open N connections to a virtual service, optionally with a capture on
// the real servers, and show who answered each against the weights: a summary
// message and a table in the "LVS Probe" output channel.
import * as vscode from 'vscode';
import { trustedFor } from '../util/trust';
import type { VirtualService } from '../../core/model/cluster';
import { parseServiceSpec } from '../../core/capture';
import { formatProbeResult, formatProbeSummary, liveProbeSettings, probeSettingsFromService, probeVip, type ProbeSettings } from '../../core/probe';
import { normalizeAddress } from '../../core/state';
import { LocalHost } from '../../core/ssh';
import type { Feature } from '../feature';
import { tryLoadHostChoices } from '../capture/hosts';
import { SecretStore } from '../capture/secrets';
import { workspaceModel } from '../capture/workspaceConfig';
import { readSettings } from '../util/settings';
import { workspacePool } from './checkCluster';

export const PROBE_COMMAND = 'lvs.probeVip';

type Target = ProbeSettings;

async function pickTarget(services: VirtualService[]): Promise<Target | undefined> {
  const probeable = services.filter((s) => s.vip && s.port !== undefined && (s.protocol === 'tcp' || s.protocol === 'udp'));
  type Item = vscode.QuickPickItem & { service?: VirtualService };
  const items: Item[] = probeable.map((s) => ({ label: `${s.protocol} ${s.vip}:${s.port}`, description: `${s.scheduler} · ${s.realServers.length} real servers`, service: s }));
  items.push({ label: '$(edit) Type a service…', description: 'e.g. tcp 192.0.2.10:80' });
  const chosen = await vscode.window.showQuickPick(items, { title: 'LVS: Probe VIP (1/3): virtual service', ignoreFocusOut: true });
  if (!chosen) return undefined;
  if (chosen.service) return probeSettingsFromService(chosen.service);
  const spec = await vscode.window.showInputBox({
    title: 'LVS: Probe VIP: service',
    placeHolder: 'tcp 192.0.2.10:80',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        const t = parseServiceSpec(v);
        return t.protocol && t.port !== undefined ? undefined : 'give the protocol (tcp or udp) and the port';
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (!spec) return undefined;
  const t = parseServiceSpec(spec);
  if (t.protocol !== 'tcp' && t.protocol !== 'udp') return undefined;
  return { vip: t.vip, port: t.port!, protocol: t.protocol, realServers: [] };
}

export const probeVipFeature: Feature = {
  name: 'probe VIP',
  activate({ context, log }) {
    const output = vscode.window.createOutputChannel('LVS Probe');
    const secrets = new SecretStore(context);
    const run = async (): Promise<void> => {
      if (!trustedFor('Probing the VIP')) return;
      const folder = vscode.workspace.workspaceFolders?.[0];
      const settings = readSettings(folder);
      const { model, directors } = await workspaceModel(folder);
      const target = await pickTarget(model.services);
      if (!target) return;
      const choices = tryLoadHostChoices(model, settings.hostsFile, settings.sshConfigFile, directors);
      if ('error' in choices) {
        void vscode.window.showErrorMessage(choices.error);
        return;
      }
      const { hosts } = choices;
      const fromItems = [
        { label: '$(device-desktop) This machine', name: 'local' },
        ...hosts.map((h) => ({ label: h.name, description: h.role ?? 'SSH config', name: h.name })),
      ];
      const from = await vscode.window.showQuickPick(fromItems, { title: 'LVS: Probe VIP (2/3): connect from', ignoreFocusOut: true });
      if (!from) return;
      const countText = await vscode.window.showInputBox({
        title: 'LVS: Probe VIP (3/3): number of connections',
        value: '20',
        ignoreFocusOut: true,
        validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 1000 ? undefined : 'a whole number from 1 to 1000'),
      });
      if (!countText) return;
      const pool = workspacePool(secrets, log, hosts);
      try {
        // A service typed in: what a director's live table says about it (scheduler, flags, weights).
        if (target.realServers.length === 0) {
          for (const d of hosts.filter((h) => h.role === 'director')) {
            try {
              const live = await liveProbeSettings(await pool.get(d.name), target);
              if (live) {
                Object.assign(target, live);
                break;
              }
            } catch (e) {
              log.warn(`probe: could not read the live table of ${d.name}: ${(e as Error).message}`);
            }
          }
        }
        // Real servers that are hosts of the hosts file can capture (authoritative attribution),
        // and their answers ("hello from rs1") name them. Matched by cluster address, never the SSH one.
        const same = (a?: string, b?: string): boolean => a !== undefined && b !== undefined && normalizeAddress(a) === normalizeAddress(b);
        for (const r of target.realServers) r.host ??= hosts.find((h) => h.role === 'real-server' && (same(h.address, r.address) || h.realServer === r.name || same(h.realServer, r.address)))?.name;
        const canCapture = target.realServers.some((r) => r.host && r.address);
        const capture = canCapture
          ? (await vscode.window.showQuickPick(['Capture on the real servers while probing', 'No capture (trust what the service answers)'], { title: 'Who answered: capture?' }))?.startsWith('Capture')
          : false;
        const r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `LVS: probing ${target.protocol} ${target.vip}:${target.port}`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            const fromHost = from.name === 'local' ? new LocalHost('this machine') : await pool.get(from.name);
            return probeVip({
              ...target,
              from: fromHost,
              count: Number(countText),
              capture: capture ? { source: pool } : undefined,
              signal: abort.signal,
              log: (m) => progress.report({ message: m }),
            });
          },
        );
        output.clear();
        output.append(formatProbeResult(r));
        for (const f of r.findings) output.appendLine(`${f.severity} ${f.code}: ${f.message}${f.advice ? `\n    advice: ${f.advice}` : ''}`);
        output.show(true);
        // The same one-line summary as the core gives (answers per real server, those not attributed, verdict, worst finding).
        const text = formatProbeSummary(r);
        const bad = r.findings.some((f) => f.severity === 'error' || f.severity === 'warning');
        void (bad ? vscode.window.showWarningMessage(text) : vscode.window.showInformationMessage(text));
      } catch (e) {
        void vscode.window.showErrorMessage(`LVS probe failed: ${(e as Error).message}`);
      } finally {
        await pool.closeAll();
      }
    };
    context.subscriptions.push(output, vscode.commands.registerCommand(PROBE_COMMAND, run));
  },
};
