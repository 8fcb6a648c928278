// Sharded apply (issue 6; README.md, "Sharding") against the simulated fleet: `plan --shards 3`, then
// `apply --shard i/3` in three patchctl processes at once, one ring per stage, must end where
// one unsharded apply ends (every host's dpkg state, state/hosts, the report's host states),
// with no host patched twice. Once on one shared repository, once as a CI matrix would run it:
// separate checkouts, brought together by `report --merge … --commit`.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
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
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import YAML from 'yaml';

import type { SimFleet } from '../src/sim/fleet.js';
import { startSimFleet } from '../src/sim/fleet.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOSTS = 7;
const SHARDS = 3;

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** patchctl in a child process, without blocking: the simulated hosts answer from this process. */
function patchctl(dir: string, args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'patchctl'), ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1', LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

async function ok(dir: string, args: string[]): Promise<Run> {
  const r = await patchctl(dir, args);
  if (r.status !== 0)
    throw new Error(`patchctl ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

const shardIndexes = Array.from({ length: SHARDS }, (_, i) => i + 1);

function fleetOptions() {
  return { hosts: HOSTS, seed: 7, rebootDelayMs: 50, rebootDowntimeMs: 100 };
}

/** Times, run ids, digests and boot ids differ between any two runs: replace them by their kind. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string')
    return value
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<time>')
      .replace(/\d{8}T\d{6}Z-[0-9a-f]{8}/g, '<run>')
      .replace(/sha256:[0-9a-f]{12,64}/g, '<digest>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<boot-id>');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  return value;
}

/** What must agree between two fleets after the same patching. */
function outcome(fleet: SimFleet, dir: string): unknown {
  const hostsDir = path.join(dir, 'state', 'hosts');
  const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'compliance.json'), 'utf8')) as {
    hosts: { host: string; state: string; missing: unknown[] }[];
  };
  return {
    dpkg: Object.fromEntries(fleet.hosts.map((h) => [h.name, h.state.versions()])),
    state: Object.fromEntries(
      readdirSync(hostsDir)
        .sort()
        .map((f) => [f, normalise(JSON.parse(readFileSync(path.join(hostsDir, f), 'utf8')))]),
    ),
    report: report.hosts.map((h) => normalise({ host: h.host, state: h.state, missing: h.missing })),
  };
}

/** host → how many times a run patched it, over every journal of the repository. */
function patchCounts(dir: string): Map<string, number> {
  const runs = path.join(dir, 'state', 'runs');
  const counts = new Map<string, number>();
  for (const f of readdirSync(runs).filter((n) => n.endsWith('.jsonl')))
    for (const line of readFileSync(path.join(runs, f), 'utf8').split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as { type: string; host?: string; status?: string };
      if (e.type === 'host-finished' && e.host && e.status?.startsWith('patched'))
        counts.set(e.host, (counts.get(e.host) ?? 0) + 1);
    }
  return counts;
}

interface K8sContainer {
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { key: string } } }[];
}

interface K8sJob {
  spec: {
    completionMode?: string;
    completions: number;
    parallelism?: number;
    template: { spec: { containers: K8sContainer[]; initContainers?: K8sContainer[] } };
  };
}

/** A bash script in the background, under `set -euo pipefail` as the containers run it. */
function bash(script: string, env: Record<string, string>): Promise<Run> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr })),
  );
}

function git(dir: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('sharded apply on the simulated fleet', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-shards-'));
  const fleets: SimFleet[] = [];
  let expected: unknown;
  let unshardedCounts: Map<string, number>;

  beforeAll(async () => {
    // The reference: one unsharded apply of every ring.
    const fleet = await startSimFleet(fleetOptions());
    fleets.push(fleet);
    const dir = fleet.writeRepository(path.join(scratch, 'unsharded'));
    await ok(dir, ['scan']);
    await ok(dir, ['apply', '--auto-approve']);
    expected = outcome(fleet, dir);
    unshardedCounts = patchCounts(dir);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(fleets.map((f) => f.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('three processes on one repository end where one unsharded apply ends', async () => {
    const fleet = await startSimFleet(fleetOptions());
    fleets.push(fleet);
    const dir = fleet.writeRepository(path.join(scratch, 'shared'));
    await ok(dir, ['scan']);
    const planned = await ok(dir, ['plan', '--shards', String(SHARDS), '--out', 'plan.json']);
    expect(planned.stdout).toContain(`Shards (apply --shard i/${SHARDS}):`);
    const plan = JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as {
      shards: { count: number; summary: { shard: number; hosts: number }[] };
      rings: { hosts: { host: string; shard: number }[] }[];
    };
    expect(plan.shards.count).toBe(SHARDS);
    expect(plan.shards.summary.map((s) => s.hosts).reduce((a, b) => a + b, 0)).toBe(HOSTS);

    // Stage 1: the canary ring, from the saved plan; every shard stops before the next ring.
    const stage1 = await Promise.all(
      shardIndexes.map((i) => ok(dir, ['apply', '--shard', `${i}/${SHARDS}`, 'plan.json'])),
    );
    for (const r of stage1) expect(r.stdout).toContain('Left for a later run');
    expect([...patchCounts(dir).keys()]).toEqual(['lab-01']);
    // The shards' progress merges: canary is complete once all three recorded it.
    const status = await ok(dir, ['status', '--format', 'json']);
    const rings = (JSON.parse(status.stdout) as { rollouts: { rings: { ring: string; status: string }[] }[] })
      .rollouts[0]?.rings;
    expect(rings?.find((r) => r.ring === 'canary')?.status).toBe('done');

    // Stage 2: the next ring, each shard planning for itself.
    await Promise.all(
      shardIndexes.map((i) => ok(dir, ['apply', '--shard', `${i}/${SHARDS}`, '--auto-approve'])),
    );
    await ok(dir, ['report']);
    expect(outcome(fleet, dir)).toEqual(expected);
    expect(patchCounts(dir)).toEqual(unshardedCounts);
    // The report folded the shards' progress into the rollout's own file.
    expect(existsSync(path.join(dir, 'state', 'rollouts', 'shards'))).toBe(true);
    expect(readdirSync(path.join(dir, 'state', 'rollouts', 'shards'))).toEqual([]);
    const lab = JSON.parse(readFileSync(path.join(dir, 'state', 'rollouts', 'lab.json'), 'utf8')) as {
      rings: Record<string, { status: string }>;
      shard?: unknown;
    };
    expect(lab.shard).toBeUndefined();
    expect(lab.rings.canary?.status).toBe('completed');
    expect(lab.rings.rest?.status).toBe('completed');
  }, 180_000);

  it('separate checkouts, as a CI matrix runs them, come together with report --merge --commit', async () => {
    const fleet = await startSimFleet(fleetOptions());
    fleets.push(fleet);
    const dir = fleet.writeRepository(path.join(scratch, 'origin'));
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['add', '-A']);
    git(dir, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'fleet']);
    await ok(dir, ['scan', '--commit']);

    for (const stage of [1, 2]) {
      // Each job gets its own copy of the repository, as a CI checkout.
      const jobs = shardIndexes.map((i) => {
        const job = path.join(scratch, `stage${stage}-shard${i}`);
        cpSync(dir, job, { recursive: true });
        return job;
      });
      await Promise.all(
        jobs.map((job, i) => ok(job, ['apply', '--shard', `${i + 1}/${SHARDS}`, '--auto-approve'])),
      );
      const merged = await ok(dir, ['report', '--merge', ...jobs, '--commit']);
      expect(merged.stdout).toMatch(/Merged from \S+: \d+ host state file\(s\)/);
      expect(git(dir, ['status', '--porcelain'])).toBe('');
      // The shards' progress files were folded, never committed.
      expect(git(dir, ['ls-files', 'state/rollouts'])).toBe('state/rollouts/lab.json\n');
    }
    expect(outcome(fleet, dir)).toEqual(expected);
    expect(patchCounts(dir)).toEqual(unshardedCounts);
    const files = git(dir, ['show', '--name-only', '--format=', 'HEAD']).split('\n').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['state/rollouts/lab.json', 'reports/compliance.json']));
    expect(files.some((f) => f.startsWith('state/hosts/'))).toBe(true);
    expect(files.some((f) => f.startsWith('state/runs/'))).toBe(true);
  }, 180_000);

  it("the Kubernetes Indexed Job's pods and the merge Job do the same (examples/ci/kubernetes)", async () => {
    const manifest = YAML.parseAllDocuments(
      readFileSync(path.join(root, 'examples/ci/kubernetes/patchctl-shards.yaml'), 'utf8'),
    ).map((d) => d.toJS() as K8sJob);
    const [shardsJob, mergeJob] = manifest;
    if (!shardsJob || !mergeJob) throw new Error('two Jobs expected');
    expect(shardsJob.spec.completionMode).toBe('Indexed');
    const count = shardsJob.spec.completions;
    expect(shardsJob.spec.parallelism).toBe(count);
    const apply = shardsJob.spec.template.spec.containers[0];
    expect(apply?.env.find((e) => e.name === 'SHARDS')?.value).toBe(String(count));
    const waitFor = mergeJob.spec.template.spec.initContainers?.[0];
    const merge = mergeJob.spec.template.spec.containers[0];
    if (!apply || !waitFor || !merge) throw new Error('containers expected');

    const fleet = await startSimFleet(fleetOptions());
    fleets.push(fleet);
    const k8s = path.join(scratch, 'k8s');
    const seed = fleet.writeRepository(path.join(k8s, 'seed'));
    git(seed, ['init', '-q', '-b', 'main']);
    await ok(seed, ['scan']);
    git(seed, ['add', '-A']);
    git(seed, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'fleet']);
    const origin = path.join(k8s, 'origin.git');
    git(k8s, ['clone', '-q', '--bare', seed, origin]);
    const bin = path.join(k8s, 'bin');
    mkdirSync(bin);
    // The image's npm installs patchctl; here it is on PATH already. curl "downloads" the
    // release tarball: an empty file, whose sha256 the pods check.
    writeFileSync(path.join(bin, 'npm'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    writeFileSync(path.join(bin, 'curl'), '#!/bin/sh\n: > "$3"\n', { mode: 0o755 });
    writeFileSync(
      path.join(bin, 'patchctl'),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(root, 'bin', 'patchctl'))} "$@"\n`,
      { mode: 0o755 },
    );
    const results = path.join(k8s, 'results');
    mkdirSync(results);
    /** A container's script, with its volumes at scratch paths, in the background. */
    const pod = (c: K8sContainer, name: string, env: Record<string, string>): Promise<Run> => {
      const work = path.join(k8s, name);
      mkdirSync(work, { recursive: true });
      const script = (c.args[0] ?? '').replaceAll('/results', results).replaceAll('/work', work);
      const values = Object.fromEntries(
        c.env.map((e) => [e.name, e.value ?? env[e.valueFrom?.secretKeyRef.key ?? ''] ?? '']),
      );
      return bash(script, {
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: work,
        NO_COLOR: '1',
        LC_ALL: 'C',
        ...values,
        PATCHCTL_TARBALL_SHA256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        ...env,
      });
    };
    for (const stage of [1, 2]) {
      const secret = {
        'git-url': origin,
        'git-ref': git(k8s, ['--git-dir', origin, 'rev-parse', 'main']).trim(),
        'ssh-key': fleet.clientKey.private,
      };
      const pods = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          pod(apply, `stage${stage}-pod${i}`, { ...secret, JOB_COMPLETION_INDEX: String(i) }),
        ),
      );
      for (const r of pods) expect(r.stderr).toBe('');
      expect(pods.map((r) => r.status)).toEqual(pods.map(() => 0));
      expect((await pod(waitFor, `stage${stage}-wait`, {})).status).toBe(0);
      const merged = await pod(merge, `stage${stage}-merge`, secret);
      expect(merged.stderr).toBe('');
      expect(merged.status).toBe(0);
      expect(readdirSync(results)).toEqual([]);
    }
    const main = path.join(k8s, 'main');
    git(k8s, ['clone', '-q', origin, main]);
    expect(outcome(fleet, main)).toEqual(expected);
    expect(patchCounts(main)).toEqual(unshardedCounts);
  }, 180_000);

  it('refuses a shard of another split, and a plan split into another count', async () => {
    const dir = path.join(scratch, 'shared');
    const bad = await patchctl(dir, ['apply', '--shard', '4/3', 'plan.json']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--shard "4/3": the index counts from 1 to 3');
    const other = await patchctl(dir, ['apply', '--shard', '1/2', 'plan.json']);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toContain('plan.json is split into 3 shards (plan --shards 3)');
    const count = await patchctl(dir, ['plan', '--shards', '0']);
    expect(count.status).toBe(1);
    expect(count.stderr).toContain(
      '--shards "0": the number of shards must be a whole number from 1 to 1000',
    );
  });
});
