import { describe, expect, it } from '@jest/globals';
import { notARealDateBecause, offsetProblem, parseInstant } from './instant.js';

describe('parseInstant', () => {
  it('reads instants, local date-times in a zone and bare dates', () => {
    expect(parseInstant('2026-12-24T18:00:00+01:00', 'UTC', 'start-of-day')?.toISO()).toBe(
      '2026-12-24T18:00:00.000+01:00',
    );
    expect(parseInstant('2026-12-24T18:00', 'Europe/Berlin', 'start-of-day')?.toISO()).toBe(
      '2026-12-24T18:00:00.000+01:00',
    );
    expect(parseInstant('2026-12-24', 'UTC', 'end-of-day')?.toISO()).toBe('2026-12-25T00:00:00.000Z');
  });

  it.each(['+14:00', '-12:00', '+05:45', '-0930', '+01', 'Z'])('accepts the offset %s', (offset) => {
    expect(offsetProblem(`2026-12-24T18:00:00${offset}`)).toBeUndefined();
    expect(parseInstant(`2026-12-24T18:00:00${offset}`, 'UTC', 'start-of-day')).toBeDefined();
  });

  it.each([
    ['+99:99', /minutes \(99\) must be below 60/],
    ['+25:00', /run from -12:00 to \+14:00/],
    ['-13:00', /run from -12:00 to \+14:00/],
    ['+14:30', /run from -12:00 to \+14:00/],
    ['+0160', /minutes \(60\)/],
  ])('refuses the offset %s, which luxon would take', (offset, why) => {
    expect(offsetProblem(`2026-12-24T18:00:00${offset}`)).toMatch(why);
    expect(parseInstant(`2026-12-24T18:00:00${offset}`, 'UTC', 'start-of-day')).toBeUndefined();
    expect(notARealDateBecause(`2026-12-24T18:00:00${offset}`)).toMatch(/^: /);
  });

  it('does not take the dashes of a date for an offset', () => {
    expect(offsetProblem('2026-12-24')).toBeUndefined();
    expect(notARealDateBecause('2026-13-01')).toBe('');
  });
});
