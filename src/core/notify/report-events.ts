// The notifications a written report sends (docs/notifications.md, "When each is sent"): SLA
// breaches and exceptions about to expire, each ONCE, by the first report that sees it. What the
// previous report on file (reports/compliance.json) already showed was sent then: a breach of the
// same package on the same host, an exception with the same end that was already within the
// notice period. Pure: the previous report and the instant are passed in.
import type { ComplianceReport } from '../report/types.js';
import type { BreachItem, NotificationInput } from './types.js';

const DAY_MS = 86_400_000;

/** What this needs of the previous report; fields it lacks count as not shown (sent again). */
export interface PreviousReport {
  slaBreaches: { host: string; package: string }[];
  exceptions: { name: string; expiresAt: string | null; daysLeft: number | null }[];
}

export interface ReportNotifyOptions {
  /** When the report was made, ISO 8601 UTC. */
  at: string;
  /** How long before its end an exception's notice is sent (Config exceptionExpiryNotice). */
  noticeMs: number;
}

const breachKey = (b: { host: string; package: string }): string => `${b.host}\u0000${b.package}`;

export function reportNotifications(
  report: Pick<ComplianceReport, 'date' | 'slaBreaches' | 'exceptions'>,
  previous: PreviousReport | undefined,
  options: ReportNotifyOptions,
): NotificationInput[] {
  const out: NotificationInput[] = [];
  const seen = new Set((previous?.slaBreaches ?? []).map(breachKey));
  const fresh: BreachItem[] = report.slaBreaches
    .filter((b) => !seen.has(breachKey(b)))
    .map((b) => ({
      host: b.host,
      package: b.package,
      to: b.to,
      severity: b.severity,
      emergency: b.emergency,
      dueDate: b.dueDate,
      overdueDays: b.overdueDays,
      advisories: [...b.advisories],
    }));
  if (fresh.length > 0)
    out.push({
      event: 'sla-breach',
      at: options.at,
      reportDate: report.date,
      breaches: fresh,
      totalBreaches: report.slaBreaches.length,
    });

  const atMs = Date.parse(options.at);
  const noticedBefore = new Set(
    (previous?.exceptions ?? [])
      .filter(
        (e) =>
          e.expiresAt !== null &&
          e.daysLeft !== null &&
          e.daysLeft >= 0 &&
          e.daysLeft * DAY_MS < options.noticeMs,
      )
      .map((e) => `${e.name}\u0000${e.expiresAt ?? ''}`),
  );
  for (const e of report.exceptions) {
    if (e.expiresAt === null || e.status === 'expired') continue;
    const left = Date.parse(e.expiresAt) - atMs;
    if (left <= 0 || left > options.noticeMs) continue;
    if (noticedBefore.has(`${e.name}\u0000${e.expiresAt}`)) continue;
    out.push({
      event: 'exception-expiring',
      at: options.at,
      exception: e.name,
      owner: e.owner,
      ...(e.ticket === undefined ? {} : { ticket: e.ticket }),
      expires: e.expires,
      expiresAt: e.expiresAt,
      daysLeft: Math.max(0, Math.floor(left / DAY_MS)),
      hosts: [...e.hosts],
      packages: [...e.packages],
      advisories: [...e.advisories],
    });
  }
  return out;
}
