// What the Slack and Teams messages show besides the summary: a title, label/value facts and a
// few detail lines, from the notification alone (docs/notifications.md, "Slack" and "Teams").
import type { NotificationEventKind } from '../model/types.js';
import type { Notification } from './types.js';

/** Lines of a list (breaches, failed hosts) a chat message shows; the JSON payload has them all. */
export const MAX_MESSAGE_LINES = 10;

export const EVENT_TITLES: Record<NotificationEventKind, string> = {
  'ring-halted': 'Ring halted',
  'host-failed': 'Host failed',
  'reboot-timeout': 'Reboot timeout',
  'sla-breach': 'SLA breach',
  'exception-expiring': 'Exception expiring',
};

export interface MessageFacts {
  title: string;
  facts: { label: string; value: string }[];
  /** Detail lines (one per breach or failed host), already cut to MAX_MESSAGE_LINES plus "…". */
  lines: string[];
  /** `ring-halted · critical · 2026-12-01T10:00:00Z` */
  footer: string;
}

function listed(items: readonly string[], total = items.length): string[] {
  const shown = items.slice(0, MAX_MESSAGE_LINES);
  return total > shown.length ? [...shown, `… and ${total - shown.length} more`] : shown;
}

export function messageFacts(n: Notification): MessageFacts {
  const d = n.details;
  const facts: { label: string; value: string }[] = [{ label: 'Repository', value: n.repository }];
  const add = (label: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') facts.push({ label, value: String(value) });
  };
  add('Rollout', n.rollout);
  add('Ring', n.ring);
  add('Host', n.host);
  add('Status', d.status);
  add('Failures', d.failures);
  add('Report', d.reportDate);
  add('Exception', d.exception);
  add('Owner', d.owner);
  add('Ticket', d.ticket);
  add('Expires', d.expires);
  add('Run', d.runId);
  let lines: string[] = [];
  if (d.breaches)
    lines = listed(
      d.breaches.map(
        (b) =>
          `${b.package} → ${b.to} on ${b.host}: ${b.emergency ? 'emergency (KEV), ' : ''}${b.severity ?? 'unknown severity'}, ` +
          `due ${b.dueDate}, ${b.overdueDays} day(s) overdue${b.advisories.length > 0 ? ` (${b.advisories.slice(0, 3).join(', ')})` : ''}`,
      ),
      d.newBreaches ?? d.breaches.length,
    );
  else if (d.failedHosts && d.failedHosts.length > 0)
    lines = listed(d.failedHosts.map((h) => `failed: ${h}`));
  else if (n.event === 'exception-expiring' && d.hosts)
    lines = [
      `hosts: ${listed(d.hosts).join(', ') || 'none'}`,
      ...(d.packages && d.packages.length > 0 ? [`packages: ${listed(d.packages).join(', ')}`] : []),
      ...(d.advisories && d.advisories.length > 0 ? [`advisories: ${listed(d.advisories).join(', ')}`] : []),
    ];
  return { title: EVENT_TITLES[n.event], facts, lines, footer: `${n.event} · ${n.severity} · ${n.at}` };
}
