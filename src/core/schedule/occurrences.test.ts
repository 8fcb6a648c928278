import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { parseCron } from './cron.js';
import { parseDuration } from './duration.js';
import { nextOpening, overlaps, windowOccurrences } from './occurrences.js';
import { parseRRule } from './rrule.js';
import type { Duration, Occurrence, Recurrence } from './types.js';

// Expected values below were worked out by hand from the calendar and the tz rules of each zone
// (Berlin: +01:00, +02:00 from 2026-03-29 02:00 to 2026-10-25 03:00; New York: -05:00, -04:00
// from 2026-03-08 02:00 to 2026-11-01 02:00; Lord Howe: +10:30, +11:00 until 2026-04-05 02:00 and
// from 2026-10-04 02:00, shifting by 30 minutes).

function rrule(text: string): Recurrence {
  const result = parseRRule(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function cron(text: string): Recurrence {
  const result = parseCron(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function duration(text: string): Duration {
  const result = parseDuration(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function at(iso: string, zone: string): DateTime {
  const value = DateTime.fromISO(iso, { zone });
  if (!value.isValid) throw new Error(`bad test date ${iso}`);
  return value;
}

function iso(value: DateTime): string {
  return value.toISO({ suppressMilliseconds: true }) ?? 'invalid';
}

function spans(list: readonly Occurrence[]): [string, string][] {
  return list.map((o) => [iso(o.start), iso(o.end)]);
}

function starts(list: readonly Occurrence[]): string[] {
  return list.map((o) => iso(o.start));
}

interface Case {
  zone: string;
  offset?: string;
  duration: string;
  from: string;
  until: string;
}

function occurrences(rule: Recurrence, c: Case): Occurrence[] {
  return windowOccurrences(rule, {
    zone: c.zone,
    duration: duration(c.duration),
    ...(c.offset === undefined ? {} : { offset: duration(c.offset) }),
    from: at(c.from, c.zone),
    until: at(c.until, c.zone),
  });
}

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const LORD_HOWE = 'Australia/Lord_Howe';

describe('windowOccurrences: monthly rules', () => {
  const patchTuesday = rrule('FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0');

  it('opens on the second Tuesday of each month at 22:00 in Berlin', () => {
    const found = occurrences(patchTuesday, {
      zone: BERLIN,
      duration: '4h',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(spans(found)).toEqual([
      ['2026-01-13T22:00:00+01:00', '2026-01-14T02:00:00+01:00'],
      ['2026-02-10T22:00:00+01:00', '2026-02-11T02:00:00+01:00'],
      ['2026-03-10T22:00:00+01:00', '2026-03-11T02:00:00+01:00'],
      ['2026-04-14T22:00:00+02:00', '2026-04-15T02:00:00+02:00'],
      ['2026-05-12T22:00:00+02:00', '2026-05-13T02:00:00+02:00'],
      ['2026-06-09T22:00:00+02:00', '2026-06-10T02:00:00+02:00'],
      ['2026-07-14T22:00:00+02:00', '2026-07-15T02:00:00+02:00'],
      ['2026-08-11T22:00:00+02:00', '2026-08-12T02:00:00+02:00'],
      ['2026-09-08T22:00:00+02:00', '2026-09-09T02:00:00+02:00'],
      ['2026-10-13T22:00:00+02:00', '2026-10-14T02:00:00+02:00'],
      ['2026-11-10T22:00:00+01:00', '2026-11-11T02:00:00+01:00'],
      ['2026-12-08T22:00:00+01:00', '2026-12-09T02:00:00+01:00'],
    ]);
    expect(found.every((o) => o.start.zoneName === BERLIN && o.end.zoneName === BERLIN)).toBe(true);
  });

  it('shifts "second Tuesday + 3 days" to the Friday', () => {
    const found = occurrences(patchTuesday, {
      zone: BERLIN,
      offset: '3d',
      duration: '6h',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(starts(found)).toEqual([
      '2026-01-16T22:00:00+01:00',
      '2026-02-13T22:00:00+01:00',
      '2026-03-13T22:00:00+01:00',
      '2026-04-17T22:00:00+02:00',
      '2026-05-15T22:00:00+02:00',
      '2026-06-12T22:00:00+02:00',
      '2026-07-17T22:00:00+02:00',
      '2026-08-14T22:00:00+02:00',
      '2026-09-11T22:00:00+02:00',
      '2026-10-16T22:00:00+02:00',
      '2026-11-13T22:00:00+01:00',
      '2026-12-11T22:00:00+01:00',
    ]);
    expect(found.every((o) => o.start.weekday === 5)).toBe(true);
  });

  it('adds the offset on the calendar, keeping the local time across DST', () => {
    // Last Thursday + 3 days: Thu 2026-02-26 → Sun 03-01; Thu 03-26 → Sun 03-29 (DST starts that night).
    const found = occurrences(rrule('FREQ=MONTHLY;BYDAY=-1TH;BYHOUR=22'), {
      zone: BERLIN,
      offset: '3d',
      duration: '1h',
      from: '2026-03-01',
      until: '2026-04-01',
    });
    expect(starts(found)).toEqual(['2026-03-01T22:00:00+01:00', '2026-03-29T22:00:00+02:00']);
  });

  it('adds hours of an offset on the wall clock', () => {
    // Second Tuesday 22:00 + 3d4h = Saturday 02:00.
    const found = occurrences(patchTuesday, {
      zone: BERLIN,
      offset: '3d4h',
      duration: '1h',
      from: '2026-10-01',
      until: '2026-11-01',
    });
    expect(starts(found)).toEqual(['2026-10-17T02:00:00+02:00']);
  });

  it('opens on the last day of the month with BYMONTHDAY=-1', () => {
    const found = occurrences(rrule('FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=23;BYMINUTE=0'), {
      zone: BERLIN,
      duration: '2h',
      from: '2026-01-01',
      until: '2026-05-01',
    });
    expect(spans(found)).toEqual([
      // Opened on 2025-12-31 and still open at `from`.
      ['2025-12-31T23:00:00+01:00', '2026-01-01T01:00:00+01:00'],
      ['2026-01-31T23:00:00+01:00', '2026-02-01T01:00:00+01:00'],
      ['2026-02-28T23:00:00+01:00', '2026-03-01T01:00:00+01:00'],
      ['2026-03-31T23:00:00+02:00', '2026-04-01T01:00:00+02:00'],
      ['2026-04-30T23:00:00+02:00', '2026-05-01T01:00:00+02:00'],
    ]);
  });

  it('skips months without the day with BYMONTHDAY=31', () => {
    const found = occurrences(rrule('FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=1'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-01-01',
      until: '2026-08-01',
    });
    expect(starts(found)).toEqual([
      '2026-01-31T01:00:00Z',
      '2026-03-31T01:00:00Z',
      '2026-05-31T01:00:00Z',
      '2026-07-31T01:00:00Z',
    ]);
  });

  it('opens on the last weekday of the month with BYSETPOS=-1', () => {
    const found = occurrences(rrule('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=20;BYMINUTE=30'), {
      zone: BERLIN,
      duration: '3h',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(starts(found)).toEqual([
      '2026-01-30T20:30:00+01:00',
      '2026-02-27T20:30:00+01:00',
      '2026-03-31T20:30:00+02:00',
      '2026-04-30T20:30:00+02:00',
      '2026-05-29T20:30:00+02:00',
      '2026-06-30T20:30:00+02:00',
      '2026-07-31T20:30:00+02:00',
      '2026-08-31T20:30:00+02:00',
      '2026-09-30T20:30:00+02:00',
      '2026-10-30T20:30:00+01:00',
      '2026-11-30T20:30:00+01:00',
      '2026-12-31T20:30:00+01:00',
    ]);
  });

  it('applies BYSETPOS to the times of a period too', () => {
    const found = occurrences(rrule('FREQ=DAILY;BYHOUR=1,13;BYSETPOS=-1'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-01-01',
      until: '2026-01-03',
    });
    expect(starts(found)).toEqual(['2026-01-01T13:00:00Z', '2026-01-02T13:00:00Z']);
  });

  it('combines BYMONTHDAY and BYDAY as "both"', () => {
    // Friday the 13th in 2026: February, March and November.
    const found = occurrences(rrule('FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR;BYHOUR=0'), {
      zone: 'UTC',
      duration: '1d',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(starts(found)).toEqual(['2026-02-13T00:00:00Z', '2026-03-13T00:00:00Z', '2026-11-13T00:00:00Z']);
  });
});

describe('windowOccurrences: other frequencies', () => {
  it('counts INTERVAL from the epoch week', () => {
    // 2026-01-05 is day 20458 since 1970-01-01, in week 2922 (Monday weeks), an even one.
    const found = occurrences(rrule('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=3'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-01-01',
      until: '2026-02-01',
    });
    expect(starts(found)).toEqual(['2026-01-05T03:00:00Z', '2026-01-19T03:00:00Z']);
  });

  it('expands several days, hours and minutes', () => {
    const found = occurrences(rrule('FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=6,18;BYMINUTE=0,30'), {
      zone: 'UTC',
      duration: '15m',
      from: '2026-01-06',
      until: '2026-01-08',
    });
    expect(starts(found)).toEqual([
      '2026-01-06T06:00:00Z',
      '2026-01-06T06:30:00Z',
      '2026-01-06T18:00:00Z',
      '2026-01-06T18:30:00Z',
    ]);
  });

  it('handles YEARLY with BYMONTH and an ordinal BYDAY', () => {
    // First Monday of September.
    const rule = rrule('FREQ=YEARLY;BYMONTH=9;BYDAY=1MO;BYHOUR=8');
    const found = occurrences(rule, {
      zone: NEW_YORK,
      duration: '8h',
      from: '2026-01-01',
      until: '2028-01-01',
    });
    expect(starts(found)).toEqual(['2026-09-07T08:00:00-04:00', '2027-09-06T08:00:00-04:00']);
  });

  it('counts BYDAY ordinals within the year for YEARLY without BYMONTH', () => {
    // The 20th Monday of 2026 is May 18; its last Friday is December 25.
    const found = occurrences(rrule('FREQ=YEARLY;BYDAY=20MO,-1FR;BYHOUR=1'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(starts(found)).toEqual(['2026-05-18T01:00:00Z', '2026-12-25T01:00:00Z']);
  });

  it('handles YEARLY with a date', () => {
    const found = occurrences(rrule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;BYHOUR=18'), {
      zone: BERLIN,
      duration: '2d',
      from: '2026-01-01',
      until: '2027-01-01',
    });
    expect(spans(found)).toEqual([['2026-12-24T18:00:00+01:00', '2026-12-26T18:00:00+01:00']]);
  });

  it('steps HOURLY on the local clock', () => {
    const found = occurrences(rrule('FREQ=HOURLY;INTERVAL=6;BYMINUTE=15'), {
      zone: 'UTC',
      duration: '30m',
      from: '2026-01-01',
      until: '2026-01-02',
    });
    expect(starts(found)).toEqual([
      '2026-01-01T00:15:00Z',
      '2026-01-01T06:15:00Z',
      '2026-01-01T12:15:00Z',
      '2026-01-01T18:15:00Z',
    ]);
  });

  it('opens an HOURLY slot in the spring-forward gap once, after the gap', () => {
    const found = occurrences(rrule('FREQ=HOURLY;BYMINUTE=30'), {
      zone: NEW_YORK,
      duration: '30m',
      from: '2026-03-08T00:00',
      until: '2026-03-08T05:00',
    });
    expect(starts(found)).toEqual([
      '2026-03-08T00:30:00-05:00',
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T03:30:00-04:00',
      '2026-03-08T04:30:00-04:00',
    ]);
  });

  it('stops at an UNTIL date (inclusive, local) or instant', () => {
    const daily = (until: string): string[] =>
      starts(
        occurrences(rrule(`FREQ=DAILY;BYHOUR=23;UNTIL=${until}`), {
          zone: BERLIN,
          duration: '1h',
          from: '2026-06-01',
          until: '2026-07-01',
        }),
      );
    expect(daily('20260603')).toEqual([
      '2026-06-01T23:00:00+02:00',
      '2026-06-02T23:00:00+02:00',
      '2026-06-03T23:00:00+02:00',
    ]);
    // 2026-06-02T21:00Z is 23:00 in Berlin: included; the next day's 23:00 is not.
    expect(daily('20260602T210000Z')).toEqual(['2026-06-01T23:00:00+02:00', '2026-06-02T23:00:00+02:00']);
    expect(daily('20260602T205959Z')).toEqual(['2026-06-01T23:00:00+02:00']);
  });
});

describe('windowOccurrences: DST', () => {
  const daily0230 = rrule('FREQ=DAILY;BYHOUR=2;BYMINUTE=30');

  it('opens a 02:30 start after the spring-forward gap in New York', () => {
    const found = occurrences(daily0230, {
      zone: NEW_YORK,
      duration: '1h',
      from: '2026-03-07',
      until: '2026-03-10',
    });
    expect(spans(found)).toEqual([
      ['2026-03-07T02:30:00-05:00', '2026-03-07T03:30:00-05:00'],
      ['2026-03-08T03:30:00-04:00', '2026-03-08T04:30:00-04:00'],
      ['2026-03-09T02:30:00-04:00', '2026-03-09T03:30:00-04:00'],
    ]);
  });

  it('opens a 02:30 start after the spring-forward gap in Berlin', () => {
    const found = occurrences(daily0230, {
      zone: BERLIN,
      duration: '1h',
      from: '2026-03-28',
      until: '2026-03-31',
    });
    expect(spans(found)).toEqual([
      ['2026-03-28T02:30:00+01:00', '2026-03-28T03:30:00+01:00'],
      ['2026-03-29T03:30:00+02:00', '2026-03-29T04:30:00+02:00'],
      ['2026-03-30T02:30:00+02:00', '2026-03-30T03:30:00+02:00'],
    ]);
  });

  it('opens a repeated 01:30 once, at the first instant, in New York', () => {
    const found = occurrences(rrule('FREQ=DAILY;BYHOUR=1;BYMINUTE=30'), {
      zone: NEW_YORK,
      duration: '1h',
      from: '2026-10-31',
      until: '2026-11-03',
    });
    expect(spans(found)).toEqual([
      ['2026-10-31T01:30:00-04:00', '2026-10-31T02:30:00-04:00'],
      // One elapsed hour after 01:30 EDT is 01:30 EST.
      ['2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00'],
      ['2026-11-02T01:30:00-05:00', '2026-11-02T02:30:00-05:00'],
    ]);
  });

  it('handles the 30-minute shifts of Lord Howe Island', () => {
    const daily0215 = rrule('FREQ=DAILY;BYHOUR=2;BYMINUTE=15');
    // 2026-10-04: 02:00 +10:30 becomes 02:30 +11:00, so 02:15 does not exist.
    expect(
      spans(
        occurrences(daily0215, { zone: LORD_HOWE, duration: '30m', from: '2026-10-03', until: '2026-10-06' }),
      ),
    ).toEqual([
      ['2026-10-03T02:15:00+10:30', '2026-10-03T02:45:00+10:30'],
      ['2026-10-04T02:45:00+11:00', '2026-10-04T03:15:00+11:00'],
      ['2026-10-05T02:15:00+11:00', '2026-10-05T02:45:00+11:00'],
    ]);
    // 2026-04-05: 02:00 +11:00 becomes 01:30 +10:30; 02:15 happens once.
    expect(
      spans(
        occurrences(daily0215, { zone: LORD_HOWE, duration: '30m', from: '2026-04-04', until: '2026-04-07' }),
      ),
    ).toEqual([
      ['2026-04-04T02:15:00+11:00', '2026-04-04T02:45:00+11:00'],
      ['2026-04-05T02:15:00+10:30', '2026-04-05T02:45:00+10:30'],
      ['2026-04-06T02:15:00+10:30', '2026-04-06T02:45:00+10:30'],
    ]);
    // 01:45 happens twice that night: the window opens at the first one.
    const repeated = occurrences(rrule('FREQ=DAILY;BYHOUR=1;BYMINUTE=45'), {
      zone: LORD_HOWE,
      duration: '30m',
      from: '2026-04-05',
      until: '2026-04-06',
    });
    expect(spans(repeated)).toEqual([['2026-04-05T01:45:00+11:00', '2026-04-05T01:45:00+10:30']]);
  });

  it('runs cron "0 2 * * 0" in Berlin across both DST changes', () => {
    const sunday0200 = cron('0 2 * * 0');
    expect(
      spans(
        occurrences(sunday0200, { zone: BERLIN, duration: '3h', from: '2026-03-20', until: '2026-04-06' }),
      ),
    ).toEqual([
      ['2026-03-22T02:00:00+01:00', '2026-03-22T05:00:00+01:00'],
      ['2026-03-29T03:00:00+02:00', '2026-03-29T06:00:00+02:00'],
      ['2026-04-05T02:00:00+02:00', '2026-04-05T05:00:00+02:00'],
    ]);
    expect(
      spans(
        occurrences(sunday0200, { zone: BERLIN, duration: '3h', from: '2026-10-18', until: '2026-11-02' }),
      ),
    ).toEqual([
      ['2026-10-18T02:00:00+02:00', '2026-10-18T05:00:00+02:00'],
      ['2026-10-25T02:00:00+02:00', '2026-10-25T04:00:00+01:00'],
      ['2026-11-01T02:00:00+01:00', '2026-11-01T05:00:00+01:00'],
    ]);
  });

  it('runs cron "30 1 * * *" once on the New York fall-back day', () => {
    const found = occurrences(cron('30 1 * * *'), {
      zone: NEW_YORK,
      duration: '20m',
      from: '2026-10-31',
      until: '2026-11-03',
    });
    expect(starts(found)).toEqual([
      '2026-10-31T01:30:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
    ]);
  });

  it('ends a calendar-day duration at the same local time across DST', () => {
    const found = occurrences(rrule('FREQ=WEEKLY;BYDAY=SA;BYHOUR=22'), {
      zone: BERLIN,
      duration: '1d2h',
      from: '2026-03-28',
      until: '2026-03-29',
    });
    expect(spans(found)).toEqual([['2026-03-28T22:00:00+01:00', '2026-03-30T00:00:00+02:00']]);
  });
});

describe('windowOccurrences: ranges', () => {
  const saturdayNight = rrule('FREQ=WEEKLY;BYDAY=SA;BYHOUR=22');

  it('includes a window that spans midnight and started before `from`', () => {
    const found = occurrences(saturdayNight, {
      zone: BERLIN,
      duration: '6h',
      from: '2026-06-07T01:00',
      until: '2026-06-14T00:00',
    });
    expect(spans(found)).toEqual([
      ['2026-06-06T22:00:00+02:00', '2026-06-07T04:00:00+02:00'],
      ['2026-06-13T22:00:00+02:00', '2026-06-14T04:00:00+02:00'],
    ]);
  });

  it('treats windows as half-open', () => {
    const shape = { zone: BERLIN, duration: duration('6h') };
    const endsAtFrom = windowOccurrences(saturdayNight, {
      ...shape,
      from: at('2026-06-07T04:00', BERLIN),
      until: at('2026-06-13T22:00', BERLIN),
    });
    expect(endsAtFrom).toEqual([]);
  });

  it('reads `from` and `until` as instants, whatever their zone', () => {
    const found = windowOccurrences(saturdayNight, {
      zone: BERLIN,
      duration: duration('6h'),
      from: DateTime.fromISO('2026-06-06T19:59:00Z', { setZone: true }),
      until: DateTime.fromISO('2026-06-06T20:00:00Z', { setZone: true }),
    });
    expect(starts(found)).toEqual([]);
    const later = windowOccurrences(saturdayNight, {
      zone: BERLIN,
      duration: duration('6h'),
      from: DateTime.fromISO('2026-06-07T01:59:00Z', { setZone: true }),
      until: DateTime.fromISO('2026-06-07T02:00:00Z', { setZone: true }),
    });
    expect(starts(later)).toEqual(['2026-06-06T22:00:00+02:00']);
  });

  it('returns zero-length openings whose instant is in range', () => {
    const found = occurrences(cron('0 12 * * *'), {
      zone: 'UTC',
      duration: '0s',
      from: '2026-01-01T12:00',
      until: '2026-01-03T12:00',
    });
    expect(starts(found)).toEqual(['2026-01-01T12:00:00Z', '2026-01-02T12:00:00Z']);
  });

  it('returns nothing for an empty range', () => {
    expect(
      occurrences(cron('0 12 * * *'), {
        zone: 'UTC',
        duration: '1h',
        from: '2026-01-02',
        until: '2026-01-01',
      }),
    ).toEqual([]);
  });

  it('follows Vixie cron when both day fields are restricted', () => {
    // April 2026: Fridays are 3, 10, 17, 24; the 13th is a Monday.
    const either = occurrences(cron('0 3 13 * 5'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-04-01',
      until: '2026-05-01',
    });
    expect(either.map((o) => o.start.day)).toEqual([3, 10, 13, 17, 24]);
    // A day-of-month field starting with * makes it "both".
    const both = occurrences(cron('0 3 */2 * 5'), {
      zone: 'UTC',
      duration: '1h',
      from: '2026-04-01',
      until: '2026-05-01',
    });
    expect(both.map((o) => o.start.day)).toEqual([3, 17]);
  });

  it('rejects an unknown zone and invalid DateTimes', () => {
    const rule = cron('0 12 * * *');
    expect(() =>
      windowOccurrences(rule, {
        zone: 'Mars/Olympus',
        duration: duration('1h'),
        from: at('2026-01-01', 'UTC'),
        until: at('2026-01-02', 'UTC'),
      }),
    ).toThrow(RangeError);
    expect(() =>
      windowOccurrences(rule, {
        zone: 'UTC',
        duration: duration('1h'),
        from: DateTime.invalid('test'),
        until: at('2026-01-02', 'UTC'),
      }),
    ).toThrow(/from is not a valid DateTime/);
  });

  it('expands a minute-by-minute cron over a week quickly', () => {
    const started = process.hrtime.bigint();
    const found = occurrences(cron('* * * * *'), {
      zone: NEW_YORK,
      duration: '1m',
      from: '2026-03-05',
      until: '2026-03-12',
    });
    // 7 days of 1440 minutes, less the hour skipped on 2026-03-08.
    expect(found).toHaveLength(7 * 1440 - 60);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
  });
});

describe('nextOpening', () => {
  const patchFriday = rrule('FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22');
  const shape = { zone: BERLIN, offset: duration('3d'), duration: duration('6h') };

  it('returns the window open at `at`', () => {
    const found = nextOpening(patchFriday, { ...shape, at: at('2026-01-17T01:00', BERLIN) });
    expect(found && spans([found])).toEqual([['2026-01-16T22:00:00+01:00', '2026-01-17T04:00:00+01:00']]);
  });

  it('returns the next window when none is open', () => {
    const found = nextOpening(patchFriday, { ...shape, at: at('2026-01-17T04:00', BERLIN) });
    expect(found && iso(found.start)).toBe('2026-02-13T22:00:00+01:00');
  });

  it('looks only as far as the horizon', () => {
    const yearly = rrule('FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;BYHOUR=18');
    const from = at('2026-01-01', BERLIN);
    expect(nextOpening(yearly, { zone: BERLIN, duration: duration('1h'), at: from })?.start.toISODate()).toBe(
      '2026-12-24',
    );
    expect(
      nextOpening(yearly, { zone: BERLIN, duration: duration('1h'), at: from, horizon: duration('30d') }),
    ).toBe(undefined);
  });

  it('still finds the open window with a zero horizon', () => {
    const open = nextOpening(patchFriday, {
      ...shape,
      at: at('2026-01-16T22:00', BERLIN),
      horizon: duration('0s'),
    });
    expect(open && iso(open.start)).toBe('2026-01-16T22:00:00+01:00');
    expect(
      nextOpening(patchFriday, { ...shape, at: at('2026-01-16T21:59', BERLIN), horizon: duration('0s') }),
    ).toBe(undefined);
  });

  it('gives up on a rule that never occurs', () => {
    const never = rrule('FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=1');
    expect(
      nextOpening(never, { zone: 'UTC', duration: duration('1h'), at: at('2026-01-01', 'UTC') }),
    ).toBeUndefined();
  });

  it('finds the next minute of a frequent cron without expanding the horizon', () => {
    const found = nextOpening(cron('*/5 * * * *'), {
      zone: NEW_YORK,
      duration: duration('1m'),
      at: at('2026-03-08T01:58', NEW_YORK),
    });
    // 02:00 does not exist that day: it opens at 03:00 EDT, which is also the 03:00 slot.
    expect(found && iso(found.start)).toBe('2026-03-08T03:00:00-04:00');
  });
});

describe('overlaps', () => {
  const span = (start: string, end: string): Occurrence => ({ start: at(start, 'UTC'), end: at(end, 'UTC') });

  it('finds the pair whose overlap begins first', () => {
    const windows = [
      span('2026-01-10T00:00', '2026-01-10T06:00'),
      span('2026-01-01T00:00', '2026-01-01T06:00'),
    ];
    const blackouts = [
      span('2026-01-10T05:00', '2026-01-12T00:00'),
      span('2026-01-01T05:59', '2026-01-01T07:00'),
    ];
    const found = overlaps(windows, blackouts);
    expect(found && [iso(found.a.start), iso(found.b.start)]).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-01T05:59:00Z',
    ]);
  });

  it('treats intervals as half-open', () => {
    expect(
      overlaps(
        [span('2026-01-01T00:00', '2026-01-01T06:00')],
        [span('2026-01-01T06:00', '2026-01-01T07:00')],
      ),
    ).toBe(undefined);
    expect(overlaps([], [span('2026-01-01T06:00', '2026-01-01T07:00')])).toBeUndefined();
  });

  it('finds a long interval that starts well before', () => {
    const long = span('2025-12-01T00:00', '2026-02-01T00:00');
    const shorts = [
      span('2025-11-01T00:00', '2025-11-01T01:00'),
      span('2026-01-15T00:00', '2026-01-15T01:00'),
    ];
    const found = overlaps(shorts, [span('2025-11-02T00:00', '2025-11-03T00:00'), long]);
    expect(found && [iso(found.a.start), iso(found.b.start)]).toEqual([
      '2026-01-15T00:00:00Z',
      '2025-12-01T00:00:00Z',
    ]);
  });

  it('places zero-length intervals', () => {
    const instant = span('2026-01-01T06:00', '2026-01-01T06:00');
    expect(overlaps([instant], [span('2026-01-01T06:00', '2026-01-01T07:00')])).toBeDefined();
    expect(overlaps([instant], [span('2026-01-01T05:00', '2026-01-01T06:00')])).toBeUndefined();
    expect(overlaps([instant], [instant])).toBeDefined();
  });
});
