// Debian version ordering, a port of dpkg's lib/dpkg/version.c (verrevcmp, dpkg_version_compare)
// and the checks of lib/dpkg/parsehelp.c (parseversion), dpkg 1.21/1.22.
//
// Syntax: [epoch:]upstream_version[-debian_revision]. The epoch is the number before the first ':';
// the revision is what follows the last '-'. Comparison: epochs numerically, then upstream versions,
// then revisions (a missing revision is ""), each with verrevcmp: alternate non-digit and digit runs;
// non-digit runs compare character by character with '~' before everything (even the end of the
// string), then the end, then letters (by ASCII), then every other character (by ASCII); digit runs
// compare numerically (leading zeros ignored, any length).
//
// Validity follows dpkg exactly, including its split between errors and warnings:
// - errors (dpkg refuses the version; compareDebVersions throws): empty string, embedded blanks,
//   an epoch that is empty, not a number, negative or above INT_MAX, nothing after the colon,
//   an empty upstream version, an empty revision after a trailing '-';
// - warnings (dpkg --compare-versions warns and still compares; so does compareDebVersions):
//   an upstream version not starting with a digit, a character outside [A-Za-z0-9.+~:-] in the
//   upstream version or outside [A-Za-z0-9.+~] in the revision.
// isValidDebVersion accepts neither, like `dpkg --validate-version` (exit 0 only when clean).
import type { ParseResult } from '../schedule/result.js';
import type { DebVersion, Ordering } from './types.js';
import { InvalidVersionError } from './version-error.js';

/** A parsed version, or dpkg's error; `warning` is dpkg's warning for a version it still accepts. */
export type DebParseResult =
  { ok: true; value: DebVersion; warning?: string } | { ok: false; message: string };

const INT_MAX = 2147483647;

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** c_isblank: space and tab. */
const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
/** isspace in the C locale, which strtol skips before the number. */
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** Split and check a version the way dpkg's parseversion does. */
export function parseDebVersion(input: string): DebParseResult {
  let start = 0;
  while (start < input.length && isBlank(input.charCodeAt(start))) start++;
  if (start === input.length) return { ok: false, message: 'version string is empty' };
  let end = start;
  while (end < input.length && !isBlank(input.charCodeAt(end))) end++;
  for (let i = end; i < input.length; i++) {
    if (!isBlank(input.charCodeAt(i))) return { ok: false, message: 'version string has embedded spaces' };
  }

  let epoch = 0;
  let versionStart = start;
  const colon = input.indexOf(':', start);
  if (colon !== -1 && colon < end) {
    const parsedEpoch = strtol(input, start);
    if (parsedEpoch.end === start) return { ok: false, message: 'epoch in version is empty' };
    if (parsedEpoch.end !== colon) return { ok: false, message: 'epoch in version is not number' };
    if (parsedEpoch.value < 0) return { ok: false, message: 'epoch in version is negative' };
    if (parsedEpoch.value > INT_MAX) return { ok: false, message: 'epoch in version is too big' };
    if (colon + 1 >= input.length) return { ok: false, message: 'nothing after colon in version number' };
    epoch = parsedEpoch.value || 0; // "-0:" is epoch 0 for dpkg
    versionStart = colon + 1;
  }

  let upstream = input.slice(versionStart, end);
  let revision = '';
  const hyphen = upstream.lastIndexOf('-');
  if (hyphen !== -1) {
    revision = upstream.slice(hyphen + 1);
    upstream = upstream.slice(0, hyphen);
    if (revision === '') return { ok: false, message: 'revision number is empty' };
  }
  if (upstream === '') return { ok: false, message: 'version number is empty' };

  const value: DebVersion = { epoch, upstream, revision };
  const warning = debWarning(upstream, revision);
  return warning === undefined ? { ok: true, value } : { ok: true, value, warning };
}

/** dpkg's warnings, in its order: the first one found. */
function debWarning(upstream: string, revision: string): string | undefined {
  if (!isDigit(upstream.charCodeAt(0))) return 'version number does not start with digit';
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && !'.-+~:'.includes(upstream.charAt(i))) {
      return 'invalid character in version number';
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && !'.+~'.includes(revision.charAt(i))) {
      return 'invalid character in revision number';
    }
  }
  return undefined;
}

/** strtol(s + from, &end, 10) as far as parseversion relies on it; `value` saturates past INT_MAX. */
function strtol(s: string, from: number): { value: number; end: number } {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  let sign = 1;
  if (s.charAt(i) === '+' || s.charAt(i) === '-') {
    if (s.charAt(i) === '-') sign = -1;
    i++;
  }
  const digitsStart = i;
  let value = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    value = Math.min(value * 10 + (s.charCodeAt(i) - 0x30), Number.MAX_SAFE_INTEGER);
    i++;
  }
  if (i === digitsStart) return { value: 0, end: from };
  return { value: sign * value, end: i };
}

/** The parsed version, or why dpkg refuses it (warnings are ignored). */
export function checkDebVersion(v: string): ParseResult<DebVersion> {
  const parsed = parseDebVersion(v);
  if (!parsed.ok) return parsed;
  return parsed.warning === undefined
    ? { ok: true, value: parsed.value }
    : { ok: false, message: parsed.warning };
}

/** `dpkg --validate-version`: no error and no warning. */
export function isValidDebVersion(v: string): boolean {
  const parsed = parseDebVersion(v);
  return parsed.ok && parsed.warning === undefined;
}

/** dpkg --compare-versions: throws InvalidVersionError where dpkg errors, compares where it only warns. */
export function compareDebVersions(a: string, b: string): Ordering {
  return compareParsedDebVersions(parseOrThrow(a), parseOrThrow(b));
}

function parseOrThrow(v: string): DebVersion {
  const parsed = parseDebVersion(v);
  if (!parsed.ok) throw new InvalidVersionError('deb', v, parsed.message);
  return parsed.value;
}

/** dpkg_version_compare. */
export function compareParsedDebVersions(a: DebVersion, b: DebVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const upstream = compareDebFragments(a.upstream, b.upstream);
  if (upstream !== 0) return upstream;
  return compareDebFragments(a.revision, b.revision);
}

/** dpkg's order(): the sort weight of one character of a non-digit run; `c` is NaN past the end. */
function order(c: number): number {
  if (Number.isNaN(c) || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1; // '~'
  return c + 256;
}

/** dpkg's verrevcmp over an upstream version or a revision. */
export function compareDebFragments(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 0x30) i++;
    while (b.charCodeAt(j) === 0x30) j++;
    let firstDiff = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}
