// Issue 13 on the simulated fleet, end to end through the CLI (scan → plan → apply, in process):
// a scheduled `apply --commit` that starts no host commits nothing; a run keeps its plan's
// digests, not the plan, and `apply --resume` re-derives the plan from them; the progress display
// never depends on the terminal reporting a width.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import type { RunPlan } from '../src/core/plan/run-plan.js';
import type { Plan } from '../src/core/plan/types.js';
import type { SimFleet } from '../src/sim/fleet.js';
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

async function start(hosts = 3): Promise<SimFleet> {
  fleet = await startSimFleet({ hosts, seed: 13, rebootDelayMs: 20, rebootDowntimeMs: 50 });
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-runs-')), 'repo');
  fleet.writeRepository(dir);
  return fleet;
}

async function patchctl(args: string[], over: Partial<Io> = {}) {
  const io = captureIo({ cwd: dir, now: () => DateTime.now().toUTC(), ...over });
  const code = await main(args, io);
  return { code, ...io.text() };
}

function git(...args: string[]): string {
  const r = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const runFiles = (): string[] => {
  const runs = path.join(dir, 'state', 'runs');
  return existsSync(runs) ? readdirSync(runs).sort() : [];
};

describe('a scheduled apply --commit that starts no host (issue 13)', () => {
  it('commits nothing: no journal, no plan file, no report churn, and says so', async () => {
    await start();
    // The canary ring bakes for a day before the rest ring may start.
    const rollout = path.join(dir, 'rollouts', 'lab.yaml');
    const text = readFileSync(rollout, 'utf8');
    const baking = text.replace(/( +)failureBudget:\n/, '$1bakeTime: 1d\n$1failureBudget:\n');
    expect(baking).not.toBe(text);
    writeFileSync(rollout, baking);
    expect((await patchctl(['scan'])).code).toBe(0);
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'fleet');

    const first = await patchctl(['apply', '--auto-approve', '--commit', '--no-color']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Ring canary: completed/);
    expect(first.stdout).toMatch(/Ring rest: .*bake/);
    expect(first.stdout).toMatch(/Committed \d+ files in [0-9a-f]{12}/);
    const head = git('rev-parse', 'HEAD');
    const runs = runFiles();
    expect(runs).toHaveLength(2); // the journal and the run's plan file

    // The next scheduled run: the rest ring still bakes, so no host starts.
    const noop = await patchctl(['apply', '--auto-approve', '--commit', '--no-color']);
    expect(noop.stderr).toBe('');
    expect(noop.code).toBe(0);
    expect(noop.stdout).toMatch(/no host started/);
    expect(noop.stdout).toContain('Nothing to commit: the run started no host and changed no file.');
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(runFiles()).toEqual(runs);
    expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
  }, 120_000);
});

describe('the plan file of a run holds digests, not the plan (issue 13)', () => {
  it('is small, and apply --resume re-derives the plan from it and refuses it edited', async () => {
    const f = await start();
    expect((await patchctl(['scan'])).code).toBe(0);
    expect((await patchctl(['plan', '--out', 'plan.json'])).code).toBe(0);
    const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as Plan;

    const canary = await patchctl(['apply', 'plan.json', '--ring', 'canary']);
    expect(canary.stderr).toBe('');
    expect(canary.code).toBe(0);
    const [journal, planFile] = runFiles();
    expect(journal).toMatch(/\.jsonl$/);
    expect(planFile).toMatch(/\.plan\.json$/);
    const kept = path.join(dir, 'state', 'runs', planFile ?? '');
    const record = JSON.parse(readFileSync(kept, 'utf8')) as RunPlan;
    expect(record).toMatchObject({
      kind: 'run-plan',
      at: plan.at,
      inputsDigest: plan.inputsDigest,
      summary: plan.summary,
    });
    expect(record.rings.flatMap((r) => r.hosts).map((h) => h.split(' ')[0])).toEqual([
      'lab-01',
      'lab-02',
      'lab-03',
    ]);
    expect(JSON.stringify(record)).not.toContain('fleet-crypto');
    expect(statSync(kept).size).toBeLessThan(JSON.stringify(plan).length);

    // Edited to claim another decision for a host still to run: refused, nothing runs.
    const edited = { ...record, rings: record.rings.map((r) => ({ ...r, hosts: [...r.hosts] })) };
    const rest = edited.rings.find((r) => r.name === 'rest');
    if (!rest) throw new Error('no rest ring');
    rest.hosts[0] = (rest.hosts[0] ?? '').replace(/ [0-9a-f]{16} /, ` ${'0'.repeat(16)} `);
    writeFileSync(kept, JSON.stringify(edited, null, 2));
    const before = f.hosts.map((h) => h.state.bootCount);
    const refused = await patchctl(['apply', '--resume']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "the repository no longer decides what the interrupted run's plan decided: nothing was applied",
    );
    expect(refused.stderr).toMatch(/ring lab\/rest host lab-0\d: the repository no longer decides/);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual(before);

    // As the run wrote it: the rest ring runs from it, the canary host is not run again.
    writeFileSync(kept, `${JSON.stringify(record, null, 2)}\n`);
    const resumed = await patchctl(['apply', '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/2 patched \(1 host\(s\) done by earlier runs of this plan\)/);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 1, 1]);
    // The resumed run kept the same plan file: resuming it again finds nothing to run.
    const again = await patchctl(['apply', '--resume']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no host started \(3 host\(s\) done by earlier runs of this plan\)/);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 1, 1]);
  }, 120_000);

  it('a whole plan kept by an earlier version is still resumed', async () => {
    const f = await start(2);
    expect((await patchctl(['scan'])).code).toBe(0);
    expect((await patchctl(['plan', '--out', 'plan.json'])).code).toBe(0);
    expect((await patchctl(['apply', 'plan.json', '--ring', 'canary'])).code).toBe(0);
    const planFile = runFiles().find((n) => n.endsWith('.plan.json')) ?? '';
    // What runs before issue 13 kept: the whole plan.
    writeFileSync(path.join(dir, 'state', 'runs', planFile), readFileSync(path.join(dir, 'plan.json')));
    const resumed = await patchctl(['apply', '--resume']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(f.hosts.map((h) => h.state.bootCount)).toEqual([1, 1]);
  }, 120_000);
});

describe('progress on a terminal that reports no width (issue 13)', () => {
  it.each([0, 1, undefined])(
    'with columns %p, apply patches the hosts and draws no cursor code',
    async (columns) => {
      const f = await start(1);
      expect((await patchctl(['scan'])).code).toBe(0);
      let writes = 0;
      let drawn = '';
      const stream = Object.assign(new PassThrough(), {
        isTTY: true,
        columns,
        cursorTo: (x: number) => stream.write(`\u001b[${x + 1}G`),
        clearLine: () => stream.write('\u001b[2K'),
        moveCursor: (_x: number, y: number) => stream.write(y < 0 ? `\u001b[${-y}A` : ''),
      });
      const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
      // A display that loops on the width fails the run here instead of eating the machine.
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (++writes > 10_000) throw new Error('runaway progress display');
        drawn += String(chunk);
        return write(chunk, ...rest);
      }) as typeof stream.write;
      const r = await patchctl(['apply', '--auto-approve', '--no-color'], {
        isTTY: true,
        progressStream: stream,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/✓ lab-01: patched/);
      expect(drawn).toBe('');
      expect(f.hosts[0]?.state.bootCount).toBe(1);
    },
    120_000,
  );
});
