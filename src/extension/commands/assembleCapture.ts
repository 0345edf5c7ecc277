// "LVS: Assemble Capture from pcap Files…": pcaps taken by hand (tcpdump on the director and
// on each real server) made into a capture folder, then opened in the flow view like any
// capture. Asks for the files, the service (from the workspace's config, typed, or guessed),
// each file's host and role, and the folder; the core does the rest (core/capture/assemble.ts).
// Reads and writes local files only, runs nothing on a host: available in untrusted workspaces.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AssembleError, assembleCapture, type AssembleConfig, type AssembleInput, type AssemblePoint, type KnownHost } from '../../core/capture/assemble';
import { parseServiceSpec } from '../../core/capture';
import { serviceKey, type ForwardingMethod, type VirtualService } from '../../core/model/cluster';
import { loadHostChoices } from '../capture/hosts';
import { askServiceSpec, serviceRow } from '../capture/servicePick';
import { workspaceModel } from '../capture/workspaceConfig';
import { topLevelConfigOf } from '../capture/workspaceFiles';
import { defaultAssembleFolder, destinationProblem, hostPrefill, ignoreCaptures, parseHostInput, pcapSelection, realServerItems, roleAccepted, roleItems } from '../captures/assembleChoices';
import { CAPTURES_DIR, type CaptureLibrary } from '../captures/captureLibrary';
import type { FlowDeps } from '../flow/flowPanel';
import { readSettings } from '../util/settings';
import { openCapture } from './openCapture';

export const ASSEMBLE_COMMAND = 'lvs.assembleCapture';
const TITLE = 'LVS: Assemble Capture';

interface Deps extends FlowDeps {
  library: CaptureLibrary;
}

/** The service the pcaps are about: a config service (its key), typed, or guessed (undefined). */
async function pickService(services: VirtualService[]): Promise<{ service?: string; known: boolean } | undefined> {
  type Item = vscode.QuickPickItem & { pick?: { service?: string; known: boolean }; type?: true };
  const items: Item[] = services
    .filter((s) => s.vip)
    .map((s) => ({
      ...serviceRow(s),
      description: `${s.method.toUpperCase()} · ${s.realServers.length} real server${s.realServers.length === 1 ? '' : 's'}`,
      pick: { service: serviceKey(s), known: true },
    }));
  items.push({ label: '$(search) Guess from the director\'s pcap', description: services.length ? 'a VIP of the config it talks to, else the address most connections go to' : 'the address most connections go to', pick: { known: services.length > 0 } });
  items.push({ label: '$(edit) Type a service…', description: 'e.g. tcp 192.0.2.10:80', type: true });
  const chosen = await vscode.window.showQuickPick(items, { title: `${TITLE}: virtual service`, placeHolder: 'What the pcaps are about', ignoreFocusOut: true });
  if (!chosen) return undefined;
  if (chosen.pick) return chosen.pick;
  const spec = await askServiceSpec(`${TITLE}: service`);
  if (!spec) return undefined;
  const vip = parseServiceSpec(spec).vip;
  return { service: spec, known: services.some((s) => s.vip === vip) };
}

/** The pcaps to assemble: those picked, or, when one was (the only choice the file dialog of
 *  VS Code in a browser or a remote window allows), those checked among its folder's. */
async function choosePcaps(picked: string[]): Promise<string[] | undefined> {
  const sel = pcapSelection(picked);
  if ('files' in sel) return sel.files;
  const chosen = await vscode.window.showQuickPick(sel.choices, {
    title: `${TITLE}: the pcaps in ${sel.folder}`,
    placeHolder: 'Check every pcap taken at the same time, one per host and interface (↓ and Space check, Enter goes on)',
    canPickMany: true,
    ignoreFocusOut: true,
  });
  return chosen?.map((c) => c.file);
}

/** undefined: cancelled; null: not known. */
async function pickMethod(): Promise<ForwardingMethod | null | undefined> {
  const items = [
    { label: 'DR', description: 'direct routing: the director rewrites the MAC only', value: 'dr' as const },
    { label: 'NAT', description: 'the director rewrites addresses both ways', value: 'nat' as const },
    { label: 'TUN', description: 'IP-in-IP to the real servers', value: 'tun' as const },
    { label: 'Not known', description: 'the findings that depend on the method are not made', value: null },
  ];
  return (await vscode.window.showQuickPick(items, { title: `${TITLE}: forwarding method of this service`, ignoreFocusOut: true }))?.value;
}

/** Host and role of one file (and which real server of the config it is, when its host does
 *  not say: `ties` gets it, for the core to match the host by); undefined: cancelled. */
async function describeFile(
  file: string,
  n: number,
  total: number,
  ctx: Pick<AssembleInput, 'config' | 'hosts'>,
  service: string | undefined,
  ties: KnownHost[],
): Promise<AssemblePoint | undefined> {
  const step = `${TITLE} (${n}/${total}): ${path.basename(file)}`;
  const text = await vscode.window.showInputBox({
    title: step,
    prompt: `The host ${path.basename(file)} was taken on (HOST, or HOST@INTERFACE)`,
    value: hostPrefill(file),
    ignoreFocusOut: true,
    validateInput: (v) => {
      const r = parseHostInput(v);
      return 'problem' in r ? r.problem : undefined;
    },
  });
  if (text === undefined) return undefined;
  const hostIn = parseHostInput(text);
  if ('problem' in hostIn) return undefined;
  // The hosts tied to a real server by an earlier file count as the hosts file's do.
  const known = { config: ctx.config, hosts: [...ties, ...(ctx.hosts ?? [])] };
  // Nothing tells the role: the first row commits none (Enter out of habit asks again).
  const { items, active } = roleItems(hostIn.host, known, file);
  const qp = vscode.window.createQuickPick<(typeof items)[number]>();
  qp.title = step;
  qp.placeholder = `What is ${hostIn.host}?`;
  qp.items = items;
  qp.ignoreFocusOut = true;
  qp.activeItems = [active];
  const role = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const answer = roleAccepted(qp.selectedItems[0], hostIn.host);
      if ('again' in answer) {
        qp.placeholder = answer.again;
        return;
      }
      resolve(answer.role);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!role) return undefined;
  if (role === 'real-server') {
    const rsItems = realServerItems(hostIn.host, known, { service, taken: ties.flatMap((t) => t.realServer ?? []) });
    if (rsItems.length) {
      const rs = await vscode.window.showQuickPick(rsItems, { title: step, placeHolder: `Which real server of the config is ${hostIn.host}? (its name says none)`, ignoreFocusOut: true });
      if (!rs) return undefined;
      if (rs.realServer) ties.push({ name: hostIn.host, role: 'real-server', realServer: rs.realServer });
    }
  }
  return { file, host: hostIn.host, role, ...(hostIn.interface ? { interface: hostIn.interface } : {}) };
}

/** The hosts file's hosts (setting lvs.hostsFile): their roles and addresses tell what a pcap's host is. */
function knownHosts(hostsFile: string | undefined, config: AssembleConfig | undefined, log: vscode.LogOutputChannel): KnownHost[] | undefined {
  if (!hostsFile) return undefined;
  try {
    return loadHostChoices(config?.model ?? { services: [], vrrpInstances: [], sources: [] }, hostsFile).hosts.map((h) => ({ name: h.name, role: h.role, address: h.address, realServer: h.realServer }));
  } catch (e) {
    log.warn(`assemble: the hosts file ${hostsFile} is not used: ${(e as Error).message}`);
    return undefined;
  }
}

export async function assembleCaptureCommand(deps: Deps): Promise<void> {
  const { log } = deps;
  const folder = vscode.workspace.workspaceFolders?.[0];
  // Files only: on Windows and Linux a native dialog that may pick folders picks nothing else.
  const picked = await vscode.window.showOpenDialog({
    title: `${TITLE}: the pcap files taken by hand, one per host and interface (or one of them: its folder's pcaps are listed next)`,
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: true,
    filters: { 'Packet captures': ['pcap', 'pcapng', 'cap'], 'All files': ['*'] },
    defaultUri: folder?.uri,
    openLabel: 'Assemble',
  });
  const files = await choosePcaps((picked ?? []).filter((u) => u.scheme === 'file').map((u) => u.fsPath));
  if (!files?.length) return;

  // The workspace's config: its services, real servers and directors tell the hosts' roles.
  const ws = folder ? await workspaceModel(folder) : undefined;
  for (const e of ws?.errors ?? []) log.warn(`assemble: config not used: ${e}`);
  const config: AssembleConfig | undefined =
    ws && folder && ws.model.sources.length ? { model: ws.model, directors: ws.directors, topLevel: (f) => topLevelConfigOf(f, ws.documents), root: folder.uri.fsPath } : undefined;
  const service = await pickService(config?.model.services ?? []);
  if (!service) return;
  let method: ForwardingMethod | undefined;
  if (!service.known) {
    const m = await pickMethod();
    if (m === undefined) return;
    method = m ?? undefined;
  }
  const settings = readSettings(folder);
  const fromFile = knownHosts(settings.hostsFile, config, log);

  const points: AssemblePoint[] = [];
  const ties: KnownHost[] = [];
  for (const [i, file] of files.entries()) {
    const p = await describeFile(file, i + 1, files.length, { config, hosts: fromFile }, service.service, ties);
    if (!p) return;
    points.push(p);
  }
  // The real servers told for hosts that name none first (the core takes a host's first entry).
  const hosts = ties.length || fromFile ? [...ties, ...(fromFile ?? [])] : undefined;

  const capturesDir = folder ? path.join(folder.uri.fsPath, CAPTURES_DIR) : undefined;
  const outDir = await vscode.window.showInputBox({
    title: `${TITLE}: folder to write`,
    prompt: 'A new (or empty) folder: capture.json and the pcaps, hard-linked or copied (the originals are not changed)',
    value: defaultAssembleFolder(files[0], capturesDir),
    ignoreFocusOut: true,
    validateInput: (v) => destinationProblem(v.trim()),
  });
  if (!outDir) return;
  const out = outDir.trim();

  let warnings: string[];
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${TITLE}: writing ${path.basename(out)}` }, async () =>
      assembleCapture({ outDir: out, points, config, service: service.service, method, hosts }),
    );
    warnings = result.warnings;
    log.info(`assembled ${out} from ${result.files.map((f) => `${f.source} (${f.how})`).join(', ')}`);
  } catch (e) {
    const problems = e instanceof AssembleError ? e.problems : [(e as Error).message];
    for (const p of problems) log.error(`assemble: ${p}`);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''} in the log)` : '';
    void vscode.window.showErrorMessage(`Cannot assemble the capture: ${problems[0]}${more}`, 'Show Log').then((c) => c && log.show());
    return;
  }
  for (const w of warnings) log.warn(`assemble: ${w}`);
  if (warnings.length) void vscode.window.showWarningMessage(`Capture assembled in ${out}, with a warning: ${warnings[0]}`, 'Show Log').then((c) => c && log.show());
  if (folder && capturesDir && out.startsWith(capturesDir + path.sep) && settings.gitignoreCaptures) {
    try {
      ignoreCaptures(folder.uri.fsPath);
    } catch (e) {
      log.warn(`assemble: could not write .lvs/.gitignore: ${(e as Error).message}`);
    }
  }
  deps.library.notifyChanged();
  await openCapture(deps, vscode.Uri.file(out));
}
