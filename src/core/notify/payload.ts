// The body a webhook of each format gets (docs/notifications.md, "Payloads"): the notification
// itself (`json`, schemas/notification.schema.json), a Slack message or a Teams card.
import type { Severity } from '../model/types.js';
import { severityAtLeast } from './build-notification.js';
import { slackMessage } from './slack-message.js';
import { teamsMessage } from './teams-message.js';
import type { Notification, NotificationEventKind, WebhookFormat } from './types.js';

export function webhookPayload(n: Notification, format: WebhookFormat): object {
  if (format === 'slack') return slackMessage(n);
  if (format === 'teams') return teamsMessage(n);
  return n;
}

/** Whether a webhook takes the notification: its events (default all) and minSeverity. */
export function webhookWants(
  webhook: {
    events?: readonly NotificationEventKind[] | ReadonlySet<NotificationEventKind>;
    minSeverity?: Severity;
  },
  n: Notification,
): boolean {
  const events = webhook.events;
  const listed =
    events === undefined ? true : 'has' in events ? events.has(n.event) : events.includes(n.event);
  return listed && severityAtLeast(n.severity, webhook.minSeverity);
}
