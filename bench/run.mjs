#!/usr/bin/env node
// `npm run bench [-- --json]`: the five figures of issue 6, each a ratio taken in this one run
// (the machines are shared and noisy: only ratios measured side by side mean something).
//
//   planVsParse      plan over generated repositories (1,000 and 10,000 hosts) / parsing only
//                    the same files; target ≤ 1.5, and 10k/1k plan time ≤ 11
//   applyEfficiency  ideal makespan / actual makespan of apply on 1,000 simulated hosts at
//                    concurrency 200, each with the same fixed install time; target ≥ 0.95
//   vsAnsible        apply / ansible-playbook (apt module) doing the same upgrades on the same
//                    20 lab hosts, from a fresh lab each time; target ≤ 0.33
//   vsFloor          apply / a plain parallel OpenSSH loop running only apt-get on those
//                    hosts; target ≤ 1.2
//   rss10k           peak controller memory (MB) scanning, planning and applying 10,000
//                    simulated hosts; target ≤ 512
//   feedsOverhead    plan of the 10,000-host repository with vulnerability feeds (OSV, KEV, EPSS)
//                    joined to every pending update / the same plan without them; target ≤ 1.5
//                    (issue 15; measured by plan-scale.mjs in the planVsParse runs)
//   commandsPerHost  commands apply sends a host after the SSH handshake (the remote lock
//                    included), for an upgrade without hooks or reboot, the most any host of 20
//                    simulated hosts got; target ≤ 5 (issue 14). The detail gives scan's too, and
//                    the figures measured with this same code on the commit before issue 14.
//
// Medians of several runs, with the machine's core count. As root on Linux (the lab figures
// need it), after `npm run build`. It is not a test: a slow figure never fails it, but a figure
// it cannot measure does, loudly (exit 1, saying which and why).
//   npm run bench -- [--json] [--runs N] [--quick] [--only NAME,…]
//   (--quick: smaller sizes, for trying it out; --only: some of the figures)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const asJson = args.includes('--json');
const quick = args.includes('--quick');
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const runs = Number(valueOf('--runs') ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('bench: --runs takes a whole number of at least 1');
  process.exit(2);
}
/** --only planVsParse,rss10k: measure just these (the lab figures come as a pair). */
const only = valueOf('--only')?.split(',');
const bin = path.join(root, 'bin', 'patchctl');
const say = (line) => {
  if (!asJson) console.log(line);
  else console.error(line);
};

const sizes = quick
  ? { plan: '200,2000', efficiencyHosts: 200, rssHosts: 1000, labHosts: 4 }
  : { plan: '1000,10000', efficiencyHosts: 1000, rssHosts: 10000, labHosts: 20 };
const CONCURRENCY = 200;
const INSTALL_WORK_MS = 5_000;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A child process's stdout, or an error naming what could not be measured. */
function node(what, script, scriptArgs) {
  const r = spawnSync(process.execPath, [script, ...scriptArgs], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0)
    throw new Error(`${what}: ${path.basename(script)} exited ${r.status}:\n${r.stderr.trim()}`);
  return r.stdout;
}

/** `patchctl ARGS` without blocking this process (the simulated hosts answer from its event loop). */
function patchctl(args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // GNU time reports the child's peak resident set (%M, KB) on the last line of stderr.
    const child = spawn('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, bin, ...args], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = Number(/peak-rss-kb (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;
      if (code !== 0) reject(new Error(`patchctl ${args.join(' ')} exited ${code}:\n${stderr.trim()}`));
      else resolve({ seconds, peakRssMb: rss });
    });
  });
}

/** A simulated fleet with its repository: one ring, no reboots, the bench's concurrency. */
async function simFleet(hosts, options, from = root) {
  const { startSimFleet } = await import(path.join(from, 'dist', 'sim', 'fleet.js'));
  const fleet = await startSimFleet({ hosts, latencyMs: 1, ...options });
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'patchctl-bench-sim-'));
  const repo = fleet.writeRepository(path.join(scratch, 'repo'));
  writeFileSync(
    path.join(repo, 'rollouts', 'lab.yaml'),
    'apiVersion: patchctl/v1\nkind: Rollout\nmetadata:\n  name: lab\nspec:\n  rings:\n    - name: all\n      rest: true\n',
  );
  const policies = path.join(repo, 'policies', 'lab.yaml');
  writeFileSync(policies, readFileSync(policies, 'utf8').replaceAll('reboot: ifRequired', 'reboot: never'));
  return {
    repo,
    fleet,
    stop: async () => {
      await fleet.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function planVsParse() {
  const out = JSON.parse(
    node('planVsParse', path.join(root, 'bench', 'plan-scale.mjs'), [
      '--json',
      '--sizes',
      sizes.plan,
      '--runs',
      String(runs),
    ]),
  );
  const [small, large] = sizes.plan.split(',').map((s) => out.sizes[s]);
  const planVsParse = {
    value: large.planVsParse,
    target: '≤ 1.5',
    met: large.planVsParse <= 1.5 && out.scaling <= 11,
    detail: {
      [`${small.hosts}`]: {
        planSeconds: small.planSeconds,
        parseSeconds: small.parseSeconds,
        ratio: small.planVsParse,
      },
      [`${large.hosts}`]: {
        planSeconds: large.planSeconds,
        parseSeconds: large.parseSeconds,
        ratio: large.planVsParse,
      },
      scaling: out.scaling,
      scalingTarget: '≤ 11',
    },
  };
  const feedsOverhead = {
    value: large.feedsOverhead,
    target: '≤ 1.5',
    met: large.feedsOverhead <= 1.5,
    detail: {
      hosts: large.hosts,
      planSeconds: large.planSeconds,
      planWithFeedsSeconds: large.planWithFeedsSeconds,
      feeds: '800 OSV records, 100 KEV entries, 9,000 EPSS scores',
    },
  };
  return { planVsParse, feedsOverhead };
}

async function applyEfficiency() {
  const hosts = sizes.efficiencyHosts;
  const ideal = Math.ceil(hosts / CONCURRENCY) * (INSTALL_WORK_MS / 1000);
  const actual = [];
  for (let i = 0; i < runs; i++) {
    const sim = await simFleet(hosts, { installWorkMs: INSTALL_WORK_MS });
    try {
      await patchctl(['scan', '-C', sim.repo, '--concurrency', String(CONCURRENCY), '--no-refresh', '-q']);
      const r = await patchctl([
        'apply',
        '-C',
        sim.repo,
        '--auto-approve',
        '--concurrency',
        String(CONCURRENCY),
        '-q',
      ]);
      const patched = sim.fleet.hosts.filter((h) => h.state.versions()['fleet-crypto'] === '1.1').length;
      if (patched !== hosts)
        throw new Error(`applyEfficiency: apply patched ${patched} of ${hosts} simulated hosts`);
      actual.push(r.seconds);
    } finally {
      await sim.stop();
    }
  }
  const m = median(actual);
  return {
    value: ideal / m,
    target: '≥ 0.95',
    met: ideal / m >= 0.95,
    detail: {
      hosts,
      concurrency: CONCURRENCY,
      installSeconds: INSTALL_WORK_MS / 1000,
      idealSeconds: ideal,
      actualSeconds: actual,
    },
  };
}

async function rss10k() {
  const hosts = sizes.rssHosts;
  const sim = await simFleet(hosts, {});
  try {
    const scan = await patchctl([
      'scan',
      '-C',
      sim.repo,
      '--concurrency',
      String(CONCURRENCY),
      '--no-refresh',
      '-q',
    ]);
    const plan = await patchctl(['plan', '-C', sim.repo, '--out', path.join(sim.repo, 'plan.json'), '-q']);
    const apply = await patchctl([
      'apply',
      path.join(sim.repo, 'plan.json'),
      '-C',
      sim.repo,
      '--auto-approve',
      '--concurrency',
      String(CONCURRENCY),
      '-q',
    ]);
    const peak = Math.max(plan.peakRssMb, apply.peakRssMb);
    return {
      value: peak,
      target: '≤ 512 MB',
      met: peak <= 512,
      detail: {
        hosts,
        planPeakMb: plan.peakRssMb,
        applyPeakMb: apply.peakRssMb,
        scanPeakMb: scan.peakRssMb,
        seconds: { scan: scan.seconds, plan: plan.seconds, apply: apply.seconds },
      },
    };
  } finally {
    await sim.stop();
  }
}

/**
 * Commands per host, read from the simulated hosts (each records the command lines it was sent).
 * `--commands-before DIR`: a built checkout of an older commit, measured the same way (bench's
 * own figure of the commit before issue 14, measured so on 4154a8d, is kept in BEFORE_ISSUE_14).
 */
async function commandsPerHost() {
  const count = async (from) => {
    const sim = await simFleet(20, {}, from);
    try {
      const bin = path.join(from, 'bin', 'patchctl');
      const perHost = () => sim.fleet.hosts.map((h) => h.state.commands.length);
      const reset = () => sim.fleet.hosts.forEach((h) => (h.state.commands.length = 0));
      reset();
      await patchctlAsync(bin, from, ['scan', '-C', sim.repo, '--no-refresh', '-q']);
      const scan = perHost();
      reset();
      await patchctlAsync(bin, from, ['apply', '-C', sim.repo, '--auto-approve', '-q']);
      const apply = perHost();
      const patched = sim.fleet.hosts.filter((h) => h.state.versions()['fleet-crypto'] === '1.1').length;
      if (patched !== sim.fleet.hosts.length)
        throw new Error(`commandsPerHost: apply patched ${patched} of ${sim.fleet.hosts.length} hosts`);
      return { scan: Math.max(...scan), apply: Math.max(...apply), applyMedian: median(apply) };
    } finally {
      await sim.stop();
    }
  };
  const now = await count(root);
  const beforeDir = valueOf('--commands-before');
  const before = beforeDir ? await count(path.resolve(beforeDir)) : BEFORE_ISSUE_14;
  return {
    value: now.apply,
    target: '≤ 5',
    met: now.apply <= 5,
    detail: { hosts: 20, apply: now.apply, applyMedian: now.applyMedian, scan: now.scan, before },
  };
}

/** `commandsPerHost` on 4154a8d (the commit before issue 14's round trips), measured with --commands-before. */
const BEFORE_ISSUE_14 = { commit: '4154a8d', apply: 9, applyMedian: 9, scan: 3 };

/** `patchctl ARGS` from `from`'s bin, without blocking this process; rejects on a non-zero exit. */
function patchctlAsync(bin, from, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: from, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`patchctl ${args[0]} exited ${code}:\n${stderr.trim()}`)),
    );
  });
}

function labFigures() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new Error('vsAnsible, vsFloor: the lab needs Linux and root');
  const out = JSON.parse(
    node('vsAnsible, vsFloor', path.join(root, 'bench', 'apply-vs-ssh.mjs'), [
      '--hosts',
      String(sizes.labHosts),
      '--runs',
      String(runs),
    ]),
  );
  return {
    vsAnsible: {
      value: out.applyVsAnsible,
      target: '≤ 0.33',
      met: out.applyVsAnsible <= 0.33,
      detail: { hosts: out.hosts, applySeconds: out.seconds.sameWork, ansibleSeconds: out.seconds.ansible },
    },
    vsFloor: {
      value: out.applyVsLoop,
      target: '≤ 1.2',
      met: out.applyVsLoop <= 1.2,
      detail: {
        hosts: out.hosts,
        applySeconds: out.seconds.sameWork,
        loopSeconds: out.seconds.loop,
        asShippedSeconds: out.seconds.shipped,
      },
    },
  };
}

const started = performance.now();
const figures = {};
const failures = [];
async function measure(name, fn) {
  if (only && !name.split(', ').some((n) => only.includes(n))) return;
  say(`bench: measuring ${name}…`);
  try {
    Object.assign(figures, name.includes(',') ? await fn() : { [name]: await fn() });
  } catch (err) {
    failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
await measure('planVsParse, feedsOverhead', planVsParse);
await measure('applyEfficiency', applyEfficiency);
await measure('vsAnsible, vsFloor', labFigures);
await measure('rss10k', rss10k);
await measure('commandsPerHost', commandsPerHost);

const result = {
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  },
  runs,
  quick,
  seconds: Math.round((performance.now() - started) / 1000),
  figures,
  ...(failures.length > 0 ? { failures } : {}),
};
if (asJson) console.log(JSON.stringify(result));
else {
  for (const [name, f] of Object.entries(figures))
    console.log(
      `${name.padEnd(16)} ${f.value.toFixed(2).padStart(8)}  target ${f.target.padEnd(9)} ${f.met ? 'met' : 'NOT met'}`,
    );
  console.log(
    `${result.machine.cores} cores (${result.machine.cpu}), medians of ${runs}, ${result.seconds} s`,
  );
}
if (failures.length > 0) {
  for (const f of failures) console.error(`bench: could not measure ${f}`);
  process.exitCode = 1;
}
