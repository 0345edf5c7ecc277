// The shape of a lint rule: one file per rule, listed in ./index.ts. A rule reads
// the cluster model (shared by keepalived and ipvsadm) and/or the parsed files,
// and reports diagnostics with its own stable code.
import type { ClusterModel } from '../../model/cluster';
import type { ConfigDiagnostic, ConfigLanguage, ConfigSeverity } from '../diagnostic';
import type { ParsedIpvsadm } from '../ipvsadm/parser';
import type { ParsedConfig } from '../keepalived/ast';

export interface LintContext {
  language: ConfigLanguage;
  model: ClusterModel;
  keepalived?: ParsedConfig;
  ipvsadm?: ParsedIpvsadm;
  /** Text of a line of a linted file (for fixes that insert lines), '' if unknown. */
  lineText(file: string, line: number): string;
  /** Reports a diagnostic; `code` and `severity` default to the running rule's. */
  report(d: RuleReport): void;
}

export type RuleReport = Omit<ConfigDiagnostic, 'code' | 'severity'> & Partial<Pick<ConfigDiagnostic, 'code' | 'severity'>>;

export interface LintRule {
  code: string;
  severity: ConfigSeverity;
  languages: ConfigLanguage[];
  /** One sentence: what the rule catches and why it matters. */
  description: string;
  check(ctx: LintContext): void;
}
