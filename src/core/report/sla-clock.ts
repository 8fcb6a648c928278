// SLA clocks of the compliance report (README.md, "Reports"; docs/vulnerabilities.md, "Priority"):
// when an update must be installed by, and which clock says so. Pure; the report's day is
// passed in. Calendar days in the Config zone, so a report reads the same all day.
import type { DateTime } from 'luxon';
import { DateTime as LuxonDateTime } from 'luxon';
import type { Classification, Severity } from '../model/types.js';
import { durationToMillis, parseDuration } from '../schedule/duration.js';
import type { Risk } from '../vuln/types.js';
import type { SlaSource } from './types.js';

/**
 * What every update is judged by, and the timings already worked out: they depend only on the
 * release instant and the deadline, and luxon is slow to work them out again for each of the
 * hundreds of thousands of updates a large fleet misses.
 */
export interface SlaClock {
  /** The report's day, in the Config zone. */
  day: DateTime;
  sla: Record<Severity, string>;
  /** Config `sla.unknown`: the deadline of a security update of unknown severity; null: none. */
  unknown: string | null;
  /** `releasedAt \0 deadline` (or `kev \0 date`) → timings. */
  timings: Map<string, SlaTiming>;
  /** dueOf's answers, by release, severity (or unknown) and KEV dueDate. */
  dues: Map<string, Due>;
}

export interface SlaTiming {
  ageDays: number | null;
  dueDate: string | null;
  /** Days from the due day to the clock's day (positive: past it); undefined without a due day. */
  overdue: number | undefined;
}

export function slaClock(day: DateTime, sla: Record<Severity, string>, unknown: string | null): SlaClock {
  return { day, sla, unknown, timings: new Map(), dues: new Map() };
}

/** What decides an update's due date. */
export interface DueInput {
  severity: Severity | null;
  classification: Exclude<Classification, 'all'>;
  releasedAt: string | null;
  risk: Pick<Risk, 'kevDueDate'>;
}

export interface Due extends SlaTiming {
  sla: string | null;
  slaSource: SlaSource | null;
}

/**
 * The due date of an update:
 * - the SLA clock: release + the Config SLA of its severity (`severity`); a security update of
 *   unknown severity takes Config `sla.unknown` when set (`unknown`), else has no SLA;
 * - the KEV clock: an update fixing a CVE in CISA KEV is due at the KEV dueDate (or, when it
 *   was released after that day, the day it was released) when that day is earlier than the
 *   SLA's due day, or when no SLA due day exists (no severity, no release date): `kev`.
 * `ageDays` always counts from the release; `overdue` from whichever due day applies.
 */
export function dueOf(clock: SlaClock, u: DueInput): Due {
  // Shared by every update with the same release, clock and KEV date (read-only).
  const key = `${u.releasedAt ?? '\u0001'}\u0000${u.severity ?? (u.classification === 'security' ? '?' : '-')}\u0000${u.risk.kevDueDate ?? ''}`;
  let due = clock.dues.get(key);
  if (due === undefined) {
    due = computeDue(clock, u);
    clock.dues.set(key, due);
  }
  return due;
}

function computeDue(clock: SlaClock, u: DueInput): Due {
  const deadline =
    u.severity !== null ? clock.sla[u.severity] : u.classification === 'security' ? clock.unknown : null;
  const timing = slaTiming(clock, u.releasedAt, deadline);
  const bySla: SlaSource | null =
    timing.dueDate === null ? null : u.severity !== null ? 'severity' : 'unknown';
  // A deadline never falls before the fix exists: an update that fixes a CVE CISA listed long
  // ago (a kernel that collects old CVEs) is due the day it was released, not years before.
  const releaseDay = dayOf(clock, u.releasedAt)?.toISODate() ?? null;
  const kevListed = u.risk.kevDueDate;
  const kevDue = kevListed !== null && releaseDay !== null && releaseDay > kevListed ? releaseDay : kevListed;
  if (kevDue !== null && (timing.dueDate === null || kevDue < timing.dueDate)) {
    const kev = kevTiming(clock, kevDue);
    if (kev !== undefined)
      return { ageDays: timing.ageDays, dueDate: kevDue, overdue: kev, sla: deadline, slaSource: 'kev' };
  }
  return { ...timing, sla: deadline, slaSource: bySla };
}

/** How old an update released at `releasedAt` is on the clock's day, and when its deadline falls. */
export function slaTiming(clock: SlaClock, releasedAt: string | null, deadline: string | null): SlaTiming {
  const key = `${releasedAt ?? '\u0001'}\u0000${deadline ?? '\u0001'}`;
  let timing = clock.timings.get(key);
  if (timing === undefined) {
    const day = clock.day;
    const releaseDay = dayOf(clock, releasedAt);
    const deadlineMs = deadline === null ? undefined : slaMillis(deadline);
    const released = releasedAt === null ? undefined : LuxonDateTime.fromISO(releasedAt, { zone: day.zone });
    const dueDay =
      released?.isValid && deadlineMs !== undefined
        ? released.plus({ milliseconds: deadlineMs }).setZone(day.zone).startOf('day')
        : undefined;
    timing = {
      ageDays: releaseDay ? Math.max(0, daysBetween(releaseDay, day)) : null,
      dueDate: dueDay?.toISODate() ?? null,
      overdue: dueDay ? daysBetween(dueDay, day) : undefined,
    };
    clock.timings.set(key, timing);
  }
  return timing;
}

/** Days from a KEV dueDate (a calendar day, read in the Config zone) to the clock's day. */
function kevTiming(clock: SlaClock, date: string): number | undefined {
  const key = `kev\u0000${date}`;
  let timing = clock.timings.get(key);
  if (timing === undefined) {
    const due = LuxonDateTime.fromISO(date, { zone: clock.day.zone });
    timing = {
      ageDays: null,
      dueDate: due.isValid ? date : null,
      overdue: due.isValid ? daysBetween(due.startOf('day'), clock.day) : undefined,
    };
    clock.timings.set(key, timing);
  }
  return timing.overdue;
}

/** The start of the day (Config zone) an instant falls on; undefined for null or an invalid instant. */
export function dayOf(clock: Pick<SlaClock, 'day'>, instant: string | null): DateTime | undefined {
  if (instant === null) return undefined;
  const t = LuxonDateTime.fromISO(instant, { zone: clock.day.zone });
  return t.isValid ? t.setZone(clock.day.zone).startOf('day') : undefined;
}

/** Whole calendar days from one start of day to another (DST days are 23 or 25 hours long). */
export function daysBetween(from: DateTime, to: DateTime): number {
  return Math.round(to.diff(from, 'days').days);
}

function slaMillis(text: string): number | undefined {
  const d = parseDuration(text);
  return d.ok ? durationToMillis(d.value) : undefined;
}
