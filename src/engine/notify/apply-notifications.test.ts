import { describe, expect, it } from '@jest/globals';
import type { NotificationInput } from '../../core/notify/types.js';
import type { JournalEvent } from '../apply/journal.js';
import { applyEventNotifier } from './apply-notifications.js';

const RUN = '20261201T020000Z-1a2b3c4d';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const plan = {
  rings: [
    { name: 'canary', rollout: 'lab', hosts: [{ host: 'lab-01' }, { host: 'lab-02' }] },
    { name: 'rest', rollout: 'lab', hosts: [{ host: 'lab-03' }] },
  ],
} as never;

function finished(host: string, ring: string, status: string, error?: string): JournalEvent {
  return {
    type: 'host-finished',
    at: '2026-12-01T02:00:05.000Z',
    runId: RUN,
    planDigest: DIGEST,
    host,
    ring,
    status,
    actions: [],
    ...(error === undefined ? {} : { error }),
  } as JournalEvent;
}

describe('applyEventNotifier', () => {
  it('host-failed, reboot-timeout and ring-halted (with the hosts that failed) from the journal events', () => {
    const sent: NotificationInput[] = [];
    const sink = applyEventNotifier(plan, (i) => sent.push(i));
    sink({
      type: 'ring-started',
      at: '2026-12-01T02:00:00.000Z',
      runId: RUN,
      ring: 'canary',
      rollout: 'lab',
    });
    sink(finished('lab-01', 'canary', 'failed', 'dpkg: error'));
    sink(finished('lab-02', 'canary', 'reboot-timeout'));
    sink(finished('lab-03', 'rest', 'patched'));
    sink({
      type: 'ring-finished',
      at: '2026-12-01T02:00:09.000Z',
      runId: RUN,
      ring: 'canary',
      rollout: 'lab',
      status: 'halted',
      failures: 2,
      reason: 'failure budget exceeded: 2 of 2 hosts failed',
    });
    sink({
      type: 'ring-finished',
      at: '2026-12-01T02:00:09.000Z',
      runId: RUN,
      ring: 'rest',
      rollout: 'lab',
      status: 'not-started',
      failures: 0,
    });
    expect(sent).toEqual([
      expect.objectContaining({
        event: 'host-failed',
        host: 'lab-01',
        rollout: 'lab',
        ring: 'canary',
        status: 'failed',
        error: 'dpkg: error',
      }),
      expect.objectContaining({ event: 'reboot-timeout', host: 'lab-02', status: 'reboot-timeout' }),
      expect.objectContaining({
        event: 'ring-halted',
        ring: 'canary',
        rollout: 'lab',
        failures: 2,
        failedHosts: ['lab-01', 'lab-02'],
        reason: 'failure budget exceeded: 2 of 2 hosts failed',
      }),
    ]);
  });

  it('never throws into the run', () => {
    const sink = applyEventNotifier(plan, () => {
      throw new Error('boom');
    });
    expect(() => sink(finished('lab-01', 'canary', 'failed'))).not.toThrow();
  });
});
