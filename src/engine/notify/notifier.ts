// Sends notifications beside a run, never in its way (docs/notifications.md, "Delivery"): send()
// only queues (one queue per webhook, so each receives events in order; webhooks in parallel);
// close() waits for what is outstanding at most a bounded time, then gives up on the rest. A
// delivery that fails becomes one warning per webhook, naming it, never its URL. Bodies pass the
// redaction layer (src/platform/redact.ts) like every output.
import { buildNotification } from '../../core/notify/build-notification.js';
import { webhookPayload, webhookWants } from '../../core/notify/payload.js';
import type { Notification, NotificationInput } from '../../core/notify/types.js';
import { redactOutput } from '../../platform/redact.js';
import type { PostOptions, PostOutcome } from './post-webhook.js';
import { postWebhook } from './post-webhook.js';
import type { WebhookTarget } from './webhook-targets.js';

/** How long a command waits at its end for deliveries still outstanding. */
export const DEFAULT_CLOSE_WAIT_MS = 30_000;

export interface NotifierOptions {
  targets: readonly WebhookTarget[];
  /** The Config's metadata.name. */
  repository: string;
  timeoutMs: number;
  retries: number;
  /** Tests: shorter backoff. */
  backoffMs?: number;
  post?: (url: string, body: string, options: PostOptions) => Promise<PostOutcome>;
  redact?: (text: string) => string;
}

interface Tally {
  sent: number;
  failed: number;
  /** Stopped unsent when the bounded wait ended. */
  gaveUp: number;
  lastReason?: string;
}

export class Notifier {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly tallies = new Map<string, Tally>();
  private readonly stop = new AbortController();
  private closed = false;

  constructor(private readonly options: NotifierOptions) {
    for (const t of options.targets) this.tallies.set(t.name, { sent: 0, failed: 0, gaveUp: 0 });
  }

  /** Queues what happened for every webhook that wants it; never throws, never waits. */
  send(input: NotificationInput): void {
    try {
      if (this.closed) return;
      const n = buildNotification(input, this.options.repository);
      for (const t of this.options.targets) if (webhookWants(t, n)) this.enqueue(t, n);
    } catch {
      // A notification must never fail the command it reports on.
    }
  }

  private enqueue(target: WebhookTarget, n: Notification): void {
    const tally = this.tallies.get(target.name) as Tally;
    const redact = this.options.redact ?? redactOutput;
    const body = redact(JSON.stringify(webhookPayload(n, target.format)));
    const post = this.options.post ?? postWebhook;
    const previous = this.queues.get(target.name) ?? Promise.resolve();
    const next = previous.then(async () => {
      let outcome: PostOutcome;
      try {
        outcome = await post(target.url, body, {
          timeoutMs: this.options.timeoutMs,
          retries: this.options.retries,
          signal: this.stop.signal,
          ...(this.options.backoffMs === undefined ? {} : { backoffMs: this.options.backoffMs }),
        });
      } catch {
        outcome = { ok: false, attempts: 0, reason: 'internal error while sending' };
      }
      if (outcome.ok) tally.sent++;
      else if (this.stop.signal.aborted) tally.gaveUp++;
      else {
        tally.failed++;
        tally.lastReason = `${outcome.reason}${outcome.attempts > 1 ? ` (after ${outcome.attempts} attempts)` : ''}`;
      }
    });
    this.queues.set(target.name, next);
  }

  /**
   * Waits for the deliveries outstanding, at most `waitMs`, then stops the rest. Returns one
   * warning per webhook with a delivery that failed or was given up (never its URL).
   */
  async close(waitMs = DEFAULT_CLOSE_WAIT_MS): Promise<string[]> {
    this.closed = true;
    const all = Promise.all(this.queues.values());
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      all.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!waited) {
      this.stop.abort();
      // Stopped deliveries end at once: their requests and backoff sleeps listen to the signal.
      await all;
    }
    const warnings: string[] = [];
    for (const [name, t] of this.tallies) {
      const parts: string[] = [];
      if (t.failed > 0) parts.push(`${t.failed} notification(s) not delivered: ${t.lastReason ?? 'failed'}`);
      if (t.gaveUp > 0)
        parts.push(
          `${t.gaveUp} notification(s) still unsent after the ${waitMs % 1000 === 0 ? `${waitMs / 1000}s` : `${waitMs}ms`} patchctl waits at its end: given up`,
        );
      if (parts.length > 0) warnings.push(`webhook ${name}: ${parts.join('; ')}`);
    }
    return warnings;
  }
}
