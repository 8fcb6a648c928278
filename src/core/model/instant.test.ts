import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import {
  EARLIEST_INSTANT,
  instantRangeProblem,
  LATEST_INSTANT,
  notARealDateBecause,
  offsetProblem,
  parseInstant,
} from './instant.js';

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

describe('instantRangeProblem', () => {
  const utc = (text: string) => DateTime.fromISO(text, { setZone: true, zone: 'UTC' });
  it.each([
    '1970-01-01T00:00:00Z',
    '2026-12-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2000-01-01T13:00:00+14:00',
  ])('accepts %s', (text) => expect(instantRangeProblem(utc(text))).toBeUndefined());
  it.each([
    '-271821-04-20T00:00:00Z', // the smallest JavaScript date: the calendar looped for ever (issue 12)
    '+275760-09-13T00:00:00Z', // the largest: an internal error
    '1969-12-31T23:59:59.999Z',
    '1970-01-01T00:00:00+14:00', // 1969-12-31T10:00Z: the instant counts, not the wall clock
    '+010000-01-01T00:00:00Z',
  ])('refuses %s, naming the range', (text) => {
    expect(instantRangeProblem(utc(text))).toMatch(/1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z/);
  });
  it('refuses an invalid DateTime', () =>
    expect(instantRangeProblem(DateTime.invalid('x'))).toMatch(/not a valid/));
  it('bounds are the documented ones', () => {
    expect(EARLIEST_INSTANT.toISO()).toBe('1970-01-01T00:00:00.000Z');
    expect(LATEST_INSTANT.toISO()).toBe('9999-12-31T23:59:59.999Z');
  });
});
