// Linting: parse, check syntax against the schema, build the cluster model, run
// the rules. Pure functions over text; files are read only to follow includes.
import * as fs from 'node:fs';
import type { ClusterModel } from '../model/cluster';
import { type ConfigDiagnostic, type ConfigLanguage, sortDiagnostics } from './diagnostic';
import { detectLanguage, languageNamingHint } from './detect';
import { plainFileError } from '../fileErrors';
import { ipvsadmToModel } from './ipvsadm/model';
import { type ParsedIpvsadm, parseIpvsadm } from './ipvsadm/parser';
import type { ParsedConfig } from './keepalived/ast';
import { keepalivedToModel } from './keepalived/model';
import { parseKeepalived } from './keepalived/parser';
import { snippetContext, topLevelOf } from './keepalived/snippet';
import { validateSyntax } from './keepalived/validate';
import { rules } from './rules';
import { vrrpPeerDiagnostics } from './rules/vrrp-peer-mismatch';
import { applySuppressions } from './suppress';
import type { LintContext } from './rules/rule';

export interface AnalyzedDocument {
  language: ConfigLanguage;
  file: string;
  keepalived?: ParsedConfig;
  ipvsadm?: ParsedIpvsadm;
  model: ClusterModel;
  /** Parse and syntax diagnostics (rules not run yet). */
  syntax: ConfigDiagnostic[];
}

export function readFileOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface AnalyzeOptions {
  /**
   * The block a keepalived file's top level is in: `root` (the default) for a whole
   * config; the block of the `include` directive for a file included inside one (the
   * editor finds it from the including config); `auto` for a file opened on its own
   * that may be such a fragment (see ./keepalived/snippet.ts).
   */
  rootContext?: string;
}

/** Parses and syntax-checks one document; includes are read with `readFile` (from disk by default). */
export function analyzeText(text: string, file: string, languageId?: string, readFile: (f: string) => string | undefined = readFileOrUndefined, options: AnalyzeOptions = {}): AnalyzedDocument | undefined {
  const language = detectLanguage(file, text, languageId);
  if (!language) return undefined;
  let syntax: ConfigDiagnostic[] = [];
  if (language === 'keepalived') {
    const auto = options.rootContext === 'auto';
    let parsed = parseKeepalived(text, file, syntax, { readFile, rootContext: auto ? 'root' : options.rootContext });
    const guess = auto ? snippetContext(parsed.statements, file) : undefined;
    if (guess?.context) {
      syntax = [];
      parsed = parseKeepalived(text, file, syntax, { readFile, rootContext: guess.context });
    }
    validateSyntax(parsed.statements, syntax);
    if (guess?.lenient) {
      // A fragment whose block cannot be told: where its top-level keywords belong is unknown.
      const top = new Set(topLevelOf(parsed.statements, file).map((s) => `${s.keyword.line}:${s.keyword.start}`));
      syntax = syntax.filter((d) => d.code !== 'keyword-not-allowed' || d.file !== file || !top.has(`${d.range.start.line}:${d.range.start.character}`));
    }
    return { language, file, keepalived: parsed, model: keepalivedToModel([parsed]), syntax };
  }
  const parsed = parseIpvsadm(text, file, syntax);
  return { language, file, ipvsadm: parsed, model: ipvsadmToModel([parsed]), syntax };
}

/** Runs every rule of the document's language. */
export function runRules(doc: AnalyzedDocument, text: string, readFile: (f: string) => string | undefined = readFileOrUndefined): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const lineCache = new Map<string, string[]>();
  const ctx: LintContext = {
    language: doc.language,
    model: doc.model,
    keepalived: doc.keepalived,
    ipvsadm: doc.ipvsadm,
    lineText(file, line) {
      let lines = lineCache.get(file);
      if (!lines) {
        lines = (file === doc.file ? text : (readFile(file) ?? '')).split('\n');
        lineCache.set(file, lines);
      }
      return lines[line] ?? '';
    },
    report: () => undefined,
  };
  for (const rule of rules) {
    if (!rule.languages.includes(doc.language)) continue;
    rule.check({ ...ctx, report: (d) => out.push({ code: rule.code, severity: rule.severity, ...d }) });
  }
  return out;
}

/** Diagnostics for one document (and the files it includes), sorted. */
export function lintText(text: string, file: string, languageId?: string): ConfigDiagnostic[] {
  const doc = analyzeText(text, file, languageId);
  return doc ? diagnosticsOf(doc, text) : [];
}

/**
 * All diagnostics of an analyzed document (syntax + rules, suppressions applied), sorted.
 * `readFile` gives the included files' text (the editor's unsaved buffers), as analyzeText read them.
 */
export function diagnosticsOf(doc: AnalyzedDocument, text: string, readFile: (f: string) => string | undefined = readFileOrUndefined): ConfigDiagnostic[] {
  const all = applySuppressions([...doc.syntax, ...runRules(doc, text, readFile)], (f) => (f === doc.file ? text : readFile(f)));
  return sortDiagnostics(all);
}

/**
 * Diagnostics for files on disk; a file that cannot be read is an error diagnostic.
 * The keepalived.conf files are also compared with each other (crossFileDiagnostics).
 */
export function lintFiles(paths: string[]): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const docs: Array<{ doc: AnalyzedDocument; text: string }> = [];
  for (const p of paths) {
    let text: string;
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch (e) {
      out.push({ code: 'file-unreadable', severity: 'error', file: p, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: `cannot read ${p}: ${plainFileError(e)}` });
      continue;
    }
    const doc = analyzeText(text, p);
    if (!doc) {
      out.push({ code: 'unknown-language', severity: 'error', file: p, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, message: `${p} is neither a keepalived.conf nor ipvsadm rules: ${languageNamingHint()}` });
      continue;
    }
    out.push(...diagnosticsOf(doc, text));
    docs.push({ doc, text });
  }
  out.push(...crossFileDiagnostics(docs));
  return sortDiagnostics(out);
}

/**
 * Diagnostics that compare files linted together (the directors' keepalived.conf
 * files: VRRP instances holding the same VIP must agree), suppressions applied.
 * `text` is each document's current text (an editor's unsaved buffer).
 */
export function crossFileDiagnostics(docs: Array<{ doc: AnalyzedDocument; text: string }>): ConfigDiagnostic[] {
  const keepalived = docs.filter((d) => d.doc.keepalived);
  if (keepalived.length < 2) return [];
  const texts = new Map(keepalived.map((d) => [d.doc.file, d.text]));
  const found = vrrpPeerDiagnostics(keepalived.map((d) => d.doc.keepalived as ParsedConfig));
  return sortDiagnostics(applySuppressions(found, (f) => texts.get(f) ?? readFileOrUndefined(f)));
}

/** Cluster model of one text. */
export function buildClusterModel(text: string, file: string, languageId?: string): ClusterModel {
  return analyzeText(text, file, languageId)?.model ?? { services: [], vrrpInstances: [], sources: [] };
}

/** Cluster model of several files (keepalived.conf and/or ipvsadm rules), merged. */
export function loadClusterModel(files: string[]): ClusterModel {
  const model: ClusterModel = { services: [], vrrpInstances: [], sources: [] };
  for (const f of files) {
    let text: string;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${f}: ${plainFileError(e)}`);
    }
    const doc = analyzeText(text, f);
    if (!doc) throw new Error(`${f} is neither a keepalived.conf nor ipvsadm rules: ${languageNamingHint()}`);
    model.services.push(...doc.model.services);
    model.vrrpInstances.push(...doc.model.vrrpInstances);
    for (const s of doc.model.sources) if (!model.sources.includes(s)) model.sources.push(s);
  }
  return model;
}
