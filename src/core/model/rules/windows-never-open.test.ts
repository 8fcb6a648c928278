import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { windowsThatNeverOpen } from './windows-never-open.js';

const files = (recurrence: string) => ({
  'groups/g.yaml': doc('Group', 'web', 'hosts: []'),
  'windows/w.yaml': doc(
    'MaintenanceWindow',
    'w',
    `timezone: Europe/Berlin\n${recurrence}\nduration: 4h\ngroups: [web]`,
  ),
});

describe('windowsThatNeverOpen', () => {
  it.each([
    'rrule: FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22',
    'rrule: FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=1', // a leap day: opens in 2028
    "cron: '0 2 * * 0'",
    'rrule: FREQ=WEEKLY;BYDAY=MO;BYHOUR=1;UNTIL=20270101',
  ])('is quiet for %s', (recurrence) => {
    expect(runRule(windowsThatNeverOpen, files(recurrence), { allowInvalid: true })).toEqual([]);
  });
  it.each([
    ['rrule: FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=1', 'names no date that exists in the next 8 years'],
    ["cron: '0 2 31 4 *'", 'names no date that exists'],
    ['rrule: FREQ=WEEKLY;BYDAY=MO;BYHOUR=1;UNTIL=20260101', 'its UNTIL (2026-01-01) is already past'],
    [
      'rrule: FREQ=WEEKLY;BYDAY=MO;BYHOUR=1;UNTIL=20250101T000000Z',
      'its UNTIL (2025-01-01T00:00:00.000Z) is already past',
    ],
  ])('warns on %s', (recurrence, why) => {
    const d = runRule(windowsThatNeverOpen, files(recurrence), {
      allowInvalid: true,
      at: DateTime.fromISO('2026-12-01T00:00:00Z'),
    });
    const col = recurrence.startsWith('cron') ? 9 : 10; // the value, after `cron: ` or `rrule: `
    expect(where(d)).toEqual([`windows/w.yaml:7:${col} warning window-never-opens`]);
    expect(d[0]?.message).toContain(why);
  });
});
