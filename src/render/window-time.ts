// Window times for people: in the window's own zone, next to UTC
// (`2026-12-08 02:00 Europe/Berlin (01:00 UTC)`). The plan document keeps UTC instants only
// (schemas/plan.schema.json); the zones come from the repository's MaintenanceWindow documents,
// so `plan --format json` stays as it was (README.md, "The plan").
import { DateTime } from 'luxon';

/** Window name → its IANA zone (MaintenanceWindow `spec.timezone`). */
export type WindowZones = ReadonlyMap<string, string>;

/** The zones of the repository's maintenance windows. */
export function windowZonesOf(repository: {
  windows: readonly { doc: { metadata: { name: string }; spec: { timezone: string } } }[];
}): Map<string, string> {
  return new Map(repository.windows.map((w) => [w.doc.metadata.name, w.doc.spec.timezone]));
}

interface Parts {
  date: string;
  time: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

function partsIn(iso: string, zone: string): Parts | null {
  if (!INSTANT.test(iso)) return null;
  const t = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  if (!t.isValid) return null;
  return { date: t.toFormat('yyyy-MM-dd'), time: t.toFormat(t.second === 0 ? 'HH:mm' : 'HH:mm:ss') };
}

/** A zone worth naming next to UTC: valid, and not UTC itself. */
function localZone(zone: string | undefined, iso: string): string | undefined {
  if (zone === undefined) return undefined;
  const utc = partsIn(iso, 'UTC');
  const local = partsIn(iso, zone);
  if (!utc || !local) return undefined;
  const z = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  return z.offset === 0 && /^(Etc\/)?(UTC|GMT|Zulu|UCT|Universal)$/i.test(zone) ? undefined : zone;
}

/** `2026-12-08 02:00 Europe/Berlin (01:00 UTC)`; the UTC date too when it differs; UTC alone without a zone. */
export function formatInstantInZone(iso: string, zone: string | undefined): string | undefined {
  const z = localZone(zone, iso);
  const u = partsIn(iso, 'UTC');
  if (!u) return undefined;
  if (z === undefined) return `${u.date} ${u.time} UTC`;
  const l = partsIn(iso, z) as Parts;
  const utc = l.date === u.date ? u.time : `${u.date} ${u.time}`;
  return `${l.date} ${l.time} ${z} (${utc} UTC)`;
}

/**
 * `2026-12-08 02:00 → 06:00 Europe/Berlin (01:00 → 05:00 UTC)`: a span in the window's zone, then in
 * UTC; a date is repeated only where it changes. Undefined when either end is not an instant.
 */
export function formatSpanInZone(start: string, end: string, zone: string | undefined): string | undefined {
  const us = partsIn(start, 'UTC');
  const ue = partsIn(end, 'UTC');
  if (!us || !ue) return undefined;
  const utcSpan = (first: string): string =>
    `${first} → ${us.date === ue.date ? '' : `${ue.date} `}${ue.time}`;
  const z = localZone(zone, start);
  if (z === undefined) return `${utcSpan(`${us.date} ${us.time}`)} UTC`;
  const ls = partsIn(start, z) as Parts;
  const le = partsIn(end, z) as Parts;
  const local = `${ls.date} ${ls.time} → ${ls.date === le.date ? '' : `${le.date} `}${le.time}`;
  return `${local} ${z} (${utcSpan(us.date === ls.date ? us.time : `${us.date} ${us.time}`)} UTC)`;
}

const INSTANT_IN_TEXT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/g;

/**
 * Instants in a text about one window (`window fra-monthly is closed (or past its cutoff) until
 * 2026-12-11T21:00:00Z`, core/plan/start-check.ts) in that window's zone next to UTC; other texts'
 * instants in UTC.
 */
export function windowTextInZone(text: string, zones: WindowZones): string {
  const name = /^window (\S+) /.exec(text)?.[1];
  const zone = name === undefined ? undefined : zones.get(name);
  return text.replace(INSTANT_IN_TEXT, (m) => formatInstantInZone(m, zone) ?? m);
}
