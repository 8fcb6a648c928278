import { durationToMillis, isZeroDuration, parseDuration } from '../../schedule/duration.js';
import { parseRecurrence } from '../../schedule/recurrence.js';
import type { Duration } from '../../schedule/types.js';
import type { Diagnostic } from '../diagnostics.js';
import { notARealDateBecause as why, parseInstant } from '../instant.js';
import type { Path } from '../parse.js';
import type { Located } from '../repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

type DurationField = { text: string | undefined; where: Located<unknown>; path: Path; zeroAllowed: boolean };

/** Every duration field of every document, with whether zero makes sense there. */
function durationFields(repo: Parameters<Rule>[0]): DurationField[] {
  const fields: DurationField[] = [];
  const add = (text: string | undefined, where: Located<unknown>, path: Path, zeroAllowed = false) =>
    fields.push({ text, where, path, zeroAllowed });
  const c = repo.config;
  if (c) {
    const s = c.doc.spec;
    add(s.ssh?.connectTimeout, c, ['spec', 'ssh', 'connectTimeout']);
    add(s.ssh?.commandTimeout, c, ['spec', 'ssh', 'commandTimeout']);
    add(s.ssh?.keepaliveInterval, c, ['spec', 'ssh', 'keepaliveInterval'], true);
    add(s.winrm?.operationTimeout, c, ['spec', 'winrm', 'operationTimeout']);
    for (const [sev, text] of Object.entries(s.sla ?? {})) add(text, c, ['spec', 'sla', sev]);
    add(s.exceptions?.maxDuration, c, ['spec', 'exceptions', 'maxDuration']);
    add(s.advisories?.maxAge, c, ['spec', 'advisories', 'maxAge']);
  }
  for (const r of repo.rollouts) {
    r.doc.spec.rings.forEach((ring, i) => {
      add(ring.bakeTime, r, ['spec', 'rings', i, 'bakeTime'], true);
      add(ring.healthCheck?.timeout, r, ['spec', 'rings', i, 'healthCheck', 'timeout']);
      add(ring.healthCheck?.interval, r, ['spec', 'rings', i, 'healthCheck', 'interval'], true);
    });
  }
  for (const w of repo.windows) {
    add(w.doc.spec.duration, w, ['spec', 'duration']);
    add(w.doc.spec.offset, w, ['spec', 'offset'], true);
    add(w.doc.spec.cutoff, w, ['spec', 'cutoff'], true);
  }
  for (const b of repo.blackouts) add(b.doc.spec.duration, b, ['spec', 'duration']);
  for (const p of repo.policies) {
    const s = p.doc.spec;
    add(s.approveAfter, p, ['spec', 'approveAfter'], true);
    for (const phase of ['pre', 'post'] as const) {
      s.hooks?.[phase]?.forEach((h, i) => add(h.timeout, p, ['spec', 'hooks', phase, i, 'timeout']));
    }
    add(s.hooks?.healthCheck?.timeout, p, ['spec', 'hooks', 'healthCheck', 'timeout']);
    add(s.hooks?.healthCheck?.interval, p, ['spec', 'hooks', 'healthCheck', 'interval'], true);
  }
  return fields.filter((f) => f.text !== undefined);
}

/** Durations must parse (units largest first, each once) and be non-zero where zero means nothing. */
export const durations: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const f of durationFields(repo)) {
    const parsed = parseDuration(f.text ?? '');
    if (!parsed.ok) {
      out.push(
        // The message names the value already ("duration "1h6h": give each unit...").
        diagnostic('error', 'invalid-duration', parsed.message, f.where, f.path),
      );
    } else if (!f.zeroAllowed && isZeroDuration(parsed.value)) {
      out.push(
        diagnostic(
          'error',
          'invalid-duration',
          `duration "${f.text}" must be longer than zero`,
          f.where,
          f.path,
        ),
      );
    }
  }
  for (const w of repo.windows) {
    const duration = ok(parseDuration(w.doc.spec.duration));
    const cutoff = w.doc.spec.cutoff === undefined ? undefined : ok(parseDuration(w.doc.spec.cutoff));
    if (duration && cutoff && durationToMillis(cutoff) >= durationToMillis(duration)) {
      out.push(
        diagnostic(
          'error',
          'cutoff-too-long',
          `cutoff ${w.doc.spec.cutoff} is not shorter than the window's duration ${w.doc.spec.duration}: no host could ever start`,
          w,
          ['spec', 'cutoff'],
        ),
      );
    }
  }
  return out;
};

function ok(r: ReturnType<typeof parseDuration>): Duration | undefined {
  return r.ok ? r.value : undefined;
}

/** Windows recur by exactly one valid rrule or cron; blackouts are a fixed period or a recurring one. */
export const recurrences: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const w of repo.windows) {
    const s = w.doc.spec;
    const r = parseRecurrence(s);
    if (!r.ok) {
      const path =
        s.rrule !== undefined ? ['spec', 'rrule'] : s.cron !== undefined ? ['spec', 'cron'] : ['spec'];
      out.push(diagnostic('error', 'invalid-recurrence', r.message, w, path));
    }
  }
  const zoneOf = (z: string | undefined) => z ?? configSpec(repo).timezone ?? CONFIG_DEFAULTS.timezone;
  for (const b of repo.blackouts) {
    const s = b.doc.spec;
    const fixed = s.start !== undefined || s.end !== undefined;
    const recurring = s.rrule !== undefined || s.cron !== undefined;
    const name = b.doc.metadata.name;
    if (fixed && recurring) {
      out.push(
        diagnostic(
          'error',
          'invalid-blackout',
          `blackout "${name}" mixes start/end with a recurrence: use one`,
          b,
          ['spec'],
        ),
      );
      continue;
    }
    if (!fixed && !recurring) {
      out.push(
        diagnostic(
          'error',
          'invalid-blackout',
          `blackout "${name}" needs start and end, or a recurrence (rrule or cron) with a duration`,
          b,
          ['spec'],
        ),
      );
      continue;
    }
    if (recurring) {
      const r = parseRecurrence(s);
      if (!r.ok)
        out.push(
          diagnostic(
            'error',
            'invalid-recurrence',
            r.message,
            b,
            s.rrule !== undefined ? ['spec', 'rrule'] : ['spec', 'cron'],
          ),
        );
      if (s.duration === undefined) {
        out.push(
          diagnostic('error', 'invalid-blackout', `blackout "${name}" recurs but has no duration`, b, [
            'spec',
          ]),
        );
      }
      continue;
    }
    if (s.start === undefined || s.end === undefined) {
      out.push(
        diagnostic('error', 'invalid-blackout', `blackout "${name}" needs both start and end`, b, [
          'spec',
          s.start === undefined ? 'end' : 'start',
        ]),
      );
      continue;
    }
    const start = parseInstant(s.start, zoneOf(s.timezone), 'start-of-day');
    const end = parseInstant(s.end, zoneOf(s.timezone), 'end-of-day');
    if (!start)
      out.push(
        diagnostic('error', 'invalid-date', `start "${s.start}" is not a real date${why(s.start)}`, b, [
          'spec',
          'start',
        ]),
      );
    if (!end)
      out.push(
        diagnostic('error', 'invalid-date', `end "${s.end}" is not a real date${why(s.end)}`, b, [
          'spec',
          'end',
        ]),
      );
    if (start && end && end <= start) {
      out.push(
        diagnostic('error', 'invalid-blackout', `blackout "${name}" ends before it starts`, b, [
          'spec',
          'end',
        ]),
      );
    }
  }
  return out;
};
