// Turns what happened into a notification: its severity, its one-line summary and its details
// (docs/notifications.md, "Events"). Pure: the instant comes with the input.
import type { NotificationEventKind, Severity } from '../model/types.js';
import type { BreachItem, Notification, NotificationInput } from './types.js';
import { NOTIFICATION_FORMAT_VERSION } from './types.js';

/** A notification lists at most this many breaches; `details.newBreaches` counts them all. */
export const MAX_LISTED_BREACHES = 50;
/** Longest error excerpt a notification carries (the journal and report keep the rest). */
export const MAX_ERROR_CHARS = 500;

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** Each event's severity, for a webhook's minSeverity (sla-breach: see breachSeverity). */
export const EVENT_SEVERITY: Record<Exclude<NotificationEventKind, 'sla-breach'>, Severity> = {
  'ring-halted': 'critical',
  'host-failed': 'high',
  'reboot-timeout': 'high',
  'exception-expiring': 'low',
};

export function severityAtLeast(severity: Severity, min: Severity | undefined): boolean {
  return min === undefined || SEVERITY_RANK[severity] >= SEVERITY_RANK[min];
}

/**
 * The most urgent breach decides: an emergency (CISA KEV) update is critical, an update of
 * unknown severity counts as medium.
 */
export function breachSeverity(breaches: readonly BreachItem[]): Severity {
  let worst: Severity = 'low';
  for (const b of breaches) {
    const s: Severity = b.emergency ? 'critical' : (b.severity ?? 'medium');
    if (SEVERITY_RANK[s] > SEVERITY_RANK[worst]) worst = s;
  }
  return worst;
}

/** One line, at most `max` characters, control characters and line breaks made spaces. */
export function oneLineText(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ringText(rollout: string, ring: string): string {
  return rollout === '' ? `ring ${ring}` : `ring ${ring} of rollout ${rollout}`;
}

export function buildNotification(input: NotificationInput, repository: string): Notification {
  const base = { formatVersion: NOTIFICATION_FORMAT_VERSION, event: input.event, at: input.at, repository };
  const who = `patchctl (${repository})`;
  switch (input.event) {
    case 'ring-halted': {
      const failed =
        input.failedHosts.length === 0
          ? ''
          : ` (failed: ${input.failedHosts.slice(0, 10).join(', ')}${input.failedHosts.length > 10 ? ', …' : ''})`;
      return {
        ...base,
        severity: EVENT_SEVERITY['ring-halted'],
        ...(input.rollout === '' ? {} : { rollout: input.rollout }),
        ring: input.ring,
        summary: oneLineText(
          `${who}: ${ringText(input.rollout, input.ring)} halted: ${input.reason}${failed}`,
          400,
        ),
        details: {
          runId: input.runId,
          reason: oneLineText(input.reason, MAX_ERROR_CHARS),
          failures: input.failures,
          failedHosts: [...input.failedHosts].sort(),
        },
      };
    }
    case 'host-failed':
    case 'reboot-timeout': {
      const error = input.error === undefined ? undefined : oneLineText(input.error, MAX_ERROR_CHARS);
      const what =
        input.event === 'reboot-timeout'
          ? 'did not come back from its reboot in time'
          : `failed (${input.status})${error ? `: ${error}` : ''}`;
      return {
        ...base,
        severity: EVENT_SEVERITY[input.event],
        ...(input.rollout === '' ? {} : { rollout: input.rollout }),
        ring: input.ring,
        host: input.host,
        summary: oneLineText(
          `${who}: host ${input.host} (${ringText(input.rollout, input.ring)}) ${what}`,
          400,
        ),
        details: { runId: input.runId, status: input.status, ...(error ? { error } : {}) },
      };
    }
    case 'sla-breach': {
      const hosts = new Set(input.breaches.map((b) => b.host)).size;
      const worst = [...input.breaches].sort((a, b) => b.overdueDays - a.overdueDays)[0];
      const severity = breachSeverity(input.breaches);
      return {
        ...base,
        severity,
        summary: oneLineText(
          `${who}: ${plural(input.breaches.length, 'new SLA breach', 'new SLA breaches')} on ${plural(hosts, 'host')}` +
            ` (report ${input.reportDate}; ${input.totalBreaches} in all` +
            (worst
              ? `; most overdue: ${worst.package} on ${worst.host}, ${plural(worst.overdueDays, 'day')}`
              : '') +
            ')',
          400,
        ),
        details: {
          reportDate: input.reportDate,
          newBreaches: input.breaches.length,
          totalBreaches: input.totalBreaches,
          breaches: input.breaches.slice(0, MAX_LISTED_BREACHES),
        },
      };
    }
    case 'exception-expiring': {
      const when = input.daysLeft === 0 ? 'today' : `in ${plural(input.daysLeft, 'day')}`;
      return {
        ...base,
        severity: EVENT_SEVERITY['exception-expiring'],
        summary: oneLineText(
          `${who}: exception ${input.exception} (owner ${input.owner}${input.ticket ? `, ${input.ticket}` : ''}) ` +
            `expires ${input.expires}, ${when}: renew it in a reviewed change, or let the waived updates install`,
          400,
        ),
        details: {
          exception: input.exception,
          owner: input.owner,
          ...(input.ticket === undefined ? {} : { ticket: input.ticket }),
          expires: input.expires,
          expiresAt: input.expiresAt,
          daysLeft: input.daysLeft,
          hosts: input.hosts,
          packages: input.packages,
          advisories: input.advisories,
        },
      };
    }
  }
}
