// The notifications of one command (apply or report), from the Config and the environment
// (docs/notifications.md): what the CLI builds and hands to the engine as sinks.
import type { DateTime } from 'luxon';
import type { Repository } from '../../core/model/repository.js';
import { configSpec } from '../../core/model/repository.js';
import { reportNotifications } from '../../core/notify/report-events.js';
import type { PreviousReport } from '../../core/notify/report-events.js';
import type { Plan } from '../../core/plan/types.js';
import type { ComplianceReport } from '../../core/report/types.js';
import type { JournalEvent } from '../apply/journal.js';
import { applyEventNotifier } from './apply-notifications.js';
import type { NotifierOptions } from './notifier.js';
import { DEFAULT_CLOSE_WAIT_MS, Notifier } from './notifier.js';
import { notifySettings } from './webhook-targets.js';

export interface RunNotifications {
  /** For runApply's `notify`: the run's journal events. */
  applySink(plan: Pick<Plan, 'rings'>): (event: JournalEvent) => void;
  /** The report written and what the one it replaced showed (runReport's `notify` passes them). */
  reportWritten(report: ComplianceReport, previous: PreviousReport | undefined, at: DateTime): void;
  /** Waits (bounded) for outstanding deliveries; returns the warnings to print. */
  close(waitMs?: number): Promise<string[]>;
}

/**
 * Undefined when the Config has no webhook. `warn` gets, at once, one line per webhook that cannot
 * be used (its variable unset, not a usable URL): said once, at the start of the command.
 */
export function runNotifications(
  repository: Pick<Repository, 'config'>,
  env: Readonly<Record<string, string | undefined>>,
  warn: (line: string) => void,
  overrides: Partial<Pick<NotifierOptions, 'backoffMs' | 'post'>> = {},
): RunNotifications | undefined {
  const spec = configSpec(repository);
  const settings = notifySettings(spec, env);
  if (!settings) return undefined;
  for (const w of settings.warnings) warn(w);
  const notifier = new Notifier({
    targets: settings.targets,
    repository: repository.config?.doc.metadata.name ?? 'patchctl',
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    ...overrides,
  });
  return {
    applySink: (plan) => applyEventNotifier(plan, (input) => notifier.send(input)),
    reportWritten: (report, previous, at) => {
      try {
        const inputs = reportNotifications(report, previous, {
          at: at.toUTC().toISO() ?? new Date(at.toMillis()).toISOString(),
          noticeMs: settings.exceptionNoticeMs,
        });
        for (const i of inputs) notifier.send(i);
      } catch {
        // A notification must never fail the report it reports on.
      }
    },
    close: (waitMs = DEFAULT_CLOSE_WAIT_MS) => notifier.close(waitMs),
  };
}
