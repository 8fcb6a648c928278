// How zypper's patch categories and severities become patchctl's (readme.md, "Classification and
// severity"). libzypp (zypp/Patch.cc, Patch::categoryEnum) folds the repository's updateinfo
// `type` into six categories, case-insensitively: security; recommended (also `bugfix`, the RHEL
// name); optional (also `feature` and `enhancement`); document; yast; anything else is "other".
import type { PendingUpdate } from '../../core/state/types.js';
import type { Severity } from '../../core/model/types.js';

export type Classification = PendingUpdate['classification'];

/**
 * security → security; recommended/bugfix and yast (fixes to the installer stack) → bugfix;
 * optional/feature/enhancement and document → enhancement; an unknown category → bugfix (as apt
 * classifies an update that is neither from a security nor a backports repository).
 */
export function classificationOfCategory(category: string): Classification {
  switch (category.toLowerCase()) {
    case 'security':
      return 'security';
    case 'optional':
    case 'feature':
    case 'enhancement':
    case 'document':
      return 'enhancement';
    default:
      return 'bugfix';
  }
}

/**
 * SUSE's four rated severities map one to one onto patchctl's scale (SUSE's "important" is the
 * level CVSS calls high, as Red Hat's is): critical → critical, important → high, moderate →
 * medium, low → low. `unspecified`, `none`, an empty or unknown value → no severity (the patch is
 * not rated; a `minSeverity` policy then treats it as unrated, never as critical).
 */
export function severityOf(zypperSeverity: string): Severity | undefined {
  switch (zypperSeverity.toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'important':
      return 'high';
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    default:
      return undefined;
  }
}

const CLASS_RANK: Readonly<Record<Classification, number>> = { security: 2, bugfix: 1, enhancement: 0 };
const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 3, high: 2, medium: 1, low: 0 };

/** The more urgent of two classifications (security > bugfix > enhancement). */
export const strongerClassification = (a: Classification, b: Classification): Classification =>
  CLASS_RANK[a] >= CLASS_RANK[b] ? a : b;

/** The higher of two severities; undefined only when both are. */
export function higherSeverity(a: Severity | undefined, b: Severity | undefined): Severity | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b;
}
