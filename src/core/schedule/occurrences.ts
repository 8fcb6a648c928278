// The openings of a recurring window between two instants, computed in the window's own zone.
//
// For each nominal start the recurrence gives (a local date and time in the zone):
// 1. `offset` is added on the wall clock: weeks and days move the calendar date keeping the
//    local time ("second Tuesday 22:00 + 3d" is Friday 22:00 even across a DST change), and any
//    hours, minutes and seconds move the local time.
// 2. The local time becomes an instant by the DST rules of local-time.ts: a time in a
//    spring-forward gap opens as far after the gap as it was into it (02:30 → 03:30 EDT), and a
//    time repeated at fall-back opens once, at the earlier instant (01:30 EDT, not 01:30 EST).
//    Two nominal starts that land on the same instant open once.
// 3. end = start + duration: weeks and days on the calendar (same local time, resolved by the same
//    rules), then hours, minutes and seconds as elapsed time. So `4h` is always four hours, and
//    `1d` is "same time tomorrow" (23 or 25 hours across a DST change).
// An UNTIL in an RRULE bounds the nominal starts (before the offset): a date includes that whole
// local day, an instant includes starts at or before it.
// Occurrences are half-open intervals [start, end); a zero-length one is the instant `start`.

import { DateTime } from 'luxon';

import { durationToMillis, ZERO_DURATION } from './duration.js';
import { expandCron, expandRRule } from './expand.js';
import type { ZoneClock } from './local-time.js';
import { createZoneClock } from './local-time.js';
import type { Duration, Occurrence, Recurrence } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface WindowShape {
  /** IANA zone the recurrence is read in. */
  zone: string;
  /** Shift from each nominal start to the opening (e.g. 3d); none when absent. */
  offset?: Duration;
  duration: Duration;
}

export interface OccurrenceRange extends WindowShape {
  from: DateTime;
  until: DateTime;
}

export interface NextOpeningOptions extends WindowShape {
  at: DateTime;
  /** How far after `at` to look for an opening (default 400 days). */
  horizon?: Duration;
}

const DEFAULT_HORIZON: Duration = { ...ZERO_DURATION, days: 400 };

/**
 * Every opening whose [start, end) intersects [from, until), sorted by start, as DateTimes in the
 * window's zone. Throws a RangeError for an unknown zone or an invalid DateTime (validate first).
 */
export function windowOccurrences(rule: Recurrence, opts: OccurrenceRange): Occurrence[] {
  const clock = createZoneClock(opts.zone);
  const fromMs = instantOf(opts.from, 'from');
  const untilMs = instantOf(opts.until, 'until');
  if (untilMs <= fromMs) return [];

  const offsetWall = durationToMillis(opts.offset ?? ZERO_DURATION);
  const lengthMs = durationToMillis(opts.duration);
  // Nominal days that can matter, with margins for zone offsets (-12h..+14h), DST shifts of the
  // end and starts pushed forward by a gap.
  const firstDay = Math.floor((fromMs - 14 * HOUR - lengthMs - 3 * HOUR - offsetWall) / DAY) - 2;
  const lastDay = Math.floor((untilMs + 14 * HOUR - offsetWall) / DAY) + 1;

  const starts = new Set<number>();
  const found: { start: number; end: number }[] = [];
  for (const nominal of nominalStarts(rule, clock, firstDay, lastDay)) {
    const start = clock.toInstant(nominal + offsetWall);
    if (starts.has(start)) continue;
    const end = addDuration(clock, start, opts.duration);
    const hit = end === start ? start >= fromMs && start < untilMs : start < untilMs && end > fromMs;
    if (!hit) continue;
    starts.add(start);
    found.push({ start, end });
  }
  found.sort((a, b) => a.start - b.start || a.end - b.end);
  return found.map(({ start, end }) => ({
    start: DateTime.fromMillis(start, { zone: opts.zone }),
    end: DateTime.fromMillis(end, { zone: opts.zone }),
  }));
}

/**
 * The opening that contains `at` (the earliest-starting one if several do), else the first that
 * starts after `at` and before `at + horizon`; undefined when there is none.
 */
export function nextOpening(rule: Recurrence, opts: NextOpeningOptions): Occurrence | undefined {
  const atMs = instantOf(opts.at, 'at');
  const endMs = atMs + durationToMillis(opts.horizon ?? DEFAULT_HORIZON);
  const shape: WindowShape = { zone: opts.zone, duration: opts.duration };
  if (opts.offset !== undefined) shape.offset = opts.offset;
  // Look in growing slices so a frequent rule does not expand the whole horizon. An opening that
  // reaches into a slice also reaches into the previous one, so the first non-empty slice holds
  // the answer.
  const slices = [DAY, 7 * DAY, 31 * DAY, 92 * DAY, 366 * DAY];
  let sliceStart = atMs;
  // The first slice is at least 1 ms long, so a zero horizon still finds the window open at `at`.
  for (let i = 0; i === 0 || sliceStart < endMs; i++) {
    const size = slices[Math.min(i, slices.length - 1)] ?? DAY;
    const sliceEnd = Math.max(Math.min(sliceStart + size, endMs), sliceStart + 1);
    const found = windowOccurrences(rule, {
      ...shape,
      from: DateTime.fromMillis(sliceStart, { zone: opts.zone }),
      until: DateTime.fromMillis(sliceEnd, { zone: opts.zone }),
    });
    if (found[0] !== undefined) return found[0];
    sliceStart = sliceEnd;
  }
  return undefined;
}

/**
 * The first overlapping pair, one from each list, or undefined. "First" is the pair whose overlap
 * begins earliest (ties: earlier start in `a`, then in `b`). Intervals are half-open; a zero-length
 * one overlaps the intervals that contain its instant.
 */
export function overlaps(
  a: readonly Occurrence[],
  b: readonly Occurrence[],
): { a: Occurrence; b: Occurrence } | undefined {
  const byStart = (list: readonly Occurrence[]): Occurrence[] =>
    [...list].sort((x, y) => x.start.toMillis() - y.start.toMillis() || x.end.toMillis() - y.end.toMillis());
  const left = byStart(a);
  const right = byStart(b);
  const rightStarts = right.map((o) => o.start.toMillis());
  const longestRight = right.reduce(
    (longest, o) => Math.max(longest, o.end.toMillis() - o.start.toMillis()),
    0,
  );
  let best: { a: Occurrence; b: Occurrence; at: number } | undefined;
  for (const x of left) {
    const xs = x.start.toMillis();
    const xe = x.end.toMillis();
    if (best !== undefined && xs > best.at) break;
    // Intervals of `right` starting before xs - longestRight end before x starts.
    for (let j = lowerBound(rightStarts, xs - longestRight); j < right.length; j++) {
      const y = right[j];
      const ys = rightStarts[j];
      if (y === undefined || ys === undefined || ys > Math.max(xe, xs)) break;
      if (!intersects(xs, xe, ys, y.end.toMillis())) continue;
      const at = Math.max(xs, ys);
      if (best === undefined || at < best.at) best = { a: x, b: y, at };
    }
  }
  return best === undefined ? undefined : { a: best.a, b: best.b };
}

function intersects(as: number, ae: number, bs: number, be: number): boolean {
  if (as === ae && bs === be) return as === bs;
  if (as === ae) return bs <= as && as < be;
  if (bs === be) return as <= bs && bs < ae;
  return as < be && bs < ae;
}

/** The first index whose value is >= target in an ascending list. */
function lowerBound(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? Infinity) < target) low = mid + 1;
    else high = mid;
  }
  return low;
}

function* nominalStarts(
  rule: Recurrence,
  clock: ZoneClock,
  firstDay: number,
  lastDay: number,
): Generator<number> {
  if (rule.kind === 'cron') {
    yield* expandCron(rule, firstDay, lastDay);
    return;
  }
  const until = rule.until;
  for (const wall of expandRRule(rule, firstDay, lastDay)) {
    if (until?.kind === 'date' && wall >= Date.UTC(until.year, until.month - 1, until.day + 1)) return;
    if (until?.kind === 'instant' && clock.toInstant(wall) > until.epochMillis) continue;
    yield wall;
  }
}

/** start + duration: weeks and days on the local calendar, then the rest as elapsed time. */
function addDuration(clock: ZoneClock, start: number, d: Duration): number {
  const calendarDays = d.weeks * 7 + d.days;
  const moved = calendarDays === 0 ? start : clock.toInstant(clock.toWall(start) + calendarDays * DAY);
  return moved + (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
}

function instantOf(value: DateTime, name: string): number {
  if (!value.isValid)
    throw new RangeError(`${name} is not a valid DateTime: ${value.invalidExplanation ?? ''}`);
  return value.toMillis();
}
