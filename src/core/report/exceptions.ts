// Every patch exception with its owner, scope and expiry, judged at an instant: the data of
// `patchctl exceptions` and of the exceptions section of compliance reports.
import type { DateTime } from 'luxon';
import { hostsMatching, resolveGroups } from '../model/groups.js';
import { parseInstant } from '../model/instant.js';
import type { Repository } from '../model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../model/repository.js';

/** `expired`: waives nothing any more; `expiring`: ends within the window; `active`: later. */
export type ExceptionStatus = 'expired' | 'expiring' | 'active';

export const EXCEPTION_STATUSES: readonly ExceptionStatus[] = ['expired', 'expiring', 'active'];

export interface ExceptionEntry {
  name: string;
  /** Relative to the repository root, forward slashes. */
  file: string;
  /** Line of `metadata.name` in `file`. */
  line: number;
  owner: string;
  ticket?: string;
  reason: string;
  /** As written in the document. */
  scope: { hosts: string[]; groups: string[] };
  /** The host names covered: `scope.hosts` plus the members of `scope.groups`, sorted. */
  hosts: string[];
  packages: string[];
  advisories: string[];
  /** As written in the document. */
  created?: string;
  /** As written in the document. */
  expires: string;
  /** When it stops waiving (a bare date lasts through that day in the Config zone); ISO 8601 UTC.
   *  Null when `expires` is not a real date (validate rejects that; such an exception waives nothing). */
  expiresAt: string | null;
  status: ExceptionStatus;
  /** Whole days until `expiresAt`, rounded down; negative once expired. Null with `expiresAt`. */
  daysLeft: number | null;
}

export interface ExceptionsReport {
  /** The instant the exceptions were judged at, ISO 8601 UTC. */
  at: string;
  /** Milliseconds: an exception ending within this long after `at` is `expiring`. */
  expiringWithin: number;
  /** Expired (oldest first), then expiring and active (soonest first), then by name. */
  exceptions: ExceptionEntry[];
  counts: Record<ExceptionStatus, number>;
}

const DAY_MS = 86_400_000;

export function reportExceptions(
  repo: Pick<Repository, 'config' | 'exceptions' | 'groups' | 'hosts'>,
  at: DateTime,
  expiringWithin: number,
): ExceptionsReport {
  const zone = configSpec(repo).timezone ?? CONFIG_DEFAULTS.timezone;
  const members = resolveGroups(repo);
  const entries = repo.exceptions.map(({ doc, file, locate }): ExceptionEntry => {
    const s = doc.spec;
    const groups = s.groups ?? [];
    const hosts = new Set([...(s.hosts ?? []), ...hostsMatching(repo.hosts, members, { groups })]);
    const expires = parseInstant(s.expires, zone, 'end-of-day');
    const left = expires ? expires.toMillis() - at.toMillis() : undefined;
    return {
      name: doc.metadata.name,
      file,
      line: locate(['metadata', 'name']).line,
      owner: s.owner,
      ...(s.ticket !== undefined ? { ticket: s.ticket } : {}),
      reason: s.reason,
      scope: { hosts: [...(s.hosts ?? [])], groups: [...groups] },
      hosts: [...hosts].sort(compareText),
      packages: [...(s.packages ?? [])],
      advisories: [...(s.advisories ?? [])],
      ...(s.created !== undefined ? { created: s.created } : {}),
      expires: s.expires,
      expiresAt: expires ? expires.toUTC().toISO() : null,
      status: statusOf(left, expiringWithin),
      daysLeft: left === undefined ? null : daysLeft(left),
    };
  });
  entries.sort(compareEntries);
  const counts: Record<ExceptionStatus, number> = { expired: 0, expiring: 0, active: 0 };
  for (const e of entries) counts[e.status] += 1;
  return {
    at: at.toUTC().toISO() ?? '',
    expiringWithin,
    exceptions: entries,
    counts,
  };
}

function statusOf(left: number | undefined, window: number): ExceptionStatus {
  if (left === undefined || left <= 0) return 'expired';
  return left <= window ? 'expiring' : 'active';
}

/** Rounded down, so an exception that ended a moment ago shows -1 (never 0 or -0). */
function daysLeft(ms: number): number {
  const days = Math.floor(ms / DAY_MS);
  if (ms <= 0 && days === 0) return -1;
  return days === 0 ? 0 : days; // no -0
}

function compareEntries(a: ExceptionEntry, b: ExceptionEntry): number {
  const rank = EXCEPTION_STATUSES.indexOf(a.status) - EXCEPTION_STATUSES.indexOf(b.status);
  if (rank !== 0) return rank;
  // Within each status the earliest expiry comes first (an unreadable expiry before any other).
  const ea = a.expiresAt === null ? -Infinity : Date.parse(a.expiresAt);
  const eb = b.expiresAt === null ? -Infinity : Date.parse(b.expiresAt);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return compareText(a.name, b.name) || compareText(a.file, b.file);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
