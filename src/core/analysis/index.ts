// The analysis engine: a capture folder (capture.json + one pcap per point) in, an
// AnalysisResult out — per connection the hops it took and where it stopped, and the
// findings that name what went wrong. Plain Node; the CLI and the VS Code layer call
// analyzeCapture().

import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostMessage, readManifest, type CaptureManifest } from '../capture/manifest';
import { loadClusterModel } from '../config/index';
import { describeFileError } from '../fileErrors';
import { sortFindings, type Finding } from '../findings/finding';
import type { ClusterModel } from '../model/cluster';
import { correlate, learnRealServerAddresses } from './correlate';
import { ServiceMap } from './endpoints';
import type { ConnFacts, Facts } from './facts';
import { capturePoints, readPoints } from './readPoints';
import type { AnalysisResult } from './result';
import { rules } from './rules/index';
import { screenConnections } from './rules/rule';

export type { AnalysisResult } from './result';
export { rules } from './rules/index';

export interface AnalyzeOptions {
  /** The cluster model for config locations; loaded from capture.json's `config` when absent. */
  model?: ClusterModel;
  /** Loads the model from a config path (default: the config support's loadClusterModel). */
  loadModel?: (configPath: string) => ClusterModel | Promise<ClusterModel>;
}

const CAPTURE_FOLDER_ADVICE = 'A capture folder holds capture.json (format 1) and the pcap files it lists.';

/** Why `folder` is no capture folder at all, in plain words: it is missing, a file, or
 *  holds no capture.json (undefined: it does hold one, whatever is wrong inside). */
function missingFolderProblem(folder: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (e) {
    return `${describeFileError(folder, e)} (expected a capture folder holding capture.json)`;
  }
  if (!stat.isDirectory()) return `${folder} is a file, not a capture folder (a folder holding capture.json and its pcaps)`;
  if (!fs.existsSync(path.join(folder, 'capture.json'))) return `${folder} holds no capture.json: not a capture folder`;
  return undefined;
}

function emptyManifest(folder: string): CaptureManifest {
  return { format: 1, target: { vip: '' }, services: [], points: [], note: `unreadable capture folder ${folder}` };
}

/** Analyses a capture folder. Never throws for bad input: problems land in lane errors and findings. */
export async function analyzeCapture(folder: string, opts: AnalyzeOptions = {}): Promise<AnalysisResult> {
  let manifest: CaptureManifest;
  try {
    manifest = readManifest(folder);
  } catch (e) {
    const message = missingFolderProblem(folder) ?? (e as Error).message;
    return {
      folder,
      manifest: emptyManifest(folder),
      lanes: [],
      connections: [],
      findings: [
        {
          code: 'capture-unreadable',
          severity: 'error',
          message,
          advice: CAPTURE_FOLDER_ADVICE,
          evidence: [{ host: 'local', file: 'capture.json', text: message }],
        },
      ],
      stats: { packets: 0, connections: 0, durationSec: 0 },
    };
  }
  let model = opts.model;
  const findings: Finding[] = [];
  const loadModel = opts.loadModel ?? ((file: string) => loadClusterModel([file]));
  if (!model && manifest.config) {
    const configPath = path.isAbsolute(manifest.config) ? manifest.config : path.join(folder, manifest.config);
    try {
      model = await loadModel(configPath);
    } catch (e) {
      findings.push({
        code: 'config-unreadable',
        severity: 'info',
        message: `The config ${manifest.config} named in capture.json could not be loaded (${(e as Error).message}); findings carry no config location.`,
        evidence: [{ host: 'local', file: manifest.config, text: (e as Error).message }],
      });
    }
  }
  // Step by step, letting the event loop run in between: in the extension host a big
  // capture would otherwise hold up every other extension for the whole analysis.
  const steps = analysisSteps(folder, manifest, model, findings);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Runs steps to the end without yielding to the event loop. */
function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** The synchronous core, for callers that already hold the manifest (and the bench). */
export function analyzeManifest(folder: string, manifest: CaptureManifest, model?: ClusterModel, pre: Finding[] = []): AnalysisResult {
  return runToEnd(analysisSteps(folder, manifest, model, pre));
}

/** The analysis in steps (a capture point read, the correlation, the findings): each
 *  `yield` is a place where an asynchronous caller may let other work run. */
function* analysisSteps(folder: string, manifest: CaptureManifest, model: ClusterModel | undefined, pre: Finding[]): Generator<void, AnalysisResult> {
  const facts = yield* factSteps(folder, manifest, model);
  const { points } = facts;
  const findings: Finding[] = [...pre];
  const noneReadable = points.every((p) => !p.readable);
  if (noneReadable) {
    // Nothing to analyse: as an unreadable capture.json is (docs/findings/capture-unreadable.md).
    findings.push({
      code: 'capture-unreadable',
      severity: 'error',
      message:
        points.length === 0
          ? 'capture.json lists no capture point: there is nothing to analyse.'
          : `None of the ${points.length} capture points could be read: there is nothing to analyse.`,
      advice: CAPTURE_FOLDER_ADVICE,
      evidence: points.length === 0 ? [{ host: 'local', file: 'capture.json', text: 'no capture point' }] : points.map((p) => ({ host: p.spec.host, file: p.spec.file, text: p.lane.error ?? 'no packet read' })),
    });
  }
  for (const p of points) {
    if (p.lane.error && !noneReadable) {
      findings.push({
        code: 'capture-unreadable',
        severity: 'warning',
        message: `The capture of ${p.spec.host} (${p.spec.file}) could not be read: ${p.lane.error}. The analysis goes on without it.`,
        evidence: [{ host: p.spec.host, file: p.spec.file, text: p.lane.error }],
      });
    }
  }
  for (const e of manifest.errors ?? []) {
    findings.push({ code: 'capture-host-error', severity: 'info', message: hostMessage(e.host, e.message), evidence: [{ host: e.host, text: e.message }] });
  }
  const ruleFindings: Finding[] = [];
  let suspects: ConnFacts[][];
  try {
    suspects = screenConnections(facts.conns, rules);
  } catch {
    // A suspect() that failed: every rule judges every connection itself.
    suspects = rules.map(() => facts.conns);
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    try {
      ruleFindings.push(...rule.check({ ...facts, earlier: ruleFindings, suspects: suspects[i] }));
    } catch (e) {
      findings.push({
        code: 'analysis-error',
        severity: 'info',
        message: `Rule ${rule.code} failed: ${(e as Error).message}`,
        evidence: [{ host: 'local', text: (e as Error).stack?.split('\n')[1]?.trim() ?? '' }],
      });
    }
  }
  const all = sortFindings([...ruleFindings, ...findings]);
  // A finding may cite thousands of connections: look them up by id, not by a scan each
  // (the index made only when one does).
  let byId: Map<string, ConnFacts> | undefined;
  for (const f of all) {
    if (!f.connections?.length) continue;
    byId ??= new Map(facts.conns.map((c) => [c.conn.id, c]));
    for (const id of f.connections) {
      const c = byId.get(id);
      if (!c) continue;
      const codes = (c.conn.findings ??= []);
      if (!codes.includes(f.code)) codes.push(f.code);
    }
  }
  const connections = facts.conns.map((c) => c.conn);
  const firsts = points.filter((p) => p.table.packets > 0).map((p) => p.table.first + p.shift);
  const lasts = points.filter((p) => p.table.packets > 0).map((p) => p.table.last + p.shift);
  return {
    folder,
    manifest,
    lanes: points.map((p) => p.lane),
    connections,
    findings: all,
    stats: {
      packets: points.reduce((a, p) => a + p.table.packets, 0),
      connections: connections.length,
      durationSec: firsts.length ? Math.round((Math.max(...lasts) - Math.min(...firsts)) * 1000) / 1000 : 0,
    },
  };
}

/** Reads every capture point and correlates them: the facts the finding rules judge. */
export function gatherFacts(folder: string, manifest: CaptureManifest, model?: ClusterModel): Facts {
  return runToEnd(factSteps(folder, manifest, model));
}

function* factSteps(folder: string, manifest: CaptureManifest, model: ClusterModel | undefined): Generator<void, Facts> {
  const services = new ServiceMap(manifest);
  if (model) addModelRealServers(services, model);
  const points = capturePoints(manifest, services);
  yield* readPoints(folder, points);
  learnRealServerAddresses(points, services);
  const facts: Facts = {
    folder,
    manifest,
    model,
    services,
    points,
    conns: [],
    healthChecks: [],
    arp: points.flatMap((p) => p.table.arp),
    macClaims: new Map(),
    rsMacs: new Map(),
    directorMacs: new Set(),
    vrrp: points.flatMap((p) => [...p.table.vrrp.values()]),
    fragNeeded: points.flatMap((p) => p.table.fragNeeded),
    clients: new Set(),
  };
  correlate(facts);
  yield;
  return facts;
}

/** Real servers from the config that capture.json does not list (e.g. removed by checks). */
function addModelRealServers(services: ServiceMap, model: ClusterModel): void {
  for (const vs of model.services) {
    if (vs.vip && !services.vips.has(vs.vip)) continue;
    for (const rs of vs.realServers) services.addRealServer(rs.name || rs.address, rs.address);
  }
}
