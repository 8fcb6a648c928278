import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { escapeControls, escapeControlsJsonSafe, hasControlChars, oneLine } from './control-chars.js';

/** Everything a terminal or a viewer acts on, besides tab and newline. */
const UNSAFE = [
  '\u0000',
  '\u0007',
  '\u0008',
  '\u000b',
  '\u000c',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\ufeff',
  '\ud800',
  '\udfff',
];
const ANY_UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('escapeControls', () => {
  it('writes ESC, CR, DEL, C1, bidi controls and the rest as visible escapes, keeps tab and newline', () => {
    expect(escapeControls('E: fail\u001b[2J\u001b[8mhidden\u001b[0m\r\ttab\nnext')).toBe(
      'E: fail\\x1b[2J\\x1b[8mhidden\\x1b[0m\\r\ttab\nnext',
    );
    expect(escapeControls('a\u202eevil\u2066b\u009bc\u007fd')).toBe('a\\u202eevil\\u2066b\\x9bc\\x7fd');
    expect(escapeControls('lone \ud800 surrogate, pair 😀 kept')).toBe(
      'lone \\ud800 surrogate, pair 😀 kept',
    );
  });

  it('leaves ordinary text as it is (the same string)', () => {
    const text = 'openssl 3.0.15-1~deb12u1 → 3.0.17 (ünïcödé, 日本語)\n\tok';
    expect(escapeControls(text)).toBe(text);
    expect(hasControlChars('plain')).toBe(false);
  });

  it.each(UNSAFE)('never lets %j through', (ch) => {
    expect(ANY_UNSAFE.test(escapeControls(`a${ch}b`))).toBe(false);
    expect(ANY_UNSAFE.test(oneLine(`a${ch}b`))).toBe(false);
    expect(ANY_UNSAFE.test(escapeControlsJsonSafe(`a${ch}b`))).toBe(false);
  });

  it('leaves nothing unsafe in any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(ANY_UNSAFE.test(escapeControls(s))).toBe(false);
        const line = oneLine(s);
        expect(ANY_UNSAFE.test(line) || /[\n\t]/.test(line)).toBe(false);
      }),
    );
  });
});

describe('oneLine', () => {
  it('folds a multi-line host error into one line, with the line breaks visible', () => {
    expect(oneLine('E: Failed to fetch\r\nE: Some index files failed\n::error::x')).toBe(
      'E: Failed to fetch\\r\\nE: Some index files failed\\n::error::x',
    );
  });
});

describe('escapeControlsJsonSafe', () => {
  it('uses escapes that a JSON string decodes back to the same characters', () => {
    const raw = 'a\u007f\u009b\u202e\u2028\rb';
    const json = JSON.stringify({ note: raw }); // JSON.stringify leaves DEL, C1 and bidi raw
    const safe = escapeControlsJsonSafe(json);
    expect(ANY_UNSAFE.test(safe)).toBe(false);
    expect((JSON.parse(safe) as { note: string }).note).toBe(raw);
  });
});
