import type { DateTime } from 'luxon';
import { ZERO_DURATION, parseDuration } from '../../schedule/duration.js';
import { nextOpening } from '../../schedule/occurrences.js';
import { parseRecurrence } from '../../schedule/recurrence.js';
import type { Recurrence } from '../../schedule/types.js';
import { isValidZone } from '../../schedule/zones.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** How far after `--at` a window must open once: 29 February can be eight years apart (2096 → 2104). */
export const NEVER_OPENS_HORIZON_YEARS = 8;

/**
 * A window whose recurrence never comes (30 February, 31 April, an UNTIL already past) holds
 * every host of its policies back for ever, while validate said `valid`.
 */
export const windowsThatNeverOpen: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  for (const w of repo.windows) {
    const s = w.doc.spec;
    const rule = parseRecurrence(s);
    const duration = parseDuration(s.duration);
    const offset = s.offset === undefined ? undefined : parseDuration(s.offset);
    if (!rule.ok || !duration.ok || (offset && !offset.ok) || !isValidZone(s.timezone)) continue;
    const next = nextOpening(rule.value, {
      zone: s.timezone,
      duration: duration.value,
      ...(offset?.ok ? { offset: offset.value } : {}),
      at: ctx.at,
      horizon: { ...ZERO_DURATION, days: NEVER_OPENS_HORIZON_YEARS * 366 },
    });
    if (next) continue;
    out.push(
      diagnostic(
        'warning',
        'window-never-opens',
        `window "${w.doc.metadata.name}" never opens: ${whyNever(rule.value, ctx.at.setZone(s.timezone))}, so the hosts that depend on it are never patched`,
        w,
        ['spec', s.rrule !== undefined ? 'rrule' : 'cron'],
      ),
    );
  }
  return out;
};

function whyNever(rule: Recurrence, at: DateTime): string {
  const u = rule.kind === 'rrule' ? rule.until : undefined;
  if (u !== undefined) {
    const until =
      u.kind === 'date'
        ? `${u.year}-${String(u.month).padStart(2, '0')}-${String(u.day).padStart(2, '0')}`
        : new Date(u.epochMillis).toISOString();
    const past = u.kind === 'date' ? until < (at.toISODate() ?? '') : u.epochMillis < at.toMillis();
    if (past) return `its UNTIL (${until}) is already past`;
  }
  return `"${rule.text}" names no date that exists in the next ${NEVER_OPENS_HORIZON_YEARS} years (a day past the end of its month, such as 30 February?)`;
}
