// A host over a transport that cannot reboot it (`canReboot: false`: transport local, the machine
// patchctl runs on) is never sent a reboot: it ends `patched-pending-reboot` with a note saying
// why, never a hang, a reboot-timeout or a failure (docs/architecture.md, "Transports").
import { describe, expect, it } from '@jest/globals';
import type { RebootMode } from '../../core/model/types.js';
import type { Plan, PlanHost } from '../../core/plan/types.js';
import { FAKE_DRIVER_ID, fakeDriver, scriptFakeHost } from '../../test-support/fake-driver.js';
import type { ScriptedFakeHost } from '../../test-support/fake-driver.js';
import { FakeFleet } from '../../transports/fake/index.js';
import type { Transport } from '../../transports/types.js';
import { applyPlan } from './apply.js';
import type { ApplyContext, JournalEvent } from './apply.js';
import { acquireRemoteLock } from './remote-lock.js';

/** A kernel upgrade: once installed, the host says it needs a reboot. */
const kernelHost = (name: string, plannedReboot = false): PlanHost => ({
  host: name,
  window: null,
  packageManager: FAKE_DRIVER_ID,
  actions: [
    {
      type: 'upgrade',
      package: 'fake-kernel',
      from: '1.0',
      to: '1.1',
      classification: 'security',
      severity: null,
      advisories: [],
      policy: 'p',
    },
    ...(plannedReboot ? [{ type: 'reboot' as const, reason: 'kernel' }] : []),
  ],
  skipped: [],
});

const planOf = (hosts: PlanHost[]): Plan => ({
  formatVersion: 1,
  createdAt: '2026-11-23T00:00:00Z',
  at: '2026-11-23T00:00:00Z',
  inputsDigest: 'sha256:abc',
  inputs: {},
  gitCommit: null,
  summary: { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
  rings: [{ name: 'r', rollout: 'r', earliestStart: '2026-11-23T00:00:00Z', hosts }],
});

/** `t` as the local transport presents itself to the engine: same commands, `canReboot: false`. */
const asLocal = (t: Transport): Transport => ({
  id: 'local',
  host: t.host,
  canReboot: false,
  run: (cmd, options) => t.run(cmd, options),
  ...(t.hold ? { hold: t.hold.bind(t) } : {}),
  close: () => t.close(),
});

function setUp(mode: RebootMode = 'ifRequired') {
  const hosts: Record<string, ScriptedFakeHost> = {};
  const fleet = new FakeFleet((t) => {
    hosts[t.host] = scriptFakeHost(t, { 'fake-kernel': '1.0' });
  });
  const events: JournalEvent[] = [];
  const connects: string[] = [];
  const ctx: ApplyContext = {
    runId: 'run-1',
    ringLimits: () => ({}),
    rebootMode: () => mode,
    connect: (h) => {
      connects.push(h);
      return h.startsWith('local') ? asLocal(fleet.transport(h)) : fleet.transport(h);
    },
    driverFor: () => fakeDriver,
    remoteLock: (t, steps) => acquireRemoteLock(t, 'run-1 owner', { runId: 'run-1', steps }),
    concurrency: 4,
    now: () => new Date('2026-11-23T12:00:00Z'),
    sleep: () => Promise.resolve(),
    journal: (e) => events.push(e),
    rebootTimeoutMs: 60_000,
  };
  return { hosts, fleet, events, connects, ctx };
}

const NOTE =
  'not rebooted: over transport local patchctl cannot reboot the host and prove it came back; the host needs a reboot: reboot it yourself';

describe('a host whose transport cannot reboot it (transport local)', () => {
  it('is patched and left pending a reboot with a note, never rebooted; an ssh host beside it is rebooted', async () => {
    const { hosts, fleet, events, connects, ctx } = setUp();
    const r = await applyPlan(planOf([kernelHost('local-1'), kernelHost('ssh-1')]), ctx);
    expect(r.hosts.map((h) => [h.host, h.status, h.error])).toEqual([
      ['local-1', 'patched-pending-reboot', NOTE],
      ['ssh-1', 'patched', undefined],
    ]);
    expect(hosts['local-1']?.installed.get('fake-kernel')).toBe('1.1');
    expect(r.hosts[0]?.verification).toEqual({ ok: true, mismatches: [] });
    expect(r.hosts[0]?.rebooted).toBeUndefined();
    // No reboot, no reservation for one, no reconnect: one connection, the lock taken once.
    expect(fleet.transport('local-1').callsTo('fake-reboot')).toEqual([]);
    expect(fleet.transport('local-1').callsTo('fake-lock', 'reserve')).toEqual([]);
    expect(connects.filter((h) => h === 'local-1')).toEqual(['local-1']);
    expect(fleet.transport('ssh-1').callsTo('fake-reboot')).toHaveLength(1);
    // The journal records the status and the note; no reboot step was started.
    const finished = events.find((e) => e.type === 'host-finished' && e.host === 'local-1');
    expect(finished).toMatchObject({ status: 'patched-pending-reboot', error: NOTE });
    const steps = events.flatMap((e) => (e.type === 'host-step' && e.host === 'local-1' ? [e.step] : []));
    expect(steps).not.toContain('reboot');
  });

  it('a reboot the plan asks for is not sent either', async () => {
    const { fleet, ctx } = setUp();
    const r = await applyPlan(planOf([kernelHost('local-1', true)]), ctx);
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual(['patched-pending-reboot', NOTE]);
    expect(fleet.transport('local-1').callsTo('fake-reboot')).toEqual([]);
  });

  it('a policy that always reboots leaves it pending too', async () => {
    const { fleet, ctx } = setUp('always');
    const r = await applyPlan(planOf([kernelHost('local-1')]), ctx);
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual(['patched-pending-reboot', NOTE]);
    expect(fleet.transport('local-1').callsTo('fake-reboot')).toEqual([]);
  });

  it('with reboot: never it is pending as any host is, without the note', async () => {
    const { ctx } = setUp('never');
    const r = await applyPlan(planOf([kernelHost('local-1')]), ctx);
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual(['patched-pending-reboot', undefined]);
  });
});
