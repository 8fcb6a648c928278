// Notifications (docs/notifications.md): what happened, as one document that every webhook format
// is built from. schemas/notification.schema.json is the precise statement of the `json` format.
import type { NotificationEventKind, Severity, WebhookFormat } from '../model/types.js';

export type { NotificationEventKind, WebhookFormat } from '../model/types.js';

export const NOTIFICATION_FORMAT_VERSION = 1 as const;

/** Every event, in the order docs/notifications.md lists them. */
export const NOTIFICATION_EVENTS: readonly NotificationEventKind[] = [
  'ring-halted',
  'host-failed',
  'reboot-timeout',
  'sla-breach',
  'exception-expiring',
];

export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack', 'teams'];

/** One SLA breach, as a notification lists it. */
export interface BreachItem {
  host: string;
  package: string;
  to: string;
  severity: Severity | null;
  emergency: boolean;
  dueDate: string;
  overdueDays: number;
  advisories: string[];
}

/** What happened, before it is dated and summarised (buildNotification). */
export type NotificationInput =
  | {
      event: 'ring-halted';
      at: string;
      runId: string;
      rollout: string;
      ring: string;
      reason: string;
      failures: number;
      failedHosts: string[];
    }
  | {
      event: 'host-failed' | 'reboot-timeout';
      at: string;
      runId: string;
      rollout: string;
      ring: string;
      host: string;
      status: string;
      error?: string;
    }
  | {
      event: 'sla-breach';
      at: string;
      reportDate: string;
      /** The breaches new since the previous report, most urgent first. */
      breaches: BreachItem[];
      /** Every breach in the report (new or not). */
      totalBreaches: number;
    }
  | {
      event: 'exception-expiring';
      at: string;
      exception: string;
      owner: string;
      ticket?: string;
      expires: string;
      expiresAt: string;
      daysLeft: number;
      hosts: string[];
      packages: string[];
      advisories: string[];
    };

/** The `details` of a notification: the fields of its event (schemas/notification.schema.json). */
export interface NotificationDetails {
  runId?: string;
  reason?: string;
  failures?: number;
  failedHosts?: string[];
  status?: string;
  error?: string;
  reportDate?: string;
  breaches?: BreachItem[];
  newBreaches?: number;
  totalBreaches?: number;
  exception?: string;
  owner?: string;
  ticket?: string;
  expires?: string;
  expiresAt?: string;
  daysLeft?: number;
  hosts?: string[];
  packages?: string[];
  advisories?: string[];
}

/** The generic JSON payload (format `json`), and what the Slack and Teams messages show. */
export interface Notification {
  formatVersion: typeof NOTIFICATION_FORMAT_VERSION;
  event: NotificationEventKind;
  severity: Severity;
  /** When it happened (apply events) or was found (report events), ISO 8601 UTC. */
  at: string;
  /** The Config document's metadata.name: which patchctl repository speaks. */
  repository: string;
  rollout?: string;
  ring?: string;
  host?: string;
  /** One line for people. */
  summary: string;
  details: NotificationDetails;
}
