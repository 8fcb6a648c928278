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
export { buildPlan, NO_ROLLOUT_RING } from './core/plan/build-plan.js';
export type { PlanFilter, PlanInputs } from './core/plan/build-plan.js';
export type * from './core/plan/types.js';
export type * from './core/state/types.js';
export { compareVersions, satisfiesConstraint, isValidVersion } from './core/versions/index.js';
export { makePlan } from './engine/make-plan.js';
export { loadObservedState } from './engine/load-state.js';
export { readPlanFile, writePlanFile, assertPlanFresh } from './engine/plan-file.js';
export { renderPlanText } from './render/plan-text.js';
export { renderPlanMarkdown } from './render/plan-markdown.js';
export { comparePlans } from './core/plan/compare-plans.js';
export { buildComplianceReport } from './core/report/compliance.js';
export type * from './core/report/types.js';
export { computeReport, renderReportFiles, REPORT_FILES, REPORT_FORMATS } from './engine/write-report.js';
export type { ReportFormat } from './engine/write-report.js';
export { runReport } from './engine/report-run.js';
export { renderComplianceMarkdown } from './render/compliance-markdown.js';
export {
  ConfigError,
  PatchctlError,
  UsageError,
  InternalError,
  StalePlanError,
  InputFileError,
} from './errors.js';
export * from './core/model/types.js';
