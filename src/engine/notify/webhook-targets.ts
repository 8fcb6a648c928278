// The webhooks of the Config, with their URLs from the environment (docs/notifications.md,
// "Configuration"). `validate` does not look at the environment (it runs in pull-request CI
// without secrets): the commands that send (apply, report) warn here, once, at their start.
import type { ConfigSpec, NotificationEventKind, Severity, WebhookFormat } from '../../core/model/types.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import { webhookUrlProblem } from './post-webhook.js';

export interface WebhookTarget {
  name: string;
  /** Holds a token: never printed, journaled or put in an error. */
  url: string;
  format: WebhookFormat;
  events?: readonly NotificationEventKind[];
  minSeverity?: Severity;
}

export interface NotifySettings {
  targets: WebhookTarget[];
  /** Webhooks that cannot be used (their variable unset, not a usable URL): one line each. */
  warnings: string[];
  timeoutMs: number;
  retries: number;
  exceptionNoticeMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 3;
export const DEFAULT_EXCEPTION_NOTICE_MS = 14 * 86_400_000;

function millis(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const d = parseDuration(text);
  return d.ok ? durationToMillis(d.value) : fallback;
}

/** Undefined when the Config has no webhook. */
export function notifySettings(
  spec: ConfigSpec,
  env: Readonly<Record<string, string | undefined>>,
): NotifySettings | undefined {
  const n = spec.notifications;
  const webhooks = n?.webhooks ?? [];
  if (webhooks.length === 0) return undefined;
  const targets: WebhookTarget[] = [];
  const warnings: string[] = [];
  for (const w of webhooks) {
    const url = env[w.urlEnv];
    if (url === undefined || url.trim() === '') {
      warnings.push(
        `webhook ${w.name}: the environment variable ${w.urlEnv} is not set: its notifications are not sent`,
      );
      continue;
    }
    const problem = webhookUrlProblem(url.trim());
    if (problem !== undefined) {
      warnings.push(
        `webhook ${w.name}: ${w.urlEnv} holds no usable URL (${problem}): its notifications are not sent`,
      );
      continue;
    }
    targets.push({
      name: w.name,
      url: url.trim(),
      format: w.format,
      ...(w.events === undefined ? {} : { events: w.events }),
      ...(w.minSeverity === undefined ? {} : { minSeverity: w.minSeverity }),
    });
  }
  return {
    targets,
    warnings,
    timeoutMs: millis(n?.timeout, DEFAULT_TIMEOUT_MS),
    retries: n?.retries ?? DEFAULT_RETRIES,
    exceptionNoticeMs: millis(n?.exceptionExpiryNotice, DEFAULT_EXCEPTION_NOTICE_MS),
  };
}
