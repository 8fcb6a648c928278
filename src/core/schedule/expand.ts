// The nominal local start times of a recurrence, as wall times (see local-time.ts), in ascending
// order. This walks candidate days and expands hours and minutes on the matching ones; it never
// steps minute by minute.

import type { CronSchedule, RRule, WeekdayNum } from './types.js';
import { WEEKDAYS } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

interface CivilDate {
  year: number;
  month: number;
  day: number;
  /** 0 = Monday .. 6 = Sunday (RFC 5545 order). */
  isoWeekday: number;
}

function civil(epochDay: number): CivilDate {
  const date = new Date(epochDay * DAY);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    // 1970-01-01 was a Thursday.
    isoWeekday: mod(epochDay + 3, 7),
  };
}

function epochDayOf(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Wall times of `rule` whose nominal day lies in [firstDay, lastDay] (days since 1970-01-01), in
 * ascending order. UNTIL is not applied here (it needs the zone).
 */
export function* expandRRule(rule: RRule, firstDay: number, lastDay: number): Generator<number> {
  const minutes = rule.byMinute ?? [0];
  const times = (day: number, hours: readonly number[]): number[] =>
    hours.flatMap((h) => minutes.map((m) => day * DAY + h * HOUR + m * MINUTE));
  const byHour = rule.byHour ?? [];
  const period = (days: readonly number[]): number[] =>
    pickSetPositions(
      rule,
      days.filter((d) => dayMatches(rule, d)).flatMap((d) => times(d, byHour)),
    );

  switch (rule.freq) {
    case 'HOURLY': {
      for (let day = firstDay; day <= lastDay; day++) {
        if (!dayMatches(rule, day)) continue;
        for (let h = 0; h < 24; h++) {
          if (rule.byHour !== undefined && !rule.byHour.includes(h)) continue;
          if (mod(day * 24 + h, rule.interval) !== 0) continue;
          yield* pickSetPositions(rule, times(day, [h]));
        }
      }
      return;
    }
    case 'DAILY': {
      for (let day = firstDay + mod(-firstDay, rule.interval); day <= lastDay; day += rule.interval) {
        yield* period([day]);
      }
      return;
    }
    case 'WEEKLY': {
      const weekStartIndex = WEEKDAYS.indexOf(rule.wkst);
      let start = firstDay - mod(civil(firstDay).isoWeekday - weekStartIndex, 7);
      start += 7 * mod(-Math.floor(start / 7), rule.interval);
      for (; start <= lastDay; start += 7 * rule.interval) {
        yield* period(Array.from({ length: 7 }, (_v, i) => start + i));
      }
      return;
    }
    case 'MONTHLY': {
      const first = civil(firstDay);
      let index = (first.year - 1970) * 12 + first.month - 1;
      index += mod(-index, rule.interval);
      for (; ; index += rule.interval) {
        const year = 1970 + Math.floor(index / 12);
        const month = mod(index, 12) + 1;
        const start = epochDayOf(year, month, 1);
        if (start > lastDay) return;
        yield* period(Array.from({ length: daysInMonth(year, month) }, (_v, i) => start + i));
      }
    }
    case 'YEARLY': {
      let year = civil(firstDay).year;
      year += mod(-(year - 1970), rule.interval);
      for (; ; year += rule.interval) {
        const start = epochDayOf(year, 1, 1);
        if (start > lastDay) return;
        const length = epochDayOf(year + 1, 1, 1) - start;
        yield* period(Array.from({ length }, (_v, i) => start + i));
      }
    }
  }
}

/** Whether a day passes BYMONTH, BYMONTHDAY and BYDAY (each that is present). */
function dayMatches(rule: RRule, epochDay: number): boolean {
  const date = civil(epochDay);
  if (rule.byMonth !== undefined && !rule.byMonth.includes(date.month)) return false;
  const monthLength = daysInMonth(date.year, date.month);
  if (rule.byMonthDay !== undefined) {
    const hit = rule.byMonthDay.some((v) => (v > 0 ? date.day === v : date.day === monthLength + 1 + v));
    if (!hit) return false;
  }
  if (rule.byDay !== undefined) {
    const yearScope = rule.freq === 'YEARLY' && rule.byMonth === undefined;
    const position = yearScope ? epochDay - epochDayOf(date.year, 1, 1) + 1 : date.day;
    const scopeLength = yearScope
      ? epochDayOf(date.year + 1, 1, 1) - epochDayOf(date.year, 1, 1)
      : monthLength;
    const hit = rule.byDay.some((spec) => weekdayMatches(spec, date.isoWeekday, position, scopeLength));
    if (!hit) return false;
  }
  return true;
}

function weekdayMatches(
  spec: WeekdayNum,
  isoWeekday: number,
  position: number,
  scopeLength: number,
): boolean {
  if (WEEKDAYS[isoWeekday] !== spec.weekday) return false;
  if (spec.ordinal === undefined) return true;
  if (spec.ordinal > 0) return Math.ceil(position / 7) === spec.ordinal;
  return Math.floor((scopeLength - position) / 7) + 1 === -spec.ordinal;
}

/** BYSETPOS: the n-th (or n-th from last) of one period's ascending candidates, in ascending order. */
function pickSetPositions(rule: RRule, candidates: number[]): number[] {
  if (rule.bySetPos === undefined) return candidates;
  const picked = new Set<number>();
  for (const pos of rule.bySetPos) {
    const value = candidates[pos > 0 ? pos - 1 : candidates.length + pos];
    if (value !== undefined) picked.add(value);
  }
  return [...picked].sort((a, b) => a - b);
}

/** Wall times of a cron schedule whose day lies in [firstDay, lastDay], in ascending order. */
export function* expandCron(cron: CronSchedule, firstDay: number, lastDay: number): Generator<number> {
  const months = new Set(cron.months);
  const daysOfMonth = new Set(cron.daysOfMonth);
  const daysOfWeek = new Set(cron.daysOfWeek);
  const either = cron.daysOfMonthRestricted && cron.daysOfWeekRestricted;
  for (let day = firstDay; day <= lastDay; day++) {
    const date = civil(day);
    if (!months.has(date.month)) continue;
    const domHit = daysOfMonth.has(date.day);
    // Cron counts weekdays from Sunday = 0.
    const dowHit = daysOfWeek.has(mod(date.isoWeekday + 1, 7));
    if (either ? !domHit && !dowHit : !domHit || !dowHit) continue;
    for (const h of cron.hours) {
      for (const m of cron.minutes) yield day * DAY + h * HOUR + m * MINUTE;
    }
  }
}
