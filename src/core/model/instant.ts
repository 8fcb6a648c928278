// Dates and times written in documents: an instant with an offset, a local date-time in a
// zone, or a bare date (which, as an expiry, lasts through the end of that day).
import { DateTime } from 'luxon';

export type DateMeaning = 'start-of-day' | 'end-of-day';

/**
 * The instants patchctl judges at (`--at`, and the clock): 1970-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z, both included. The calendar code counts days from 1970 with
 * JavaScript dates, which end at ±8.64e15 ms: near that end a recurrence expanded from `at` loops
 * for ever, and past it luxon gives invalid dates (issue 12). Documents write four-digit years.
 */
export const EARLIEST_INSTANT = DateTime.fromISO('1970-01-01T00:00:00Z', { zone: 'UTC' });
export const LATEST_INSTANT = DateTime.fromISO('9999-12-31T23:59:59.999Z', { zone: 'UTC' });

/** Why patchctl cannot judge at `at` (outside the range above, or invalid), or undefined. */
export function instantRangeProblem(at: DateTime): string | undefined {
  if (!at.isValid) return 'it is not a valid time';
  if (at < EARLIEST_INSTANT || at > LATEST_INSTANT) {
    return 'it is outside the range patchctl can judge at: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z';
  }
  return undefined;
}

/** A UTC offset at the end of a date-time: `+01:00`, `-0530`, `+14`. */
const OFFSET = /T.*([+-])(\d{2}):?(\d{2})?$/;

/** Undefined when `text` is not a real date or time. */
export function parseInstant(text: string, zone: string, dateMeans: DateMeaning): DateTime | undefined {
  if (offsetProblem(text)) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dt = DateTime.fromISO(text, { zone, setZone: true });
  if (!dt.isValid) return undefined;
  if (dateOnly && dateMeans === 'end-of-day') return dt.plus({ days: 1 }).startOf('day');
  return dt;
}

/**
 * Why the UTC offset of `text` is not a real one (undefined when it is, or there is none).
 * luxon reads any two digits, so `+99:99` would become +100:39. Offsets in use run from
 * -12:00 to +14:00, with minutes below 60.
 */
export function offsetProblem(text: string): string | undefined {
  const m = OFFSET.exec(text);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (minutes >= 60) return `the offset's minutes (${m[3]}) must be below 60`;
  const total = sign * (hours * 60 + minutes);
  if (total > 14 * 60 || total < -12 * 60) return 'UTC offsets run from -12:00 to +14:00';
  return undefined;
}

/** `: <why>` when the offset explains why `text` is not a real date, else nothing (for messages). */
export function notARealDateBecause(text: string): string {
  const problem = offsetProblem(text);
  return problem ? `: ${problem}` : '';
}
