import { describe, expect, it } from '@jest/globals';

import { parseCron } from './cron.js';
import type { CronSchedule } from './types.js';

function cron(text: string): CronSchedule {
  const result = parseCron(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function message(text: string): string {
  const result = parseCron(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.message;
}

const range = (low: number, high: number, step = 1): number[] =>
  Array.from({ length: Math.floor((high - low) / step) + 1 }, (_v, i) => low + i * step);

describe('parseCron', () => {
  it('reads a weekly schedule', () => {
    expect(cron('0 2 * * 0')).toEqual({
      kind: 'cron',
      text: '0 2 * * 0',
      minutes: [0],
      hours: [2],
      daysOfMonth: range(1, 31),
      months: range(1, 12),
      daysOfWeek: [0],
      daysOfMonthRestricted: false,
      daysOfWeekRestricted: true,
    });
  });

  it('reads lists, ranges, steps and names', () => {
    const parsed = cron('*/15 1-5/2,22 1,15 jan-MAR,Dec MON-FRI');
    expect(parsed.minutes).toEqual([0, 15, 30, 45]);
    expect(parsed.hours).toEqual([1, 3, 5, 22]);
    expect(parsed.daysOfMonth).toEqual([1, 15]);
    expect(parsed.months).toEqual([1, 2, 3, 12]);
    expect(parsed.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.daysOfMonthRestricted).toBe(true);
    expect(parsed.daysOfWeekRestricted).toBe(true);
  });

  it('reads 7 as Sunday, and spaces or tabs between fields', () => {
    expect(cron('0 0 * * 7').daysOfWeek).toEqual([0]);
    expect(cron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(cron('0 0 * * 0-7').daysOfWeek).toEqual(range(0, 6));
    expect(cron(' 0\t0  *  * SAT-SUN ').daysOfWeek).toEqual([0, 6]);
    expect(cron('0 0 * * */2').daysOfWeek).toEqual([0, 2, 4, 6]);
  });

  it('treats a day field starting with * as unrestricted (Vixie)', () => {
    expect(cron('0 0 */2 * MON').daysOfMonthRestricted).toBe(false);
    expect(cron('0 0 */2 * MON').daysOfMonth).toEqual(range(1, 31, 2));
    expect(cron('0 0 1 * *').daysOfWeekRestricted).toBe(false);
  });

  it('expands macros', () => {
    expect(cron('@daily')).toMatchObject({
      minutes: [0],
      hours: [0],
      daysOfMonth: range(1, 31),
      daysOfWeek: range(0, 6),
    });
    expect(cron('@weekly')).toMatchObject({ minutes: [0], hours: [0], daysOfWeek: [0] });
    expect(cron('@monthly')).toMatchObject({
      minutes: [0],
      hours: [0],
      daysOfMonth: [1],
      months: range(1, 12),
    });
    expect(cron('@yearly')).toMatchObject({ minutes: [0], hours: [0], daysOfMonth: [1], months: [1] });
    expect(cron('@annually').months).toEqual([1]);
    expect(cron('@hourly').hours).toEqual(range(0, 23));
    expect(cron('@daily').text).toBe('@daily');
  });

  it('rejects @reboot, unknown macros and other field counts', () => {
    expect(message('@reboot')).toMatch(/^@reboot is not a schedule/);
    expect(message('@fortnightly')).toMatch(/^unknown macro "@fortnightly"/);
    expect(message('0 0 2 * * 0')).toBe(
      'expected five fields (minute hour day-of-month month day-of-week), found 6 (seconds and year fields are not supported)',
    );
    expect(message('0 2 * *')).toMatch(/found 4$/);
    expect(message('0 2 * * 0 /usr/bin/patch now')).toMatch(/found 7 \(only five fields; no command\)/);
    expect(message('')).toMatch(/empty/);
  });

  it('names the field in its messages', () => {
    expect(message('0 2 * * MON-FRX')).toBe(
      'day-of-week field "MON-FRX": "FRX" is not a number 0..7 or a name SUN..SAT',
    );
    expect(message('60 2 * * *')).toBe('minute field "60": 60 is out of range 0..59');
    expect(message('0 24 * * *')).toBe('hour field "24": 24 is out of range 0..23');
    expect(message('0 2 0 * *')).toBe('day-of-month field "0": 0 is out of range 1..31');
    expect(message('0 2 * 13 *')).toBe('month field "13": 13 is out of range 1..12');
    expect(message('0 2 * FOO *')).toMatch(
      /^month field "FOO": "FOO" is not a number 1..12 or a name JAN..DEC/,
    );
    expect(message('0 2 * * 8')).toMatch(/^day-of-week field "8": 8 is out of range 0..7/);
    expect(message('*/0 2 * * *')).toMatch(/^minute field "\*\/0": step "0" must be/);
    expect(message('5/15 2 * * *')).toMatch(/^minute field "5\/15": a step needs a range or \*/);
    expect(message('0 5-1 * * *')).toBe('hour field "5-1": range "5-1" goes backwards');
    expect(message('0 2 * * FRI-MON')).toMatch(/goes backwards/);
    expect(message('0 2,,3 * * *')).toMatch(/^hour field "2,,3": empty list item/);
    expect(message('0 2 L * *')).toMatch(/^day-of-month field "L"/);
    expect(message('0 2 ? * 1')).toMatch(/^day-of-month field "\?"/);
    expect(message('0 2 * * 1#2')).toMatch(/^day-of-week field "1#2"/);
    expect(message('0 1-2-3 * * *')).toMatch(/^hour field "1-2-3"/);
    expect(message('-1 2 * * *')).toMatch(/^minute field "-1"/);
  });
});
