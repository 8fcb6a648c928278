import { describe, expect, it } from '@jest/globals';
import { boundedLine, quoteValue } from './host-text.js';

describe('host text kept in state and messages', () => {
  it('is one line with control characters escaped', () => {
    expect(boundedLine('a\u001b[2Jb\nc\td\r\u202e\u0085', 100)).toBe('a\\x1b[2Jb\\nc\\td\\r\\u202e\\x85');
    expect(boundedLine('  \n ', 100, 'unknown error')).toBe('\\n');
    expect(boundedLine('   ', 100, 'unknown error')).toBe('unknown error');
  });

  it('is cut at the bound, never inside an escape or a surrogate pair', () => {
    expect(boundedLine('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(boundedLine('x'.repeat(50), 10)).toHaveLength(10);
    // "xxxxxx\x1b…": the escape would be cut at its third character.
    expect(boundedLine(`xxxxxx\u001b${'y'.repeat(20)}`, 10)).toBe('xxxxxx…');
    expect(boundedLine(`xxxxxxxx😀${'y'.repeat(20)}`, 10)).toBe('xxxxxxxx…');
  });

  it('quotes values as JSON, bounded, saying how long they were', () => {
    expect(quoteValue('fleet-held\u001b[2J')).toBe('"fleet-held\\u001b[2J"');
    expect(quoteValue('\u202eevil')).toBe('"\\u202eevil"');
    expect(quoteValue(12)).toBe('12');
    const long = quoteValue('k'.repeat(1_000_000));
    expect(long).toBe(`"${'k'.repeat(78)}…" (1000000 characters)`);
  });
});
