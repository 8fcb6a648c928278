import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc, hosts } from '../../test-support/repo-builder.js';
import { reportExceptions } from './exceptions.js';

const DAY = 86_400_000;
const at = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const exception = (name: string, spec: string) =>
  doc('PatchException', name, `reason: vendor app breaks with 3.x\nowner: ${name}@example.net\n${spec}`);

const files = {
  'inventory/a.yaml': hosts('web-1', 'web-2', 'db-1'),
  'groups/web.yaml': doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
  'exceptions/a.yaml': [
    exception('later', 'hosts: [db-1]\npackages: [postgresql-16]\nexpires: "2027-02-15"'),
    exception('soon', 'groups: [web]\nadvisories: [CVE-2026-1234]\nticket: CHG-1\nexpires: "2026-12-10"'),
  ].join('---\n'),
  'exceptions/b.yaml': [
    exception('gone', 'hosts: [web-1]\npackages: [openssl]\ncreated: "2026-09-01"\nexpires: "2026-11-20"'),
    exception('also-later', 'hosts: [db-1, web-9]\ngroups: [web]\npackages: [nginx]\nexpires: "2027-02-15"'),
    exception('older', 'hosts: [web-2]\npackages: [curl]\nexpires: 2026-11-01T12:00:00Z'),
  ].join('---\n'),
};

describe('reportExceptions', () => {
  const report = reportExceptions(check(files).repository, at, 30 * DAY);

  it('sorts expired (oldest first), expiring, active (soonest first), then by name', () => {
    expect(report.exceptions.map((e) => [e.status, e.name])).toEqual([
      ['expired', 'older'],
      ['expired', 'gone'],
      ['expiring', 'soon'],
      ['active', 'also-later'],
      ['active', 'later'],
    ]);
    expect(report.counts).toEqual({ expired: 2, expiring: 1, active: 2 });
    expect(report.at).toBe('2026-12-01T00:00:00.000Z');
    expect(report.expiringWithin).toBe(30 * DAY);
  });

  it('carries what the document says, where it says it, and the hosts it covers', () => {
    expect(report.exceptions.find((e) => e.name === 'soon')).toEqual({
      name: 'soon',
      file: 'exceptions/a.yaml',
      line: 15,
      owner: 'soon@example.net',
      ticket: 'CHG-1',
      reason: 'vendor app breaks with 3.x',
      scope: { hosts: [], groups: ['web'] },
      hosts: ['web-1', 'web-2'],
      packages: [],
      advisories: ['CVE-2026-1234'],
      expires: '2026-12-10',
      // A bare date lasts through that day in the Config zone (Europe/Berlin).
      expiresAt: '2026-12-10T23:00:00.000Z',
      status: 'expiring',
      daysLeft: 9,
    });
    const gone = report.exceptions.find((e) => e.name === 'gone');
    expect(gone).toMatchObject({ file: 'exceptions/b.yaml', line: 4, created: '2026-09-01', daysLeft: -11 });
    expect(gone).not.toHaveProperty('ticket');
    // Explicit hosts are kept as written (like planning does), groups add their members.
    expect(report.exceptions.find((e) => e.name === 'also-later')?.hosts).toEqual([
      'db-1',
      'web-1',
      'web-2',
      'web-9',
    ]);
  });

  it('counts days left rounded down, negative as soon as it has expired', () => {
    const one = (expires: string, when: string) =>
      reportExceptions(
        check({
          'inventory/a.yaml': hosts('web-1'),
          'exceptions/e.yaml': exception('e', `hosts: [web-1]\npackages: [x]\nexpires: ${expires}`),
        }).repository,
        DateTime.fromISO(when, { setZone: true }),
        DAY,
      ).exceptions[0];
    expect(one('2026-12-02T12:00:00Z', '2026-12-01T00:00:00Z')).toMatchObject({
      status: 'active',
      daysLeft: 1,
    });
    expect(one('2026-12-01T12:00:00Z', '2026-12-01T00:00:00Z')).toMatchObject({
      status: 'expiring',
      daysLeft: 0,
    });
    expect(one('2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z')).toMatchObject({
      status: 'expired',
      daysLeft: -1,
    });
    expect(one('2026-11-29T12:00:00Z', '2026-12-01T00:00:00Z')).toMatchObject({ daysLeft: -2 });
  });

  it('widens or narrows "expiring" with the window only', () => {
    const repo = check(files).repository;
    expect(reportExceptions(repo, at, 0).counts).toEqual({ expired: 2, expiring: 0, active: 3 });
    expect(reportExceptions(repo, at, 90 * DAY).counts).toEqual({ expired: 2, expiring: 3, active: 0 });
  });

  it('is empty without exceptions', () => {
    const empty = reportExceptions(check({ 'inventory/a.yaml': hosts('web-1') }).repository, at, DAY);
    expect(empty.exceptions).toEqual([]);
    expect(empty.counts).toEqual({ expired: 0, expiring: 0, active: 0 });
  });
});
