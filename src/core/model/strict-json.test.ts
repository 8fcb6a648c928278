import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { firstDuplicateKey, parseJsonStrict } from './strict-json.js';

describe('parseJsonStrict', () => {
  it('parses JSON without duplicate keys', () => {
    expect(parseJsonStrict('a.json', '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toEqual({
      ok: true,
      value: { a: 1, b: { a: 2 }, c: [{ a: 3 }, { a: 4 }] },
    });
    expect(parseJsonStrict('a.json', '"a:b"')).toEqual({ ok: true, value: 'a:b' });
  });

  it('refuses a duplicate key, at the second one', () => {
    const r = parseJsonStrict('state/hosts/web-01.json', '{\n  "reachable": true,\n  "reachable": false\n}');
    expect(r).toEqual({
      ok: false,
      diagnostic: expect.objectContaining({
        code: 'json-duplicate-key',
        at: { file: 'state/hosts/web-01.json', line: 3, col: 3 },
      }),
    });
  });

  it('sees keys spelled with escapes as the same key', () => {
    expect(firstDuplicateKey('{"status":"ok","st\\u0061tus":"failed"}')).toEqual({
      key: 'status',
      offset: 15,
    });
  });

  it('finds a duplicate in a large object (the inputs of a plan)', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `"state/hosts/h-${i}.json":"x"`);
    expect(firstDuplicateKey(`{${keys.join(',')}}`)).toBeUndefined();
    const text = `{${keys.join(',')},"state/hosts/h-7.json":"y"}`;
    expect(firstDuplicateKey(text)).toEqual({
      key: 'state/hosts/h-7.json',
      offset: text.lastIndexOf('"state/hosts/h-7.json"'),
    });
  });

  it('reads keys that end in escaped backslashes or quotes', () => {
    // {"a\\":1,"b\"":2,"a\\":3}: the keys are a\, b" and a\ again.
    const text = String.raw`{"a\\":1,"b\"":2,"a\\":3}`;
    expect(JSON.parse(text)).toEqual({ 'a\\': 3, 'b"': 2 });
    expect(firstDuplicateKey(text)).toEqual({ key: 'a\\', offset: text.lastIndexOf('"a') });
  });

  it('ignores strings that only look like keys', () => {
    expect(firstDuplicateKey('{"a":"\\"a\\":","b":["a","a"],"c":"{\\"a\\":1,\\"a\\":2}"}')).toBeUndefined();
  });

  it('reports syntax errors with a position', () => {
    const r = parseJsonStrict('p.json', '{"a":1,}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostic.code).toBe('json-syntax');
  });

  it('agrees with JSON.parse on generated documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const r = parseJsonStrict('x.json', text);
        expect(r).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
  });

  it('finds a key repeated anywhere in a generated object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), (obj) => {
        const keys = Object.keys(obj);
        const dup = keys[0] ?? '';
        const body = keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k])}`).join(',');
        const text = `{${body},${JSON.stringify(dup)}:null}`;
        expect(firstDuplicateKey(text)?.key).toBe(dup);
        // The cheap count must see it too (parseJsonStrict looks for the position only then).
        const r = parseJsonStrict(
          'x.json',
          `[${JSON.stringify(obj, null, 2)}, ${text.replace(/":/g, '" :')}]`,
        );
        expect(r.ok ? 'accepted' : r.diagnostic.code).toBe('json-duplicate-key');
      }),
      { numRuns: 300 },
    );
  });
});
