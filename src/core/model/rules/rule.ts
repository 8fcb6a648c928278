// What every cross-document rule sees and returns.
import type { DateTime } from 'luxon';
import type { CheckedFeed } from '../advisories.js';
import type { Diagnostic, DiagnosticSeverity } from '../diagnostics.js';
import type { GroupMembers } from '../groups.js';
import type { Path } from '../parse.js';
import type { Located, Repository } from '../repository.js';

export interface RuleContext {
  /** The point in time exceptions and windows are judged at (`--at`, default now). */
  at: DateTime;
  /** Group name → member host names, resolved once for all rules. */
  members: GroupMembers;
  /** File names found under advisories/ (emergency feeds must exist). */
  advisoryFiles: ReadonlySet<string>;
  /** The feeds under advisories/ that were read (JSON files only); absent: none checked. */
  feeds?: readonly CheckedFeed[];
  /** Who asks (default `validate`): see CheckPurpose. */
  purpose?: CheckPurpose;
}

/**
 * `validate` reviews the repository: whatever needs a person (an expired exception) is an
 * error there. The commands that act on it (plan, apply, scan, report, status...) must keep
 * working while that review happens: for them an expired exception is a warning, and inactive
 * (README "PatchException").
 */
export type CheckPurpose = 'validate' | 'act';

export type Rule = (repo: Repository, ctx: RuleContext) => Diagnostic[];

export function diagnostic(
  severity: DiagnosticSeverity,
  code: string,
  message: string,
  where: Located<unknown>,
  path: Path,
  part: 'key' | 'value' = 'value',
): Diagnostic {
  return { severity, code, message, at: where.locate(path, part) };
}
