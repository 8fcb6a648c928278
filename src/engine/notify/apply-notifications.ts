// Apply's notifications, from the journal events of the run as they happen (docs/notifications.md,
// "Events"): a host that ends failed (host-failed) or did not come back from its reboot in time
// (reboot-timeout), and a ring that halts (ring-halted, with the hosts that failed in it).
import type { Plan } from '../../core/plan/types.js';
import type { NotificationInput } from '../../core/notify/types.js';
import { isFailure } from '../apply/apply.js';
import type { JournalEvent } from '../apply/journal.js';

/** A sink for the run's journal events (run-apply.ts `notify`): never throws. */
export function applyEventNotifier(
  plan: Pick<Plan, 'rings'>,
  send: (input: NotificationInput) => void,
): (event: JournalEvent) => void {
  const failedByRing = new Map<string, string[]>();
  const rolloutOf = (ring: string, host?: string): string => {
    const rings = plan.rings.filter((r) => r.name === ring);
    const holding = host === undefined ? undefined : rings.find((r) => r.hosts.some((h) => h.host === host));
    return (holding ?? rings[0])?.rollout ?? '';
  };
  return (event) => {
    try {
      if (event.type === 'host-finished') {
        if (!isFailure(event.status)) return;
        const rollout = rolloutOf(event.ring, event.host);
        const key = `${rollout}/${event.ring}`;
        failedByRing.set(key, [...(failedByRing.get(key) ?? []), event.host]);
        send({
          event: event.status === 'reboot-timeout' ? 'reboot-timeout' : 'host-failed',
          at: event.at,
          runId: event.runId,
          rollout,
          ring: event.ring,
          host: event.host,
          status: event.status,
          ...(event.error === undefined ? {} : { error: event.error }),
        });
      } else if (event.type === 'ring-finished' && event.status === 'halted') {
        send({
          event: 'ring-halted',
          at: event.at,
          runId: event.runId,
          rollout: event.rollout,
          ring: event.ring,
          reason: event.reason ?? 'halted',
          failures: event.failures,
          failedHosts: failedByRing.get(`${event.rollout}/${event.ring}`) ?? [],
        });
      }
    } catch {
      // A notification must never fail the run it reports on.
    }
  };
}
