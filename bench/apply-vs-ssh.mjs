#!/usr/bin/env node
// Wall time of `patchctl apply` on N lab hosts next to the floor — a plain parallel OpenSSH loop
// running only `apt-get install pkg=version…` for the same upgrades — and next to Ansible
// (Debian's ansible-core, apt module, forks = hosts, host key checking and SSH multiplexing as
// installed). Linux, root, after `npm run build`. Each measurement starts from a fresh lab
// (same starting versions).
//   node bench/apply-vs-ssh.mjs [--hosts 20] [--runs 3]
// Two patchctl figures: the lab repository as shipped (canary ring first, reboots when a package
// asks), and the same work as the loop and the playbook (one ring, no reboot).
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

function sh(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    maxBuffer: 64 << 20,
  });
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
  const key = path.join(root, '.lab', 'client', 'id_ed25519');
  const jobs = planned().map((h) => {
    const pkgs = h.upgrades;
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
      `patchctl@${h.address}`,
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

/** The plan's upgrades per host with its address: what the loop and the playbook install. */
function planned() {
  const plan = JSON.parse(patchctl('plan', '-C', repo, '--format', 'json'));
  const status = JSON.parse(lab('status', '--json'));
  const address = new Map(status.hosts.map((h) => [h.name, h.address]));
  return plan.rings
    .flatMap((r) => r.hosts)
    .filter((h) => h.actions.length > 0)
    .map((h) => ({
      host: h.host,
      address: address.get(h.host),
      upgrades: h.actions.filter((a) => a.type === 'upgrade').map((a) => `${a.package}=${a.to}`),
    }));
}

/**
 * ansible-playbook with the apt module installing the same versions. Defaults as installed:
 * fact gathering, host key checking (against the lab's known_hosts), ControlMaster=auto with
 * ControlPersist=60s; forks = hosts so that it is as parallel as the others.
 */
function ansible() {
  const work = mkdtempSync(path.join(tmpdir(), 'patchctl-bench-ansible-'));
  const cp = path.join(work, 'cp');
  const jobs = planned();
  const hostsVars = Object.fromEntries(
    jobs.map((j) => [j.host, { ansible_host: j.address, upgrades: j.upgrades }]),
  );
  writeFileSync(path.join(work, 'inventory.json'), JSON.stringify({ lab: { hosts: hostsVars } }));
  writeFileSync(
    path.join(work, 'playbook.yml'),
    `- hosts: lab
  become: true
  tasks:
    - name: Install the planned versions
      ansible.builtin.apt:
        name: "{{ upgrades }}"
        state: present
`,
  );
  try {
    return timed(() =>
      sh(
        'ansible-playbook',
        [
          '-i',
          path.join(work, 'inventory.json'),
          path.join(work, 'playbook.yml'),
          '--forks',
          String(jobs.length),
          '-u',
          'patchctl',
          '--private-key',
          path.join(root, '.lab', 'client', 'id_ed25519'),
          '--ssh-common-args',
          `-o UserKnownHostsFile=${path.join(repo, 'known_hosts')}`,
        ].concat([]),
        { ...ansibleEnv, ANSIBLE_SSH_CONTROL_PATH_DIR: cp, ANSIBLE_HOST_KEY_CHECKING: 'True' },
      ),
    );
  } finally {
    // The multiplexing masters would outlive the run by 60 s: end the ones this run started.
    for (const sock of safeList(cp))
      spawnSync('ssh', ['-o', `ControlPath=${path.join(cp, sock)}`, '-O', 'exit', 'lab'], {
        env,
        stdio: 'ignore',
      });
    rmSync(work, { recursive: true, force: true });
  }
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// ansible-core refuses to run without a UTF-8 locale.
const ansibleEnv = { LC_ALL: 'C.UTF-8' };
if (spawnSync('ansible-playbook', ['--version'], { env: { ...env, ...ansibleEnv } }).status !== 0) {
  console.error('ansible-playbook is missing: apt-get install ansible-core');
  process.exit(1);
}
const results = { shipped: [], sameWork: [], loop: [], ansible: [] };
try {
  for (let i = 0; i < runs; i++) {
    freshLab();
    results.shipped.push(timed(() => patchctl('apply', '-C', repo, '--auto-approve', '--quiet')));
    freshLab();
    sameWorkAsLoop();
    results.sameWork.push(timed(() => patchctl('apply', '-C', repo, '--auto-approve', '--quiet')));
    freshLab();
    results.loop.push(await timedAsync(plainLoop));
    freshLab();
    results.ansible.push(ansible());
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
      applyVsAnsible: m.sameWork / m.ansible,
    },
    null,
    2,
  ),
);
