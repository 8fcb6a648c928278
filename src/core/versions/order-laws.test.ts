// Each ordering is a total preorder on valid versions: reflexive, antisymmetric, transitive.
// Independent random versions are almost never equal, so most triples are built from one version
// and small edits of it (a leading zero, an epoch 0, a '~', a separator swapped...), which is where
// equal-but-different and nearly equal versions come from.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { compareVersions, isValidVersion } from './compare.js';
import type { Ecosystem } from './types.js';

const RUNS = 2000;

const joined = (parts: Arbitrary<string[]>): Arbitrary<string> => parts.map((p) => p.join(''));
const optional = (arb: Arbitrary<string>): Arbitrary<string> =>
  fc.option(arb, { nil: '' }).map((s) => s ?? '');
const pieces = (alphabet: string[], minLength: number, maxLength: number): Arbitrary<string> =>
  joined(fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }));
const number = fc.constantFrom('0', '1', '2', '9', '10', '01', '00', '007', '12345678901234567890');
const epoch = fc.constantFrom('0:', '1:', '2:', '00:', '10:');

type Edit = (v: string) => string;

/** Edits shared by the ecosystems; each may make a version invalid, which then stays unedited. */
const COMMON_EDITS: Edit[] = [
  (v) => v,
  (v) => v.replace(/\d+/, (d) => `0${d}`),
  (v) => v.replace(/\d+/, (d) => String(BigInt(d) + 1n)),
  (v) => v.slice(0, -1),
  (v) => `${v}~`,
  (v) => `${v}.0`,
  (v) => `${v}a`,
  (v) => `${v}0`,
];

const EPOCH_EDITS: Edit[] = [
  (v) => (v.includes(':') ? v.slice(v.indexOf(':') + 1) : `0:${v}`),
  (v) => (v.includes(':') ? v : `1:${v}`),
];

interface Family {
  ecosystem: Ecosystem;
  version: Arbitrary<string>;
  edits: Edit[];
}

const FAMILIES: Family[] = [
  {
    ecosystem: 'deb',
    version: fc
      .tuple(
        optional(epoch),
        number,
        pieces(['.', '+', '~', '~~', 'a', 'b', 'Z', '0', '1', '10', '-'], 0, 6),
        optional(pieces(['0', '1', '10', 'a', 'Z', '.', '+', '~'], 1, 4).map((r) => `-${r}`)),
      )
      .map((parts) => parts.join('')),
    edits: [
      ...COMMON_EDITS,
      ...EPOCH_EDITS,
      (v) => `${v}-0`,
      (v) => v.replace(/-0$/, ''),
      (v) => `${v}+`,
      (v) => v.replace('.', '+'),
      (v) => v.replace('~', ''),
      (v) => v.replace(/[a-z]/, (c) => c.toUpperCase()),
    ],
  },
  {
    ecosystem: 'rpm',
    version: fc
      .tuple(
        optional(epoch),
        pieces(['0', '1', '2', '10', '01', 'a', 'b', 'Z', '.', '_', '+', '~', '^', 'rc', 'el9'], 1, 6),
        optional(pieces(['0', '1', '10', 'a', 'el9', '.', '_', '~', '^'], 1, 5).map((r) => `-${r}`)),
      )
      .map((parts) => parts.join('')),
    edits: [
      ...COMMON_EDITS,
      ...EPOCH_EDITS,
      (v) => `${v}^`,
      (v) => `${v}^1`,
      (v) => `${v}_`,
      (v) => v.replace('.', '_'),
      (v) => v.replace('_', '+'),
      (v) => `${v}-1`,
      (v) => v.replace(/-[^-]*$/, ''),
    ],
  },
  {
    ecosystem: 'apk',
    version: fc
      .tuple(
        number,
        joined(
          fc.array(
            number.map((n) => `.${n}`),
            { maxLength: 3 },
          ),
        ),
        optional(fc.constantFrom('a', 'b', 'z')),
        joined(
          fc.array(
            fc
              .tuple(
                fc.constantFrom('alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p'),
                optional(number),
              )
              .map(([word, n]) => `_${word}${n}`),
            { maxLength: 2 },
          ),
        ),
        optional(fc.constantFrom('~0', '~1a', '~abc', '~ff')),
        optional(fc.constantFrom('-r0', '-r1', '-r2', '-r10')),
      )
      .map((parts) => parts.join('')),
    edits: [
      ...COMMON_EDITS,
      (v) => `${v}-r0`,
      (v) => v.replace(/-r\d+$/, ''),
      (v) => `${v}_rc1`,
      (v) => `${v}_p1`,
      (v) => `${v}_alpha`,
      (v) => v.replace(/\.(\d)/, '.0$1'),
    ],
  },
  {
    ecosystem: 'semver',
    version: fc
      .tuple(
        fc.nat(3),
        fc.nat(3),
        fc.nat(3),
        optional(pieces(['alpha', 'beta', 'rc', '0', '1', '2', '11', 'x-y', '.'], 1, 4).map((p) => `-${p}`)),
        optional(fc.constantFrom('+b1', '+build.5')),
      )
      .map(([major, minor, patch, pre, build]) => `${major}.${minor}.${patch}${pre}${build}`),
    edits: [
      (v) => v,
      (v) => `${v.replace(/\+.*$/, '')}+b2`,
      (v) => (v.includes('-') ? v.replace(/-[^+]*/, '') : v.replace(/(\+.*)?$/, '-rc.1$1')),
      (v) =>
        v.replace(
          /^(\d+)\.(\d+)\.(\d+)/,
          (_, a: string, b: string, c: string) => `${a}.${b}.${Number(c) + 1}`,
        ),
      (v) => `v${v}`,
    ],
  },
];

describe.each(FAMILIES)('$ecosystem ordering', ({ ecosystem, version: raw, edits }) => {
  const valid = (v: string): boolean => isValidVersion(ecosystem, v);
  const version = raw.filter(valid);
  const cmp = (a: string, b: string): number => compareVersions(ecosystem, a, b);
  /** A few edits of `a`, each kept only while the result stays valid. */
  const near = (a: string): Arbitrary<string> =>
    fc.array(fc.nat(edits.length - 1), { maxLength: 3 }).map((choices) =>
      choices.reduce((v, k) => {
        const edited = (edits[k] ?? ((x: string) => x))(v);
        return valid(edited) ? edited : v;
      }, a),
    );
  const pair = fc.oneof(
    fc.tuple(version, version),
    version.chain((a) => fc.tuple(fc.constant(a), near(a))),
  );
  const triple = fc.oneof(
    fc.tuple(version, version, version),
    version.chain((a) => fc.tuple(fc.constant(a), near(a), near(a))),
  );

  it('generates valid versions', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => valid(a) && valid(b)),
      { numRuns: RUNS },
    );
  });

  it('is reflexive', () => {
    fc.assert(
      fc.property(version, (v) => cmp(v, v) === 0),
      { numRuns: RUNS },
    );
  });

  it('is antisymmetric', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => cmp(a, b) === -cmp(b, a)),
      { numRuns: RUNS },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(triple, ([a, b, c]) => {
        const sorted = [a, b, c].sort(cmp);
        const [x = '', y = '', z = ''] = sorted;
        return cmp(x, y) <= 0 && cmp(y, z) <= 0 && cmp(x, z) <= 0;
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(triple, ([a, b, c]) => !(cmp(a, b) <= 0 && cmp(b, c) <= 0) || cmp(a, c) <= 0),
      { numRuns: RUNS },
    );
  });

  it('sorts consistently: after sorting, every earlier version is older or equal', () => {
    const family = version.chain((a) => fc.array(near(a), { maxLength: 10 }));
    fc.assert(
      fc.property(fc.oneof(fc.array(version, { maxLength: 10 }), family), (versions) => {
        const sorted = [...versions].sort(cmp);
        return sorted.every((a, i) => sorted.slice(i + 1).every((b) => cmp(a, b) <= 0));
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it('meets equal-but-different and nearly equal versions (the generators are not trivial)', () => {
    const samples = fc.sample(pair, { numRuns: 5000, seed: 42 });
    const equalButDifferent = samples.filter(([a, b]) => a !== b && cmp(a, b) === 0).length;
    const ordered = samples.filter(([a, b]) => cmp(a, b) !== 0).length;
    expect(equalButDifferent).toBeGreaterThan(50);
    expect(ordered).toBeGreaterThan(2500);
  });
});
