// The library API: what the CLI uses, for scripts and other tools.
export { loadRepository, validateRepository } from './engine/load-repo.js';
export type { LoadOptions, ValidationResult } from './engine/load-repo.js';
export { checkRepository, CONFIG_FILE } from './core/model/check.js';
export type { CheckInput, CheckResult, SourceFile } from './core/model/check.js';
export { formatDiagnostic, sortDiagnostics, hasErrors } from './core/model/diagnostics.js';
export type { Diagnostic, DiagnosticSeverity, SourcePos } from './core/model/diagnostics.js';
export type { Repository, ResolvedHost, Located } from './core/model/repository.js';
export { resolveGroups } from './core/model/groups.js';
export { matchesSelector } from './core/model/selector.js';
export { assignRings, bucketOf } from './core/schedule/rings.js';
export { initRepository } from './engine/init-repo.js';
export { ConfigError, PatchctlError, UsageError, InternalError } from './errors.js';
export * from './core/model/types.js';
