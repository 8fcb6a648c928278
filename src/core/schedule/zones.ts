// IANA time zone names. A zone must be spelled exactly as in the tz database ("Europe/Berlin",
// not "europe/berlin"): luxon and Intl accept any case, but the name ends up in plans and
// reports, so we keep one spelling.

import { IANAZone } from 'luxon';

/** Names Intl knows but does not list in `supportedValuesOf('timeZone')`. */
const EXTRA_ZONES: readonly string[] = ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT'];

let knownZones: readonly string[] | undefined;

/** Canonical zone names of this runtime (plus UTC), for suggestions and spelling checks. */
function listZones(): readonly string[] {
  if (knownZones === undefined) {
    const supported =
      typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ([] as string[]);
    knownZones = [...new Set([...supported, ...EXTRA_ZONES])];
  }
  return knownZones;
}

/** The runtime's canonical name of a valid zone (may be an older spelling, e.g. Asia/Calcutta). */
function resolvedName(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A valid name in the wrong case gives the right spelling; otherwise undefined. */
function caseFix(name: string): string | undefined {
  const lower = name.toLowerCase();
  const listed = listZones().find((zone) => zone.toLowerCase() === lower);
  if (listed !== undefined) return listed === name ? undefined : listed;
  // Every segment of a tz name starts with a capital letter ("America/Port-au-Prince", "Etc/GMT+5").
  const segmentsCapitalised = name.split('/').every((segment) => /^[A-Z]/.test(segment));
  if (segmentsCapitalised) return undefined;
  // Not listed under this spelling (an alias such as "us/eastern"): offer the runtime's own name.
  return resolvedName(name) ?? name;
}

/** True for an IANA zone name the runtime knows, spelled in its proper case. */
export function isValidZone(name: string): boolean {
  if (!IANAZone.isValidZone(name)) return false;
  return caseFix(name) === undefined;
}

/**
 * A valid zone name close to a mistaken one, or undefined when `name` is valid or nothing is close:
 * wrong case ("europe/berlin" → "Europe/Berlin"), spaces for underscores ("America/New York"),
 * a city without its region ("Berlin", "new york") and small typos ("Europe/Berln").
 */
export function suggestZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  if (trimmed !== name && isValidZone(trimmed)) return trimmed;
  if (IANAZone.isValidZone(trimmed)) {
    const fixed = caseFix(trimmed);
    return fixed === name ? undefined : fixed;
  }
  const underscored = trimmed.replace(/\s+/g, '_');
  if (IANAZone.isValidZone(underscored)) return caseFix(underscored) ?? underscored;

  const zones = listZones();
  const key = (s: string): string => s.toLowerCase().replace(/[\s_-]+/g, '');
  const wanted = key(underscored);
  // A city alone: "Berlin", "new_york".
  if (!underscored.includes('/')) {
    const city = zones.filter((zone) => key(zone.slice(zone.lastIndexOf('/') + 1)) === wanted);
    if (city.length === 1) return city[0];
  }
  // Small typos: the closest name within an edit distance of 2 (and unique at that distance).
  let best: string | undefined;
  let bestDistance = 3;
  let tie = false;
  for (const zone of zones) {
    const distance = editDistance(key(zone), wanted, bestDistance + 1);
    if (distance < bestDistance) {
      best = zone;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && best !== undefined) {
      tie = true;
    }
  }
  return best !== undefined && !tie ? best : undefined;
}

/** Levenshtein distance, or `limit` when it is `limit` or more. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(
        (previous[j] ?? i) + 1,
        (current[j - 1] ?? i) + 1,
        (previous[j - 1] ?? i) + cost,
      );
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length] ?? limit, limit);
}
