import { describe, expect, it } from '@jest/globals';
import { closest, editDistance } from './suggest.js';

/** The dynamic-programming Levenshtein distance suggest.ts used before fastest-levenshtein. */
function reference(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** A small deterministic generator (no Math.random: the same cases on every run). */
function* words(count: number): Generator<[string, string]> {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const alphabet = 'abcde-_.ÄΩ\u{1f600}';
  const word = (): string =>
    Array.from({ length: next(70) }, () => [...alphabet][next([...alphabet].length)]).join('');
  for (let i = 0; i < count; i++) yield [word(), word()];
}

describe('editDistance', () => {
  it('is the Levenshtein distance of the loop it replaced, short and long (over 32 code units)', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    for (const [a, b] of words(500)) expect([a, b, editDistance(a, b)]).toEqual([a, b, reference(a, b)]);
  });
});

describe('closest', () => {
  const kinds = ['Inventory', 'Group', 'PatchPolicy', 'Rollout', 'MaintenanceWindow', 'PatchException'];

  it('suggests the nearest name within a third of the word (at least 2), ignoring case', () => {
    expect(closest('Inventroy', kinds)).toBe('Inventory');
    expect(closest('patchpolicy', kinds)).toBe('PatchPolicy');
    expect(closest('Grop', kinds)).toBe('Group');
    expect(closest('Nothing', kinds)).toBeUndefined();
  });

  it('says nothing for the word itself, and takes the first of equally near names', () => {
    expect(closest('Group', kinds)).toBeUndefined();
    expect(closest('web-3', ['web-1', 'web-2'])).toBe('web-1');
    expect(closest('ab', ['xy'])).toBe('xy');
    expect(closest('ab', ['xyz'])).toBeUndefined();
  });

  it('scales to a large fleet', () => {
    const hosts = Array.from(
      { length: 20_000 },
      (_, i) => `app-server-${String(i).padStart(5, '0')}.fra.example.net`,
    );
    expect(closest('app-server-1234.fra.example.net', hosts)).toBe('app-server-01234.fra.example.net');
  });
});
