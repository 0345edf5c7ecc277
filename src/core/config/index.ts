// Public API of the config support (keepalived.conf and ipvsadm rules): linting,
// the cluster model, and the language-service functions the VS Code layer adapts.
export type { ConfigDiagnostic, ConfigFix, ConfigLanguage, ConfigSeverity, Position, Range, RelatedLocation, TextEdit } from './diagnostic';
export { analyzeText, buildClusterModel, crossFileDiagnostics, diagnosticsOf, lintFiles, lintText, loadClusterModel, runRules } from './lint';
export type { AnalyzeOptions, AnalyzedDocument } from './lint';
export { detectLanguage } from './detect';
export { hoverAt } from './language/hover';
export type { HoverResult } from './language/hover';
export { completeAt } from './language/completion';
export type { CompletionEntry } from './language/completion';
export { documentSymbols } from './language/symbols';
export type { ConfigSymbol } from './language/symbols';
export { applyEdits, fixesAt } from './language/fixes';
export { spareWhileTyping } from './language/typing';
export { rules } from './rules';
