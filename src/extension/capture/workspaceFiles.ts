// The workspace's LVS configuration without the `vscode` API (./workspaceConfig.ts
// lists the files): which file names are configs (the same patterns the editor's
// languages use, so a file the editor lints is one the tree, Capture, Check and
// Probe see), and the one cluster model they make. A file that another one includes
// (keepalived/conf.d/*.conf under keepalived.conf) is part of that config, not a
// config of its own: its services are counted once.
import * as path from 'node:path';
import { analyzeText, type AnalyzedDocument } from '../../core/config';
import { readFileOrUndefined } from '../../core/config/lint';
import { configDirectors } from '../../core/config/directors';
import type { ClusterModel } from '../../core/model/cluster';
import { languagePatterns, type LanguageContribution, searchGlobs, topLevelDocuments } from '../language/peerLint';

export type ConfigLanguageId = 'keepalived' | 'ipvsadm';
const LANGUAGES: ConfigLanguageId[] = ['keepalived', 'ipvsadm'];

/** Never searched for configs: dependencies, git, and our own captures (copies of configs). */
export const CONFIG_EXCLUDE = '{**/node_modules/**,**/.lvs/**,**/.git/**}';

/** The globs to search per language: the manifest's language contributions and the user's files.associations. */
export function configGlobs(languages: LanguageContribution[] | undefined, associations?: Record<string, unknown>): Array<{ languageId: ConfigLanguageId; glob: string }> {
  return LANGUAGES.flatMap((languageId) => searchGlobs(languagePatterns(languageId, languages, associations)).map((glob) => ({ languageId, glob })));
}

/** Files found by the globs, each once; a file two languages claim is left to detection by name and content. */
export function configFilesOf(found: Array<{ languageId: ConfigLanguageId; files: string[] }>): Array<{ file: string; languageId?: ConfigLanguageId }> {
  const langs = new Map<string, Set<ConfigLanguageId>>();
  for (const { languageId, files } of found) for (const f of files) langs.set(f, (langs.get(f) ?? new Set()).add(languageId));
  return [...langs.keys()].sort().map((file) => {
    const l = [...langs.get(file)!];
    return l.length === 1 ? { file, languageId: l[0] } : { file };
  });
}

export interface WorkspaceConfig {
  model: ClusterModel;
  /** Files that could not be read or are no config. */
  errors: string[];
  /** The configs read on their own (included files left out), with every file each one read. */
  documents: Array<{ file: string; files: string[] }>;
  /** What the keepalived configs say the directors are: router_id, unicast_src_ip and unicast_peer. */
  directors: { names: string[]; addresses: string[] };
}

/** Parses the config files and merges them into one model; a file another one includes is not counted again. */
export function workspaceConfigOf(files: Array<{ file: string; languageId?: string }>, readFile: (f: string) => string | undefined = readFileOrUndefined): WorkspaceConfig {
  const errors: string[] = [];
  const docs: Array<{ doc: AnalyzedDocument }> = [];
  for (const { file, languageId } of files) {
    const text = readFile(file);
    if (text === undefined) {
      errors.push(`cannot read ${file}`);
      continue;
    }
    const doc = analyzeText(text, file, languageId, readFile);
    if (!doc) errors.push(`${file} is neither a keepalived.conf nor ipvsadm rules`);
    else docs.push({ doc });
  }
  const model: ClusterModel = { services: [], vrrpInstances: [], sources: [] };
  const documents: WorkspaceConfig['documents'] = [];
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const { doc } of topLevelDocuments(docs)) {
    model.services.push(...doc.model.services);
    model.vrrpInstances.push(...doc.model.vrrpInstances);
    for (const s of doc.model.sources) if (!model.sources.includes(s)) model.sources.push(s);
    documents.push({ file: doc.file, files: doc.keepalived?.files ?? [doc.file] });
    const d = configDirectors(doc);
    d.names.forEach((n) => names.add(n));
    d.addresses.forEach((a) => addresses.add(a));
  }
  return { model, errors, documents, directors: { names: [...names], addresses: [...addresses] } };
}

/** The config read on its own that holds `file` (itself, or the config that includes it). */
export function topLevelConfigOf(file: string, documents: WorkspaceConfig['documents']): string {
  const abs = path.resolve(file);
  return documents.find((d) => d.files.some((f) => path.resolve(f) === abs))?.file ?? file;
}
