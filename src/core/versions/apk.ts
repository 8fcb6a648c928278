// Alpine (apk) version ordering, a port of apk-tools' src/version.c in its current form (the
// tokenizer with token_first/token_next/token_cmp, commit-hash tokens and leading-zero string sort;
// apk-tools 3, also in the late 2.x releases). Source consulted: alpinelinux/apk-tools src/version.c,
// src/ctype.c, src/blob.c (apk_blob_sort) and the test table test/unit/version.data, whose rows
// apk.test.ts replays.
//
// Grammar: digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}
// - the first number always compares numerically; a later dot-number compares numerically unless
//   either side starts with '0', then as a string (Gentoo rule: 1.01 < 1.1, 8.2.0015 < 8.2.002);
// - one lower-case letter may follow a number (1.2a < 1.2b < 1.2.1);
// - suffixes: _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p, each with an
//   optional number (1.2_rc1 < 1.2 < 1.2_p1);
// - ~hash: lower-case hex, compared as a string;
// - -rN: the package revision, numeric (1.2.3_rc1-r0 < 1.2.3-r0 < 1.2.3-r1).
// When one version runs out first, the longer one is newer unless what follows is a pre-release
// suffix; an invalid tail sorts below everything.
//
// Numbers are compared exactly at any length; apk-tools reads them into a uint64 and would wrap
// above 2^64 (versions no package carries).
import type { ParseResult } from '../schedule/result.js';
import type { Ordering } from './types.js';
import { InvalidVersionError } from './version-error.js';

// Token kinds, in apk's order: the order is the semantics (token_next and the end of the compare).
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

const SUFFIX_NONE = 5;
const SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['alpha', 1],
  ['beta', 2],
  ['pre', 3],
  ['rc', 4],
  ['cvs', 6],
  ['svn', 7],
  ['git', 8],
  ['hg', 9],
  ['p', 10],
]);

interface TokenState {
  token: number;
  suffix: number;
  /** The token's text: digits, the letter, the suffix word or the hash. */
  value: string;
  pos: number;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66);

function span(s: string, from: number, test: (c: number) => boolean): number {
  let i = from;
  while (i < s.length && test(s.charCodeAt(i))) i++;
  return i;
}

function parseDigits(t: TokenState, s: string): void {
  const end = span(s, t.pos, isDigit);
  t.value = s.slice(t.pos, end);
  t.pos = end;
  if (t.value === '') t.token = INVALID;
}

function firstToken(s: string): TokenState {
  const t: TokenState = { token: INITIAL_DIGIT, suffix: 0, value: '', pos: 0 };
  parseDigits(t, s);
  return t;
}

function nextToken(t: TokenState, s: string): void {
  if (t.pos >= s.length) {
    t.token = END;
    return;
  }
  const c = s.charCodeAt(t.pos);
  if (isLower(c)) {
    if (t.token > DIGIT) return invalid(t);
    t.value = s.charAt(t.pos);
    t.token = LETTER;
    t.pos++;
    return;
  }
  if (c === 0x2e /* . */ || isDigit(c)) {
    if (c === 0x2e) {
      if (t.token > DIGIT) return invalid(t);
      t.pos++;
    }
    if (t.token === INITIAL_DIGIT || t.token === DIGIT) t.token = DIGIT;
    else if (t.token === SUFFIX) t.token = SUFFIX_NO;
    else return invalid(t);
    parseDigits(t, s);
    return;
  }
  if (c === 0x5f /* _ */) {
    if (t.token > SUFFIX_NO) return invalid(t);
    const end = span(s, t.pos + 1, isLower);
    t.value = s.slice(t.pos + 1, end);
    t.pos = end;
    const suffix = SUFFIXES.get(t.value);
    if (suffix === undefined) return invalid(t);
    t.suffix = suffix;
    t.token = SUFFIX;
    return;
  }
  if (c === 0x7e /* ~ */) {
    if (t.token >= COMMIT_HASH) return invalid(t);
    const end = span(s, t.pos + 1, isHex);
    t.value = s.slice(t.pos + 1, end);
    t.pos = end;
    if (t.value === '') return invalid(t);
    t.token = COMMIT_HASH;
    return;
  }
  if (c === 0x2d /* - */) {
    if (t.token >= REVISION_NO || s.charAt(t.pos + 1) !== 'r') return invalid(t);
    t.pos += 2;
    t.token = REVISION_NO;
    parseDigits(t, s);
    return;
  }
  invalid(t);
}

function invalid(t: TokenState): void {
  t.token = INVALID;
}

/** Numeric comparison of two digit strings of any length. */
function compareNumbers(a: string, b: string): Ordering {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/** apk_blob_sort: bytewise, a prefix first. */
function compareStrings(a: string, b: string): Ordering {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareTokens(a: TokenState, b: TokenState): Ordering {
  switch (a.token) {
    case DIGIT:
      if (a.value.startsWith('0') || b.value.startsWith('0')) return compareStrings(a.value, b.value);
      return compareNumbers(a.value, b.value);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareNumbers(a.value, b.value);
    case LETTER:
      return compareStrings(a.value, b.value);
    case SUFFIX:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      return compareStrings(a.value, b.value);
  }
}

/**
 * apk_version_compare exactly, without validation: like apk-tools, it also orders invalid
 * strings (by their valid prefix, an invalid tail lowest). Prefer compareApkVersions.
 */
export function compareApkVersionsUnchecked(a: string, b: string): Ordering {
  const ta = firstToken(a);
  const tb = firstToken(b);
  while (ta.token === tb.token && ta.token < END) {
    const r = compareTokens(ta, tb);
    if (r !== 0) return r;
    nextToken(ta, a);
    nextToken(tb, b);
  }
  if (ta.token === tb.token) return 0;
  if (ta.token === SUFFIX && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.token === SUFFIX && tb.suffix < SUFFIX_NONE) return 1;
  if (ta.token > tb.token) return -1;
  if (tb.token > ta.token) return 1;
  return 0;
}

/** apk_version_validate, with the position where the version stops being valid. */
export function checkApkVersion(v: string): ParseResult<string> {
  const t = firstToken(v);
  let start = 0;
  while (t.token < END) {
    start = t.pos;
    nextToken(t, v);
  }
  if (t.token === END) return { ok: true, value: v };
  if (v === '') return { ok: false, message: 'the version is empty' };
  if (start === 0 && !isDigit(v.charCodeAt(0))) return { ok: false, message: 'it must start with a digit' };
  return {
    ok: false,
    message: `unexpected ${JSON.stringify(v.slice(start))}: expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN}`,
  };
}

/** apk_version_validate. */
export function isValidApkVersion(v: string): boolean {
  return checkApkVersion(v).ok;
}

/** Compare two apk versions; throws InvalidVersionError for a version apk would not accept. */
export function compareApkVersions(a: string, b: string): Ordering {
  for (const v of [a, b]) {
    const checked = checkApkVersion(v);
    if (!checked.ok) throw new InvalidVersionError('apk', v, checked.message);
  }
  return compareApkVersionsUnchecked(a, b);
}
