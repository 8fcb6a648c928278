// A host reached only through an alias in an ssh config and a two-hop ProxyJump chain (issue 16,
// docs/ssh.md): lab:up --hosts 3, lab-01 and lab-02 are the bastions, lab-03 the target. The
// repository's inventory says `address: target-behind-bastions`; the ssh config it points at
// (`sshConfig`) says HostName, User, Port, IdentityFile and `ProxyJump bastion-a,bastion-b`, the
// bastions coming from an Include. The Config's own ssh port and key are wrong or absent on
// purpose: only the ssh config can make the connection work. Neither lab-03 nor lab-02 can be
// reached directly: `prohibit` routes in their network namespaces leave machine → lab-01 → lab-02
// → lab-03 as the only way. scan, plan and apply go through the chain; the versions are read back
// with OpenSSH itself through the same ssh config (`ssh -F`), so the file is one ssh understands.
// Registered from lab.test.ts after real-debian.lab.ts (one lab at a time). Alone (root, after
// `npm run build`): node --experimental-vm-modules node_modules/jest/bin/jest.js test/lab/lab.test.ts \
//   -t 'ssh config'
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import type { JournalLine, LabStatus, RunResult } from './lab-helpers.js';
import {
  LAB_CLIENT_KEY,
  LAB_KNOWN_HOSTS,
  LAB_REPO,
  journalEvents,
  lab,
  labStatus,
  patchctl,
  ssh,
} from './lab-helpers.js';

const TARGET = 'lab-03';
const ALIAS = 'target-behind-bastions';
const SSH_DIR = path.join(LAB_REPO, 'ssh');
const SSH_CONFIG = path.join(SSH_DIR, 'config');
const PACKAGES = ['fleet-tools', 'fleet-utils', 'fleet-crypto'];

interface HostState {
  reachable: boolean;
  error?: string;
  updates: { name: string; from: string; to: string }[];
}

const stateOf = (name: string): HostState =>
  JSON.parse(readFileSync(path.join(LAB_REPO, 'state', 'hosts', `${name}.json`), 'utf8')) as HostState;

function finished(events: readonly JournalLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'host-finished' && e.host && e.status) out[e.host] = e.status;
  return out;
}

/** OpenSSH itself, through the same ssh config file as patchctl. */
function sshThroughConfig(command: string): RunResult {
  const r = spawnSync('ssh', ['-F', SSH_CONFIG, ALIAS, command], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LC_ALL: 'C' },
  });
  return {
    status: r.status ?? 128,
    stdout: r.stdout ?? '',
    stderr: `${r.stderr ?? ''}${r.error?.message ?? ''}`,
  };
}

function versionsThroughConfig(packages: string[]): Record<string, string> {
  const r = sshThroughConfig(`dpkg-query -W -f='\${Package} \${Version}\\n' ${packages.join(' ')}`);
  if (r.status !== 0) throw new Error(`dpkg-query through ${ALIAS} failed: ${r.stderr}`);
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

/** The repository of lab:up, changed so that lab-03 is known only by its alias. */
function rewriteRepository(status: LabStatus): void {
  const address = (name: string): string => {
    const h = status.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h.address;
  };
  mkdirSync(path.join(SSH_DIR, 'config.d'), { recursive: true });
  writeFileSync(
    SSH_CONFIG,
    `# The lab target, only through two bastions (test/lab/ssh-config.lab.ts). The Include comes
# first: after a Host line it would apply to that Host only (for ssh and for patchctl alike).
Include ${SSH_DIR}/config.d/*.conf

Host ${ALIAS}
    HostName ${address(TARGET)}
    User patchctl
    Port 22
    IdentityFile ${LAB_CLIENT_KEY}
    ProxyJump bastion-a,bastion-b

# For OpenSSH (ssh -F) only: patchctl keeps its own host key policy (docs/security.md).
Host *
    IdentitiesOnly yes
    UserKnownHostsFile ${LAB_KNOWN_HOSTS}
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ControlMaster no
    ControlPath none
    ConnectTimeout 5
`,
  );
  writeFileSync(
    path.join(SSH_DIR, 'config.d', 'bastions.conf'),
    `Host bastion-a
    HostName ${address('lab-01')}
Host bastion-b
    HostName ${address('lab-02')}
Host bastion-?
    User patchctl
    IdentityFile %d/../..${LAB_CLIENT_KEY}
`,
  );
  writeFileSync(
    path.join(LAB_REPO, 'inventory', 'lab.yaml'),
    `apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
  description: The lab target, reached only through an ssh config alias and two bastions.
spec:
  defaults:
    transport: ssh
    os: debian
    timezone: UTC
    sshConfig: ssh/config
    labels:
      fleet: lab
  hosts:
    - name: ${TARGET}
      address: ${ALIAS}
      labels:
        updates: all
`,
  );
  // The canary is the target (the only host); no reboot-requiring package (fleet-kernel).
  const groups = path.join(LAB_REPO, 'groups', 'lab.yaml');
  writeFileSync(groups, readFileSync(groups, 'utf8').replace('hosts: [lab-01]', `hosts: [${TARGET}]`));
  const policies = path.join(LAB_REPO, 'policies', 'lab.yaml');
  writeFileSync(
    policies,
    readFileSync(policies, 'utf8').replaceAll(
      'exclude: [fleet-broken]',
      'exclude: [fleet-broken, fleet-kernel]',
    ),
  );
  // The Config's port is wrong and its key gone: only the ssh config can make the connection work.
  const config = path.join(LAB_REPO, 'patchctl.yaml');
  writeFileSync(
    config,
    readFileSync(config, 'utf8')
      .replace(/^ {4}port: 22$/m, '    port: 2222')
      .replace(/^ {4}identityFile: .*$/m, ''),
  );
}

/**
 * Routes `prohibit` inside the hosts' network namespaces: lab-03 answers only lab-02, and lab-02
 * does not answer the machine; so the only way to lab-03 is machine → lab-01 → lab-02 → lab-03.
 */
function fence(status: LabStatus): void {
  const machine = status.subnet.replace(/0\/24$/, '1');
  const rules: [string, string][] = [
    [TARGET, machine],
    [TARGET, status.hosts[0]?.address ?? ''],
    ['lab-02', machine],
  ];
  for (const [host, from] of rules) {
    const r = spawnSync(
      'ip',
      ['netns', 'exec', `patchlab-${host}`, 'ip', 'route', 'add', 'prohibit', `${from}/32`],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`cannot fence ${host} from ${from}: ${r.stderr}`);
  }
}

export function sshConfigScenarios(labIsUsable: () => boolean): void {
  describe('ssh config alias and a two-hop ProxyJump chain on the lab (--hosts 3)', () => {
    let ready: LabStatus | undefined;
    let failed: Error | undefined;

    function up(): LabStatus {
      if (ready) return ready;
      if (failed) throw failed;
      try {
        const r = lab(['up', '--hosts', '3']);
        if (r.status !== 0)
          throw new Error(`lab up --hosts 3 failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
        const status = labStatus();
        rewriteRepository(status);
        fence(status);
        ready = status;
      } catch (e) {
        failed = e instanceof Error ? e : new Error(String(e));
        throw failed;
      }
      return ready;
    }

    afterAll(() => {
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it('lab-03 answers only through both bastions in turn: not directly, and to OpenSSH through the ssh config', () => {
      if (!labIsUsable()) return;
      const status = up();
      for (const h of status.hosts.slice(1)) {
        expect([h.name, ssh(h.address, 'true', { timeoutMs: 30_000 }).status]).toEqual([h.name, 255]);
      }
      const through = sshThroughConfig('hostname; echo "$SSH_CLIENT"');
      expect(through.stderr).toBe('');
      expect(through.status).toBe(0);
      // The connection came from lab-02, the second bastion.
      expect(through.stdout).toMatch(new RegExp(`^${TARGET}\\n${status.hosts[1]?.address ?? 'x'} `));
    }, 600_000);

    it('validate accepts the repository; scan reaches lab-03 through the alias and the chain', () => {
      if (!labIsUsable()) return;
      up();
      const v = patchctl(['validate', '-C', LAB_REPO]);
      expect(v.stderr).toBe('');
      expect(v.status).toBe(0);
      const scan = patchctl(['scan', '-C', LAB_REPO, '--no-color']);
      expect(scan.stderr).toBe('');
      expect(scan.stdout).toContain(`✓ ${TARGET}: `);
      expect(scan.status).toBe(0);
      const s = stateOf(TARGET);
      expect(s.reachable).toBe(true);
      for (const name of PACKAGES)
        expect(s.updates.find((u) => u.name === name)).toMatchObject({ from: '1.0', to: '1.1' });
    }, 300_000);

    it('plan and apply patch lab-03 through the chain; OpenSSH reads the new versions back', () => {
      if (!labIsUsable()) return;
      up();
      expect(versionsThroughConfig(PACKAGES)).toEqual(Object.fromEntries(PACKAGES.map((p) => [p, '1.0'])));
      const planFile = path.join(LAB_REPO, 'plan-ssh-config.json');
      const planned = patchctl(['plan', '-C', LAB_REPO, '--format', 'json', '--out', planFile]);
      expect(planned.stderr).toBe('');
      expect(planned.status).toBe(0);
      const r = patchctl(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color', planFile]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(finished(journalEvents(LAB_REPO))).toEqual({ [TARGET]: 'patched' });
      expect(versionsThroughConfig(PACKAGES)).toEqual(Object.fromEntries(PACKAGES.map((p) => [p, '1.1'])));
    }, 600_000);

    it('a host whose ssh config needs ProxyCommand fails with the file and line, and nothing is contacted', () => {
      if (!labIsUsable()) return;
      up();
      const text = readFileSync(SSH_CONFIG, 'utf8');
      writeFileSync(SSH_CONFIG, `Host ${ALIAS}\n    ProxyCommand nc %h %p\n${text}`);
      try {
        const scan = patchctl(['scan', '-C', LAB_REPO, '--no-color']);
        expect(scan.status).toBe(1);
        expect(scan.stdout).toContain(`${TARGET}: ssh config ${SSH_CONFIG}:2: ProxyCommand is not supported`);
      } finally {
        writeFileSync(SSH_CONFIG, text);
      }
    }, 300_000);
  });
}
