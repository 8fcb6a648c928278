import { durationToMillis, parseDuration } from '../../schedule/duration.js';
import { overlaps, windowOccurrences } from '../../schedule/occurrences.js';
import { parseRecurrence } from '../../schedule/recurrence.js';
import type { Occurrence } from '../../schedule/types.js';
import { isValidZone } from '../../schedule/zones.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Located } from '../repository.js';
import type { MaintenanceWindowDocument } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** How far ahead of `--at` openings are compared. */
export const OVERLAP_HORIZON_DAYS = 120;

/**
 * Two windows that open at the same time for the same hosts usually mean one was copied and not
 * adjusted; the host would be patched under whichever the planner meets first. A warning, since
 * it can be deliberate.
 */
export const windowOverlaps: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const from = ctx.at;
  const until = ctx.at.plus({ days: OVERLAP_HORIZON_DAYS });
  const prepared: { w: Located<MaintenanceWindowDocument>; hosts: Set<string>; openings: Occurrence[] }[] =
    [];
  for (const w of repo.windows) {
    const s = w.doc.spec;
    const rule = parseRecurrence(s);
    const duration = parseDuration(s.duration);
    const offset = s.offset === undefined ? undefined : parseDuration(s.offset);
    if (!rule.ok || !duration.ok || (offset && !offset.ok) || !isValidZone(s.timezone)) continue;
    if (durationToMillis(duration.value) === 0) continue;
    const hosts = new Set<string>();
    for (const g of s.groups) for (const h of ctx.members.get(g) ?? []) hosts.add(h);
    const openings = windowOccurrences(rule.value, {
      zone: s.timezone,
      duration: duration.value,
      ...(offset?.ok ? { offset: offset.value } : {}),
      from,
      until,
    });
    prepared.push({ w, hosts, openings });
  }
  for (let i = 0; i < prepared.length; i++) {
    for (let j = i + 1; j < prepared.length; j++) {
      const a = prepared[i];
      const b = prepared[j];
      if (!a || !b) continue;
      const shared = [...a.hosts].filter((h) => b.hosts.has(h));
      if (shared.length === 0) continue;
      const hit = overlaps(a.openings, b.openings);
      if (!hit) continue;
      const when = hit.b.start > hit.a.start ? hit.b.start : hit.a.start;
      out.push(
        diagnostic(
          'warning',
          'overlapping-windows',
          `window "${b.w.doc.metadata.name}" overlaps window "${a.w.doc.metadata.name}" for ${shared.length} host(s) (e.g. ${shared.slice(0, 3).join(', ')}), first at ${when.toUTC().toISO({ suppressMilliseconds: true })}`,
          b.w,
          ['spec', 'groups'],
          'key',
        ),
      );
    }
  }
  return out;
};
