// Classification of an apt candidate by the repositories it comes from (the rule in readme.md):
//
// - security  when ANY repository that carries the candidate version is a security one: its suite
//             (Release `Suite`, apt's "archive") or codename ends in `-security` or is `security`
//             (Debian ≥ 11 `bookworm-security`, Ubuntu `jammy-security`, ESM `jammy-apps-security`,
//             the lab's `fleet-security`), or its Label or Origin is, or ends in, `Security`
//             (Debian ≤ 10's security archive: Label `Debian-Security`, suite `oldstable/updates`);
// - enhancement when every repository carrying it is a backports suite (`*-backports`);
// - bugfix    otherwise.
//
// The source reported is the codename of the deciding repository (`bookworm-security`), else its
// suite, else its label or site: codenames do not change meaning at a release as `stable` does.
import type { PendingUpdate } from '../../core/state/types.js';

/** What apt knows of one repository (a Release file) that carries a version. */
export interface RepositoryOrigin {
  label?: string;
  origin?: string;
  /** Release `Suite` (apt calls it the archive): stable, oldstable-security, jammy-updates... */
  suite?: string;
  codename?: string;
  version?: string;
  /** The host the index came from, when there is no Release file. */
  site?: string;
}

const SECURITY_SUITE = /(^|-)security$/;
const SECURITY_NAME = /(^|-)security$/i;
const BACKPORTS_SUITE = /(^|-)backports(-sloppy)?$/;

export function isSecurityOrigin(o: RepositoryOrigin): boolean {
  return (
    [o.suite, o.codename].some((s) => s !== undefined && SECURITY_SUITE.test(s)) ||
    [o.label, o.origin].some((s) => s !== undefined && SECURITY_NAME.test(s))
  );
}

export function isBackportsOrigin(o: RepositoryOrigin): boolean {
  return [o.suite, o.codename].some((s) => s !== undefined && BACKPORTS_SUITE.test(s));
}

export function originName(o: RepositoryOrigin): string | undefined {
  return o.codename ?? o.suite ?? o.label ?? o.site;
}

export function classifyOrigins(origins: readonly RepositoryOrigin[]): {
  classification: PendingUpdate['classification'];
  source?: string;
} {
  const security = origins.find(isSecurityOrigin);
  if (security !== undefined) return withSource('security', security);
  const regular = origins.find((o) => !isBackportsOrigin(o));
  if (regular !== undefined) return withSource('bugfix', regular);
  const backports = origins[0];
  if (backports !== undefined) return withSource('enhancement', backports);
  return { classification: 'bugfix' };
}

function withSource(
  classification: PendingUpdate['classification'],
  o: RepositoryOrigin,
): { classification: PendingUpdate['classification']; source?: string } {
  const source = originName(o);
  return source === undefined ? { classification } : { classification, source };
}
