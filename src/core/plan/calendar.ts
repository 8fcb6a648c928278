// Maintenance windows and blackouts expanded once per plan, over a horizon from `at`, so each
// host's next opening is a lookup rather than a new expansion.
import type { DateTime } from 'luxon';
import type { GroupMembers } from '../model/groups.js';
import { parseInstant } from '../model/instant.js';
import type { Located } from '../model/repository.js';
import type { BlackoutDocument, MaintenanceWindowDocument } from '../model/types.js';
import { durationToMillis, parseDuration } from '../schedule/duration.js';
import { windowOccurrences } from '../schedule/occurrences.js';
import { parseRecurrence } from '../schedule/recurrence.js';
import type { Occurrence } from '../schedule/types.js';

/** How far ahead openings are looked for: a yearly window must be found. */
export const HORIZON_DAYS = 400;

export interface Opening {
  window: string;
  /** When a host may start: the opening, or `at` when the window is already open. */
  start: DateTime;
  end: DateTime;
  /** No new host starts after this (end - cutoff). */
  lastStart: DateTime;
}

export interface CalendarWindow {
  name: string;
  hosts: ReadonlySet<string>;
  openings: Opening[];
}

export interface CalendarBlackout {
  name: string;
  /** Undefined: every host. */
  hosts: ReadonlySet<string> | undefined;
  periods: Occurrence[];
}

export interface Calendar {
  at: DateTime;
  windows: ReadonlyMap<string, CalendarWindow>;
  blackouts: readonly CalendarBlackout[];
}

export function buildCalendar(
  windows: readonly Located<MaintenanceWindowDocument>[],
  blackouts: readonly Located<BlackoutDocument>[],
  members: GroupMembers,
  defaultZone: string,
  at: DateTime,
): Calendar {
  const until = at.plus({ days: HORIZON_DAYS });
  const byName = new Map<string, CalendarWindow>();
  for (const { doc } of windows) {
    const s = doc.spec;
    const rule = parseRecurrence(s);
    const duration = parseDuration(s.duration);
    const offset = s.offset === undefined ? undefined : parseDuration(s.offset);
    const cutoff = s.cutoff === undefined ? undefined : parseDuration(s.cutoff);
    if (!rule.ok || !duration.ok || (offset && !offset.ok) || (cutoff && !cutoff.ok)) continue;
    const cutoffMs = cutoff?.ok ? durationToMillis(cutoff.value) : 0;
    const hosts = new Set<string>();
    for (const g of s.groups) for (const h of members.get(g) ?? []) hosts.add(h);
    const openings: Opening[] = [];
    for (const o of windowOccurrences(rule.value, {
      zone: s.timezone,
      duration: duration.value,
      ...(offset?.ok ? { offset: offset.value } : {}),
      from: at,
      until,
    })) {
      // Without a cutoff the last start is the end (luxon's minus is slow, even of nothing).
      const lastStart = cutoffMs === 0 ? o.end : o.end.minus({ milliseconds: cutoffMs });
      const start = o.start < at ? at : o.start;
      if (start >= lastStart) continue; // already inside the cutoff: this opening is lost
      openings.push({ window: doc.metadata.name, start, end: o.end, lastStart });
    }
    byName.set(doc.metadata.name, { name: doc.metadata.name, hosts, openings });
  }
  const periods: CalendarBlackout[] = [];
  for (const { doc } of blackouts) {
    const s = doc.spec;
    const zone = s.timezone ?? defaultZone;
    let list: Occurrence[] = [];
    if (s.start !== undefined && s.end !== undefined) {
      const start = parseInstant(s.start, zone, 'start-of-day');
      const end = parseInstant(s.end, zone, 'end-of-day');
      if (start && end && end > start) list = [{ start, end }];
    } else if (s.duration !== undefined) {
      const rule = parseRecurrence(s);
      const duration = parseDuration(s.duration);
      if (rule.ok && duration.ok) {
        // Start early enough to catch a period that began before `at` and is still running.
        const from = at.minus({ milliseconds: durationToMillis(duration.value) });
        list = windowOccurrences(rule.value, { zone, duration: duration.value, from, until });
      }
    }
    let hosts: Set<string> | undefined;
    if (s.groups) {
      hosts = new Set();
      for (const g of s.groups) for (const h of members.get(g) ?? []) hosts.add(h);
    }
    periods.push({ name: doc.metadata.name, hosts, periods: list });
  }
  return { at, windows: byName, blackouts: periods };
}

/** The blackout period (and its name) that [start, end) runs into for this host, if any. */
export function blackoutDuring(
  cal: Calendar,
  host: string,
  start: DateTime,
  end: DateTime,
): { name: string; period: Occurrence } | undefined {
  for (const b of cal.blackouts) {
    if (b.hosts && !b.hosts.has(host)) continue;
    const period = b.periods.find((p) => p.start < end && start < p.end);
    if (period) return { name: b.name, period };
  }
  return undefined;
}

export type HostOpening =
  | { kind: 'open'; opening: Opening | null }
  | { kind: 'no-window'; by: string }
  | { kind: 'blackout'; by: string; eligibleAt?: DateTime };

/**
 * When a host may be patched under a policy's windows, not before `from`: the first opening of
 * a listed window that covers the host and does not run into a blackout. Without listed
 * windows: `from` itself, unless a blackout is running then.
 */
export function hostOpening(
  cal: Calendar,
  host: string,
  windowNames: readonly string[] | undefined,
  policy: string,
  from: DateTime = cal.at,
): HostOpening {
  if (!windowNames || windowNames.length === 0) {
    const b = blackoutDuring(cal, host, from, from.plus({ milliseconds: 1 }));
    if (b) return { kind: 'blackout', by: `blackout ${b.name}`, eligibleAt: b.period.end };
    return { kind: 'open', opening: null };
  }
  const covering = windowNames
    .map((n) => cal.windows.get(n))
    .filter((w): w is CalendarWindow => w !== undefined && w.hosts.has(host));
  if (covering.length === 0)
    return { kind: 'no-window', by: `policy ${policy}: none of its windows covers this host` };
  let firstBlackout: string | undefined;
  let any = false;
  for (const o of openingsFrom(covering, from)) {
    any = true;
    const b = blackoutDuring(cal, host, o.start, o.lastStart);
    if (!b) {
      if (firstBlackout) return { kind: 'blackout', by: `blackout ${firstBlackout}`, eligibleAt: o.start };
      return { kind: 'open', opening: o };
    }
    firstBlackout ??= b.name;
  }
  if (!any) return { kind: 'no-window', by: `policy ${policy}: no window opens within ${HORIZON_DAYS} days` };
  return { kind: 'blackout', by: `blackout ${firstBlackout ?? '?'}` };
}

/**
 * The openings of these windows still usable at `from`, in start order, lazily: each window's
 * openings are sorted, so a binary search finds its first usable one, and a merge of the
 * heads yields the next opening without sorting all of them (usually one or two are needed).
 */
function* openingsFrom(windows: readonly CalendarWindow[], from: DateTime): Generator<Opening> {
  const fromMs = from.toMillis();
  const heads = windows.map((w) => {
    let lo = 0;
    let hi = w.openings.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((w.openings[mid]?.lastStart.toMillis() ?? 0) > fromMs) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  });
  for (;;) {
    let best = -1;
    let bestStart = Infinity;
    windows.forEach((w, k) => {
      const o = w.openings[heads[k] ?? Infinity];
      if (o && Math.max(o.start.toMillis(), fromMs) < bestStart) {
        best = k;
        bestStart = Math.max(o.start.toMillis(), fromMs);
      }
    });
    const w = windows[best];
    const o = w?.openings[heads[best] ?? Infinity];
    if (!o) return;
    heads[best] = (heads[best] ?? 0) + 1;
    yield o.start.toMillis() < fromMs ? { ...o, start: from } : o;
  }
}
