// Local wall-clock times in a zone, and the DST rules that turn them into instants.
//
// A "wall" time here is a local date and time encoded as milliseconds as if the zone were UTC
// (`Date.UTC(year, month - 1, day, hour, minute, second)`): calendar arithmetic on it ignores DST.
//
// DST rules (the same as RFC 5545 §3.3.5 and Temporal's "compatible" disambiguation):
// - A local time that does not exist (spring forward) is read with the offset in force before
//   the gap, so it lands as far after the gap as it was into it: 02:30 on 2026-03-08 in
//   America/New_York is 03:30 EDT, 02:15 on 2026-10-04 in Australia/Lord_Howe (02:00 → 02:30)
//   is 02:45 +11:00. This is what luxon's DateTime.fromObject does too.
// - A local time that happens twice (fall back) means the first, earlier instant: 01:30 on
//   2026-11-01 in America/New_York is 01:30 EDT (-04:00). luxon's fromObject does not promise
//   this, so we resolve it ourselves.

import { DateTime, IANAZone } from 'luxon';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/** Converts between wall times and instants (both in milliseconds) in one zone. */
export interface ZoneClock {
  readonly zone: IANAZone;
  /** The instant a wall time means, by the DST rules above. */
  toInstant(wall: number): number;
  /** The wall time of an instant. */
  toWall(instant: number): number;
}

/**
 * Zone name → local day → the one offset (ms) of the instants around it, or null when it
 * changes (luxon asks Intl for each offset, which is slow). Bounded: a zone's days are dropped
 * once there are this many.
 */
const steadyDays = new Map<string, Map<number, number | null>>();
const MAX_STEADY_DAYS = 50_000;

/** A ZoneClock for an IANA zone name; throws a RangeError for an unknown zone (validate first). */
export function createZoneClock(zoneName: string): ZoneClock {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`unknown time zone "${zoneName}"`);
  const offset = (instant: number): number => zone.offset(instant) * MINUTE;
  // Local days whose instants all share one offset (the common case) resolve without searching.
  // Known per zone for the whole process: every window in a zone asks about the same days.
  let steadyOffset = steadyDays.get(zone.name);
  if (!steadyOffset || steadyOffset.size >= MAX_STEADY_DAYS) {
    steadyOffset = new Map();
    steadyDays.set(zone.name, steadyOffset);
  }

  const resolveSlowly = (wall: number): number => {
    const before = offset(wall - DAY);
    const after = offset(wall + DAY);
    const valid = [...new Set([before, after, offset(wall)])]
      .map((o) => wall - o)
      .filter((instant) => offset(instant) === wall - instant);
    if (valid.length > 0) return Math.min(...valid);
    return wall - before;
  };

  return {
    zone,
    toInstant(wall: number): number {
      const day = Math.floor(wall / DAY);
      let steady = steadyOffset.get(day);
      if (steady === undefined) {
        const first = offset(day * DAY - 2 * DAY);
        const middle = offset(day * DAY + DAY / 2);
        const last = offset(day * DAY + 3 * DAY);
        steady = first === middle && middle === last ? first : null;
        steadyOffset.set(day, steady);
      }
      return steady === null ? resolveSlowly(wall) : wall - steady;
    },
    toWall(instant: number): number {
      return instant + offset(instant);
    },
  };
}

/** The instant a local date and time in `zone` stands for, by the DST rules above, as a DateTime in `zone`. */
export function resolveLocalTime(local: LocalDateTime, zone: string): DateTime {
  const clock = createZoneClock(zone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second ?? 0);
  return DateTime.fromMillis(clock.toInstant(wall), { zone });
}
