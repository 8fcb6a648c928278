import { durationToMillis, formatDuration, parseDuration } from '../../schedule/duration.js';
import type { Diagnostic } from '../diagnostics.js';
import { notARealDateBecause as why, parseInstant } from '../instant.js';
import { CONFIG_DEFAULTS, configSpec } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Days before expiry from which an exception is reported as expiring soon. */
export const EXPIRING_SOON_DAYS = 14;

/**
 * Exceptions are waivers that come back for review: each must say what it covers, and must
 * not be expired at `--at` nor run longer than the Config's maximum (measured from `created`,
 * and from `--at` so a back-dated `created` cannot stretch it). An expired exception is an
 * error for `validate` only (a warning for the commands that act: rule.ts CheckPurpose); one
 * too long stays an error everywhere: that is a question for its reviewers, not time passing.
 */
export const exceptionValidity: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const spec = configSpec(repo);
  const zone = spec.timezone ?? CONFIG_DEFAULTS.timezone;
  const maxText = spec.exceptions?.maxDuration ?? CONFIG_DEFAULTS.exceptionMaxDuration;
  const max = parseDuration(maxText);
  const maxMs = max.ok ? durationToMillis(max.value) : undefined;
  for (const e of repo.exceptions) {
    const s = e.doc.spec;
    const name = e.doc.metadata.name;
    if ((s.hosts ?? []).length === 0 && (s.groups ?? []).length === 0) {
      out.push(
        diagnostic(
          'error',
          'exception-without-target',
          `exception "${name}" names no hosts and no groups`,
          e,
          ['spec'],
        ),
      );
    }
    if ((s.packages ?? []).length === 0 && (s.advisories ?? []).length === 0) {
      out.push(
        diagnostic(
          'error',
          'exception-without-subject',
          `exception "${name}" names no packages and no advisories; say what is waived`,
          e,
          ['spec'],
        ),
      );
    }
    const expires = parseInstant(s.expires, zone, 'end-of-day');
    if (!expires) {
      out.push(
        diagnostic('error', 'invalid-date', `expires "${s.expires}" is not a real date${why(s.expires)}`, e, [
          'spec',
          'expires',
        ]),
      );
      continue;
    }
    const created = s.created === undefined ? undefined : parseInstant(s.created, zone, 'start-of-day');
    if (s.created !== undefined && !created) {
      out.push(
        diagnostic('error', 'invalid-date', `created "${s.created}" is not a real date${why(s.created)}`, e, [
          'spec',
          'created',
        ]),
      );
    }
    if (created && created >= expires) {
      out.push(
        diagnostic('error', 'exception-ends-before-start', `expires is not after created`, e, [
          'spec',
          'expires',
        ]),
      );
      continue;
    }
    if (expires <= ctx.at) {
      // validate fails it, so that it comes back for review; the commands that act keep
      // working and treat it as inactive (plan/exceptions.ts activeExceptions), only on its
      // own hosts. Its length no longer matters: it waives nothing.
      const acting = ctx.purpose === 'act';
      const hosts = new Set(s.hosts ?? []);
      for (const g of s.groups ?? []) for (const h of ctx.members.get(g) ?? []) hosts.add(h);
      const consequence = acting
        ? `: it waives nothing now, so the updates it waived are due again on its ${hosts.size} host(s)`
        : '';
      const expired = diagnostic(
        'error',
        'exception-expired',
        `exception "${name}" (owner ${s.owner}) expired on ${s.expires}${consequence}; renew it (new expiry, review) or delete it`,
        e,
        ['spec', 'expires'],
      );
      out.push(acting ? { ...expired, severity: 'warning' } : expired);
      continue;
    }
    if (maxMs !== undefined && max.ok) {
      const from = created && created < ctx.at ? created : ctx.at;
      const length = expires.toMillis() - from.toMillis();
      if (length > maxMs) {
        const days = Math.ceil(length / 86_400_000);
        out.push(
          diagnostic(
            'error',
            'exception-too-long',
            `exception "${name}" runs ${days} days from ${created && created < ctx.at ? 'its creation' : 'now'}; the Config allows at most ${formatDuration(max.value)} (exceptions.maxDuration)`,
            e,
            ['spec', 'expires'],
          ),
        );
        continue;
      }
    }
    if (expires.toMillis() - ctx.at.toMillis() <= EXPIRING_SOON_DAYS * 86_400_000) {
      out.push(
        diagnostic(
          'warning',
          'exception-expiring',
          `exception "${name}" expires on ${s.expires}, within ${EXPIRING_SOON_DAYS} days`,
          e,
          ['spec', 'expires'],
        ),
      );
    }
  }
  return out;
};
