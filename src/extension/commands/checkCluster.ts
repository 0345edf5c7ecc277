// "LVS: Check Cluster": read every director and real server of the workspace's
// hosts over SSH (read-only) and judge them against the workspace's config. The
// findings go to the Problems panel (on the config line they blame) and to the
// LVS tree's "Check Results". A finding's suggested fix runs only after a modal
// confirmation that shows the exact command and host.
import * as vscode from 'vscode';
import { trustedFor } from '../util/trust';
import { checkCluster, type CheckHost } from '../../core/check';
import type { Finding, FindingFix, Severity } from '../../core/findings/finding';
import { commandLine, SshPool, type RemoteHost } from '../../core/ssh';
import type { Feature } from '../feature';
import { askUnknownHostKey } from '../capture/hostKeys';
import { checkCandidates, type HostChoice, hostPickItem, roleOf, tryLoadHostChoices } from '../capture/hosts';
import { SecretStore } from '../capture/secrets';
import { workspaceModel } from '../capture/workspaceConfig';
import { readSettings } from '../util/settings';

export const CHECK_COMMAND = 'lvs.checkCluster';
const APPLY_FIX_COMMAND = 'lvs.applyCheckFix';

const severity: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The hosts of the workspace (hosts file or ssh_config) as an SSH pool with the extension's prompts. */
export function workspacePool(secrets: SecretStore, log: vscode.LogOutputChannel, hosts: HostChoice[]): SshPool {
  const settings = readSettings(vscode.workspace.workspaceFolders?.[0]);
  return new SshPool({
    hosts: (name) => hosts.find((h) => h.name === name)?.config,
    knownHostsPath: settings.knownHostsFile,
    sshConfigPath: settings.sshConfigFile,
    connectTimeoutMs: settings.connectTimeoutSeconds * 1000,
    onUnknownHostKey: askUnknownHostKey,
    getSecret: secrets.getSecret,
    log: (level, msg) => (level === 'error' ? log.error(msg) : level === 'warn' ? log.warn(msg) : log.debug(msg)),
  });
}

/** Asks before running a fix: shows exactly what runs where. Returns whether it ran. */
async function applyFix(fix: FindingFix, secrets: SecretStore, log: vscode.LogOutputChannel): Promise<boolean> {
  if (!trustedFor('A fix')) return false;
  const command = `${fix.sudo ? 'sudo ' : ''}${commandLine(fix.argv)}`;
  const run = 'Run';
  const choice = await vscode.window.showWarningMessage(
    `${fix.description}?`,
    { modal: true, detail: `This runs on host "${fix.host}":\n\n${command}\n\nNothing else is changed. Re-run "LVS: Check Cluster" afterwards to verify.` },
    run,
  );
  if (choice !== run) return false;
  const settings = readSettings(vscode.workspace.workspaceFolders?.[0]);
  const { model, directors } = await workspaceModel(vscode.workspace.workspaceFolders?.[0]);
  const choices = tryLoadHostChoices(model, settings.hostsFile, settings.sshConfigFile, directors);
  if ('error' in choices) {
    void vscode.window.showErrorMessage(choices.error);
    return false;
  }
  const pool = workspacePool(secrets, log, choices.hosts);
  try {
    const r = await (await pool.get(fix.host)).exec(fix.argv, { sudo: fix.sudo, timeoutMs: 30000 });
    log.info(`quick fix on ${fix.host}: ${command} -> exit ${r.code}`);
    if (r.code !== 0) throw new Error((r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.code}`);
    void vscode.window.showInformationMessage(`Ran on ${fix.host}: ${command}`);
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`The fix failed on ${fix.host}: ${(e as Error).message}`);
    return false;
  } finally {
    await pool.closeAll();
  }
}

export const checkClusterFeature: Feature = {
  name: 'cluster check',
  activate({ context, log, checkResults }) {
    const diagnostics = vscode.languages.createDiagnosticCollection('lvs-check');
    const secrets = new SecretStore(context);
    const fixes = new WeakMap<vscode.Diagnostic, FindingFix>();
    const docs = (code: string): vscode.Uri => vscode.Uri.joinPath(context.extensionUri, 'docs', 'findings', `${code}.md`);

    const publish = (findings: Finding[], fallbackFile?: string): void => {
      diagnostics.clear();
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const f of findings) {
        const file = f.location?.file ?? fallbackFile;
        if (!file) continue;
        const line = Math.max(0, (f.location?.line ?? 1) - 1);
        const d = new vscode.Diagnostic(new vscode.Range(line, Math.max(0, (f.location?.column ?? 1) - 1), line, Number.MAX_SAFE_INTEGER), f.advice ? `${f.message} ${f.advice}` : f.message, severity[f.severity]);
        d.source = 'LVS check';
        d.code = { value: f.code, target: docs(f.code) };
        d.relatedInformation = f.evidence.slice(0, 8).map((e) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line, 0)), `${e.host}: ${e.text}`));
        if (f.fix) fixes.set(d, f.fix);
        byFile.set(file, [...(byFile.get(file) ?? []), d]);
      }
      for (const [file, list] of byFile) diagnostics.set(vscode.Uri.file(file), list);
    };

    const run = async (): Promise<void> => {
      if (!trustedFor('Checking the cluster')) return;
      const folder = vscode.workspace.workspaceFolders?.[0];
      const settings = readSettings(folder);
      const { model, errors, directors } = await workspaceModel(folder);
      for (const e of errors) log.warn(`config: ${e}`);
      const choices = tryLoadHostChoices(model, settings.hostsFile, settings.sshConfigFile, directors);
      if ('error' in choices) {
        void vscode.window.showErrorMessage(choices.error);
        return;
      }
      const { hosts, from } = choices;
      const candidates = checkCandidates(choices);
      if (candidates.hosts.length === 0) {
        void vscode.window.showErrorMessage(`No director or real server to check: ${from} lists none. Set "lvs.hostsFile" to a hosts file with roles.`);
        return;
      }
      let targets = candidates.hosts;
      if (candidates.ask) {
        // Hosts of ~/.ssh/config: only the ones the user picks (those the workspace config names preselected).
        const picked = await vscode.window.showQuickPick(
          targets.map((h) => hostPickItem(h, 'checked')),
          { title: `LVS: Check Cluster: hosts to read (from ${from})`, placeHolder: 'Set "lvs.hostsFile" to a hosts file with roles to skip this question', canPickMany: true, ignoreFocusOut: true },
        );
        if (!picked?.length) return;
        targets = picked.map((p) => p.host);
      }
      const pool = workspacePool(secrets, log, hosts);
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'LVS: checking the cluster', cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            progress.report({ message: `connecting to ${targets.map((t) => t.name).join(', ')}` });
            const entries = await Promise.all(
              targets.map(async (t): Promise<[string, CheckHost]> => {
                const role = roleOf(t) as 'director' | 'real-server';
                try {
                  return [t.name, { role, realServer: t.realServer ?? t.address, host: await pool.get(t.name) }];
                } catch (e) {
                  const message = (e as Error).message;
                  const dead: RemoteHost = { name: t.name, exec: () => Promise.reject(new Error(message)), download: async () => {}, close: async () => {} };
                  return [t.name, { role, host: dead }];
                }
              }),
            );
            progress.report({ message: 'reading the live state' });
            return checkCluster({ model: model.services.length ? model : undefined, hosts: new Map(entries), signal: abort.signal });
          },
        );
        publish(result.findings, model.sources[0]);
        checkResults.setCheckFindings(result.findings);
        for (const h of result.hosts) log.info(`check: ${h.role} ${h.name}: ${h.reachable ? 'reachable' : 'unreachable'}${h.ipvs ? `, IPVS ${h.ipvs}` : ''}${h.notes.length ? `; ${h.notes.join('; ')}` : ''}`);
        const errorsN = result.findings.filter((f) => f.severity === 'error').length;
        const warnN = result.findings.filter((f) => f.severity === 'warning').length;
        const withFix = result.findings.filter((f) => f.fix);
        const partial = result.findings.filter((f) => f.code === 'check-source-unreadable').map((f) => f.evidence[0]?.host);
        const summary = `LVS check: ${errorsN} error${errorsN === 1 ? '' : 's'}, ${warnN} warning${warnN === 1 ? '' : 's'} on ${result.hosts.length} hosts.${partial.length ? ` Some checks could not run on ${partial.join(', ')}.` : ''}`;
        const review = 'Review Fixes…';
        const show = 'Show Problems';
        const choice = await (errorsN ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(summary, show, ...(withFix.length ? [review] : []));
        if (choice === show) void vscode.commands.executeCommand('workbench.actions.view.problems');
        if (choice === review) {
          const pick = await vscode.window.showQuickPick(
            withFix.map((f) => ({ label: f.fix!.description, description: f.fix!.host, detail: `${f.fix!.sudo ? 'sudo ' : ''}${commandLine(f.fix!.argv)}`, fix: f.fix! })),
            { title: 'LVS: suggested fixes (each asks for confirmation)' },
          );
          if (pick) await applyFix(pick.fix, secrets, log);
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`LVS check failed: ${(e as Error).message}`);
      } finally {
        await pool.closeAll();
      }
    };

    context.subscriptions.push(
      diagnostics,
      vscode.commands.registerCommand(CHECK_COMMAND, run),
      vscode.commands.registerCommand(APPLY_FIX_COMMAND, (fix: FindingFix) => applyFix(fix, secrets, log)),
      vscode.languages.registerCodeActionsProvider(
        [{ language: 'keepalived' }, { language: 'ipvsadm' }, { scheme: 'file' }],
        {
          provideCodeActions(_doc, _range, ctx) {
            return ctx.diagnostics
              .filter((d) => fixes.has(d))
              .map((d) => {
                const fix = fixes.get(d)!;
                const a = new vscode.CodeAction(`${fix.description} (asks first)`, vscode.CodeActionKind.QuickFix);
                a.diagnostics = [d];
                a.command = { command: APPLY_FIX_COMMAND, title: fix.description, arguments: [fix] };
                return a;
              });
          },
        },
        { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
      ),
    );
  },
};
