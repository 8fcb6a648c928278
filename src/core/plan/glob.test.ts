import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { anyGlobMatches, globMatches, matchSteps } from './glob.js';

/** The matcher patchctl used before issue 12: a regular expression per glob (`s` added so that
 * `.` also takes line terminators, as the new matcher does; package names hold none). */
function regexMatches(glob: string, name: string): boolean {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's').test(name);
}

describe('globMatches', () => {
  it.each([
    ['openssl', 'openssl', true],
    ['openssl', 'openssl3', false],
    ['linux-image-*', 'linux-image-6.1.0-27-amd64', true],
    ['linux-image-*', 'linux-image-', true],
    ['linux-image-*', 'linux-headers-6.1', false],
    ['kernel*', 'kernel', true],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['?', '', false],
    ['?', 'a', true],
    ['lib?', 'libc', true],
    ['lib?', 'libcc', false],
    ['*ssl*', 'libssl3', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbYcZ', false],
    ['*.*', 'a.b', true],
    ['*.*', 'ab', false],
    ['libc6:amd64', 'libc6:amd64', true],
    ['g++*', 'g++-12', true],
    ['a**b', 'ab', true],
    ['*?', '', false],
    ['*?', 'x', true],
    ['a*a*a*b', 'aaaaaaab', true],
  ])('%j against %j is %s', (glob, name, expected) => {
    expect(globMatches(glob, name)).toBe(expected);
    expect(regexMatches(glob, name)).toBe(expected);
  });

  it('agrees with the old regular expression on small inputs', () => {
    // A small alphabet makes matches likely; the regex metacharacters must stay literal.
    const chars = ['a', 'b', '.', '+', '(', '|', '\\', '^', '$', '[', '-', '\n', 'é', '\uD83D', '\uDE00'];
    const globChar = fc.constantFrom(...chars, '*', '?');
    const nameChar = fc.constantFrom(...chars);
    fc.assert(
      fc.property(
        fc.string({ unit: globChar, maxLength: 10 }),
        fc.string({ unit: nameChar, maxLength: 12 }),
        (glob, name) => {
          expect(globMatches(glob, name)).toBe(regexMatches(glob, name));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with the old regular expression on names made to match', () => {
    // Build the name from the glob so that most cases match, then mutate one character.
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('*', '?'),
            fc.string({ unit: fc.constantFrom('a', 'b', '-'), minLength: 1, maxLength: 3 }),
          ),
          { maxLength: 6 },
        ),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 3 }), {
          minLength: 6,
          maxLength: 6,
        }),
        fc.boolean(),
        (parts, fills, mutate) => {
          const glob = parts.join('');
          let name = parts.map((p, i) => (p === '*' ? (fills[i] ?? '') : p === '?' ? 'a' : p)).join('');
          if (mutate && name.length > 0) name = `${name.slice(0, -1)}z`;
          expect(globMatches(glob, name)).toBe(regexMatches(glob, name));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('takes at most (name + 1) × (glob + 1) + glob steps, however many stars', () => {
    // issue 12: `*a*a*…` (12 stars) against 100 characters ran for hours as a regular expression.
    const cases: [string, string, boolean][] = [
      [`${'*a'.repeat(12)}b`, 'a'.repeat(100), false],
      [`${'*'.repeat(12)}b`, 'a'.repeat(100), false],
      [`a${'*a'.repeat(60)}`, 'a'.repeat(100), true],
      [`${'*?'.repeat(63)}x`, 'a'.repeat(128), false],
      ['*a'.repeat(64), 'ab'.repeat(64), false],
    ];
    for (const [glob, name, expected] of cases) {
      const { matched, steps } = matchSteps(glob, name);
      expect(matched).toBe(expected);
      expect(globMatches(glob, name)).toBe(expected);
      expect(steps).toBeLessThanOrEqual((name.length + 1) * (glob.length + 1) + glob.length);
    }
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '*', '?', 'b'), maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 60 }),
        (glob, name) => {
          const { steps } = matchSteps(glob, name);
          expect(steps).toBeLessThanOrEqual((name.length + 1) * (glob.length + 1) + glob.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches any of a list, and nothing for no list', () => {
    expect(anyGlobMatches(['nginx', 'openssl*'], 'openssl-dev')).toBe(true);
    expect(anyGlobMatches(['nginx'], 'openssl')).toBe(false);
    expect(anyGlobMatches(undefined, 'openssl')).toBe(false);
    expect(anyGlobMatches([], 'openssl')).toBe(false);
  });
});
