// Scheduling across daylight-saving changes, as the planner sees it: the next opening of a
// window for a host, in the window's own zone. Expected instants are worked out by hand from
// the 2026 transition dates:
//   America/New_York    spring 2026-03-08 02:00 EST → 03:00 EDT; fall 2026-11-01 02:00 EDT → 01:00 EST
//   Europe/Berlin       spring 2026-03-29 02:00 CET → 03:00 CEST; fall 2026-10-25 03:00 CEST → 02:00 CET
//   Australia/Lord_Howe spring 2026-10-04 02:00 (+10:30) → 02:30 (+11); fall 2026-04-05 02:00 (+11) → 01:30 (+10:30)
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { resolveGroups } from '../model/groups.js';
import { check, doc } from '../../test-support/repo-builder.js';
import { buildCalendar, hostOpening } from './calendar.js';

function nextOpening(zone: string, recurrence: string, at: string, extra = ''): string | undefined {
  const { repository } = check({
    'inventory/i.yaml': doc('Inventory', 'i', 'hosts:\n  - name: h1'),
    'groups/g.yaml': doc('Group', 'g', 'hosts: [h1]'),
    'windows/w.yaml': doc(
      'MaintenanceWindow',
      'w',
      `timezone: ${zone}\n${recurrence}\nduration: 2h\ngroups: [g]${extra}`,
    ),
  });
  const atTime = DateTime.fromISO(at, { setZone: true });
  const cal = buildCalendar(repository.windows, [], resolveGroups(repository), 'UTC', atTime);
  const o = hostOpening(cal, 'h1', ['w'], 'p');
  return o.kind === 'open'
    ? (o.opening?.start.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined)
    : undefined;
}

describe('window openings across DST, in three zones', () => {
  it.each([
    // A 02:30 start on the spring-forward day opens just after the gap.
    [
      'America/New_York',
      'rrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      '2026-03-08T00:00:00Z',
      '2026-03-08T07:30:00Z',
    ],
    [
      'Europe/Berlin',
      'rrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      '2026-03-28T23:00:00Z',
      '2026-03-29T01:30:00Z',
    ],
    // Lord Howe's gap is 02:00-02:30: 02:30 exists (+11:00), 02:15 is pushed 30 minutes on.
    [
      'Australia/Lord_Howe',
      'rrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      '2026-10-03T12:00:00Z',
      '2026-10-03T15:30:00Z',
    ],
    [
      'Australia/Lord_Howe',
      'rrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=15',
      '2026-10-03T12:00:00Z',
      '2026-10-03T15:45:00Z',
    ],
  ])('%s %s on the spring-forward day', (zone, rule, at, expected) => {
    expect(nextOpening(zone, rule, at)).toBe(expected);
  });

  it.each([
    // A repeated local time opens once, at its first (daylight-time) instant.
    [
      'America/New_York',
      'rrule: FREQ=DAILY;BYHOUR=1;BYMINUTE=30',
      '2026-11-01T04:00:00Z',
      '2026-11-01T05:30:00Z',
    ],
    [
      'Europe/Berlin',
      'rrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=30',
      '2026-10-24T23:00:00Z',
      '2026-10-25T00:30:00Z',
    ],
    [
      'Australia/Lord_Howe',
      'rrule: FREQ=DAILY;BYHOUR=1;BYMINUTE=45',
      '2026-04-04T12:00:00Z',
      '2026-04-04T14:45:00Z',
    ],
  ])('%s %s on the fall-back day opens once', (zone, rule, at, expected) => {
    expect(nextOpening(zone, rule, at)).toBe(expected);
    // ... and the next opening is the following day, not the repeated instant.
    const after = DateTime.fromISO(expected).plus({ hours: 2, minutes: 1 }).toUTC().toISO() ?? '';
    const next = nextOpening(zone, rule, after) ?? '';
    expect(DateTime.fromISO(next).diff(DateTime.fromISO(expected), 'hours').hours).toBeGreaterThan(20);
  });

  it.each([
    // Second Tuesday of November 2026 is the 10th; + 3 days is Friday the 13th, 22:00 local.
    ['America/New_York', '2026-11-14T03:00:00Z'],
    ['Europe/Berlin', '2026-11-13T21:00:00Z'],
    ['Australia/Lord_Howe', '2026-11-13T11:00:00Z'],
  ])('"second Tuesday + 3 days" at 22:00 in %s', (zone, expected) => {
    expect(
      nextOpening(zone, 'rrule: FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22', '2026-11-01T00:00:00Z', '\noffset: 3d'),
    ).toBe(expected);
  });

  it('keeps the local time when the offset crosses a DST change', () => {
    // March 2026 in New York: second Tuesday the 10th (EDT since the 8th) → Friday the 13th 22:00 EDT.
    expect(
      nextOpening(
        'America/New_York',
        'rrule: FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22',
        '2026-03-01T00:00:00Z',
        '\noffset: 3d',
      ),
    ).toBe('2026-03-14T02:00:00Z');
    // Berlin, October 2026: second Tuesday the 13th + 12 days = Sunday the 25th, the fall-back day, 22:00 CET.
    expect(
      nextOpening(
        'Europe/Berlin',
        'rrule: FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22',
        '2026-10-01T00:00:00Z',
        '\noffset: 12d',
      ),
    ).toBe('2026-10-25T21:00:00Z');
  });
});
