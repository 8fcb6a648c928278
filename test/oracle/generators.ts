// Seeded generators of realistic and adversarial version strings for the oracle test.
// Every generator returns only versions valid for its ecosystem (dpkg --validate-version clean;
// rpmbuild-legal EVRs), so that the tools' comparison semantics are defined for them.
import { isValidDebVersion, isValidRpmEvr } from '../../src/core/versions/index.js';

export type Rng = () => number;

/** mulberry32: a small, fast, seeded PRNG; the same seed always gives the same versions. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const chance = (rng: Rng, p: number): boolean => rng() < p;
function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function digits(rng: Rng): string {
  const r = rng();
  if (r < 0.15) return '0';
  if (r < 0.6) return String(int(rng, 1, 20));
  if (r < 0.78) return String(int(rng, 10, 99999));
  if (r < 0.88) return '0'.repeat(int(rng, 1, 3)) + String(int(rng, 0, 99)); // leading zeros
  if (r < 0.95) return String(int(rng, 2000_0101, 2025_1231)); // dates
  // long runs, past 2^53: both tools compare digit strings, never machine integers
  return (
    String(int(rng, 1, 9)) + Array.from({ length: int(rng, 8, 28) }, () => String(int(rng, 0, 9))).join('')
  );
}

const WORDS = [
  'a',
  'b',
  'c',
  'z',
  'rc',
  'alpha',
  'beta',
  'pre',
  'git',
  'svn',
  'dfsg',
  'ds',
  'esr',
  'ubuntu',
  'deb',
  'really',
  'p',
  'build',
  'bpo',
  'nmu',
  'post',
  'el',
  'fc',
  'amzn',
  'module',
  'alma',
  'Z',
  'A',
  'RC',
  'Beta',
  'X',
  'aa',
  'zz',
  'uek',
  'git20230101abc',
  'P',
] as const;

function letters(rng: Rng): string {
  if (chance(rng, 0.7)) return pick(rng, WORDS);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return Array.from({ length: int(rng, 1, 3) }, () => alphabet.charAt(int(rng, 0, alphabet.length - 1))).join(
    '',
  );
}

/** A run of pieces after a leading number: numbers, words and separators in any order. */
function pieces(rng: Rng, separators: readonly string[], maxPieces: number): string {
  let s = '';
  const n = int(rng, 0, maxPieces);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.45) s += pick(rng, separators);
    else if (r < 0.75) s += digits(rng);
    else s += letters(rng);
  }
  return s;
}

// ---------------------------------------------------------------- deb

const DEB_SEPARATORS = ['.', '.', '.', '+', '~', '~', '~~', '.~', '+~', '..', '~.', '++', '.+'] as const;
const DEB_REVISION_SEPARATORS = ['.', '.', '+', '~', '~~', '+~', '..'] as const;

function debEpoch(rng: Rng): string {
  if (chance(rng, 0.7)) return '';
  const r = rng();
  if (r < 0.35) return '1:';
  if (r < 0.55) return '0:';
  if (r < 0.7) return `${int(rng, 2, 12)}:`;
  if (r < 0.8) return `00${int(rng, 0, 3)}:`;
  return `${int(rng, 0, 2147483647)}:`;
}

function realisticDeb(rng: Rng): string {
  const x = () => String(int(rng, 0, 30));
  const templates = [
    () => `${x()}.${x()}.${x()}-${int(rng, 1, 3)}~deb${int(rng, 9, 13)}u${int(rng, 1, 9)}`,
    () => `${x()}.${x()}.${x()}-${int(rng, 0, 3)}+deb${int(rng, 9, 13)}u${int(rng, 1, 9)}`,
    () => `${x()}.${x()}.${x()}${pick(rng, ['a', 'g', 'k', ''])}-${x()}ubuntu${x()}.${x()}`,
    () => `${x()}.${x()}-${x()}ubuntu0.${pick(rng, ['18.04', '20.04', '22.04', '24.04'])}.${x()}`,
    () => `${int(rng, 1, 3)}:${x()}.${x()}.${x()}+dfsg-${x()}`,
    () => `${x()}.${x()}~rc${x()}-${x()}`,
    () => `${x()}.${x()}.${x()}esr-1~deb${int(rng, 9, 12)}u1`,
    () => `${int(rng, 2010_0101, 2025_1231)}+really${int(rng, 2010_0101, 2025_1231)}-0+deb10u${x()}`,
    () => `${x()}.${x()}.0-${int(rng, 1, 300)}.${int(rng, 1, 400)}`,
    () => `${x()}.${x()}.${x()}-${x()}~bpo${int(rng, 9, 12)}+${x()}`,
    () => `${x()}.${x()}+git${int(rng, 2015_0101, 2025_1231)}.${x()}-${x()}`,
  ];
  return pick(rng, templates)();
}

function adversarialDeb(rng: Rng): string {
  const epoch = debEpoch(rng);
  const hasRevision = chance(rng, 0.7);
  const upstreamSeparators = [
    ...DEB_SEPARATORS,
    ...(epoch ? [':', '::', '.:'] : []),
    ...(hasRevision ? ['-', '--'] : []),
  ];
  const upstream = digits(rng) + pieces(rng, upstreamSeparators, 7);
  if (!hasRevision) return epoch + upstream;
  const revisionStart = chance(rng, 0.75)
    ? digits(rng)
    : pick(rng, [...DEB_REVISION_SEPARATORS, 'a', 'Z', 'build']);
  return `${epoch}${upstream}-${revisionStart}${pieces(rng, DEB_REVISION_SEPARATORS, 5)}`;
}

/** A version `dpkg --validate-version` accepts. */
export function debVersion(rng: Rng): string {
  for (;;) {
    const v = chance(rng, 0.3) ? realisticDeb(rng) : adversarialDeb(rng);
    if (isValidDebVersion(v)) return v;
  }
}

function mutateDeb(rng: Rng, v: string): string {
  const r = rng();
  if (r < 0.12) return v;
  if (r < 0.3)
    return v + pick(rng, ['~', '~rc1', '.0', '0', '+b1', 'a', '.', '+', '~~', '-1', '-0', '.1', 'A', '~0']);
  if (r < 0.42) return v.slice(0, -1);
  if (r < 0.55)
    return v.replace(/\d+/, (d) => pick(rng, [`0${d}`, String(Number(d) + 1), d.slice(0, -1) || '0']));
  if (r < 0.65) return v.replace(/[.+~]/, () => pick(rng, ['.', '+', '~', '']));
  if (r < 0.75) return v.includes(':') ? v.slice(v.indexOf(':') + 1) : `${pick(rng, ['0', '1', '00'])}:${v}`;
  if (r < 0.85) return v.replace(/[a-z]/, (c) => pick(rng, [c.toUpperCase(), '', `${c}${c}`, '~']));
  return v.replace(/-[^-]*$/, (rev) => pick(rng, ['', `${rev}.1`, `${rev}~1`, `${rev}+1`, '-0']));
}

// ---------------------------------------------------------------- rpm

const RPM_SEPARATORS = [
  '.',
  '.',
  '.',
  '_',
  '+',
  '~',
  '^',
  '~~',
  '^^',
  '~^',
  '^~',
  '._',
  '_.',
  '+.',
  '.+',
  '__',
  '.~',
  '.^',
] as const;

function rpmEpoch(rng: Rng): string {
  if (chance(rng, 0.7)) return '';
  const r = rng();
  if (r < 0.35) return '1:';
  if (r < 0.5) return '0:';
  if (r < 0.7) return `${int(rng, 2, 40)}:`;
  if (r < 0.8) return `0${int(rng, 0, 3)}:`;
  return `${int(rng, 0, 4294967295)}:`;
}

function rpmField(rng: Rng): string {
  const start = chance(rng, 0.8) ? digits(rng) : chance(rng, 0.5) ? letters(rng) : pick(rng, RPM_SEPARATORS);
  return start + pieces(rng, RPM_SEPARATORS, 7);
}

function realisticRpm(rng: Rng): string {
  const x = () => String(int(rng, 0, 30));
  const el = () => `el${int(rng, 6, 10)}${chance(rng, 0.4) ? `_${int(rng, 0, 10)}` : ''}`;
  const templates = [
    () => `${x()}.${x()}.${x()}-${x()}.${el()}`,
    () => `${int(rng, 1, 3)}:${x()}.${x()}.${x()}-${x()}.${el()}.${x()}`,
    () => `${x()}.${x()}.${x()}-${int(rng, 1, 600)}.${x()}.${x()}.${el()}`,
    () =>
      `${x()}.${x()}-${x()}.module_${el()}.${x()}.0+${int(rng, 1, 3000)}+${int(rng, 0, 0xffffff).toString(16)}`,
    () => `${x()}.${x()}.${x()}~rc${x()}-${x()}.fc${int(rng, 30, 41)}`,
    () =>
      `${x()}.${x()}^${int(rng, 2015_0101, 2025_1231)}git${int(rng, 0, 0xfffff).toString(16)}-${x()}.fc${int(rng, 30, 41)}`,
    () => `${x()}.${x()}.${x()}-${int(rng, 150000, 150700)}.${x()}.${x()}`,
    () => `${x()}.${x()}.${x()}-${x()}.amzn${int(rng, 1, 2)}.0.${x()}`,
    () => `${x()}.${x()}.${x()}p${x()}-${x()}.${el()}`,
    () => `${x()}.${x()}.${x()}-${x()}.${el()}.alma.${x()}`,
  ];
  return pick(rng, templates)();
}

function adversarialRpm(rng: Rng): string {
  const release = chance(rng, 0.7) ? `-${rpmField(rng)}` : '';
  return `${rpmEpoch(rng)}${rpmField(rng)}${release}`;
}

/** An EVR rpmbuild would accept: [epoch:]version[-release] of [A-Za-z0-9._+~^], no "..". */
export function rpmEvr(rng: Rng): string {
  for (;;) {
    const v = chance(rng, 0.3) ? realisticRpm(rng) : adversarialRpm(rng);
    if (isValidRpmEvr(v)) return v;
  }
}

function mutateRpm(rng: Rng, v: string): string {
  const r = rng();
  if (r < 0.12) return v;
  if (r < 0.32)
    return v + pick(rng, ['~', '~rc1', '^', '^1', '.0', '0', 'a', '_', '+', '^~', '~~', '-1', '.1', 'A']);
  if (r < 0.42) return v.slice(0, -1);
  if (r < 0.55)
    return v.replace(/\d+/, (d) => pick(rng, [`0${d}`, String(Number(d) + 1), d.slice(0, -1) || '0']));
  if (r < 0.65) return v.replace(/[._+~^]/, () => pick(rng, ['.', '_', '+', '~', '^', '']));
  if (r < 0.75) return v.includes(':') ? v.slice(v.indexOf(':') + 1) : `${pick(rng, ['0', '1', '00'])}:${v}`;
  if (r < 0.85) return v.replace(/[a-z]/, (c) => pick(rng, [c.toUpperCase(), '', `${c}${c}`, '~', '^']));
  return v.replace(/-[^-]*$/, (rel) => pick(rng, ['', `${rel}.1`, `${rel}~1`, `${rel}^1`, '-0']));
}

// ---------------------------------------------------------------- pairs

/** Pairs where about half the second versions are near-misses of the first, which is where bugs hide. */
export function versionPairs(
  rng: Rng,
  count: number,
  generate: (rng: Rng) => string,
  mutate: (rng: Rng, v: string) => string,
  isValid: (v: string) => boolean,
): [string, string][] {
  const pairs: [string, string][] = [];
  while (pairs.length < count) {
    const a = generate(rng);
    let b = chance(rng, 0.55) ? mutate(rng, a) : generate(rng);
    if (!isValid(b)) b = generate(rng);
    pairs.push(chance(rng, 0.5) ? [a, b] : [b, a]);
  }
  return pairs;
}

export const debPairs = (rng: Rng, count: number): [string, string][] =>
  versionPairs(rng, count, debVersion, mutateDeb, isValidDebVersion);

export const rpmPairs = (rng: Rng, count: number): [string, string][] =>
  versionPairs(rng, count, rpmEvr, mutateRpm, isValidRpmEvr);

/** Strings near the edge of dpkg's syntax, valid or not, to check isValidDebVersion against dpkg. */
export function debValidityCandidates(rng: Rng, count: number): string[] {
  const fixed = [
    '1.0',
    '0',
    '1:0',
    '0:1.0-1',
    'a1.0',
    '1.0-',
    '1.0-a_b',
    ':1.0',
    'a:1.0',
    '1:',
    '1:-1',
    '1.0:1',
    '1:1:1',
    '1.0-1-1',
    '1_0',
    '1.0@1',
    '1.0-1:1',
    '2147483647:1',
    '2147483648:1',
    '+1:1.0',
    '007:1.0',
    '1.0~',
    '1.0 ',
    '1.0\t',
    '1 0',
    '1.0-1 ',
    '1.0--1',
    '1:1.0--',
    '~1',
    '1.0-~',
    '1.0-+',
    '1.0-.',
    'A1',
    '1A',
    '1.0-Z',
  ];
  const out = [...fixed];
  while (out.length < count) {
    const v = pick(rng, [debVersion, adversarialDeb, realisticDeb])(rng);
    const r = rng();
    if (r < 0.4) out.push(v);
    else if (r < 0.55) out.push(v + pick(rng, ['-', ':', '_', '@', '!', ' x', '-a_b']));
    else if (r < 0.7) out.push(pick(rng, ['a', 'x:', ':', '~', '.', 'A']) + v);
    else out.push(v.replace(/[.+~]/, () => pick(rng, ['_', ',', '=', ' ', '-', ':'])));
  }
  return out.filter((v) => !v.startsWith('-') && !v.includes('\n') && !v.includes("'"));
}
