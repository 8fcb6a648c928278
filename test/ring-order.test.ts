// Issue 13 on the simulated fleet, end to end through the CLI (scan → plan → apply, in process):
// rings are a promise. A later ring never starts while the canary has not run (a plan of some
// hosts, `apply --ring rest`); a later ring gets only the versions the canary ran; a halted
// rollout does not stay halted forever (a ring with no work left completes, `rollout release`).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { main } from '../src/cli/main.js';
import type { Plan, PlanHost } from '../src/core/plan/types.js';
import type { RolloutState } from '../src/core/state/types.js';
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
  fleet = await startSimFleet({ hosts: 3, seed: 13, rebootDelayMs: 20, rebootDowntimeMs: 50, ...options });
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-ring-order-')), 'repo');
  fleet.writeRepository(dir);
  return fleet;
}

async function patchctl(...args: string[]) {
  const io = captureIo({ cwd: dir, now: () => DateTime.now().toUTC() });
  const code = await main(args, io);
  return { code, ...io.text() };
}

const versions = (f: SimFleet, host: string) => f.hosts.find((h) => h.name === host)?.state.versions();

function rolloutState(): RolloutState {
  return JSON.parse(readFileSync(path.join(dir, 'state', 'rollouts', 'lab.json'), 'utf8')) as RolloutState;
}

function journalEvents(): { type: string; at: string; ring?: string; status?: string; reason?: string }[] {
  const runs = path.join(dir, 'state', 'runs');
  if (!existsSync(runs)) return [];
  // Run ids tell seconds apart only: the runs in the order they started.
  return readdirSync(runs)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) =>
      readFileSync(path.join(runs, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; at: string }),
    )
    .sort((a, b) => Date.parse(a[0]?.at ?? '') - Date.parse(b[0]?.at ?? ''))
    .flat();
}

function hostOf(plan: Plan, name: string): PlanHost {
  const h = plan.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
}

describe('ring order cannot be bypassed (issue 13)', () => {
  it('plan --hosts lab-02 --out p.json, then apply p.json: the canary never ran, so lab-02 is not patched', async () => {
    const f = await start();
    expect((await patchctl('scan')).code).toBe(0);
    const planned = await patchctl('plan', '--hosts', 'lab-02', '--out', 'p.json');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(readFileSync(path.join(dir, 'p.json'), 'utf8')) as Plan;
    expect(plan.rings.map((r) => [r.name, r.earliestStart, r.waitsFor])).toEqual([
      ['rest', null, ['canary']],
    ]);
    const before = versions(f, 'lab-02');
    const r = await patchctl('apply', 'p.json');
    expect(r.stdout).toContain('Ring rest: waits for ring canary');
    expect(versions(f, 'lab-02')).toEqual(before);
    // Nothing recorded the rest ring as done.
    expect(existsSync(path.join(dir, 'state', 'rollouts', 'lab.json'))).toBe(false);
    expect(journalEvents().filter((e) => e.type === 'host-finished')).toEqual([]);
  });

  it('apply --ring rest on a fresh fleet with no bake time starts no host; apply --ring canary, then --ring rest does', async () => {
    const f = await start();
    expect((await patchctl('scan')).code).toBe(0);
    const before = { two: versions(f, 'lab-02'), three: versions(f, 'lab-03') };
    const rest = await patchctl('apply', '--auto-approve', '--ring', 'rest');
    expect(rest.stdout).toContain('waits for ring canary');
    expect({ two: versions(f, 'lab-02'), three: versions(f, 'lab-03') }).toEqual(before);
    expect(journalEvents().filter((e) => e.type === 'host-finished')).toEqual([]);

    expect((await patchctl('apply', '--auto-approve', '--ring', 'canary')).code).toBe(0);
    expect(rolloutState().rings.canary).toMatchObject({ status: 'completed' });
    // What the canary ran is recorded for the rings after it.
    expect(Object.keys(rolloutState().rings.canary?.versions?.deb ?? {})).toEqual(
      expect.arrayContaining([expect.stringMatching(/^fleet-/)]),
    );
    expect((await patchctl('apply', '--auto-approve', '--ring', 'rest')).code).toBe(0);
    expect(versions(f, 'lab-02')).not.toEqual(before.two);
  }, 60_000);

  it('--ignore-ring-order REASON starts the ring, says so, and the journal records who and why', async () => {
    const f = await start();
    expect((await patchctl('scan')).code).toBe(0);
    const before = versions(f, 'lab-02');
    const r = await patchctl(
      'apply',
      '--auto-approve',
      '--ring',
      'rest',
      '--ignore-ring-order',
      'CVE in the wild, CHG-7',
    );
    expect(r.stderr).toContain('--ignore-ring-order: rings start whatever the rings before them did');
    expect(r.stderr).toContain('CVE in the wild, CHG-7');
    expect(versions(f, 'lab-02')).not.toEqual(before);
    const started = journalEvents().find((e) => e.type === 'run-started') as unknown as {
      ignoreRingOrder?: { by: string; reason: string };
    };
    expect(started.ignoreRingOrder).toEqual({
      by: expect.stringMatching(/@/),
      reason: 'CVE in the wild, CHG-7',
    });
  }, 60_000);

  it('gates per update: rest does not get a version the canary did not run when it completed', async () => {
    await start();
    expect((await patchctl('scan')).code).toBe(0);
    expect((await patchctl('apply', '--auto-approve', '--ring', 'canary')).code).toBe(0);
    const planned = JSON.parse((await patchctl('plan', '--format', 'json')).stdout) as Plan;
    const upgrade = hostOf(planned, 'lab-02').actions.find((a) => a.type === 'upgrade');
    if (upgrade?.type !== 'upgrade') throw new Error('lab-02 should have an upgrade');
    // As if the canary had completed before that version was released.
    const file = path.join(dir, 'state', 'rollouts', 'lab.json');
    const state = rolloutState();
    const deb = state.rings.canary?.versions?.deb ?? {};
    const key = `${upgrade.package}:${upgrade.arch ?? 'amd64'}`;
    expect(Object.keys(deb)).toContain(key);
    deb[key] = '0.1';
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    const plan = JSON.parse((await patchctl('plan', '--format', 'json')).stdout) as Plan;
    const skip = hostOf(plan, 'lab-02').skipped.find((x) => x.package === upgrade.package);
    expect(skip).toMatchObject({ reason: 'not-in-earlier-ring', by: 'ring canary', to: upgrade.to });
    expect(
      hostOf(plan, 'lab-02').actions.some((a) => a.type === 'upgrade' && a.package === upgrade.package),
    ).toBe(false);
    const text = await patchctl('plan');
    expect(text.stdout).toContain('not yet installed and baked by ring canary');
  }, 60_000);
});

describe('a halted rollout does not stay halted forever (issue 13)', () => {
  const exception = (host: string) => `apiVersion: patchctl/v1
kind: PatchException
metadata:
  name: ${host}-disk
spec:
  hosts: [${host}]
  packages: ['fleet-*']
  reason: the disk is full until the storage ticket is done
  owner: ops
  expires: '${DateTime.now().plus({ days: 30 }).toISODate() ?? ''}'
`;

  it('after an exception covers the failed canary host, apply records the canary completed and the rollout moves on', async () => {
    const f = await start({ faults: { 'lab-01': { diskFreeKb: 1 } } });
    expect((await patchctl('scan')).code).toBe(0);
    const halted = await patchctl('apply', '--auto-approve');
    expect(halted.code).toBe(1);
    expect(rolloutState().rings.canary).toMatchObject({ status: 'halted', failedHosts: ['lab-01'] });
    const before = versions(f, 'lab-02');

    mkdirSync(path.join(dir, 'exceptions'), { recursive: true });
    writeFileSync(path.join(dir, 'exceptions', 'lab-01-disk.yaml'), exception('lab-01'));
    const plan = await patchctl('plan');
    expect(plan.stdout).toContain('the next apply records ring canary completed');
    const r = await patchctl('apply', '--auto-approve');
    expect(r.code).toBe(0);
    expect(rolloutState().rings.canary).toMatchObject({ status: 'completed' });
    expect(
      journalEvents()
        .filter((e) => e.type === 'ring-finished')
        .map((e) => [e.ring, e.status]),
    ).toEqual([
      ['canary', 'halted'],
      ['rest', 'not-started'],
      ['canary', 'completed'],
      ['rest', 'completed'],
    ]);
    expect(versions(f, 'lab-02')).not.toEqual(before);
  }, 60_000);

  it('patchctl rollout release clears a halt, recording who and why; status shows it', async () => {
    await start({ faults: { 'lab-01': { diskFreeKb: 1 } } });
    expect((await patchctl('scan')).code).toBe(0);
    expect((await patchctl('apply', '--auto-approve')).code).toBe(1);

    const noReason = await patchctl('rollout', 'release', 'lab', '--ring', 'canary');
    expect(noReason.code).toBe(1);
    expect(noReason.stderr).toContain('needs --reason');
    const typo = await patchctl('rollout', 'release', 'lba', '--reason', 'x');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('rollout "lba" is not defined (did you mean "lab"?)');
    const notHalted = await patchctl('rollout', 'release', 'lab', '--ring', 'rest', '--reason', 'x');
    expect(notHalted.code).toBe(1);
    expect(notHalted.stderr).toContain('ring rest of rollout lab is not halted');

    const r = await patchctl(
      'rollout',
      'release',
      'lab',
      '--ring',
      'canary',
      '--reason',
      'disk cleaned by hand',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Released ring canary of rollout lab \(halted: .*\) at .* by .*@.*: disk cleaned by hand\./,
    );
    const canary = rolloutState().rings.canary;
    expect(canary).toMatchObject({
      status: 'in-progress',
      released: {
        by: expect.stringMatching(/@/),
        reason: 'disk cleaned by hand',
        haltedReason: expect.any(String),
      },
    });
    expect(existsSync(path.join(dir, 'state', 'apply.lock'))).toBe(false);
    const status = await patchctl('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/released by .*@.* at .*: disk cleaned by hand \(was halted: /);
    const again = await patchctl('rollout', 'release', 'lab', '--reason', 'again');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('rollout lab has no halted ring');
  }, 60_000);
});
