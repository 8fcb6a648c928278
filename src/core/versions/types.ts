// Version ordering per packaging ecosystem (README.md, "The plan"): dpkg's for apt, rpmvercmp for dnf/yum/zypper,
// apk-tools' for apk, and semver only where a vendor really uses it.

export type Ecosystem = 'deb' | 'rpm' | 'apk' | 'semver';

/** -1: the first version is older, 0: same version, 1: the first version is newer. */
export type Ordering = -1 | 0 | 1;

/** A Debian version as dpkg splits it: `[epoch:]upstream_version[-debian_revision]`. */
export interface DebVersion {
  /** 0 when absent; dpkg stores it as an int, so at most 2147483647. */
  epoch: number;
  upstream: string;
  /** "" when absent: dpkg compares a missing revision as the empty string. */
  revision: string;
}

/** An rpm EVR as rpm's `rpmverParse` splits `[epoch:]version[-release]`; null = absent. */
export interface RpmEvr {
  /** The digits before the first ':' (a bare leading ':' gives "0"); compared as "0" when null. */
  epoch: string | null;
  version: string;
  /** Everything after the last '-'; a version without release sorts before one with a release. */
  release: string | null;
}

export type ConstraintOperator = '<' | '<=' | '>' | '>=' | '=' | '!=';

export interface ConstraintTerm {
  op: ConstraintOperator;
  /** The version to compare with; for a prefix term, the text before the trailing `*`. */
  version: string;
  /** `=3.0.*`: the term matches versions that start with `version` (`!=` negates). */
  prefix: boolean;
  /** The term as written, for messages. */
  text: string;
}

/** Space-separated terms, all of which must hold. */
export interface Constraint {
  ecosystem: Ecosystem;
  terms: ConstraintTerm[];
  text: string;
}
