// Data types of the schedule folder: durations, parsed recurrences and their occurrences.
// Everything here is plain data; the functions live in duration.ts, rrule.ts, cron.ts and
// occurrences.ts.

import type { DateTime } from 'luxon';

/**
 * A parsed duration text (`90m`, `1d12h`). Parts stay as written (`90m` is 90 minutes, not
 * 1h30m); all are non-negative integers.
 */
export interface Duration {
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** RFC 5545 weekday codes. */
export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';

export const WEEKDAYS: readonly Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export type RRuleFrequency = 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';

/** One BYDAY value: `TU`, or with an ordinal `2TU` (second Tuesday), `-1FR` (last Friday). */
export interface WeekdayNum {
  weekday: Weekday;
  /** 1..5 / -1..-5 within a month; 1..53 / -1..-53 within a year (FREQ=YEARLY without BYMONTH). */
  ordinal?: number;
}

/**
 * UNTIL: a date (the last day, inclusive, in the window's own zone) or a UTC instant
 * (milliseconds since the epoch).
 */
export type RRuleUntil =
  { kind: 'date'; year: number; month: number; day: number } | { kind: 'instant'; epochMillis: number };

/**
 * A parsed RRULE. Numeric lists are sorted ascending and free of duplicates; `byDay` keeps the
 * order written. `text` is the rule as written, without a leading `RRULE:`.
 */
export interface RRule {
  kind: 'rrule';
  text: string;
  freq: RRuleFrequency;
  /** Every `interval`-th period, counted from 1970-01-01 in the window's local calendar. */
  interval: number;
  byDay?: readonly WeekdayNum[];
  byMonthDay?: readonly number[];
  byMonth?: readonly number[];
  byHour?: readonly number[];
  byMinute?: readonly number[];
  bySetPos?: readonly number[];
  /** First day of the week (default MO); matters for WEEKLY with INTERVAL > 1 or BYSETPOS. */
  wkst: Weekday;
  until?: RRuleUntil;
}

/**
 * A parsed five-field cron expression. Each list is sorted ascending and free of duplicates.
 * `daysOfWeek` uses 0 = Sunday .. 6 = Saturday (a written 7 becomes 0).
 */
export interface CronSchedule {
  kind: 'cron';
  text: string;
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: readonly number[];
  months: readonly number[];
  daysOfWeek: readonly number[];
  /**
   * Vixie cron: a day field that starts with `*` (`*`, `*` + `/2`) is "unrestricted". When both
   * day fields are restricted a day matches if either matches; otherwise both must match.
   */
  daysOfMonthRestricted: boolean;
  daysOfWeekRestricted: boolean;
}

/** What a window or blackout recurs by. */
export type Recurrence = RRule | CronSchedule;

/** One opening of a window (or one period of a blackout): the half-open interval [start, end). */
export interface Occurrence {
  start: DateTime;
  end: DateTime;
}
