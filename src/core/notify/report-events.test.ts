import { describe, expect, it } from '@jest/globals';
import type { ExceptionEntry } from '../report/exceptions.js';
import type { SlaBreach } from '../report/types.js';
import { reportNotifications } from './report-events.js';

const AT = '2026-12-01T09:00:00.000Z';
const DAY = 86_400_000;

function breach(host: string, pkg = 'openssl'): SlaBreach {
  return {
    host,
    package: pkg,
    to: '3.0.17',
    severity: 'high',
    tier: 'severity' as SlaBreach['tier'],
    advisories: [],
    emergency: false,
    releasedAt: '2026-11-01T00:00:00Z',
    ageDays: 30,
    sla: '14d',
    dueDate: '2026-11-15',
    slaSource: 'severity',
    overdueDays: 16,
  };
}

function exception(
  name: string,
  expiresAt: string,
  status: ExceptionEntry['status'] = 'expiring',
): ExceptionEntry {
  return {
    name,
    file: `exceptions/${name}.yaml`,
    line: 4,
    owner: 'team-db',
    reason: 'vendor',
    scope: { hosts: ['db-01'], groups: [] },
    hosts: ['db-01'],
    packages: ['postgresql-15'],
    advisories: [],
    expires: expiresAt.slice(0, 10),
    expiresAt,
    status,
    daysLeft: Math.floor((Date.parse(expiresAt) - Date.parse(AT)) / DAY),
  };
}

const report = (slaBreaches: SlaBreach[], exceptions: ExceptionEntry[] = []) => ({
  date: '2026-12-01',
  slaBreaches,
  exceptions,
});
const options = { at: AT, noticeMs: 14 * DAY };

describe('reportNotifications', () => {
  it('without a previous report sends every breach in one notification', () => {
    const out = reportNotifications(report([breach('a'), breach('b')]), undefined, options);
    expect(out).toEqual([
      expect.objectContaining({
        event: 'sla-breach',
        totalBreaches: 2,
        breaches: [expect.objectContaining({ host: 'a' }), expect.objectContaining({ host: 'b' })],
      }),
    ]);
  });

  it('sends only the breaches the previous report did not show, and nothing when none is new', () => {
    const previous = { slaBreaches: [{ host: 'a', package: 'openssl' }], exceptions: [] };
    const out = reportNotifications(report([breach('a'), breach('b')]), previous, options);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      event: 'sla-breach',
      totalBreaches: 2,
      breaches: [expect.objectContaining({ host: 'b' })],
    });
    expect(reportNotifications(report([breach('a')]), previous, options)).toEqual([]);
  });

  it('sends an exception once it is within the notice period, once', () => {
    const soon = exception('pg-pin', new Date(Date.parse(AT) + 5 * DAY).toISOString());
    const later = exception('later', new Date(Date.parse(AT) + 20 * DAY).toISOString(), 'active');
    const gone = exception('gone', new Date(Date.parse(AT) - DAY).toISOString(), 'expired');
    const out = reportNotifications(report([], [soon, later, gone]), undefined, options);
    expect(out).toEqual([
      expect.objectContaining({ event: 'exception-expiring', exception: 'pg-pin', daysLeft: 5 }),
    ]);
    // The previous report already had it within the notice period: sent then.
    const previous = {
      slaBreaches: [],
      exceptions: [{ name: 'pg-pin', expiresAt: soon.expiresAt, daysLeft: 6 }],
    };
    expect(reportNotifications(report([], [soon]), previous, options)).toEqual([]);
    // ...but not when it was still outside it, or when its end was moved since.
    const outside = {
      slaBreaches: [],
      exceptions: [{ name: 'pg-pin', expiresAt: soon.expiresAt, daysLeft: 15 }],
    };
    expect(reportNotifications(report([], [soon]), outside, options)).toHaveLength(1);
    const moved = {
      slaBreaches: [],
      exceptions: [{ name: 'pg-pin', expiresAt: '2026-11-30T00:00:00.000Z', daysLeft: 3 }],
    };
    expect(reportNotifications(report([], [soon]), moved, options)).toHaveLength(1);
  });
});
