#!/usr/bin/env node
// Wall time of `patchctl apply` on N lab hosts next to the floor: a plain parallel OpenSSH loop
// running only `apt-get install pkg=version…` for the same upgrades. Linux, root, after
// `npm run build`. Each measurement starts from a fresh lab (same starting versions).
//   node bench/apply-vs-ssh.mjs [--hosts 20] [--runs 3]
// Two patchctl figures: the lab repository as shipped (canary ring first, reboots when a package
// asks), and the same work as the loop (one ring, no reboot).
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const hosts = arg('--hosts', 20);
const runs = arg('--runs', 3);
const repo = path.join(root, '.lab', 'repo');
const env = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LC_ALL: 'C',
};

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const patchctl = (...args) => sh(process.execPath, [path.join(root, 'bin', 'patchctl'), ...args]);
const lab = (...args) => sh(process.execPath, [path.join(root, 'lab', 'lab.mjs'), ...args]);

function freshLab() {
  lab('up', '--hosts', String(hosts));
  patchctl('scan', '-C', repo);
}

/** One ring, no reboot: the same work as the plain loop. */
function sameWorkAsLoop() {
  const rollout = path.join(repo, 'rollouts', 'lab.yaml');
  writeFileSync(
    rollout,
    'apiVersion: patchctl/v1\nkind: Rollout\nmetadata:\n  name: lab\nspec:\n  rings:\n    - name: all\n      rest: true\n',
  );
  const policies = path.join(repo, 'policies', 'lab.yaml');
  writeFileSync(policies, readFileSync(policies, 'utf8').replaceAll('reboot: ifRequired', 'reboot: never'));
}

function timed(fn) {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

async function timedAsync(fn) {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

/** Every host at once: ssh … sudo -n apt-get install -y the plan's pkg=version list. */
async function plainLoop() {
  const plan = JSON.parse(patchctl('plan', '-C', repo, '--format', 'json'));
  const key = path.join(root, '.lab', 'client', 'id_ed25519');
  const status = JSON.parse(lab('status', '--json'));
  const address = new Map(status.hosts.map((h) => [h.name, h.address]));
  const jobs = plan.rings
    .flatMap((r) => r.hosts)
    .filter((h) => h.actions.length > 0)
    .map((h) => {
      const pkgs = h.actions.filter((a) => a.type === 'upgrade').map((a) => `${a.package}=${a.to}`);
      const args = [
        '-F',
        '/dev/null',
        '-i',
        key,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `UserKnownHostsFile=${path.join(repo, 'known_hosts')}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `patchctl@${address.get(h.host)}`,
        `sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --only-upgrade ${pkgs.join(' ')}`,
      ];
      return new Promise((resolve, reject) => {
        const child = spawn('ssh', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        child.stderr.on('data', (c) => (err += c));
        child.on('close', (code) =>
          code === 0 ? resolve() : reject(new Error(`${h.host}: exit ${code}: ${err}`)),
        );
      });
    });
  await Promise.all(jobs);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { shipped: [], sameWork: [], loop: [] };
try {
  for (let i = 0; i < runs; i++) {
    freshLab();
    results.shipped.push(timed(() => patchctl('apply', '-C', repo, '--auto-approve', '--quiet')));
    freshLab();
    sameWorkAsLoop();
    results.sameWork.push(timed(() => patchctl('apply', '-C', repo, '--auto-approve', '--quiet')));
    freshLab();
    results.loop.push(await timedAsync(plainLoop));
  }
} finally {
  lab('down');
}
const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
console.log(
  JSON.stringify(
    {
      hosts,
      runs,
      cores: (await import('node:os')).cpus().length,
      seconds: results,
      median: m,
      applyVsLoop: m.sameWork / m.loop,
    },
    null,
    2,
  ),
);
