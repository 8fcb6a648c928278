// Duration texts: `90m`, `24h`, `7d`, `1d12h`, `2w`. Units s, m, h, d, w; each at most once,
// largest first; whole numbers only.

import { Duration as LuxonDuration } from 'luxon';

import type { ParseResult } from './result.js';
import { parseFailure, parsed } from './result.js';
import type { Duration } from './types.js';

type Unit = 'w' | 'd' | 'h' | 'm' | 's';

const UNITS: readonly Unit[] = ['w', 'd', 'h', 'm', 's'];

const FIELD: Record<Unit, keyof Duration> = {
  w: 'weeks',
  d: 'days',
  h: 'hours',
  m: 'minutes',
  s: 'seconds',
};

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const SHAPE = /^([0-9]+[smhdw])+$/;
const PART = /([0-9]+)([smhdw])/g;
const EXAMPLES = 'like 90m, 24h, 7d or 1d12h (units s, m, h, d, w)';

export const ZERO_DURATION: Duration = { weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

export function parseDuration(text: string): ParseResult<Duration> {
  const quoted = JSON.stringify(text);
  if (text === '') return parseFailure(`duration is empty: expected a duration ${EXAMPLES}`);
  if (!SHAPE.test(text)) {
    if (/^[0-9smhdw.,]+$/.test(text) && /[.,]/.test(text)) {
      return parseFailure(`duration ${quoted}: use whole numbers, e.g. 90m instead of 1.5h`);
    }
    if (/^[0-9]+$/.test(text)) {
      return parseFailure(`duration ${quoted} has no unit: write e.g. ${text}m or ${text}s`);
    }
    if (/^([0-9]+[SMHDW])+$/.test(text)) {
      return parseFailure(`duration ${quoted}: units are lower case (s, m, h, d, w)`);
    }
    return parseFailure(`duration ${quoted}: expected a duration ${EXAMPLES}, without spaces`);
  }
  const value: Duration = { ...ZERO_DURATION };
  let previous = -1;
  for (const match of text.matchAll(PART)) {
    const digits = match[1] ?? '';
    const unit = (match[2] ?? '') as Unit;
    const rank = UNITS.indexOf(unit);
    if (rank <= previous) {
      return parseFailure(
        `duration ${quoted}: give each unit at most once, largest first (w, d, h, m, s), e.g. 1d12h`,
      );
    }
    previous = rank;
    const amount = Number(digits);
    if (!Number.isSafeInteger(amount)) return parseFailure(`duration ${quoted}: ${digits} is too large`);
    value[FIELD[unit]] = amount;
  }
  if (!Number.isSafeInteger(durationToMillis(value))) return parseFailure(`duration ${quoted} is too long`);
  return parsed(value);
}

/** Elapsed milliseconds, with a day as 24 hours and a week as 7 days (for elapsed-time comparisons). */
export function durationToMillis(d: Duration): number {
  return d.weeks * WEEK + d.days * DAY + d.hours * HOUR + d.minutes * MINUTE + d.seconds * SECOND;
}

/**
 * A luxon Duration for calendar arithmetic in a zone: `DateTime.plus` moves weeks and days on the
 * calendar (keeping the wall-clock time across DST changes) and adds hours, minutes and seconds
 * as elapsed time.
 */
export function durationToLuxon(d: Duration): LuxonDuration {
  return LuxonDuration.fromObject({
    weeks: d.weeks,
    days: d.days,
    hours: d.hours,
    minutes: d.minutes,
    seconds: d.seconds,
  });
}

/** The canonical text of a duration (`1d12h`); parts are not carried (`90m` stays `90m`). Zero is `0s`. */
export function formatDuration(d: Duration): string {
  const text = UNITS.map((unit) => {
    const amount = d[FIELD[unit]];
    return amount === 0 ? '' : `${amount}${unit}`;
  }).join('');
  return text === '' ? '0s' : text;
}

export function isZeroDuration(d: Duration): boolean {
  return durationToMillis(d) === 0;
}
