import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import {
  durationToLuxon,
  durationToMillis,
  formatDuration,
  isZeroDuration,
  parseDuration,
} from './duration.js';
import type { Duration } from './types.js';

const zero: Duration = { weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

function value(text: string): Duration {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function message(text: string): string {
  const result = parseDuration(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.message;
}

describe('parseDuration', () => {
  it('reads single units', () => {
    expect(value('90m')).toEqual({ ...zero, minutes: 90 });
    expect(value('24h')).toEqual({ ...zero, hours: 24 });
    expect(value('7d')).toEqual({ ...zero, days: 7 });
    expect(value('2w')).toEqual({ ...zero, weeks: 2 });
    expect(value('45s')).toEqual({ ...zero, seconds: 45 });
    expect(value('0s')).toEqual(zero);
  });

  it('reads units in descending order', () => {
    expect(value('1d12h')).toEqual({ ...zero, days: 1, hours: 12 });
    expect(value('1w2d3h4m5s')).toEqual({ weeks: 1, days: 2, hours: 3, minutes: 4, seconds: 5 });
    expect(value('1h30s')).toEqual({ ...zero, hours: 1, seconds: 30 });
  });

  it('rejects units out of order or repeated', () => {
    expect(message('12h1d')).toMatch(/largest first/);
    expect(message('1h1h')).toMatch(/at most once/);
    expect(message('30s1m')).toMatch(/"30s1m"/);
  });

  it('rejects what is not a duration', () => {
    expect(message('')).toMatch(/empty/);
    expect(message('7 days')).toMatch(/expected a duration/);
    expect(message('1d 12h')).toMatch(/without spaces/);
    expect(message(' 1d')).toMatch(/expected a duration/);
    expect(message('1.5h')).toMatch(/whole numbers/);
    expect(message('90')).toMatch(/no unit/);
    expect(message('2H')).toMatch(/lower case/);
    expect(message('-1h')).toMatch(/expected a duration/);
    expect(message('1y')).toMatch(/expected a duration/);
    expect(message('P1D')).toMatch(/expected a duration/);
  });

  it('rejects numbers too large to compute with', () => {
    expect(message('99999999999999999999d')).toMatch(/too large/);
    expect(message('9999999999999w')).toMatch(/too long/);
  });
});

describe('durationToMillis', () => {
  it('counts a day as 24 hours and a week as 7 days', () => {
    expect(durationToMillis(value('1d'))).toBe(86_400_000);
    expect(durationToMillis(value('1w'))).toBe(604_800_000);
    expect(durationToMillis(value('1d12h30m15s'))).toBe(((36 * 60 + 30) * 60 + 15) * 1000);
  });

  it('tells a zero duration', () => {
    expect(isZeroDuration(value('0m'))).toBe(true);
    expect(isZeroDuration(value('0d1s'))).toBe(false);
  });
});

describe('durationToLuxon', () => {
  it('keeps the wall-clock time for days across a DST change, and adds hours as elapsed time', () => {
    // Berlin moves from +01:00 to +02:00 on 2026-03-29.
    const start = DateTime.fromISO('2026-03-28T22:00:00', { zone: 'Europe/Berlin' });
    expect(start.plus(durationToLuxon(value('1d'))).toISO()).toBe('2026-03-29T22:00:00.000+02:00');
    expect(start.plus(durationToLuxon(value('24h'))).toISO()).toBe('2026-03-29T23:00:00.000+02:00');
    expect(start.plus(durationToLuxon(value('1w'))).toISO()).toBe('2026-04-04T22:00:00.000+02:00');
  });
});

describe('formatDuration', () => {
  it('writes the canonical text and round-trips', () => {
    for (const text of ['90m', '24h', '1d12h', '1w2d3h4m5s', '45s'])
      expect(formatDuration(value(text))).toBe(text);
    expect(formatDuration(zero)).toBe('0s');
    expect(formatDuration(value('0d12h'))).toBe('12h');
  });
});
