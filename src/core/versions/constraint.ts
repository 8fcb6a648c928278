// Version constraints (pins): `<3.1`, `>=1.2 <2`, `=3.0.15-1~deb12u1`, `!=1.0`, `=3.0.*`.
//
// Terms are separated by spaces (or commas) and must all hold. A term is an optional operator
// (<, <=, >, >=, =, ==, !=; none means =) and a version, compared in the ecosystem's own order;
// an operator written apart from its version (`>= 1.2`) is joined to it. A version ending in `*`
// is a prefix (`=3.0.*`, `!=1:2.38.*`, a bare `*` matches everything); only = and != take one.
//
// Decisions:
// - deb and apk compare whole versions, as dpkg and apk do: `=3.0` does not match 3.0-1, write
//   `=3.0-1` or `=3.0-*`; apk's 1.2.3 is older than 1.2.3-r0.
// - rpm follows rpm's dependency rules: a constraint version without a release ignores the
//   release of the candidate, so `=3.0` matches 3.0-1.el9, `<3.0` and `>3.0` do not, `<=3.0` does.
// - A prefix is matched against the text: deb and rpm versions without an epoch in the prefix
//   must have epoch 0 and are matched without it; with one (`=1:2.38.*`) the epochs must be equal.
//   Put the separator before the `*`: `=3.0*` also matches 3.05.
// - semver constraints may leave out trailing parts: `<3.1` means `<3.1.0`.
import type { ParseResult } from '../schedule/result.js';
import { checkApkVersion } from './apk.js';
import { checkVersion, compareVersions } from './compare.js';
import { parseDebVersion } from './deb.js';
import { compareParsedRpmEvr, parseRpmEvr, rpmvercmp } from './rpm.js';
import { checkSemver } from './semver.js';
import type { Constraint, ConstraintOperator, ConstraintTerm, Ecosystem } from './types.js';
import { InvalidConstraintError, InvalidVersionError } from './version-error.js';

const TERM = /^(<=|>=|!=|==|<|>|=)?(.*)$/s;
const OPERATOR_ONLY = /^(<=|>=|!=|==|<|>|=)$/;

/** Characters a prefix (the text before `*`) may hold, per ecosystem. */
const PREFIX_CHARS: Record<Ecosystem, RegExp> = {
  deb: /^[A-Za-z0-9.+~:-]*$/,
  rpm: /^[A-Za-z0-9._+~^:-]*$/,
  apk: /^[a-z0-9._~-]*$/,
  semver: /^[A-Za-z0-9.+-]*$/,
};

export function parseConstraint(ecosystem: Ecosystem, text: string): ParseResult<Constraint> {
  const tokens = text.split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.length === 0) return fail('the constraint is empty: expected e.g. "<3.1" or ">=1.2 <2"');
  const terms: ConstraintTerm[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i] ?? '';
    if (OPERATOR_ONLY.test(token) && i + 1 < tokens.length && !OPERATOR_ONLY.test(tokens[i + 1] ?? '')) {
      token += tokens[++i] ?? '';
    }
    const term = parseTerm(ecosystem, token);
    if (!term.ok) return term;
    terms.push(term.value);
  }
  return { ok: true, value: { ecosystem, terms, text } };
}

function parseTerm(ecosystem: Ecosystem, text: string): ParseResult<ConstraintTerm> {
  const m = TERM.exec(text);
  const written = m?.[1];
  // TERM only captures operators, and "==" is "=".
  const op = (written === undefined || written === '==' ? '=' : written) as ConstraintOperator;
  let version = m?.[2] ?? '';
  const where = `term ${JSON.stringify(text)}`;
  if (version === '') return fail(`${where} has no version after "${written ?? ''}"`);
  const star = version.indexOf('*');
  if (star !== -1) {
    if (star !== version.length - 1) {
      return fail(`${where}: "*" may only end the version, as a prefix match (e.g. "=3.0.*")`);
    }
    if (op !== '=' && op !== '!=') {
      return fail(`${where}: a "*" prefix only works with "=" or "!=", not "${op}"`);
    }
    const prefix = version.slice(0, -1);
    if (!PREFIX_CHARS[ecosystem].test(prefix)) {
      return fail(`${where}: ${JSON.stringify(prefix)} holds characters no ${ecosystem} version has`);
    }
    if (ecosystem === 'deb' || ecosystem === 'rpm') {
      const colon = prefix.indexOf(':');
      if (colon !== -1 && !/^\d+$/.test(prefix.slice(0, colon))) {
        return fail(`${where}: the epoch before ":" must be a number`);
      }
    }
    return { ok: true, value: { op, version: prefix, prefix: true, text } };
  }
  if (ecosystem === 'semver') version = completeSemver(version);
  const checked = checkVersion(ecosystem, version);
  if (!checked.ok) {
    return fail(
      `${where}: ${JSON.stringify(version)} is not a valid ${ecosystem} version: ${checked.message}`,
    );
  }
  return { ok: true, value: { op, version, prefix: false, text } };
}

/** "3" and "3.1" in a semver constraint stand for "3.0.0" and "3.1.0". */
function completeSemver(v: string): string {
  const m = /^v?(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return v;
  return `${m[1] ?? '0'}.${m[2] ?? '0'}.0`;
}

function fail<T>(message: string): ParseResult<T> {
  return { ok: false, message };
}

/** Whether `version` satisfies every term; throws InvalidConstraintError for a constraint parseConstraint rejects. */
export function satisfiesConstraint(ecosystem: Ecosystem, version: string, constraint: string): boolean {
  const parsed = parseConstraint(ecosystem, constraint);
  if (!parsed.ok) throw new InvalidConstraintError(ecosystem, constraint, parsed.message);
  return matchesConstraint(parsed.value, version);
}

/** satisfiesConstraint for an already parsed constraint. */
export function matchesConstraint(constraint: Constraint, version: string): boolean {
  return constraint.terms.every((term) => matchesTerm(constraint.ecosystem, term, version));
}

function matchesTerm(ecosystem: Ecosystem, term: ConstraintTerm, version: string): boolean {
  if (term.prefix) {
    const hit = matchesPrefix(ecosystem, term.version, version);
    return term.op === '!=' ? !hit : hit;
  }
  const order = compareTerm(ecosystem, version, term.version);
  switch (term.op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}

function compareTerm(ecosystem: Ecosystem, version: string, wanted: string): number {
  if (ecosystem !== 'rpm') return compareVersions(ecosystem, version, wanted);
  if (version === '') throw new InvalidVersionError('rpm', version, 'the version is empty');
  const want = parseRpmEvr(wanted);
  const have = parseRpmEvr(version);
  return compareParsedRpmEvr(want.release === null ? { ...have, release: null } : have, want);
}

function matchesPrefix(ecosystem: Ecosystem, prefix: string, version: string): boolean {
  switch (ecosystem) {
    case 'deb': {
      const parsed = parseDebVersion(version);
      if (!parsed.ok) throw new InvalidVersionError('deb', version, parsed.message);
      const trimmed = version.trim();
      const rest = trimmed.slice(trimmed.indexOf(':') + 1);
      return matchesEpochPrefix(prefix, rest, (e) => Number(e) === parsed.value.epoch);
    }
    case 'rpm': {
      if (version === '') throw new InvalidVersionError('rpm', version, 'the version is empty');
      const evr = parseRpmEvr(version);
      const rest = evr.epoch === null ? version : version.slice(version.indexOf(':') + 1);
      return matchesEpochPrefix(prefix, rest, (e) => rpmvercmp(e, evr.epoch ?? '0') === 0);
    }
    case 'apk': {
      const checked = checkApkVersion(version);
      if (!checked.ok) throw new InvalidVersionError('apk', version, checked.message);
      return version.startsWith(prefix);
    }
    case 'semver': {
      const checked = checkSemver(version);
      if (!checked.ok) throw new InvalidVersionError('semver', version, checked.message);
      return checked.value.startsWith(prefix);
    }
  }
}

/** A prefix with "E:" must match that epoch; one without matches epoch-0 versions only; "" matches all. */
function matchesEpochPrefix(prefix: string, rest: string, epochIs: (epoch: string) => boolean): boolean {
  if (prefix === '') return true;
  const colon = prefix.indexOf(':');
  if (colon === -1) return epochIs('0') && rest.startsWith(prefix);
  return epochIs(prefix.slice(0, colon)) && rest.startsWith(prefix.slice(colon + 1));
}
