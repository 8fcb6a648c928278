import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan, PlanHost, PlanRing, UpgradeAction } from '../../core/plan/types.js';
import { apt } from '../../drivers/apt/index.js';
import { LocalIoError } from '../../errors.js';
import type { SimReply } from '../../sim/apt-host.js';
import { SimAptHost } from '../../sim/apt-host.js';
import { TransportError } from '../../transports/errors.js';
import { FakeFleet, type FakeTransport } from '../../transports/fake/index.js';
import { commandLine } from '../../transports/quote.js';
import type { CommandResult, HoldOutcome, RemoteCommand, Transport } from '../../transports/types.js';
import {
  applyPlan,
  budgetExceeded,
  hostsDoneInJournal,
  parallelLimit,
  type ApplyContext,
  type JournalEvent,
} from './apply.js';
import type { PackageDriver } from '../../drivers/types.js';
import { acquireRemoteLock } from './remote-lock.js';
import {
  FAKE_DRIVER_ID,
  fakeDriver,
  scriptFakeHost,
  type ScriptedFakeHost,
} from '../../test-support/fake-driver.js';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../drivers/apt/__fixtures__');
const fx = (name: string): string => readFileSync(join(FIX, name), 'utf8');
const same =
  (built: RemoteCommand) =>
  (cmd: RemoteCommand): boolean =>
    JSON.stringify(cmd.argv) === JSON.stringify(built.argv);
const isInstall = (cmd: RemoteCommand): boolean =>
  JSON.stringify(cmd.argv.slice(0, 3)) ===
    JSON.stringify(apt.install([{ name: 'fleet-base', version: '1.1' }]).argv.slice(0, 3)) &&
  !same(apt.preflight())(cmd) &&
  !same(apt.listInstalled())(cmd) &&
  !same(apt.facts())(cmd);
const installed = (pkgs: Record<string, string>): string =>
  Object.entries(pkgs)
    .map(([n, v]) => `${n}\tamd64\t${v}\tinstall ok installed\t${n}\t${v}\n`)
    .join('');
const facts = (boot: string): string =>
  fx('lab-facts.stdout').replace('692d43d6-a1f8-4a26-b872-9093ba7e3726', boot);

/** A healthy apt host: clean preflight, fleet-base 1.0 installed until install runs, then 1.1. */
function healthy(t: FakeTransport, opts: { installDelay?: number; afterVersion?: string } = {}): void {
  let done = false;
  t.on(same(apt.preflight()), { stdout: fx('lab-preflight-clean.stdout') });
  t.on(same(apt.listInstalled()), () => ({
    stdout: installed({ 'fleet-base': done ? (opts.afterVersion ?? '1.1') : '1.0' }),
  }));
  t.on(same(apt.facts()), { stdout: facts('692d43d6-a1f8-4a26-b872-9093ba7e3726') });
  t.on(isInstall, () => {
    done = true;
    return {
      stdout: fx('lab-install-ok.stdout'),
      stderr: fx('lab-install-ok.stderr'),
      delayMs: opts.installDelay ?? 0,
    };
  });
}

function host(name: string, extra: Partial<PlanHost> = {}): PlanHost {
  return {
    host: name,
    window: null,
    actions: [
      {
        type: 'upgrade',
        package: 'fleet-base',
        from: '1.0',
        to: '1.1',
        classification: 'security',
        severity: null,
        advisories: [],
        policy: 'p',
      },
    ],
    skipped: [],
    ...extra,
  };
}
const ring = (name: string, hosts: PlanHost[]): PlanRing => ({
  name,
  rollout: 'r',
  earliestStart: '2026-11-23T00:00:00Z',
  hosts,
});
const plan = (rings: PlanRing[]): Plan => ({
  formatVersion: 1,
  createdAt: '2026-11-23T00:00:00Z',
  at: '2026-11-23T00:00:00Z',
  inputsDigest: 'sha256:abc',
  inputs: {},
  gitCommit: null,
  summary: { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
  rings,
});

function ctxFor(
  fleet: FakeFleet,
  over: Partial<ApplyContext> = {},
): ApplyContext & { events: JournalEvent[] } {
  const events: JournalEvent[] = [];
  return {
    ringLimits: () => ({}),
    connect: (h) => fleet.transport(h),
    driverFor: () => apt,
    concurrency: 10,
    now: () => new Date('2026-11-23T12:00:00Z'),
    sleep: () => Promise.resolve(),
    journal: (e) => events.push(e),
    runId: 'run-1',
    events,
    ...over,
  };
}

describe('helpers', () => {
  it('parallelLimit', () => {
    expect(parallelLimit(undefined, 4)).toBe(4);
    expect(parallelLimit(2, 4)).toBe(2);
    expect(parallelLimit('50%', 4)).toBe(2);
    expect(parallelLimit('10%', 4)).toBe(1);
  });
  it('budget: exactly reached does not halt, exceeded by one does', () => {
    expect(budgetExceeded({}, 0, 3)).toBe(false);
    expect(budgetExceeded({}, 1, 3)).toBe(true);
    expect(budgetExceeded({ maxFailed: 1 }, 1, 3)).toBe(false);
    expect(budgetExceeded({ maxFailed: 1 }, 2, 3)).toBe(true);
    expect(budgetExceeded({ maxFailedPercent: 50 }, 2, 4)).toBe(false);
    expect(budgetExceeded({ maxFailedPercent: 50 }, 3, 4)).toBe(true);
  });
});

describe('applyPlan', () => {
  it('happy path with two rings', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const ctx = ctxFor(fleet);
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), ring('prod', [host('b'), host('c', { actions: [] })])]),
      ctx,
    );
    expect(r.halted).toBe(false);
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([
      ['a', 'patched'],
      ['b', 'patched'],
    ]);
    expect(r.rings.map((x) => x.status)).toEqual(['completed', 'completed']);
    expect(r.hosts[0]?.verification).toEqual({ ok: true, mismatches: [] });
    expect(fleet.transports.has('c')).toBe(false);
    expect(ctx.events.map((e) => e.type)).toContain('run-finished');
    expect(JSON.parse(JSON.stringify(ctx.events))).toEqual(ctx.events);
  });

  it('respects the concurrency cap', async () => {
    let inFlight = 0;
    let peak = 0;
    const fleet2 = new FakeFleet((t) => {
      let done = false;
      t.on(same(apt.preflight()), { stdout: fx('lab-preflight-clean.stdout') });
      t.on(same(apt.listInstalled()), () => ({ stdout: installed({ 'fleet-base': done ? '1.1' : '1.0' }) }));
      t.on(same(apt.facts()), { stdout: fx('lab-facts.stdout') });
      t.on(isInstall, async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((res) => setTimeout(res, 10));
        inFlight--;
        done = true;
        return { stdout: fx('lab-install-ok.stdout') };
      });
    });
    const hosts = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => host(n));
    const r = await applyPlan(
      plan([ring('all', hosts)]),
      ctxFor(fleet2, { concurrency: 3, ringLimits: () => ({ maxParallel: 2 }) }),
    );
    expect(r.hosts.every((h) => h.status === 'patched')).toBe(true);
    expect(peak).toBe(2);
  });

  it('halts when the failure budget is exceeded by one, and not when exactly reached', async () => {
    const script = (t: FakeTransport): void => {
      if (t.host.startsWith('bad'))
        t.on(() => true, { error: new TransportError('unreachable', t.host, 'no route') });
      else healthy(t);
    };
    const hosts = [host('bad1'), host('ok1'), host('ok2')];
    const reached = await applyPlan(
      plan([ring('r1', hosts), ring('r2', [host('next')])]),
      ctxFor(new FakeFleet(script), { concurrency: 1, ringLimits: () => ({ maxFailed: 1 }) }),
    );
    expect(reached.halted).toBe(false);
    expect(reached.hosts.map((h) => h.host)).toEqual(['bad1', 'ok1', 'ok2', 'next']);

    const exceeded = await applyPlan(
      plan([ring('r1', [host('bad1'), host('bad2'), host('ok1')]), ring('r2', [host('next')])]),
      ctxFor(new FakeFleet(script), { concurrency: 1, ringLimits: () => ({ maxFailed: 1 }) }),
    );
    expect(exceeded.halted).toBe(true);
    expect(exceeded.hosts.map((h) => h.host)).toEqual(['bad1', 'bad2']);
    expect(exceeded.rings.map((x) => x.status)).toEqual(['halted', 'not-started']);
  });

  it('maps connect errors to unreachable and host-key-mismatch', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('r', [host('u'), host('k')])]),
      ctxFor(fleet, {
        ringLimits: () => ({ maxFailed: 5 }),
        connect: (h) => {
          throw new TransportError(h === 'u' ? 'unreachable' : 'host-key-mismatch', h, 'nope');
        },
      }),
    );
    expect(r.hosts.map((h) => h.status).sort()).toEqual(['host-key-mismatch', 'unreachable']);
  });

  it('lock held → failed naming the holder', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.preflight()), { stdout: fx('lab-preflight-lock-held.stdout') });
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(fleet));
    expect(r.hosts[0]?.status).toBe('failed');
    expect(r.hosts[0]?.error).toMatch(/lock/i);
    expect(r.hosts[0]?.error).toMatch(/held by process \d+ \(apt-get\)/);
    expect(fleet.transport('a').calls.some((c) => isInstall({ argv: c.argv }))).toBe(false);
  });

  it('maintainer script failure → failed', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(isInstall, {
        exitCode: 100,
        stdout: fx('lab-install-maintscript-fail.stdout'),
        stderr: fx('lab-install-maintscript-fail.stderr'),
      });
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(fleet));
    expect(r.hosts[0]?.status).toBe('failed');
    expect(r.hosts[0]?.error).toMatch(/post-installation script of fleet-broken failed/);
  });

  it('drifted: installed version no longer matches the plan', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.listInstalled()), { stdout: installed({ 'fleet-base': '0.9' }) });
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(fleet));
    expect(r.hosts[0]?.status).toBe('drifted');
    expect(fleet.transport('a').calls.some((c) => isInstall({ argv: c.argv }))).toBe(false);
  });

  it('verification mismatch → failed', async () => {
    const fleet = new FakeFleet((t) => healthy(t, { afterVersion: '1.0' }));
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(fleet));
    expect(r.hosts[0]?.status).toBe('failed');
    expect(r.hosts[0]?.error).toBe('verification: fleet-base is 1.0, expected 1.1');
  });

  const rebootHost = (): PlanHost => {
    const h = host('a');
    h.actions.push({ type: 'reboot', reason: 'kernel' });
    return h;
  };

  it('reboot with a new boot id → patched', async () => {
    let rebooted = false;
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['reboot'], () => {
        rebooted = true;
        return {};
      });
      t.on(same(apt.facts()), () => ({
        stdout: facts(
          rebooted ? '11111111-2222-3333-4444-555555555555' : '692d43d6-a1f8-4a26-b872-9093ba7e3726',
        ),
      }));
    });
    const r = await applyPlan(plan([ring('r', [rebootHost()])]), ctxFor(fleet));
    expect(r.hosts[0]?.status).toBe('patched');
    expect(fleet.transport('a').callsTo('reboot')[0]?.sudo).toBe(true);
  });

  it('boot id never changes → reboot-timeout', async () => {
    let slept = 0;
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['reboot'], {});
    });
    const r = await applyPlan(
      plan([ring('r', [rebootHost()])]),
      ctxFor(fleet, {
        rebootTimeoutMs: 30_000,
        rebootPollMs: 5000,
        sleep: (ms) => {
          slept += ms;
          return Promise.resolve();
        },
      }),
    );
    expect(r.hosts[0]?.status).toBe('reboot-timeout');
    expect(slept).toBe(30_000);
  });

  it('reboot mode never → patched-pending-reboot', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('r', [rebootHost()])]),
      ctxFor(fleet, { rebootMode: () => 'never' }),
    );
    expect(r.hosts[0]?.status).toBe('patched-pending-reboot');
  });

  it('health check failing → health-check-failed, after retries', async () => {
    let slept = 0;
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['curl'], { exitCode: 7, stderr: 'connection refused' });
      t.on(['/usr/local/bin/pre'], { exitCode: 0 });
    });
    const r = await applyPlan(
      plan([ring('r', [host('a')])]),
      ctxFor(fleet, {
        hooks: () => ({
          pre: [{ command: ['/usr/local/bin/pre'] }],
          healthCheck: { command: ['curl', '-f', 'http://localhost/'], retries: 2, interval: '10s' },
        }),
        sleep: (ms) => {
          slept += ms;
          return Promise.resolve();
        },
      }),
    );
    expect(r.hosts[0]?.status).toBe('health-check-failed');
    expect(r.hosts[0]?.error).toMatch(/connection refused/);
    expect(fleet.transport('a').callsTo('curl')).toHaveLength(3);
    expect(fleet.transport('a').callsTo('/usr/local/bin/pre')[0]?.sudo).toBe(false);
    expect(slept).toBe(20_000);
  });

  it('required pre hook failing → failed, nothing installed; optional one is ignored', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['/bin/false'], { exitCode: 1 });
    });
    const r = await applyPlan(
      plan([ring('r', [host('a')]), ring('s', [host('b')])]),
      ctxFor(fleet, { hooks: (p) => ({ pre: [{ command: ['/bin/false'], required: p !== 'p' }] }) }),
    );
    expect(r.hosts.map((h) => h.status)).toEqual(['patched', 'patched']);
    const fleet2 = new FakeFleet((t) => {
      healthy(t);
      t.on(['/bin/false'], { exitCode: 1 });
    });
    const r2 = await applyPlan(
      plan([ring('r', [host('a')])]),
      ctxFor(fleet2, { hooks: () => ({ pre: [{ command: ['/bin/false'] }] }) }),
    );
    expect(r2.hosts[0]?.status).toBe('failed');
    expect(fleet2.transport('a').calls.some((c) => isInstall({ argv: c.argv }))).toBe(false);
  });

  it('a reboot the host asks for after the install: ifRequired reboots, never leaves it pending', async () => {
    const script = (t: FakeTransport): void => {
      let rebooted = false;
      healthy(t);
      t.on(['reboot'], () => {
        rebooted = true;
        return {};
      });
      t.on(same(apt.facts()), () => ({
        stdout: rebooted
          ? facts('11111111-2222-3333-4444-555555555555')
          : fx('lab-facts-reboot-required.stdout'),
      }));
    };
    const never = new FakeFleet(script);
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(never, { rebootMode: () => 'never' }));
    expect(r.hosts[0]?.status).toBe('patched-pending-reboot');
    expect(never.transport('a').callsTo('reboot')).toHaveLength(0);
    const ifRequired = new FakeFleet(script);
    const r2 = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(ifRequired));
    expect(r2.hosts[0]?.status).toBe('patched');
    expect(r2.hosts[0]?.rebooted?.bootIdAfter).toBe('11111111-2222-3333-4444-555555555555');
  });

  it('window closed → skipped-window-closed', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([
        ring('r', [
          host('a', { window: { name: 'w', start: '2026-11-23T01:00:00Z', end: '2026-11-23T02:00:00Z' } }),
        ]),
      ]),
      ctxFor(fleet),
    );
    expect(r.hosts[0]?.status).toBe('skipped-window-closed');
    expect(fleet.transports.has('a')).toBe(false);
  });

  it('graceful abort stops starting new hosts but lets running ones finish', async () => {
    const ac = new AbortController();
    const fleet = new FakeFleet((t) => healthy(t, { installDelay: 20 }));
    const ctx = ctxFor(fleet, { concurrency: 1, signal: ac.signal });
    ctx.observer = { hostStarted: () => ac.abort() };
    const r = await applyPlan(plan([ring('r', [host('a'), host('b')]), ring('s', [host('c')])]), ctx);
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([['a', 'patched']]);
    expect(r.halted).toBe(true);
    expect(r.interrupted).toBe(true);
    expect(r.rings.map((x) => [x.ring, x.status])).toEqual([
      ['r', 'interrupted'],
      ['s', 'not-started'],
    ]);
  });

  it('an interrupt between rings: the finished ring completes, the next does not start', async () => {
    const ac = new AbortController();
    const fleet = new FakeFleet((t) => healthy(t));
    const ctx = ctxFor(fleet, { signal: ac.signal });
    ctx.observer = { hostFinished: () => ac.abort() };
    const r = await applyPlan(plan([ring('r', [host('a')]), ring('s', [host('c')])]), ctx);
    expect(r.rings.map((x) => [x.ring, x.status, x.reason])).toEqual([
      ['r', 'completed', undefined],
      ['s', 'not-started', 'interrupted'],
    ]);
    expect(r).toMatchObject({ halted: true, interrupted: true, reason: 'interrupted' });
  });

  it('resume skips hosts already done for this plan digest', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const first = ctxFor(fleet);
    await applyPlan(plan([ring('r', [host('a')])]), first);
    const done = hostsDoneInJournal(first.events, 'sha256:abc');
    expect([...done]).toEqual([['a', 'patched']]);
    expect(hostsDoneInJournal(first.events, 'sha256:other').size).toBe(0);
    const fleet2 = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(plan([ring('r', [host('a'), host('b')])]), ctxFor(fleet2, { done }));
    expect(r.hosts.map((h) => h.host)).toEqual(['b']);
    expect(fleet2.transports.has('a')).toBe(false);
  });
  it('an upgrade already at its target is evidence, not work: no install, still verified', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.listInstalled()), { stdout: installed({ 'fleet-base': '1.1' }) });
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({
      status: 'patched',
      actions: [{ package: 'fleet-base', from: '1.0', to: '1.1' }],
      verification: { ok: true, mismatches: [] },
    });
    expect(fleet.transport('a').calls.some((c) => isInstall({ argv: c.argv }))).toBe(false);
  });

  it('waits for a held package-manager lock and goes on once it is free', async () => {
    let polls = 0;
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.preflight()), { stdout: fx('lab-preflight-lock-held.stdout') }, { times: 3 });
    });
    const r = await applyPlan(
      plan([ring('r', [host('a')])]),
      ctxFor(fleet, {
        lockWaitMs: 60_000,
        lockPollMs: 1000,
        sleep: () => {
          polls++;
          return Promise.resolve();
        },
      }),
    );
    expect(r.hosts[0]?.status).toBe('patched');
    expect(polls).toBe(3);
    const stuck = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.preflight()), { stdout: fx('lab-preflight-lock-held.stdout') });
    });
    const r2 = await applyPlan(
      plan([ring('r', [host('a')])]),
      ctxFor(stuck, { lockWaitMs: 10_000, lockPollMs: 1000 }),
    );
    expect(r2.hosts[0]?.status).toBe('failed');
    expect(r2.hosts[0]?.error).toMatch(/held by process \d+ \(apt-get\).*\(waited 10 s\)/);
  });

  it('takes the remote lock before anything else, and fails the host when another run holds it', async () => {
    const order: string[] = [];
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('r', [host('a'), host('b')])]),
      ctxFor(fleet, {
        concurrency: 1,
        ringLimits: () => ({ maxFailed: 1 }),
        remoteLock: (t) => {
          order.push(`lock ${t.host}`);
          return Promise.resolve(
            t.host === 'b'
              ? { ok: false as const, reason: 'host is locked by another patchctl run: run-x' }
              : {
                  ok: true as const,
                  release: () => {
                    order.push(`release ${t.host}`);
                    return Promise.resolve();
                  },
                },
          );
        },
      }),
    );
    expect(r.hosts.map((h) => [h.host, h.status, h.error])).toEqual([
      ['a', 'patched', undefined],
      ['b', 'failed', 'host is locked by another patchctl run: run-x'],
    ]);
    expect(order).toEqual(['lock a', 'release a', 'lock b']);
    // After the lock: the OS first (a host of another family is refused before apt runs), then pre-flight.
    expect(fleet.transport('a').calls[0]?.argv).toEqual(apt.facts().argv);
    expect(fleet.transport('a').calls[1]?.argv).toEqual(apt.preflight().argv);
    expect(fleet.transport('b').calls).toHaveLength(0);
  });

  it("a ring waits for the previous ring's bake time; another rollout goes on", async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const other: PlanRing = { ...ring('solo', [host('z')]), rollout: 'other' };
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), ring('prod', [host('b')]), other]),
      ctxFor(fleet, { ringLimits: (x) => (x.name === 'canary' ? { bakeTimeMs: 3_600_000 } : {}) }),
    );
    expect(r.rings.map((x) => [x.ring, x.status])).toEqual([
      ['canary', 'completed'],
      ['prod', 'waiting'],
      ['solo', 'completed'],
    ]);
    expect(r.rings[1]?.reason).toBe(
      'waits for ring canary to bake until 2026-11-23T13:00:00.000Z; run apply again then',
    );
    expect(r.halted).toBe(false);
    expect(fleet.transports.has('b')).toBe(false);
  });

  it("honours the plan's gate: a blocked ring and the rest of its rollout do not start", async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const blocked: PlanRing = {
      ...ring('prod', [host('b')]),
      earliestStart: null,
      gate: 'after ring canary completes',
    };
    const later: PlanRing = { ...ring('late', [host('c')]), earliestStart: '2026-11-24T00:00:00Z' };
    const r = await applyPlan(plan([blocked, ring('last', [host('d')])]), ctxFor(fleet));
    expect(r.rings.map((x) => [x.ring, x.status, x.reason])).toEqual([
      ['prod', 'waiting', 'after ring canary completes'],
      ['last', 'not-started', 'ring prod after ring canary completes'],
    ]);
    const r2 = await applyPlan(plan([later]), ctxFor(new FakeFleet((t) => healthy(t))));
    expect(r2.rings[0]?.reason).toBe('cannot start before 2026-11-24T00:00:00Z');
  });

  it('--ring runs only that ring', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), ring('prod', [host('b')])]),
      ctxFor(fleet, { onlyRing: 'prod' }),
    );
    expect(r.hosts.map((h) => h.host)).toEqual(['b']);
  });

  it('records the host state, redacts secrets, reports ring progress', async () => {
    const progress: string[] = [];
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['/bin/check'], { exitCode: 1, stderr: 'token s3cr3t-canary rejected' });
    });
    const ctx = ctxFor(fleet, {
      ringLimits: () => ({ maxFailed: 1, healthCheck: { command: ['/bin/check'] } }),
      recordHost: (h) => Promise.resolve(`state/hosts/${h}.json`),
      redact: (text) => text.replaceAll('s3cr3t-canary', '[redacted]'),
      ringProgress: (x, event, o) => progress.push(`${x.name} ${event} ${o.status}`),
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctx);
    expect(r.hosts[0]).toMatchObject({
      status: 'health-check-failed',
      stateFile: 'state/hosts/a.json',
      error: 'health check /bin/check failed after 1 attempt(s): exit 1: token [redacted] rejected',
    });
    expect(JSON.stringify(ctx.events)).not.toContain('s3cr3t-canary');
    expect(ctx.events.find((e) => e.type === 'host-finished')).toMatchObject({
      stateFile: 'state/hosts/a.json',
    });
    expect(progress).toEqual(['r started completed', 'r finished completed']);
  });

  it('hands what the verification read to recordHost, and nothing when it never read the host', async () => {
    const seen = new Map<string, unknown>();
    const ctx = ctxFor(new FakeFleet((t) => healthy(t)), {
      recordHost: (h, _t, known) => {
        seen.set(h, known);
        return Promise.resolve(`state/hosts/${h}.json`);
      },
    });
    await applyPlan(plan([ring('r', [host('a')])]), ctx);
    const known = seen.get('a') as { inventory: { installed: { name: string }[] }; facts?: unknown };
    expect(known.inventory.installed.length).toBeGreaterThan(0);
    expect(known.facts).toBeDefined();

    const failing = ctxFor(
      new FakeFleet((t) => {
        healthy(t);
        t.on(['/bin/check'], { exitCode: 1 });
      }),
      {
        ringLimits: () => ({ healthCheck: { command: ['/bin/check'] } }),
        recordHost: (h, _t, k) => {
          seen.set(h, k);
          return Promise.resolve(`state/hosts/${h}.json`);
        },
      },
    );
    await applyPlan(plan([ring('r', [host('b')])]), failing);
    // Read right after the install, before the health check: the packages are on the host
    // whatever the check says, and recordHost need not read them again.
    expect((seen.get('b') as { inventory?: unknown } | undefined)?.inventory).toBeDefined();
    const refused = ctxFor(new FakeFleet((t) => healthy(t)), {
      driverFor: () => undefined,
      recordHost: (h, _t, k) => {
        seen.set(h, k);
        return Promise.resolve(`state/hosts/${h}.json`);
      },
    });
    await applyPlan(plan([ring('r', [host('c')])]), refused);
    expect(seen.get('c')).toBeUndefined();
  });

  it('a hard abort stops the command in flight: the host fails with an unknown outcome', async () => {
    const hard = new AbortController();
    const fleet = new FakeFleet((t) => healthy(t, { installDelay: 5_000 }));
    const ctx = ctxFor(fleet, { hardSignal: hard.signal });
    ctx.observer = {
      hostStep: (_h, s) => {
        if (s === 'install') setTimeout(() => hard.abort(), 10);
      },
    };
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctx);
    expect(r.hosts[0]?.status).toBe('failed');
    expect(r.hosts[0]?.error).toMatch(/aborted .*outcome of the command in flight is unknown/);
  });

  it('many hosts in flight on one abort signal are not reported as a listener leak', async () => {
    // Node warns on stderr ("MaxListenersExceededWarning") past 10 listeners unless told otherwise.
    // jest's sandbox neither delivers that warning nor lets events.getMaxListeners read its
    // AbortSignals, so the limit is read where Node keeps it.
    const getMaxListeners = (signal: AbortSignal): unknown => {
      const key = Object.getOwnPropertySymbols(signal).find(
        (k) => k.description === 'events.maxEventTargetListeners',
      );
      return key === undefined ? undefined : (signal as unknown as Record<symbol, unknown>)[key];
    };
    const hard = new AbortController();
    const graceful = new AbortController();
    expect(getMaxListeners(hard.signal)).toBe(10);
    const fleet = new FakeFleet((t) => healthy(t, { installDelay: 20 }));
    const hosts = Array.from({ length: 30 }, (_, i) => host(`h${i}`));
    const ctx = ctxFor(fleet, { hardSignal: hard.signal, signal: graceful.signal, concurrency: 30 });
    const r = await applyPlan(plan([ring('r', hosts)]), ctx);
    expect(r.hosts.filter((h) => h.status === 'patched')).toHaveLength(30);
    expect(getMaxListeners(hard.signal)).toBe(0);
    expect(getMaxListeners(graceful.signal)).toBe(0);
  });

  it('a resumed ring counts the failures of the earlier run against its budget', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('r', [host('a'), host('b')]), ring('s', [host('c')])]),
      ctxFor(fleet, { done: new Map([['a', 'failed' as const]]) }),
    );
    expect(r.rings.map((x) => x.status)).toEqual(['halted', 'not-started']);
    expect(r.hosts).toHaveLength(0);
  });
  it('a ring an earlier run completed is not run or recorded again; its bake counts from then', async () => {
    const progress: string[] = [];
    const fleet = new FakeFleet((t) => healthy(t));
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), ring('prod', [host('b')])]),
      ctxFor(fleet, {
        done: new Map([['a', 'patched' as const]]),
        ringsDone: new Map([['r/canary', '2026-11-23T11:00:00.000Z']]),
        ringLimits: (x) => (x.name === 'canary' ? { bakeTimeMs: 3_600_000 } : {}),
        ringProgress: (x, event) => progress.push(`${x.name} ${event}`),
      }),
    );
    // Completed at 11:00 with a 1 h bake: at 12:00 the next ring may start.
    expect(r.rings.map((x) => [x.ring, x.status])).toEqual([
      ['canary', 'completed'],
      ['prod', 'completed'],
    ]);
    expect(progress).toEqual(['prod started', 'prod finished']);
    const later = await applyPlan(
      plan([ring('canary', [host('a')]), ring('prod', [host('b')])]),
      ctxFor(new FakeFleet((t) => healthy(t)), {
        done: new Map([['a', 'patched' as const]]),
        ringsDone: new Map([['r/canary', '2026-11-23T11:30:00.000Z']]),
        ringLimits: (x) => (x.name === 'canary' ? { bakeTimeMs: 3_600_000 } : {}),
      }),
    );
    expect(later.rings[1]?.reason).toBe(
      'waits for ring canary to bake until 2026-11-23T12:30:00.000Z; run apply again then',
    );
  });
});

describe("each host's own driver (issue 14)", () => {
  const byId = new Map<string | undefined, PackageDriver>([
    ['apt', apt],
    [FAKE_DRIVER_ID as string, fakeDriver],
  ]);
  const kernelUpgrade = (name: string): PlanHost =>
    host(name, {
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
      ],
    });

  it('an install that did not take fails verification before any reboot', async () => {
    const fleet = new FakeFleet((t) => {
      scriptFakeHost(t, { 'fake-kernel': '1.0' });
      // The package manager says it worked, and changed nothing.
      t.on(['fake-pm', 'install'], {});
    });
    // The plan asks for the reboot: only a failed verification can stop it.
    const h = kernelUpgrade('b');
    h.actions.push({ type: 'reboot', reason: 'kernel' });
    const r = await applyPlan(plan([ring('r', [h])]), ctxFor(fleet, { driverFor: () => fakeDriver }));
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual([
      'failed',
      'verification: fake-kernel is 1.0, expected 1.1',
    ]);
    expect(fleet.transport('b').callsTo('fake-reboot')).toEqual([]);
  });

  it('verifies a kernel installed beside the old one (rpm installonly), and a second run finds it done', async () => {
    const fake: Record<string, ScriptedFakeHost> = {};
    const fleet = new FakeFleet((t) => {
      fake[t.host] = scriptFakeHost(t, { 'fake-kernel': '1.0' });
    });
    const ctx = ctxFor(fleet, { driverFor: () => fakeDriver });
    const first = await applyPlan(plan([ring('r', [kernelUpgrade('b')])]), ctx);
    expect([first.hosts[0]?.status, first.hosts[0]?.error]).toEqual(['patched', undefined]);
    expect(fake.b?.kept).toEqual([{ name: 'fake-kernel', version: '1.0' }]);
    expect(first.hosts[0]?.verification).toEqual({ ok: true, mismatches: [] });
    // Resumed or run again: both kernels are there, the upgrade is evidence, not drift or work.
    const again = await applyPlan(plan([ring('r', [kernelUpgrade('b')])]), ctx);
    expect([again.hosts[0]?.status, again.hosts[0]?.error]).toEqual(['patched', undefined]);
    expect(fleet.transport('b').callsTo('fake-pm', 'install')).toHaveLength(1);
  });

  it('runs a host through a driver that is not apt, its lock and its reboot, beside an apt host in the same ring', async () => {
    const fake: Record<string, ScriptedFakeHost> = {};
    const fleet = new FakeFleet((t) => {
      if (t.host === 'b') fake.b = scriptFakeHost(t, { 'fake-kernel': '1.0' });
      else {
        healthy(t);
        t.on(['sh', '-c', /flock/, 'patchctl-lock'], { stdout: 'locked\n' });
      }
    });
    const r = await applyPlan(
      plan([ring('r', [host('a', { packageManager: 'apt' }), kernelUpgrade('b')])]),
      ctxFor(fleet, {
        driverFor: (h) => byId.get(h.packageManager),
        remoteLock: (t, steps) => acquireRemoteLock(t, 'run-1 owner', { runId: 'run-1', steps }),
      }),
    );
    expect(r.hosts.map((h) => [h.host, h.status, h.error])).toEqual([
      ['a', 'patched', undefined],
      ['b', 'patched', undefined],
    ]);
    const b = r.hosts.find((h) => h.host === 'b');
    expect(b?.rebooted).toEqual({
      bootIdBefore: '00000000-0000-4000-8000-000000000000',
      bootIdAfter: fake.b?.bootId,
    });
    expect(fake.b?.installed.get('fake-kernel')).toBe('1.1');
    // The fake host saw only its driver's commands: its lock, its package manager, its reboot.
    const sent = fleet.transport('b').calls.map((c) => c.argv[0]);
    expect(new Set(sent)).toEqual(new Set(['fake-lock', 'fake-pm', 'fake-reboot']));
    expect(fleet.transport('b').calls[0]?.argv.slice(0, 2)).toEqual(['fake-lock', 'take']);
    expect(fleet.transport('b').callsTo('fake-reboot')[0]?.sudo).toBe(true);
    // And the apt host none of the fake driver's.
    expect(fleet.transport('a').calls.some((c) => c.argv[0]?.startsWith('fake-'))).toBe(false);
  });

  it('a host whose driver does not serve its OS is refused, whichever driver it is', async () => {
    // The fake driver's host claims to be Debian: apt's, not the fake driver's.
    const fleet = new FakeFleet((t) => {
      scriptFakeHost(t, { 'fake-kernel': '1.0' });
      t.on(['fake-pm', 'facts'], {
        stdout: `${JSON.stringify({ os: { family: 'debian', id: 'debian', version: '12', idLike: [] }, kernel: 'k', bootId: 'b', rebootRequired: false })}\n`,
      });
    });
    const r = await applyPlan(
      plan([ring('r', [kernelUpgrade('b')])]),
      ctxFor(fleet, { driverFor: () => fakeDriver }),
    );
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual([
      'unsupported',
      expect.stringMatching(
        /^the host runs debian 12 \(debian family\), which the fake driver does not serve; the apt driver serves it/,
      ),
    ]);
    expect(
      fleet
        .transport('b')
        .callsTo('fake-pm')
        .map((c) => c.argv[1]),
    ).toEqual(['facts', 'preflight', 'installed']);
    const none = await applyPlan(
      plan([ring('r', [kernelUpgrade('b')])]),
      ctxFor(new FakeFleet(() => undefined), { driverFor: () => undefined }),
    );
    expect([none.hosts[0]?.status, none.hosts[0]?.error]).toEqual([
      'unsupported',
      'package manager fake is not supported by this version: nothing was done on the host',
    ]);
  });
});

describe("the driver's free-space needs for what it installs (apt: /boot for a kernel)", () => {
  // The lab's clean pre-flight, with /boot on a small filesystem of its own (64 MiB free).
  const smallBoot = fx('lab-preflight-clean.stdout').replace(
    /(path \/boot\n[^\n]*\n)[^\n]*\n/,
    '$1/dev/vda1           507904   442368     65536      88% /boot\n',
  );
  const kernelHost = (from: string): PlanHost =>
    host('k', {
      actions: [
        {
          type: 'upgrade',
          package: 'linux-image-amd64',
          from,
          to: '6.1.2-1',
          classification: 'security',
          severity: null,
          advisories: [],
          policy: 'p',
        },
      ],
    });
  const fleetWith = (version: string) =>
    new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.preflight()), { stdout: smallBoot });
      t.on(same(apt.listInstalled()), { stdout: installed({ 'linux-image-amd64': version }) });
    });

  it('refuses a kernel install when /boot has less than 128 MiB free, before any hook or install', async () => {
    const fleet = fleetWith('6.1.1-1');
    const r = await applyPlan(plan([ring('r', [kernelHost('6.1.1-1')])]), ctxFor(fleet));
    expect([r.hosts[0]?.status, r.hosts[0]?.error]).toEqual([
      'failed',
      'pre-flight: /boot has 65536 KiB free, 131072 KiB needed',
    ]);
    expect(fleet.transport('k').calls.filter(isInstall)).toEqual([]);
  });

  it('does not ask it of a kernel already in place (a resumed run), nor of other packages', async () => {
    const done = await applyPlan(plan([ring('r', [kernelHost('6.1.1-1')])]), ctxFor(fleetWith('6.1.2-1')));
    expect(done.hosts[0]?.status).toBe('patched');
    const other = new FakeFleet((t) => {
      healthy(t);
      t.on(same(apt.preflight()), { stdout: smallBoot });
    });
    const r = await applyPlan(plan([ring('r', [host('a')])]), ctxFor(other));
    expect(r.hosts[0]?.status).toBe('patched');
  });
});

describe('drift check and verification by name and architecture', () => {
  /** dpkg-query lines for [name, arch, version] rows. */
  const rows = (pkgs: readonly (readonly [string, string, string])[]): string =>
    pkgs.map(([n, a, v]) => `${n}\t${a}\t${v}\tinstall ok installed\t${n}\t${v}\n`).join('');
  const multi = (extra: Partial<UpgradeAction> = {}): PlanHost =>
    host('m', {
      actions: [
        {
          type: 'upgrade',
          package: 'fleet-multi',
          from: '1.0',
          to: '1.1',
          arch: 'i386',
          classification: 'security',
          severity: null,
          advisories: [],
          policy: 'p',
          ...extra,
        },
      ],
    });
  /** A host with fleet-multi for amd64 and i386; `install` says what the install changes. */
  function multiArchHost(
    t: FakeTransport,
    before: readonly (readonly [string, string, string])[],
    install: (pkgs: (readonly [string, string, string])[]) => (readonly [string, string, string])[],
  ): void {
    let now = [...before];
    t.on(same(apt.preflight()), { stdout: fx('lab-preflight-clean.stdout') });
    t.on(same(apt.facts()), { stdout: facts('692d43d6-a1f8-4a26-b872-9093ba7e3726') });
    t.on(same(apt.listInstalled()), () => ({ stdout: rows(now) }));
    t.on(isInstall, () => {
      now = install(now);
      return { stdout: fx('lab-install-ok.stdout') };
    });
  }
  const installs = (t: FakeTransport): string[][] =>
    t.calls.filter((c) => isInstall({ argv: c.argv })).map((c) => c.argv.slice(c.argv.indexOf('--') + 1));

  it('fleet-multi:i386 1.0 → 1.1 is not done because fleet-multi:amd64 is at 1.1: an install that changes nothing fails verification, every time', async () => {
    const before = [
      ['fleet-multi', 'amd64', '1.1'],
      ['fleet-multi', 'i386', '1.0'],
    ] as const;
    for (let run = 1; run <= 2; run++) {
      const fleet = new FakeFleet((t) => multiArchHost(t, before, (pkgs) => pkgs));
      const r = await applyPlan(plan([ring('r', [multi()])]), ctxFor(fleet));
      expect(r.hosts[0]).toMatchObject({
        status: 'failed',
        error: 'verification: fleet-multi:i386 is 1.0, expected 1.1',
        verification: { ok: false, mismatches: ['fleet-multi:i386 is 1.0, expected 1.1'] },
      });
      expect(installs(fleet.transport('m'))).toEqual([['fleet-multi:i386=1.1']]);
    }
  });

  it('installs and verifies the i386 package itself', async () => {
    const fleet = new FakeFleet((t) =>
      multiArchHost(
        t,
        [
          ['fleet-multi', 'amd64', '1.1'],
          ['fleet-multi', 'i386', '1.0'],
        ],
        (pkgs) => pkgs.map(([n, a, v]) => [n, a, a === 'i386' ? '1.1' : v] as const),
      ),
    );
    const r = await applyPlan(plan([ring('r', [multi()])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({ status: 'patched', verification: { ok: true, mismatches: [] } });
    expect(installs(fleet.transport('m'))).toEqual([['fleet-multi:i386=1.1']]);
  });

  it('drift names the architecture; the other architecture at the target does not hide it', async () => {
    const fleet = new FakeFleet((t) =>
      multiArchHost(
        t,
        [
          ['fleet-multi', 'amd64', '1.1'],
          ['fleet-multi', 'i386', '0.9'],
        ],
        (pkgs) => pkgs,
      ),
    );
    const r = await applyPlan(plan([ring('r', [multi()])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({
      status: 'drifted',
      error: 'fleet-multi:i386 is 0.9, the plan expected 1.0',
    });
    const gone = new FakeFleet((t) => multiArchHost(t, [['fleet-multi', 'amd64', '1.0']], (p) => p));
    const r2 = await applyPlan(plan([ring('r', [multi()])]), ctxFor(gone));
    expect(r2.hosts[0]).toMatchObject({
      status: 'drifted',
      error: 'fleet-multi:i386 is absent, the plan expected 1.0',
    });
    expect(installs(gone.transport('m'))).toEqual([]);
  });

  it('an upgrade without an architecture while several are installed is drifted: nothing is installed', async () => {
    const fleet = new FakeFleet((t) =>
      multiArchHost(
        t,
        [
          ['fleet-multi', 'amd64', '1.0'],
          ['fleet-multi', 'i386', '1.0'],
        ],
        (pkgs) => pkgs.map(([n, a]) => [n, a, '1.1'] as const),
      ),
    );
    const r = await applyPlan(plan([ring('r', [multi({ arch: undefined })])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({
      status: 'drifted',
      error:
        'fleet-multi is installed for several architectures (amd64 1.0, i386 1.0) and the plan names none, the plan expected 1.0',
    });
    expect(installs(fleet.transport('m'))).toEqual([]);
  });

  it("compares versions in the ecosystem's order: epoch 0 is no epoch", async () => {
    const fleet = new FakeFleet((t) =>
      multiArchHost(t, [['fleet-multi', 'i386', '0:1.0']], (pkgs) =>
        pkgs.map(([n, a]) => [n, a, '0:1.1'] as const),
      ),
    );
    const r = await applyPlan(plan([ring('r', [multi()])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({ status: 'patched', verification: { ok: true } });
    expect(installs(fleet.transport('m'))).toEqual([['fleet-multi:i386=1.1']]);
    const already = new FakeFleet((t) => multiArchHost(t, [['fleet-multi', 'i386', '0:1.1']], (p) => p));
    const r2 = await applyPlan(plan([ring('r', [multi()])]), ctxFor(already));
    expect(r2.hosts[0]).toMatchObject({ status: 'patched' });
    expect(installs(already.transport('m'))).toEqual([]);
    // 1:1.0 is not 1.0.
    const epoch = new FakeFleet((t) => multiArchHost(t, [['fleet-multi', 'i386', '1:1.0']], (p) => p));
    const r3 = await applyPlan(plan([ring('r', [multi()])]), ctxFor(epoch));
    expect(r3.hosts[0]).toMatchObject({ status: 'drifted' });
  });

  it('all and the native architecture stand for each other when the package changes between them', async () => {
    // lab-facts: dpkg --print-architecture is amd64.
    const fleet = new FakeFleet((t) =>
      multiArchHost(t, [['fleet-multi', 'amd64', '1.0']], () => [['fleet-multi', 'all', '1.1']]),
    );
    const r = await applyPlan(plan([ring('r', [multi({ arch: 'all' })])]), ctxFor(fleet));
    expect(r.hosts[0]).toMatchObject({ status: 'patched', verification: { ok: true } });
    expect(installs(fleet.transport('m'))).toEqual([['fleet-multi=1.1']]);
    // A foreign architecture never stands for all.
    const foreign = new FakeFleet((t) => multiArchHost(t, [['fleet-multi', 'i386', '1.0']], (p) => p));
    const r2 = await applyPlan(plan([ring('r', [multi({ arch: 'all' })])]), ctxFor(foreign));
    expect(r2.hosts[0]).toMatchObject({
      status: 'drifted',
      error: 'fleet-multi is absent, the plan expected 1.0',
    });
  });
});

describe('the remote lock across a reboot', () => {
  /**
   * One simulated host that several controllers connect to; `reboot` ends every connection made
   * before it and takes the host down until up() boots it (new boot id, fresh /run).
   */
  class SimLink {
    down = false;
    private generation = 0;
    readonly log: string[] = [];
    constructor(readonly sim: SimAptHost) {}

    connect(who: string): Transport {
      const gen = this.generation;
      const alive = (): boolean => !this.down && this.generation === gen;
      const answer = (cmd: RemoteCommand): SimReply => {
        if (!alive()) throw new TransportError('unreachable', this.sim.hostname, 'connection lost');
        const mode = cmd.argv[3] === 'patchctl-lock' ? `lock ${cmd.argv[4] ?? ''}` : (cmd.argv[0] ?? '');
        this.log.push(`${who}: ${same(apt.facts())(cmd) ? 'facts' : mode}`);
        const r = this.sim.respond(commandLine(cmd));
        if (r.effects.some((e) => e.kind === 'reboot')) {
          this.down = true;
          this.generation++;
        }
        return r;
      };
      const result = (r: SimReply): CommandResult => ({
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: 0,
      });
      return {
        id: 'fake',
        host: this.sim.hostname,
        run: (cmd) => Promise.resolve().then(() => result(answer(cmd))),
        hold: (cmd, { ready }) =>
          Promise.resolve().then((): HoldOutcome => {
            const r = answer(cmd);
            const hold = r.effects.find((e) => e.kind === 'hold');
            if (hold?.kind !== 'hold' || !r.stdout.split('\n').includes(ready))
              return { held: false, result: result(r) };
            return {
              held: true,
              release: () => {
                // A channel the reboot ended holds nothing any more.
                if (alive()) hold.release();
                return Promise.resolve();
              },
            };
          }),
        close: () => Promise.resolve(),
      };
    }

    /** The host is back. */
    up(): void {
      if (!this.down) return;
      this.sim.boot();
      this.down = false;
    }
  }

  const upgrade = (name: string): PlanHost =>
    host('lab-01', {
      actions: [
        {
          type: 'upgrade',
          package: name,
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'security',
          severity: null,
          advisories: [],
          policy: 'p',
        },
      ],
    });
  const controller = (link: SimLink, runId: string, over: Partial<ApplyContext> = {}) => {
    const owner = `patchctl apply run ${runId} by ops@ctl-${runId} (pid 1)`;
    return ctxFor(new FakeFleet(), {
      runId,
      connect: () => link.connect(runId),
      remoteLock: (t) => acquireRemoteLock(t, owner, { runId }),
      ...over,
    });
  };

  it('fails the lock step of a host whose transport cannot hold the lock: nothing runs after it', async () => {
    const fleet = new FakeFleet();
    const ran: string[] = [];
    const oneShot: Transport = {
      id: 'fake',
      host: 'lab-01',
      run: (cmd) => {
        ran.push(cmd.argv[0] ?? '');
        return Promise.resolve({ exitCode: 0, stdout: '', stderr: '', durationMs: 1 });
      },
      close: () => Promise.resolve(),
    };
    const ctx = ctxFor(fleet, {
      connect: () => oneShot,
      remoteLock: (t) => acquireRemoteLock(t, 'patchctl apply run run-1', { runId: 'run-1' }),
    });
    const r = await applyPlan(plan([ring('r', [upgrade('fleet-tools')])]), ctx);
    expect(r.hosts[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('this transport cannot hold the remote lock'),
    });
    expect(ran).toEqual([]);
  });

  it('a second controller is refused while the first reboots the host; the first takes it again before anything else; then the host is free', async () => {
    const sim = new SimAptHost({ hostname: 'lab-01', seed: 3 });
    const link = new SimLink(sim);
    const bootBefore = sim.bootId;
    let second: Awaited<ReturnType<typeof applyPlan>> | undefined;
    let secondCtx: ReturnType<typeof controller> | undefined;
    const first = controller(link, 'run-A', {
      sleep: async () => {
        if (!link.down) return;
        // The host is back: before run A polls it, run B (another controller) tries to take it.
        link.up();
        secondCtx = controller(link, 'run-B');
        second = await applyPlan(plan([ring('r', [upgrade('fleet-tools')])]), secondCtx);
      },
    });
    const r = await applyPlan(plan([ring('r', [upgrade('fleet-kernel')])]), first);

    expect(second?.hosts[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /^host is reserved by another patchctl run across its reboot for (9[0-2]\d|930) s more: patchctl apply run run-A by ops@ctl-run-A \(pid 1\)$/,
      ),
    });
    expect(secondCtx?.events.some((e) => e.type === 'host-finished' && e.rebooted !== undefined)).toBe(false);
    expect(link.log.filter((l) => l.startsWith('run-B'))).toEqual(['run-B: lock take']);

    expect(r.hosts[0]).toMatchObject({ status: 'patched', rebooted: { bootIdBefore: bootBefore } });
    expect(r.hosts[0]?.rebooted?.bootIdAfter).toBe(sim.bootId);
    const a = link.log.filter((l) => l.startsWith('run-A')).map((l) => l.slice('run-A: '.length));
    const rebootAt = a.indexOf('reboot');
    expect(a.slice(rebootAt - 1, rebootAt + 3)).toEqual(['lock reserve', 'reboot', 'lock take', 'facts']);
    expect(a[0]).toBe('lock take');
    expect(sim.installed.get('fleet-kernel')?.version).toBe('1.1');
    expect(sim.installed.get('fleet-tools')?.version).toBe('1.0');

    // After the run: no reservation, no holder; another run takes the host at once.
    expect(sim.reservation).toBeUndefined();
    expect(sim.remoteLockOwner).toBeUndefined();
    const later = await acquireRemoteLock(link.connect('run-C'), 'run C', { runId: 'run-C' });
    expect(later.ok).toBe(true);
  });

  it('reserves for the reboot deadline plus a margin, and fails the host without rebooting when it cannot', async () => {
    const sim = new SimAptHost({ hostname: 'lab-01', seed: 3 });
    const link = new SimLink(sim);
    const ctx = controller(link, 'run-A', {
      rebootTimeoutMs: 60_000,
      sleep: () => Promise.resolve(link.up()),
    });
    await applyPlan(plan([ring('r', [upgrade('fleet-kernel')])]), ctx);
    const reserve = sim.commands.find((c) => c.includes("'reserve'"));
    expect(reserve).toMatch(/'390'$/); // 30 s for `reboot`, the 60 s deadline, 300 s margin

    const refused = new SimAptHost({ hostname: 'lab-01', seed: 3 });
    const link2 = new SimLink(refused);
    const original = refused.respond.bind(refused);
    refused.respond = (line, stdin) =>
      line.includes("'reserve'")
        ? {
            exitCode: 71,
            stdout: '',
            stderr: 'patchctl-lock: cannot write /var/lib/patchctl/lock.reserved\n',
            effects: [],
          }
        : original(line, stdin);
    const r = await applyPlan(plan([ring('r', [upgrade('fleet-kernel')])]), controller(link2, 'run-A'));
    expect(r.hosts[0]).toMatchObject({
      status: 'failed',
      error:
        'cannot keep the host locked across its reboot: cannot lock the host: the lock command failed (exit 71): patchctl-lock: cannot write /var/lib/patchctl/lock.reserved',
    });
    expect(refused.bootCount).toBe(0);
    expect(link2.log).not.toContain('run-A: reboot');
    expect(refused.remoteLockOwner).toBeUndefined();
  });
});

describe('local write failures during apply', () => {
  const enospc = (file: string): LocalIoError =>
    new LocalIoError(`cannot write ${file}: no space left on the device (ENOSPC)`, 'ENOSPC', file);

  it('a journal write that fails is not the host in flight: it finishes as what it is, no new host starts, the run ends with the error naming the file', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const finished: [string, string, string | undefined][] = [];
    const started: string[] = [];
    const ctx = ctxFor(fleet, {
      concurrency: 1,
      observer: {
        hostStarted: (h) => started.push(h),
        hostFinished: (r) => finished.push([r.host, r.status, r.error]),
      },
    });
    const journal = ctx.journal;
    ctx.journal = (e) => {
      if (e.type === 'host-step' && e.step === 'install') throw enospc('/repo/state/runs/run-1.jsonl');
      journal(e);
    };
    const run = applyPlan(plan([ring('r', [host('a'), host('b')]), ring('s', [host('c')])]), ctx);
    await expect(run).rejects.toBeInstanceOf(LocalIoError);
    await expect(run).rejects.toMatchObject({
      path: '/repo/state/runs/run-1.jsonl',
      errno: 'ENOSPC',
      message:
        'cannot write /repo/state/runs/run-1.jsonl: no space left on the device (ENOSPC)\napply stopped: no host started after it; the 1 host(s) in flight then finished; run apply again once it is fixed',
    });
    expect(started).toEqual(['a']);
    expect(finished).toEqual([['a', 'patched', undefined]]);
    expect(fleet.transports.has('b')).toBe(false);
    expect(
      ctx.events.filter((e) => e.type === 'ring-finished').map((e) => [e.ring, e.status, e.reason]),
    ).toEqual([
      [
        'r',
        'halted',
        'stopped: cannot write /repo/state/runs/run-1.jsonl: no space left on the device (ENOSPC)',
      ],
      [
        's',
        'not-started',
        'stopped: cannot write /repo/state/runs/run-1.jsonl: no space left on the device (ENOSPC)',
      ],
    ]);
    expect(ctx.events.at(-1)).toMatchObject({ type: 'run-finished', halted: true });
  });

  it("a host's state that cannot be written keeps the host's status, says why, and stops the run", async () => {
    const fleet = new FakeFleet((t) => healthy(t, { installDelay: t.host === 'b' ? 20 : 0 }));
    const ctx = ctxFor(fleet, {
      concurrency: 2,
      recordHost: (h) =>
        h === 'a'
          ? Promise.reject(enospc(`/repo/state/hosts/${h}.json`))
          : Promise.resolve(`state/hosts/${h}.json`),
    });
    await expect(applyPlan(plan([ring('r', [host('a'), host('b'), host('c')])]), ctx)).rejects.toMatchObject({
      message: expect.stringMatching(
        /^cannot write \/repo\/state\/hosts\/a\.json: no space left on the device \(ENOSPC\)\napply stopped: no host started after it; the 2 host\(s\) in flight then finished/,
      ),
    });
    const done = ctx.events.filter((e) => e.type === 'host-finished');
    expect(done).toEqual([
      expect.objectContaining({
        host: 'a',
        status: 'patched',
        stateNotRecorded: 'cannot write /repo/state/hosts/a.json: no space left on the device (ENOSPC)',
      }),
      expect.objectContaining({ host: 'b', status: 'patched', stateFile: 'state/hosts/b.json' }),
    ]);
    expect(done[0]).not.toHaveProperty('stateFile');
    expect(done[0]).not.toHaveProperty('error');
    expect(fleet.transports.has('c')).toBe(false);
  });

  it('a raw file-system error from ring progress is a local failure too', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const ctx = ctxFor(fleet, {
      ringProgress: () => {
        throw Object.assign(new Error('EROFS: read-only file system, open'), {
          code: 'EROFS',
          syscall: 'open',
          path: '/repo/state/rollouts/r.json',
        });
      },
    });
    await expect(applyPlan(plan([ring('r', [host('a')])]), ctx)).rejects.toMatchObject({
      message: expect.stringMatching(
        /^cannot write \/repo\/state\/rollouts\/r\.json: the file system is read-only \(EROFS\)\napply stopped/,
      ),
    });
    expect(fleet.transports.has('a')).toBe(false);
  });

  it('state that cannot be recorded for another reason (invalid host data, host gone) is said, and the run goes on', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const ctx = ctxFor(fleet, {
      concurrency: 1,
      redact: (text) => text.replaceAll('s3cret', '[redacted]'),
      recordHost: (h) =>
        h === 'a'
          ? Promise.reject(new Error('a: invalid host data: os.version must not be empty (token s3cret)'))
          : Promise.resolve(`state/hosts/${h}.json`),
    });
    const r = await applyPlan(plan([ring('r', [host('a'), host('b')])]), ctx);
    expect(r.hosts.map((h) => [h.host, h.status, h.stateNotRecorded, h.stateFile])).toEqual([
      ['a', 'patched', 'a: invalid host data: os.version must not be empty (token [redacted])', undefined],
      ['b', 'patched', undefined, 'state/hosts/b.json'],
    ]);
    expect(r.halted).toBe(false);
  });
});

describe('ring order in apply (issue 13)', () => {
  const gated = (name: string, hosts: PlanHost[], waitsFor: string[]): PlanRing => ({
    ...ring(name, hosts),
    waitsFor,
  });

  it('--ring rest does not start a ring whose earlier ring has work in the plan (a fresh fleet, no bake time)', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const progress: string[] = [];
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), gated('rest', [host('b')], ['canary'])]),
      ctxFor(fleet, {
        onlyRing: 'rest',
        ringProgress: (x, e, o) => progress.push(`${x.name} ${e} ${o.status}`),
      }),
    );
    expect(r.hosts).toEqual([]);
    expect(r.rings.map((x) => [x.ring, x.status])).toEqual([['rest', 'waiting']]);
    expect(r.rings[0]?.reason).toMatch(
      /^waits for ring canary: it has work in the plan and did not complete in this run/,
    );
    expect(progress).toEqual([]);
    // The whole plan runs the canary first, then rest in the same run.
    const whole = await applyPlan(
      plan([ring('canary', [host('a')]), gated('rest', [host('b')], ['canary'])]),
      ctxFor(new FakeFleet((t) => healthy(t))),
    );
    expect(whole.hosts.map((h) => [h.host, h.status])).toEqual([
      ['a', 'patched'],
      ['b', 'patched'],
    ]);
  });

  it('a plan of some hosts (the ring partly in it) does not record the ring completed, and the next ring waits', async () => {
    const progress: string[] = [];
    const r = await applyPlan(
      plan([{ ...ring('canary', [host('a')]), omitted: 1 }, gated('rest', [host('b')], ['canary'])]),
      ctxFor(new FakeFleet((t) => healthy(t)), {
        ringProgress: (x, e, o) => progress.push(`${x.name} ${e} ${o.status}`),
      }),
    );
    expect(r.hosts.map((h) => h.host)).toEqual(['a']);
    expect(r.rings.map((x) => [x.ring, x.status, x.reason])).toEqual([
      ['canary', 'waiting', '1 host(s) of the ring with work are not in this plan: the ring is not complete'],
      ['rest', 'not-started', 'ring canary is not complete'],
    ]);
    expect(progress).toEqual(['canary started completed', 'canary finished waiting']);
  });

  it('--ignore-ring-order lifts the gates (an emergency): the ring starts', async () => {
    const r = await applyPlan(
      plan([ring('canary', [host('a')]), { ...gated('rest', [host('b')], ['canary']), earliestStart: null }]),
      ctxFor(new FakeFleet((t) => healthy(t)), {
        onlyRing: 'rest',
        ignoreRingOrder: 'CVE-2026-1 in the wild',
      }),
    );
    expect(r.hosts.map((h) => [h.host, h.status])).toEqual([['b', 'patched']]);
  });

  it('records a ring with no work left completed, then runs the ring after it', async () => {
    const progress: string[] = [];
    const ctx = ctxFor(new FakeFleet((t) => healthy(t)), {
      ringProgress: (x, e, o) => progress.push(`${x.name} ${e} ${o.status}`),
    });
    const r = await applyPlan(
      plan([
        {
          ...ring('canary', [{ ...host('a'), actions: [] }]),
          earliestStart: null,
          completesWithoutWork: true,
        },
        gated('rest', [host('b')], ['canary']),
      ]),
      ctx,
    );
    expect(r.rings.map((x) => [x.ring, x.status])).toEqual([
      ['canary', 'completed'],
      ['rest', 'completed'],
    ]);
    expect(progress).toEqual([
      'canary finished completed',
      'rest started completed',
      'rest finished completed',
    ]);
    expect(ctx.events.filter((e) => e.type === 'ring-finished')[0]).toMatchObject({
      ring: 'canary',
      status: 'completed',
      reason: 'no work left: recorded completed',
    });
  });

  it('names the hosts that failed in the ring outcome', async () => {
    const fleet = new FakeFleet((t) => {
      healthy(t);
      t.on(['/bin/check'], { exitCode: 1, stderr: 'down' });
    });
    const r = await applyPlan(
      plan([ring('canary', [host('a')])]),
      ctxFor(fleet, { ringLimits: () => ({ healthCheck: { command: ['/bin/check'] } }) }),
    );
    expect(r.rings[0]).toMatchObject({ status: 'halted', failedHosts: ['a'] });
  });
});
