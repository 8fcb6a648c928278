// Sample inputs of every notification event, for the builder and payload tests.
import type { BreachItem, NotificationInput } from '../types.js';

export const AT = '2026-12-01T02:14:03.000Z';
export const RUN = '20261201T020000Z-1a2b3c4d';

export const SAMPLE_INPUTS: Record<NotificationInput['event'], NotificationInput> = {
  'ring-halted': {
    event: 'ring-halted',
    at: AT,
    runId: RUN,
    rollout: 'production',
    ring: 'canary',
    reason: 'failure budget exceeded: 1 of 1 hosts failed',
    failures: 1,
    failedHosts: ['web-01'],
  },
  'host-failed': {
    event: 'host-failed',
    at: AT,
    runId: RUN,
    rollout: 'production',
    ring: 'canary',
    host: 'web-01',
    status: 'failed',
    error: 'apt-get exited 100:\nE: <!channel> [click](https://evil.example) *bold*',
  },
  'reboot-timeout': {
    event: 'reboot-timeout',
    at: AT,
    runId: RUN,
    rollout: '',
    ring: 'all',
    host: 'db-01',
    status: 'reboot-timeout',
  },
  'sla-breach': {
    event: 'sla-breach',
    at: AT,
    reportDate: '2026-12-01',
    breaches: [breach({ host: 'web-01', overdueDays: 3 }), breach({ host: 'web-02', overdueDays: 9 })],
    totalBreaches: 5,
  },
  'exception-expiring': {
    event: 'exception-expiring',
    at: AT,
    exception: 'pg-pin',
    owner: 'team-db',
    ticket: 'CHG-1234',
    expires: '2026-12-06',
    expiresAt: '2026-12-06T23:59:59.999Z',
    daysLeft: 5,
    hosts: ['db-01'],
    packages: ['postgresql-15'],
    advisories: [],
  },
};

export function breach(over: Partial<BreachItem> = {}): BreachItem {
  return {
    host: 'web-01',
    package: 'openssl',
    to: '3.0.17-1~deb12u1',
    severity: 'high',
    emergency: false,
    dueDate: '2026-11-24',
    overdueDays: 7,
    advisories: ['DSA-5939-1'],
    ...over,
  };
}
