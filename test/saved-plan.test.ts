// Issue 12 on the simulated fleet, end to end through the CLI (scan → plan → apply, in process):
// a saved plan is re-derived, never trusted; an unreachable canary holds the next ring; a reboot
// that never came stays planned until it happens; a host whose key changed fails the run.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { main } from '../src/cli/main.js';
import type { Plan, PlanHost } from '../src/core/plan/types.js';
import type { SimFleet, SimFleetOptions } from '../src/sim/fleet.js';
import { startSimFleet } from '../src/sim/fleet.js';
import { captureIo } from '../src/test-support/capture-io.js';

let fleet: SimFleet | undefined;
let dir = '';

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (dir !== '') rmSync(path.dirname(dir), { recursive: true, force: true });
  dir = '';
});

async function start(options: Partial<SimFleetOptions> = {}): Promise<SimFleet> {
  fleet = await startSimFleet({ hosts: 3, seed: 12, rebootDelayMs: 20, rebootDowntimeMs: 50, ...options });
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-saved-plan-')), 'repo');
  fleet.writeRepository(dir);
  return fleet;
}

async function patchctl(...args: string[]) {
  const io = captureIo({ cwd: dir, now: () => DateTime.now().toUTC() });
  const code = await main(args, io);
  return { code, ...io.text() };
}

function readPlan(file = 'plan.json'): Plan {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Plan;
}

function hostOf(plan: Plan, name: string): PlanHost {
  const h = plan.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

/** Every host's package versions, and how many connections each accepted. */
function fleetNow(f: SimFleet) {
  return f.hosts.map((h) => ({ host: h.name, versions: h.state.versions(), connections: h.connections() }));
}

describe('a saved plan is re-derived, never trusted', () => {
  it('refuses an upgrade of a package the policy excludes, added to plan.json, and connects to no host', async () => {
    const f = await start();
    expect((await patchctl('scan')).code).toBe(0);
    expect((await patchctl('plan', '--out', 'plan.json')).code).toBe(0);
    const plan = readPlan();
    const h = hostOf(plan, 'lab-02');
    const broken = h.skipped.find((s) => s.package === 'fleet-broken');
    expect(broken?.reason).toBe('excluded');
    const upgrade = h.actions.find((a) => a.type === 'upgrade');
    if (!broken || upgrade?.type !== 'upgrade')
      throw new Error('lab-02 should skip fleet-broken and upgrade something');
    h.skipped = h.skipped.filter((s) => s !== broken);
    h.actions.unshift({ ...upgrade, package: 'fleet-broken', from: '1.0', to: broken.to });
    plan.summary.updates++;
    plan.summary.skipped--;
    writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(plan, null, 2));

    const before = fleetNow(f);
    const r = await patchctl('apply', 'tampered.json');
    expect(r.code).toBe(1);
    const arch = upgrade.arch === undefined ? '' : `:${upgrade.arch}`;
    expect(r.stderr).toContain(
      `tampered.json: ring lab/rest host lab-02: action upgrade fleet-broken${arch} 1.0 → ${broken.to} (policy ${upgrade.policy}) is not what the repository decides`,
    );
    expect(fleetNow(f)).toEqual(before);
    expect(existsSync(path.join(dir, 'state', 'runs'))).toBe(false);

    // The plan as saved applies, and what ran is the repository's plan.
    const ok = await patchctl('apply', 'plan.json');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    for (const host of f.hosts) expect(host.state.versions()['fleet-broken']).toBe('1.0');
    expect(f.hosts.every((host) => host.state.versions()['fleet-crypto'] === '1.1')).toBe(true);
  }, 60_000);

  it('accepts a part of the plan (plan --hosts) and a resumed run whose earlier run changed state', async () => {
    const f = await start();
    await patchctl('scan');
    expect((await patchctl('plan', '--out', 'plan.json')).code).toBe(0);
    expect((await patchctl('plan', '--hosts', 'lab-03', '--out', 'part.json')).code).toBe(0);
    expect(readPlan('part.json').rings.map((r) => [r.name, r.earliestStart === null, r.gate])).toEqual([
      // The gate is the whole canary ring's, not that of the part shown; and as the part leaves
      // out the canary's work, it can never start the rest ring itself (issue 13).
      [
        'rest',
        true,
        'waits for ring canary, whose work this plan does not hold whole (1 host(s) with work there): apply ring canary first',
      ],
    ]);

    // The canary ring alone: lab-01's state and the ring progress change.
    const canary = await patchctl('apply', 'plan.json', '--ring', 'canary');
    expect(canary.code).toBe(0);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 0, 0]);
    // Applied again as it is, the plan is stale; resumed, the rest ring runs from it.
    const stale = await patchctl('apply', 'plan.json');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/the plan is stale: .*continue it with --resume/);
    // (From the plan the journal names: the plan the canary run saved, re-derived again.)
    const resumed = await patchctl('apply', '--resume');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/2 patched \(1 host\(s\) done by earlier runs of this plan\)/);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 1, 1]);
    // Every host's state changed since: nothing is left to verify exactly, nor to run.
    const again = await patchctl('apply', 'plan.json', '--resume');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no host started \(3 host\(s\) done by earlier runs of this plan\)/);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 1, 1]);
  }, 60_000);
});

describe('an unreachable canary holds the next ring', () => {
  it('in the plan, and in apply, which patches nobody and exits 1 saying why', async () => {
    const f = await start({ faults: { 'lab-01': { down: true } } });
    await patchctl('scan');
    const planned = await patchctl('plan', '--format', 'json', '--out', 'plan.json');
    const plan = JSON.parse(planned.stdout) as Plan;
    const rest = plan.rings.find((r) => r.name === 'rest');
    expect(rest?.earliestStart).toBeNull();
    expect(rest?.gate).toMatch(/^waits for ring canary: lab-01 unreachable \(last scan \d{4}-.*\)$/);
    expect(rest?.hosts.every((h) => h.actions.length > 0)).toBe(true);

    const before = fleetNow(f);
    for (const args of [['--auto-approve'], ['plan.json']]) {
      const r = await patchctl('apply', ...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/\nRing rest: waits for ring canary: lab-01 unreachable \(last scan /);
      expect(r.stderr).toContain(
        'patchctl: ring rest of rollout lab is held: ring canary has 1 host(s) patchctl knows nothing current about (lab-01), beyond its failure budget',
      );
      expect(fleetNow(f)).toEqual(before);
    }
  }, 60_000);
});

describe('a reboot that never came stays planned until it happens', () => {
  it('is planned for a host with nothing to upgrade and applied: the host reboots', async () => {
    const f = await start();
    // Every package excluded: only the reboot lab-02 still needs is left (an install whose
    // reboot never came, e.g. after a second Ctrl-C).
    const policies = path.join(dir, 'policies', 'lab.yaml');
    writeFileSync(
      policies,
      readFileSync(policies, 'utf8').replaceAll('exclude: [fleet-broken]', "exclude: ['fleet-*']"),
    );
    const lab02 = f.hosts[1];
    if (!lab02) throw new Error('no lab-02');
    lab02.state.rebootRequired = true;
    await patchctl('scan');
    const plan = JSON.parse((await patchctl('plan', '--format', 'json')).stdout) as Plan;
    expect(plan.summary).toMatchObject({ hostsWithChanges: 1, updates: 0, reboots: 1 });
    expect(hostOf(plan, 'lab-02').actions).toEqual([
      {
        type: 'reboot',
        reason: expect.stringMatching(/^the host needs a reboot \(pending since the scan at \d{4}-/),
        policy: 'security-only',
      },
    ]);

    const boot = lab02.state.bootId;
    const r = await patchctl('apply', '--auto-approve');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 1 patched\./);
    expect(lab02.state.bootId).not.toBe(boot);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([0, 1, 0]);
    // The reboot happened: the next plan has nothing left.
    const after = JSON.parse((await patchctl('plan', '--format', 'json')).stdout) as Plan;
    expect(after.summary.reboots).toBe(0);
  }, 60_000);
});

describe('a host whose key changed', () => {
  it('is named by plan (stderr) and fails apply (exit 1) while the other hosts are patched', async () => {
    const f = await start();
    const lab03 = f.hosts[2];
    if (!lab03) throw new Error('no lab-03');
    await patchctl('scan');
    // lab-03 answered a later scan with a key other than the one pinned (a possible
    // interception): its state, as scan records it.
    const file = path.join(dir, 'state', 'hosts', 'lab-03.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          ...state,
          reachable: false,
          error: `the host key of lab-03 does not match known_hosts`,
          errorKind: 'host-key-mismatch',
          lastReachableAt: state.scannedAt,
        },
        null,
        2,
      )}\n`,
    );

    const planned = await patchctl('plan');
    expect(planned.code).toBe(0);
    expect(planned.stderr).toContain('warning host-key-changed: lab-03: its host key changed');
    expect(planned.stdout).toContain('lab-03  !! host key changed (possible interception)');

    const r = await patchctl('apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/: 2 patched\./);
    expect(r.stderr).toBe(
      "patchctl: lab-03: its host key changed since it was pinned in known_hosts (possible interception): not patched; verify the host's new key out of band, then update known_hosts\n",
    );
    expect(lab03.state.bootCount).toBe(0);
  }, 60_000);
});
