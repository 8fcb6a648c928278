#!/usr/bin/env node
// `npm run demo`: patchctl's main job on the built-in example fleet.
// By default it runs on the simulated fleet: in-process SSH servers that answer like the lab's
// hosts (src/sim), a mixed fleet of two Debian (apt), one RHEL-like (dnf) and one SUSE-like
// (zypper) host, each patched with its own driver (`--mix=deb:A,el:B,suse:C` another mix,
// `--hosts=N` N Debian hosts) — validate → scan → plan → apply, then the example repositories
// offline. Nothing outside the demo's own process is touched, whoever runs it: a sysadmin
// trying it as root on an admin box gets no namespaces and no bridge unasked.
// `--fleet=lab` (Linux, root) brings up the lab instead (real Debian hosts with OpenSSH and apt,
// in namespaces on this machine), runs the same flow on it, shows a host's new versions over
// ssh, prints where the results are, and tears the lab down (`--keep` leaves it up).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'patchctl');
const labCli = path.join(root, 'lab', 'lab.mjs');
const keep = process.argv.includes('--keep');
const hostsArg = process.argv.find((a) => a.startsWith('--hosts='))?.slice(8);
const hosts = Number(hostsArg ?? 3);
const mixArg = process.argv.find((a) => a.startsWith('--mix='))?.slice(6);
if (hostsArg !== undefined && mixArg !== undefined) {
  console.error('demo: --hosts and --mix do not go together');
  process.exit(2);
}
const fleetChoice = process.argv.find((a) => a.startsWith('--fleet='))?.slice(8);
if (fleetChoice !== undefined && fleetChoice !== 'lab' && fleetChoice !== 'sim') {
  console.error(`demo: --fleet=${fleetChoice}: use --fleet=lab or --fleet=sim`);
  process.exit(2);
}

function step(title, cmd, args, { expect = [0], cwd = root, shown } = {}) {
  console.log(`\n$ ${shown ?? `${cmd === process.execPath ? 'node' : cmd} ${args.join(' ')}`}    # ${title}`);
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  if (!expect.includes(r.status)) {
    console.error(`demo: "${title}" exited ${r.status}, expected ${expect.join(' or ')}`);
    process.exitCode = 1;
    throw new Error('demo step failed');
  }
  return r;
}

/** As step, without blocking: the simulated hosts answer from this process's event loop. */
function stepAsync(title, args, { expect = [0], cwd = root } = {}) {
  console.log(`\n$ patchctl ${args.join(' ')}    # ${title}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c) => {
      stdout += c;
      process.stdout.write(c);
    });
    child.stderr.on('data', (c) => process.stderr.write(c));
    child.on('error', reject);
    child.on('close', (status) => {
      if (expect.includes(status)) return resolve({ status, stdout });
      console.error(`demo: "${title}" exited ${status}, expected ${expect.join(' or ')}`);
      process.exitCode = 1;
      reject(new Error('demo step failed'));
    });
  });
}

const patchctl = (title, args, opts = {}) =>
  step(title, process.execPath, [bin, ...args], { ...opts, shown: `patchctl ${args.join(' ')}` });

/** Why the lab cannot run here, or undefined. */
function labUnavailable() {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the lab needs root';
  for (const tool of ['/usr/sbin/debootstrap', '/usr/bin/apt-ftparchive', '/usr/bin/ssh', '/usr/sbin/ip'])
    if (!existsSync(tool))
      return `${path.basename(tool)} is missing (apt-get install debootstrap apt-utils openssh-client iproute2)`;
  return undefined;
}

function labDemo() {
  const repo = path.join(root, '.lab', 'repo');
  const rel = path.relative(root, repo);
  let up = false;
  try {
    step(
      `start ${hosts} Debian hosts with OpenSSH and apt (first run: builds them, about a minute)`,
      process.execPath,
      [labCli, 'up', '--hosts', String(hosts)],
    );
    up = true;
    patchctl('the lab repository is valid', ['validate', '-C', rel]);
    patchctl('what the hosts have and lack, into state/hosts/', ['scan', '-C', rel]);
    patchctl('what apply will do, ring by ring', ['plan', '-C', rel]);
    const applied = patchctl(
      'patch them: canary first, then the rest',
      ['apply', '-C', rel, '--auto-approve'],
      {
        expect: [0],
      },
    );
    step('a host, over ssh: the new versions', process.execPath, [
      labCli,
      'ssh',
      'lab-01',
      "dpkg-query -W -f='${Package} ${Version}\\n' 'fleet-*'",
    ]);
    const journal = /Journal: (\S+)/.exec(applied.stdout)?.[1];
    console.log(`
Results (they stay after the lab is down):
  ${rel}/state/hosts/*.json        what each host has now (rewritten by apply)
  ${rel}/state/rollouts/lab.json   ring progress (bake times across runs)
  ${journal ? `${rel}/${journal}` : `${rel}/state/runs/*.jsonl`}   the journal of the apply, one event per line
  ${rel}/reports/compliance.md     the compliance report (also .json, .xml JUnit, .csv)`);
  } finally {
    if (up && !keep) step('tear the lab down (idempotent)', process.execPath, [labCli, 'down']);
    else if (up) console.log('\nThe lab is still up (--keep): `npm run lab:down` stops it.');
  }
}

async function simDemo() {
  const { parseSimMix, startSimFleet } = await import(path.join(root, 'dist', 'sim', 'fleet.js'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-demo-sim-'));
  // A mixed fleet unless --hosts asks for Debian hosts only (as the lab's --hosts and --mix).
  const shape =
    hostsArg !== undefined
      ? { hosts }
      : { mix: mixArg !== undefined ? parseSimMix(mixArg) : { deb: 2, el: 1, suse: 1 } };
  const fleet = await startSimFleet({ ...shape, latencyMs: 2 });
  try {
    const repo = fleet.writeRepository(path.join(scratch, 'repo'));
    console.log(
      `\nSimulated hosts: ${fleet.hosts.map((h) => `${h.name} (${h.os}, 127.0.0.1:${h.port})`).join(', ')}`,
    );
    await stepAsync('check the fleet repository', ['validate', '-C', repo]);
    await stepAsync('what the hosts have and lack, into state/hosts/', ['scan', '-C', repo]);
    await stepAsync('what apply would do, ring by ring', ['plan', '-C', repo]);
    await stepAsync('patch them: canary first, then the rest', ['apply', '-C', repo, '--auto-approve']);
    // The first host of each family: its test packages as its package database has them now.
    const DB = { deb: 'dpkg', el: 'rpm', suse: 'rpm' };
    for (const family of ['deb', 'el', 'suse']) {
      const first = fleet.hosts.find((h) => h.family === family);
      if (!first) continue;
      console.log(
        `\n${first.name}'s test packages now (the simulated ${first.os} host's ${DB[family]} state):`,
      );
      for (const name of Object.keys(first.state.versions()))
        console.log(`  ${name} ${first.state.installedVersions(name).join(', ')}`);
    }
    await stepAsync('rollout progress and the last run', ['status', '-C', repo]);
    console.log(`
Results were written to ${repo}/state/ and ${repo}/reports/ (compliance.md, .json, .xml, .csv);
the demo removes them now.`);
  } finally {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function offlineDemo() {
  const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-demo-'));
  try {
    patchctl('a new, commented example repository', ['init', 'fleet'], { cwd: scratch });
    patchctl('it validates as written', ['validate', '-C', 'fleet'], { cwd: scratch });
    // The enterprise example's exceptions carry fixed dates, so it is judged at a fixed time.
    patchctl('a larger fleet: three sites, Linux and Windows', [
      'validate',
      '-C',
      path.join(root, 'examples', 'enterprise'),
      '--at',
      '2026-12-01T00:00:00Z',
    ]);
    patchctl('what apply would do on the starter fleet, ring by ring (from its shipped state)', [
      'plan',
      '-C',
      path.join(root, 'examples', 'starter'),
      '--at',
      '2026-12-01T00:00:00Z',
    ]);
    // A pull request that mistypes a group.
    cpSync(path.join(scratch, 'fleet'), path.join(scratch, 'broken'), { recursive: true });
    const policyFile = path.join(scratch, 'broken', 'policies', 'security.yaml');
    const policy = readFileSync(policyFile, 'utf8');
    const group = /groups:\s*\[\s*([A-Za-z0-9._-]+)/.exec(policy)?.[1];
    if (group) writeFileSync(policyFile, policy.replace(`[${group}`, `[${group}-typo`));
    patchctl('a broken change, as CI sees it', ['validate', '-C', 'broken'], { cwd: scratch, expect: [3] });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  if (fleetChoice === 'lab') {
    const why = labUnavailable();
    if (why) throw new Error(`--fleet=lab: ${why}`);
    console.log('demo: using the lab fleet (real hosts in namespaces on this machine).');
    labDemo();
  } else {
    const reason =
      fleetChoice === 'sim'
        ? 'asked for with --fleet=sim'
        : 'the default; `npm run demo -- --fleet=lab` runs it on the lab, real hosts in namespaces, as root';
    console.log(
      `demo: using the simulated fleet (in-process SSH servers that answer like the lab's apt, dnf and zypper hosts; ${reason}).`,
    );
    await simDemo();
    console.log('\ndemo: and the example repositories, offline:');
    offlineDemo();
  }
} catch (err) {
  if (err instanceof Error && err.message !== 'demo step failed') console.error(`demo: ${err.message}`);
  process.exitCode = 1;
}
