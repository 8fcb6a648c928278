import { describe, expect, it } from '@jest/globals';
import { mapStrings } from './map-strings.js';

describe('mapStrings', () => {
  it('applies the transform to every string, not to keys, numbers or booleans', () => {
    const value = { a: 'x', b: [1, 'y', { c: 'z', d: true, e: null }], f: undefined };
    expect(mapStrings(value, (s) => s.toUpperCase())).toEqual({
      a: 'X',
      b: [1, 'Y', { c: 'Z', d: true, e: null }],
      f: undefined,
    });
  });

  it('returns unchanged parts as they were, without copying', () => {
    const inner = { keep: 'same' };
    const value = { inner, change: ['a'] };
    const out = mapStrings(value, (s) => (s === 'a' ? 'b' : s));
    expect(out.inner).toBe(inner);
    expect(out).not.toBe(value);
    expect(mapStrings(value, (s) => s)).toBe(value);
  });
});
