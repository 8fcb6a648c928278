import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { createZoneClock, resolveLocalTime } from './local-time.js';

const local = (year: number, month: number, day: number, hour: number, minute: number) => ({
  year,
  month,
  day,
  hour,
  minute,
});

function iso(zone: string, ...fields: [number, number, number, number, number]): string | null {
  return resolveLocalTime(local(...fields), zone).toISO({ suppressMilliseconds: true });
}

describe('resolveLocalTime', () => {
  it('reads ordinary local times with the zone offset', () => {
    expect(iso('Europe/Berlin', 2026, 1, 13, 22, 0)).toBe('2026-01-13T22:00:00+01:00');
    expect(iso('Europe/Berlin', 2026, 7, 14, 22, 0)).toBe('2026-07-14T22:00:00+02:00');
  });

  it('moves a time in a spring-forward gap forward by the gap', () => {
    expect(iso('America/New_York', 2026, 3, 8, 2, 0)).toBe('2026-03-08T03:00:00-04:00');
    expect(iso('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T03:30:00-04:00');
    expect(iso('America/New_York', 2026, 3, 8, 2, 59)).toBe('2026-03-08T03:59:00-04:00');
    expect(iso('Europe/Berlin', 2026, 3, 29, 2, 30)).toBe('2026-03-29T03:30:00+02:00');
    expect(iso('Australia/Lord_Howe', 2026, 10, 4, 2, 15)).toBe('2026-10-04T02:45:00+11:00');
  });

  it('agrees with luxon DateTime.fromObject in gaps', () => {
    const gaps: [string, [number, number, number, number, number]][] = [
      ['America/New_York', [2026, 3, 8, 2, 30]],
      ['Europe/Berlin', [2026, 3, 29, 2, 0]],
      ['Australia/Lord_Howe', [2026, 10, 4, 2, 15]],
    ];
    for (const [zone, [year, month, day, hour, minute]] of gaps) {
      const ours = resolveLocalTime({ year, month, day, hour, minute }, zone);
      const luxons = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
      expect(ours.toMillis()).toBe(luxons.toMillis());
    }
  });

  it('takes the earlier instant of a repeated time', () => {
    expect(iso('America/New_York', 2026, 11, 1, 1, 0)).toBe('2026-11-01T01:00:00-04:00');
    expect(iso('America/New_York', 2026, 11, 1, 1, 59)).toBe('2026-11-01T01:59:00-04:00');
    expect(iso('America/New_York', 2026, 11, 1, 2, 0)).toBe('2026-11-01T02:00:00-05:00');
    expect(iso('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe('2026-10-25T02:30:00+02:00');
    expect(iso('Australia/Lord_Howe', 2026, 4, 5, 1, 45)).toBe('2026-04-05T01:45:00+11:00');
    expect(iso('Australia/Lord_Howe', 2026, 4, 5, 2, 15)).toBe('2026-04-05T02:15:00+10:30');
  });

  it('keeps the zone on the result', () => {
    expect(resolveLocalTime(local(2026, 1, 1, 0, 0), 'Asia/Kolkata').zoneName).toBe('Asia/Kolkata');
  });
});

describe('createZoneClock', () => {
  it('turns instants into wall times and back', () => {
    const clock = createZoneClock('America/New_York');
    const instant = Date.parse('2026-11-01T06:30:00Z'); // 01:30 EST, the second 01:30
    expect(clock.toWall(instant)).toBe(Date.UTC(2026, 10, 1, 1, 30));
    expect(clock.toInstant(Date.UTC(2026, 10, 1, 1, 30))).toBe(Date.parse('2026-11-01T05:30:00Z'));
  });

  it('throws a RangeError for an unknown zone', () => {
    expect(() => createZoneClock('Europe/Atlantis')).toThrow(RangeError);
  });
});
