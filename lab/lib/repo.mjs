// The ready patchctl repository of the lab, written to .lab/repo by every `lab:up`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { NET } from './fleet.mjs';
import { paths } from './util.mjs';

const HEADER = '# Written by `npm run lab:up` (lab/lib/repo.mjs): rewritten on every lab:up.\n';

/** Hosts with an odd number take every update; even ones security updates only. */
export function policyOf(index) {
  return index % 2 === 1 ? 'all' : 'security-only';
}

export function writeLabRepository(hosts, knownHostLines) {
  const repo = paths.repo;
  // With one host there is no even-numbered host: leave the security-only parts out.
  const withSecurityOnly = hosts.some((h) => policyOf(h.index) === 'security-only');
  rmSync(repo, { recursive: true, force: true });
  const w = (rel, text) => {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  };

  w(
    'patchctl.yaml',
    `${HEADER}apiVersion: patchctl/v1
kind: Config
metadata:
  name: lab
  description: The test fleet of npm run lab:up, ${hosts.length} host(s) on ${NET.subnet}.
spec:
  timezone: UTC
  concurrency: 20
  ssh:
    user: patchctl
    port: 22
    # The lab's client key (no passphrase), made by lab:up; its public half is in every host's
    # ~patchctl/.ssh/authorized_keys.
    identityFile: ${paths.clientKey}
    useAgent: false
    # patchctl may run anything through sudo -n on the lab hosts (/etc/sudoers.d/patchctl).
    sudo: true
    connectTimeout: 5s
    commandTimeout: 10m
    keepaliveInterval: 15s
    useUserKnownHosts: false
`,
  );

  const hostLines = hosts
    .map(
      (h) => `    - name: ${h.name}
      address: ${h.address}
      labels:
        updates: ${policyOf(h.index)}`,
    )
    .join('\n');
  w(
    'inventory/lab.yaml',
    `${HEADER}# Each host is a namespace on this machine with sshd as PID 1 on the lab bridge ${NET.bridge}.
apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
  description: Hosts of the patchctl lab (Debian minbase, apt from the local lab repository).
spec:
  defaults:
    transport: ssh
    os: debian
    timezone: UTC
    labels:
      fleet: lab
  hosts:
${hostLines}
`,
  );

  w(
    'groups/lab.yaml',
    `${HEADER}apiVersion: patchctl/v1
kind: Group
metadata:
  name: lab
  description: Every lab host.
spec:
  selector:
    matchLabels:
      fleet: lab
---
apiVersion: patchctl/v1
kind: Group
metadata:
  name: canary
  description: The first lab host, patched before the others.
spec:
  hosts: [${hosts[0]?.name ?? 'lab-01'}]
---
apiVersion: patchctl/v1
kind: Group
metadata:
  name: all-updates
  description: Lab hosts that take every update (odd-numbered hosts).
spec:
  selector:
    matchLabels:
      updates: all
${
  withSecurityOnly
    ? `---
apiVersion: patchctl/v1
kind: Group
metadata:
  name: security-only
  description: Lab hosts that take security updates only (even-numbered hosts).
spec:
  selector:
    matchLabels:
      updates: security-only
`
    : ''
}`,
  );

  w(
    'rollouts/lab.yaml',
    `${HEADER}apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: lab
  description: The canary host first, then every other host.
spec:
  rings:
    - name: canary
      groups: [canary]
      maxParallel: 1
      failureBudget:
        maxFailed: 0
    - name: rest
      rest: true
      maxParallel: '100%'
      failureBudget:
        maxFailedPercent: 50
`,
  );

  w(
    'windows/always.yaml',
    `${HEADER}# A window that is always open: a yearly opening (1 January, 00:00 UTC) that lasts 53 weeks,
# so consecutive openings overlap and every instant is inside one. The cutoff (no new host in
# the last hour of an opening) matters once a year: an apply that runs across the moment an
# opening's cutoff passes (early January) moves on to the next opening.
apiVersion: patchctl/v1
kind: MaintenanceWindow
metadata:
  name: always
  description: Always open (lab).
spec:
  timezone: UTC
  rrule: FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1;BYHOUR=0;BYMINUTE=0
  duration: 53w
  cutoff: 1h
  groups: [lab]
`,
  );

  // The failing package would fail every host; the fault test for it uses its own policy.
  const policy = (name, group, classification, description) => `apiVersion: patchctl/v1
kind: PatchPolicy
metadata:
  name: ${name}
  description: ${description}
spec:
  appliesTo:
    groups: [${group}]
  priority: 10
  rollout: lab
  classification: [${classification}]
  exclude: [fleet-broken]
  reboot: ifRequired
  windows: [always]
`;
  w(
    'policies/lab.yaml',
    `${HEADER}# Odd-numbered hosts take every update, even-numbered ones security updates only (the
# classification comes from the lab repository's suites: fleet-security is security).
# fleet-broken (its postinst fails on the upgrade) is excluded so that a plain apply succeeds;
# the failing-maintainer-script test includes it.
${[
  policy('all-updates', 'all-updates', 'all', 'Every update, reboot when a package asks for one.'),
  ...(withSecurityOnly
    ? [
        policy(
          'security-only',
          'security-only',
          'security',
          'Security updates only, reboot when a package asks for one.',
        ),
      ]
    : []),
].join('---\n')}`,
  );

  w(
    'known_hosts',
    `# The lab hosts' real host keys, read from each host's own upper dir by lab:up.\n${knownHostLines.join('\n')}\n`,
  );
  return repo;
}
