import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Repository } from '../../core/model/repository.js';
import type { Plan, PlanHost, PlanRing } from '../../core/plan/types.js';
import { checkRolloutStateFile } from '../../core/state/check-state.js';
import type { HostState } from '../../core/state/types.js';
import { apt } from '../../drivers/apt/index.js';
import { FakeFleet, type FakeTransport } from '../../transports/fake/index.js';
import type { RemoteCommand } from '../../transports/types.js';
import { LocalIoError } from '../../errors.js';
import { loadRepository } from '../load-repo.js';
import { bundledStateSchemas } from '../load-state.js';
import { runPlanOf } from '../../core/plan/run-plan.js';
import { readRunPlanFile, runPlanDigest } from './run-plan-file.js';
import { RepoLockedError } from '../repo-lock.js';
import type { JournalEvent, JournalFile } from './journal.js';
import { JournalWriter, readJournals } from './journal.js';
import { filesWrittenByRuns, newRunId, runApply, runsDirOf, runsOfPlan } from './run-apply.js';

const FIX = new URL('../../drivers/apt/__fixtures__/', import.meta.url);
const fx = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

describe('newRunId', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('is the UTC time to the second, then eight hex digits', () => {
    const id = newRunId(DateTime.fromISO('2026-12-01T03:04:05.678+01:00', { setZone: true }));
    expect(id).toMatch(/^20261201T020405Z-[0-9a-f]{8}$/);
  });

  it('sorts by time, across days, months and years', () => {
    const times = [
      '2026-12-31T23:59:59Z',
      '2027-01-01T00:00:00Z',
      '2026-02-03T10:00:00Z',
      '2026-12-01T09:59:59Z',
      '2026-12-01T10:00:00Z',
    ].map((t) => DateTime.fromISO(t, { setZone: true }));
    const ids = times.map(newRunId);
    const byTime = [...times]
      .sort((a, b) => a.toMillis() - b.toMillis())
      .map((t) => newRunId(t).slice(0, 16));
    expect([...ids].sort().map((id) => id.slice(0, 16))).toEqual(byTime);
  });

  it('differs between runs started in the same second', () => {
    const t = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });
    expect(new Set(Array.from({ length: 20 }, () => newRunId(t))).size).toBeGreaterThan(1);
  });
});

const journal = (runId: string, events: JournalEvent[]): JournalFile => ({
  runId,
  file: `/x/${runId}.jsonl`,
  events,
});
const runStarted = (runId: string, planDigest: string): JournalEvent => ({
  type: 'run-started',
  at: '2026-12-01T00:00:00Z',
  runId,
  planDigest,
});

describe('runsOfPlan', () => {
  it('keeps the journals that started a run of this plan, in their order', () => {
    const journals = [
      journal('r1', [runStarted('r1', 'sha256:a')]),
      journal('r2', [runStarted('r2', 'sha256:b')]),
      journal('r3', []),
      journal('r4', [
        { type: 'host-step', at: '2026-12-01T00:00:00Z', runId: 'r4', host: 'h', step: 'connect' },
      ]),
      journal('r5', [runStarted('r5', 'sha256:a')]),
    ];
    expect(runsOfPlan(journals, 'sha256:a').map((j) => j.runId)).toEqual(['r1', 'r5']);
    expect(runsOfPlan(journals, 'sha256:b').map((j) => j.runId)).toEqual(['r2']);
    expect(runsOfPlan(journals, 'sha256:c')).toEqual([]);
  });
});

describe('filesWrittenByRuns', () => {
  it('lists host state files and the state file of each rollout that started a ring', () => {
    const at = '2026-12-01T00:00:00Z';
    const finished = (host: string, stateFile?: string): JournalEvent => ({
      type: 'host-finished',
      at,
      runId: 'r1',
      planDigest: 'sha256:a',
      host,
      ring: 'canary',
      status: 'patched',
      actions: [],
      ...(stateFile === undefined ? {} : { stateFile }),
    });
    const files = filesWrittenByRuns(
      [
        journal('r1', [
          runStarted('r1', 'sha256:a'),
          { type: 'ring-started', at, runId: 'r1', ring: 'canary', rollout: 'main' },
          finished('web-1', 'data/state/hosts/web-1.json'),
          finished('web-2'), // unreachable before it was read: no file
          { type: 'ring-started', at, runId: 'r1', ring: 'loose', rollout: '' },
        ]),
        journal('r2', [
          { type: 'ring-started', at, runId: 'r2', ring: 'pilot', rollout: 'other' },
          {
            type: 'ring-finished',
            at,
            runId: 'r2',
            ring: 'x',
            rollout: 'third',
            status: 'completed',
            failures: 0,
          },
          finished('web-3', 'data/state/hosts/web-3.json'),
        ]),
      ],
      'data/state',
    );
    expect([...files].sort()).toEqual([
      'data/state/hosts/web-1.json',
      'data/state/hosts/web-3.json',
      'data/state/rollouts/main.json',
      'data/state/rollouts/other.json',
    ]);
    expect(filesWrittenByRuns([], 'state').size).toBe(0);
  });
});

// ---------------------------------------------------------------- runApply, end to end

const FILES: Record<string, string> = {
  'patchctl.yaml': `apiVersion: patchctl/v1
kind: Config
metadata:
  name: run-apply-test
spec:
  timezone: UTC
  concurrency: 4
  ssh:
    user: patchctl
    sudo: true
    connectTimeout: 5s
`,
  'inventory/hosts.yaml': `apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
spec:
  defaults:
    transport: ssh
    labels: { role: web }
  hosts:
    - name: web-1
      address: 192.0.2.11
    - name: web-2
      address: 192.0.2.12
`,
  'groups/groups.yaml': `apiVersion: patchctl/v1
kind: Group
metadata:
  name: servers
spec:
  selector:
    matchLabels: { role: web }
---
apiVersion: patchctl/v1
kind: Group
metadata:
  name: canary
spec:
  hosts: [web-1]
`,
  'rollouts/main.yaml': `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: main
spec:
  rings:
    - name: canary
      groups: [canary]
      failureBudget: { maxFailed: 0 }
    - name: rest
      rest: true
      failureBudget: { maxFailed: 1 }
`,
  'policies/security.yaml': `apiVersion: patchctl/v1
kind: PatchPolicy
metadata:
  name: p
spec:
  appliesTo: { groups: [servers] }
  rollout: main
  classification: [security]
  reboot: ifRequired
`,
};

const DIGEST = `sha256:${'1f'.repeat(32)}`;

function planHost(name: string): PlanHost {
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
        severity: 'high',
        advisories: [],
        policy: 'p',
      },
    ],
    skipped: [],
    packageManager: 'apt',
  };
}
const ring = (name: string, hosts: string[]): PlanRing => ({
  name,
  rollout: 'main',
  earliestStart: '2026-12-01T00:00:00Z',
  hosts: hosts.map(planHost),
});
const PLAN: Plan = {
  formatVersion: 1,
  createdAt: '2026-12-01T00:00:00Z',
  at: '2026-12-01T00:00:00Z',
  inputsDigest: DIGEST,
  inputs: {},
  gitCommit: null,
  summary: { hosts: 2, hostsWithChanges: 2, updates: 2, reboots: 0, skipped: 0 },
  rings: [ring('canary', ['web-1']), ring('rest', ['web-2'])],
};

const same =
  (built: RemoteCommand) =>
  (cmd: RemoteCommand): boolean =>
    JSON.stringify(cmd.argv) === JSON.stringify(built.argv);
const installScript = apt.install([{ name: 'fleet-base', version: '1.1' }]).argv.slice(0, 3);
const isInstall = (cmd: RemoteCommand): boolean =>
  JSON.stringify(cmd.argv.slice(0, 3)) === JSON.stringify(installScript);
const installedLine = (version: string): string =>
  `fleet-base\tamd64\t${version}\tinstall ok installed\tfleet-base\t${version}\n`;

/**
 * A healthy apt host: the remote lock is free, pre-flight is clean, fleet-base 1.0 until the
 * install runs, then 1.1; the rescan after the run reads facts, installed and updates.
 */
function healthy(t: FakeTransport, install: () => Promise<void> = () => Promise.resolve()): void {
  let done = false;
  t.on(['sh', '-c', /flock/, 'patchctl-lock'], { stdout: 'locked\n' });
  t.on(same(apt.preflight()), { stdout: fx('lab-preflight-clean.stdout') });
  t.on(same(apt.listInstalled()), () => ({ stdout: installedLine(done ? '1.1' : '1.0') }));
  t.on(same(apt.facts()), { stdout: fx('lab-facts.stdout') });
  t.on(same(apt.listUpdates()), { stdout: fx('lab-updates.stdout') });
  t.on(isInstall, async () => {
    await install();
    done = true;
    return { stdout: fx('lab-install-ok.stdout'), stderr: fx('lab-install-ok.stderr') };
  });
}

describe('runApply', () => {
  let dir: string;
  let repository: Repository;
  let clock: DateTime;
  const now = (): DateTime => clock;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-run-apply-'));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
    clock = DateTime.fromISO('2026-12-01T02:30:00Z', { setZone: true });
    repository = loadRepository(dir, { at: clock }).repository;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const options = (fleet: FakeFleet, over: Partial<Parameters<typeof runApply>[0]> = {}) => ({
    dir,
    repository,
    plan: PLAN,
    now,
    env: {},
    connect: (h: { name: string }) => fleet.transport(h.name),
    sleep: () => Promise.resolve(),
    ...over,
  });
  const lockFile = (): string => path.join(dir, 'state', 'apply.lock');
  const readJournal = (rel: string): JournalEvent[] =>
    readFileSync(path.join(dir, rel), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as JournalEvent);

  it('patches the hosts and writes the journal, the plan file of the run, host and rollout state', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const run = await runApply(options(fleet));
    const id = run.result.runId;
    expect(id).toMatch(/^20261201T023000Z-[0-9a-f]{8}$/);
    expect(run.result.halted).toBe(false);
    expect(run.result.hosts.map((h) => [h.host, h.status])).toEqual([
      ['web-1', 'patched'],
      ['web-2', 'patched'],
    ]);

    expect(run.journalFile).toBe(`state/runs/${id}.jsonl`);
    expect(run.planFile).toBe(`state/runs/${id}.plan.json`);
    // The plan's identity and a digest per host, not the plan (issue 13): the journal holds the rest.
    expect(readRunPlanFile(path.join(dir, run.planFile ?? ''))).toEqual({
      kind: 'run-plan',
      record: runPlanOf(PLAN, runPlanDigest),
    });
    const events = readJournal(run.journalFile ?? '');
    expect(events[0]).toMatchObject({
      type: 'run-started',
      runId: id,
      planDigest: DIGEST,
      planFile: run.planFile,
      planAt: PLAN.at,
      resumes: [],
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', runId: id, halted: false });
    const finished = events.filter((e) => e.type === 'host-finished');
    expect(finished.map((e) => [e.host, e.status, e.stateFile])).toEqual([
      ['web-1', 'patched', 'state/hosts/web-1.json'],
      ['web-2', 'patched', 'state/hosts/web-2.json'],
    ]);
    expect(readJournals(runsDirOf(dir, repository)).map((j) => j.runId)).toEqual([id]);

    // The repository lock is gone, the remote locks were taken and released on each host.
    expect(existsSync(lockFile())).toBe(false);
    for (const host of ['web-1', 'web-2']) {
      const t = fleet.transport(host);
      expect(t.callsTo('sh', '-c', /flock/, 'patchctl-lock')).toHaveLength(1);
      expect(t.released).toHaveLength(1);
      expect(t.released[0]?.argv.slice(4, 8)).toEqual(['take', '/run/lock', '/var/lib/patchctl', id]);
      expect(t.released[0]?.argv[8]).toContain(`patchctl apply run ${id}`);
      expect(t.unmatched).toEqual([]);
    }

    // Host state from the rescan, rollout progress for both rings.
    expect(run.stateFiles).toEqual(['state/hosts/web-1.json', 'state/hosts/web-2.json']);
    const state = JSON.parse(readFileSync(path.join(dir, 'state/hosts/web-1.json'), 'utf8')) as HostState;
    expect(state).toMatchObject({ host: 'web-1', reachable: true, scannedAt: '2026-12-01T02:30:00Z' });
    expect(state.installed).toEqual([expect.objectContaining({ name: 'fleet-base', version: '1.1' })]);
    const rolloutText = readFileSync(path.join(dir, 'state/rollouts/main.json'), 'utf8');
    const rollout = checkRolloutStateFile('state/rollouts/main.json', rolloutText, bundledStateSchemas());
    expect(rollout.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(rollout.state?.planDigest).toBe(DIGEST);
    expect(rollout.state?.rings).toMatchObject({
      canary: { status: 'completed', failures: 0 },
      rest: { status: 'completed', failures: 0 },
    });
  });

  it('refuses a second apply on the same repository while the first one runs', async () => {
    let entered!: () => void;
    const installing = new Promise<void>((resolve) => (entered = resolve));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const fleet = new FakeFleet((t) =>
      healthy(t, () => {
        entered();
        return gate;
      }),
    );
    const first = runApply(options(fleet));
    await installing; // the first run is inside its first host's install
    expect(existsSync(lockFile())).toBe(true);

    const second = new FakeFleet((t) => healthy(t));
    let refused: unknown;
    try {
      await runApply(options(second));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RepoLockedError);
    expect(second.transports.size).toBe(0);

    open();
    const run = await first;
    expect((refused as RepoLockedError).holder?.runId).toBe(run.result.runId);
    expect((refused as RepoLockedError).message).toContain(`apply run ${run.result.runId}`);
    expect(run.result.hosts.every((h) => h.status === 'patched')).toBe(true);
    expect(existsSync(lockFile())).toBe(false);
    // The refused run left nothing behind under state/runs.
    expect(readdirSync(path.join(dir, 'state', 'runs')).sort()).toEqual(
      [`${run.result.runId}.jsonl`, `${run.result.runId}.plan.json`].sort(),
    );
  });

  it('fails a host of the plan that is no longer in the inventory, without connecting', async () => {
    const fleet = new FakeFleet((t) => healthy(t));
    const gone = { ...PLAN, rings: [ring('canary', ['not-in-inventory'])] };
    const run = await runApply(options(fleet, { plan: gone }));
    expect(run.result.hosts.map((h) => h.status)).toEqual(['failed']);
    expect(run.result.hosts[0]?.error).toBe(
      'host not-in-inventory of the plan is not in the inventory any more',
    );
    expect(fleet.transports.size).toBe(0);
    expect(existsSync(lockFile())).toBe(false);
  });

  it('releases the repository lock when the run throws before any host', async () => {
    const runs = path.join(dir, 'state', 'runs');
    mkdirSync(runs, { recursive: true });
    writeFileSync(path.join(runs, '20261130T000000Z-0000.jsonl'), '{"type": "run-st\n{}\n');
    const fleet = new FakeFleet((t) => healthy(t));
    await expect(runApply(options(fleet))).rejects.toThrow(/20261130T000000Z-0000\.jsonl:1:1/);
    expect(existsSync(lockFile())).toBe(false);
    expect(fleet.transports.size).toBe(0);
    expect(readdirSync(runs)).toEqual(['20261130T000000Z-0000.jsonl']);
  });

  it('a journal that cannot be written stops the run with an error naming it; the host in flight is not blamed', async () => {
    const original = JournalWriter.prototype.append;
    let failedOnce = false;
    const spy = jest.spyOn(JournalWriter.prototype, 'append').mockImplementation(function (
      this: JournalWriter,
      event: JournalEvent,
    ) {
      // Nothing is appended after a failed append (its line may be torn).
      if (failedOnce) throw new Error('appended after a failure');
      if (event.type === 'host-step' && event.step === 'install') {
        failedOnce = true;
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
          syscall: 'write',
          errno: -28,
        });
      }
      original.call(this, event);
    });
    try {
      const fleet = new FakeFleet((t) => healthy(t));
      const err = await runApply(options(fleet, { concurrency: 1 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LocalIoError);
      const message = (err as LocalIoError).message;
      expect(message).toMatch(
        /^cannot write \S+\/state\/runs\/\d{8}T\d{6}Z-[0-9a-f]{8}\.jsonl: no space left on the device \(ENOSPC\)\napply stopped: no host started after it; the 1 host\(s\) in flight then finished/,
      );
      expect(message).not.toMatch(/\n\s+at /);
      // web-1 finished, and its state is what it reported; web-2 was never contacted.
      const state = JSON.parse(readFileSync(path.join(dir, 'state/hosts/web-1.json'), 'utf8')) as HostState;
      expect(state).toMatchObject({ reachable: true });
      expect(state.installed).toEqual([expect.objectContaining({ name: 'fleet-base', version: '1.1' })]);
      expect(fleet.transports.has('web-2')).toBe(false);
      expect(existsSync(lockFile())).toBe(false);
      // The journal ends with the last whole line before the failure.
      const [journalFile] = readdirSync(path.join(dir, 'state', 'runs')).filter((f) => f.endsWith('.jsonl'));
      const events = readJournal(`state/runs/${journalFile ?? ''}`);
      expect(events.at(-1)).toMatchObject({ type: 'host-step', host: 'web-1', step: 'pre-hooks' });
    } finally {
      spy.mockRestore();
    }
  });

  it('host state that cannot be written stops the run; state that cannot be recorded otherwise is only said', async () => {
    // state/hosts is a file: no host's state can be written there.
    mkdirSync(path.join(dir, 'state'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'hosts'), 'not a folder\n');
    const fleet = new FakeFleet((t) => healthy(t));
    const err = await runApply(options(fleet, { concurrency: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LocalIoError);
    expect((err as LocalIoError).message).toMatch(
      /^cannot \w+ (\S+\/)?state\/hosts(\/web-1\.json)?: .*\napply stopped/,
    );
    expect(fleet.transports.has('web-2')).toBe(false);
    const [journalFile] = readdirSync(path.join(dir, 'state', 'runs')).filter((f) => f.endsWith('.jsonl'));
    const events = readJournal(`state/runs/${journalFile ?? ''}`);
    expect(events.find((e) => e.type === 'host-finished')).toMatchObject({
      host: 'web-1',
      status: 'patched',
      stateNotRecorded: expect.stringMatching(/state\/hosts/),
    });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', halted: true });
    expect(existsSync(lockFile())).toBe(false);

    // A host whose state file is a directory: said for that host, the run goes on.
    rmSync(path.join(dir, 'state', 'hosts'));
    mkdirSync(path.join(dir, 'state', 'hosts', 'web-1.json'), { recursive: true });
    clock = clock.plus({ minutes: 5 });
    const again = new FakeFleet((t) => healthy(t));
    const run = await runApply(
      options(again, { plan: { ...PLAN, inputsDigest: `sha256:${'2e'.repeat(32)}` } }),
    );
    expect(run.result.hosts.map((h) => [h.host, h.status, h.stateNotRecorded === undefined])).toEqual([
      ['web-1', 'patched', false],
      ['web-2', 'patched', true],
    ]);
    expect(run.result.hosts[0]?.stateNotRecorded).toMatch(/web-1\.json is a directory/);
    expect(run.stateFiles).toEqual(['state/hosts/web-2.json']);
  });

  it('skips hosts an earlier run finished for the same plan, and names that run', async () => {
    const runs = path.join(dir, 'state', 'runs');
    mkdirSync(runs, { recursive: true });
    const line = (e: JournalEvent): string => `${JSON.stringify(e)}\n`;
    const earlier = '20261130T020000Z-aaaa';
    const unrelated = '20261130T030000Z-bbbb';
    writeFileSync(
      path.join(runs, `${earlier}.jsonl`),
      line(runStarted(earlier, DIGEST)) +
        line({
          type: 'host-finished',
          at: '2026-11-30T02:10:00Z',
          runId: earlier,
          planDigest: DIGEST,
          host: 'web-1',
          ring: 'canary',
          status: 'patched',
          actions: [{ package: 'fleet-base', from: '1.0', to: '1.1' }],
        }),
    );
    // Another plan finished web-2: that does not count for this one.
    writeFileSync(
      path.join(runs, `${unrelated}.jsonl`),
      line(runStarted(unrelated, `sha256:${'00'.repeat(32)}`)) +
        line({
          type: 'host-finished',
          at: '2026-11-30T03:10:00Z',
          runId: unrelated,
          planDigest: `sha256:${'00'.repeat(32)}`,
          host: 'web-2',
          ring: 'rest',
          status: 'patched',
          actions: [],
        }),
    );

    const fleet = new FakeFleet((t) => healthy(t));
    const run = await runApply(options(fleet));
    expect(fleet.transports.has('web-1')).toBe(false);
    expect(run.result.hosts.map((h) => [h.host, h.status])).toEqual([['web-2', 'patched']]);
    expect([...run.skipped]).toEqual([['web-1', 'patched']]);
    expect(run.resumed).toEqual([earlier]);
    expect(readJournal(run.journalFile ?? '')[0]).toMatchObject({ type: 'run-started', resumes: [earlier] });

    // A third run of the same plan has nothing left to do.
    clock = clock.plus({ minutes: 5 });
    const again = new FakeFleet((t) => healthy(t));
    const third = await runApply(options(again));
    expect(again.transports.size).toBe(0);
    expect(third.result.hosts).toEqual([]);
    expect(third.resumed).toEqual([earlier, run.result.runId]);
    expect([...third.skipped.keys()].sort()).toEqual(['web-1', 'web-2']);
    expect(existsSync(lockFile())).toBe(false);
    // It started no host: it wrote no journal and no plan file (issue 13).
    expect(third.journalFile).toBeUndefined();
    expect(readdirSync(runs).sort()).toEqual(
      [
        `${earlier}.jsonl`,
        `${unrelated}.jsonl`,
        `${run.result.runId}.jsonl`,
        `${run.result.runId}.plan.json`,
      ].sort(),
    );
  });

  it('a run that starts no host (the next ring bakes) writes no journal, no plan file and no state (issue 13)', async () => {
    // The canary ring has nothing left to do and the rest ring cannot start before tomorrow.
    const fleet = new FakeFleet((t) => healthy(t));
    const plan: Plan = {
      ...PLAN,
      rings: [
        { ...ring('canary', ['web-1']), hosts: [{ ...planHost('web-1'), actions: [] }] },
        { ...ring('rest', ['web-2']), earliestStart: '2026-12-02T02:20:00Z', gate: 'ring canary bakes' },
      ],
    };
    const run = await runApply(options(fleet, { plan }));
    expect(fleet.transports.size).toBe(0);
    expect(run.result.hosts).toEqual([]);
    expect(run.result.rings.map((r) => [r.ring, r.status])).toEqual([['rest', 'waiting']]);
    expect(run.journalFile).toBeUndefined();
    expect(run.planFile).toBeUndefined();
    expect(run.stateFiles).toEqual([]);
    expect(run.rolloutFiles).toEqual([]);
    expect(existsSync(path.join(dir, 'state', 'runs'))).toBe(false);
    expect(existsSync(path.join(dir, 'state', 'rollouts'))).toBe(false);
    expect(existsSync(lockFile())).toBe(false);
  });
});
