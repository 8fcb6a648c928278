// The documents of the lab fleet's patchctl repository: one source for the real lab
// (lab/lib/repo.mjs writes .lab/repo with them) and the simulated fleet (fleet.ts), so that the
// two fleets are planned and reported from the same policies, rings and windows.

export interface LabRepositoryHost {
  name: string;
  /** 1-based: odd hosts take every update, even ones security updates only. */
  index: number;
  address: string;
  /** When not 22 (the simulated hosts listen on their own ports). */
  port?: number;
}

/** A host of a mixed fleet (lab:up --mix, startSimFleet({ mix })). */
export interface MixedLabHost extends LabRepositoryHost {
  family: 'deb' | 'el' | 'suse';
  /** The inventory's `os` hint: debian, almalinux, sles. */
  os: string;
}

export interface LabRepositoryOptions {
  hosts: readonly LabRepositoryHost[];
  /** The comment that opens every file: who wrote it. */
  header: string;
  /** Config metadata.description. */
  fleetDescription: string;
  /** A comment line (starting with #) above the inventory: what the hosts are. */
  inventoryNote: string;
  /** Inventory metadata.description. */
  inventoryDescription: string;
  /** Config ssh.identityFile. */
  identityFile: string;
}

/** Hosts with an odd number take every update; even ones security updates only. */
export function policyOf(index: number): 'all' | 'security-only' {
  return index % 2 === 1 ? 'all' : 'security-only';
}

/** Relative path → text of every document (known_hosts and keys are the caller's). */
export function labRepositoryFiles(o: LabRepositoryOptions): Record<string, string> {
  const { hosts } = o;
  // With one host there is no even-numbered host: leave the security-only parts out.
  const withSecurityOnly = hosts.some((h) => policyOf(h.index) === 'security-only');
  const files: Record<string, string> = {};
  const w = (rel: string, text: string): void => {
    files[rel] = text;
  };

  w(
    'patchctl.yaml',
    `${o.header}apiVersion: patchctl/v1
kind: Config
metadata:
  name: lab
  description: ${o.fleetDescription}
spec:
  timezone: UTC
  concurrency: 20
  ssh:
    user: patchctl
    port: 22
    # The fleet's client key (no passphrase); its public half is the one key the hosts accept
    # for patchctl.
    identityFile: ${o.identityFile}
    useAgent: false
    # patchctl may run anything through sudo -n on the hosts (/etc/sudoers.d/patchctl on the lab).
    sudo: true
    connectTimeout: 5s
    commandTimeout: 10m
    keepaliveInterval: 15s
    useUserKnownHosts: false
    # The fleet is self-contained: a Host * in your ~/.ssh/config (a User, a Port, a ProxyJump)
    # must not send patchctl somewhere else (docs/ssh.md).
    configFile: none
`,
  );

  const hostLines = hosts
    .map(
      (h) => `    - name: ${h.name}
      address: ${h.address}${h.port === undefined ? '' : `\n      port: ${h.port}`}
      labels:
        updates: ${policyOf(h.index)}`,
    )
    .join('\n');
  w(
    'inventory/lab.yaml',
    `${o.header}${o.inventoryNote}
apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
  description: ${o.inventoryDescription}
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
    `${o.header}apiVersion: patchctl/v1
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
    `${o.header}apiVersion: patchctl/v1
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
    `${o.header}# A window that is always open: a yearly opening (1 January, 00:00 UTC) that lasts 53 weeks,
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
  const policy = (
    name: string,
    group: string,
    classification: string,
    description: string,
  ): string => `apiVersion: patchctl/v1
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
    `${o.header}# Odd-numbered hosts take every update, even-numbered ones security updates only (the
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

  return files;
}

const FAMILY_GROUP: Readonly<Record<MixedLabHost['family'], { group: string; description: string }>> = {
  deb: { group: 'debian', description: 'Debian lab hosts (apt).' },
  el: { group: 'el', description: 'RHEL-like lab hosts (rpm, dnf; AlmaLinux 9.4 release package).' },
  suse: { group: 'suse', description: 'SUSE-like lab hosts (rpm, zypper; SLES 15.5 release package).' },
};

export interface MixedLabOptions {
  hosts: readonly MixedLabHost[];
  header: string;
  /** Comment lines (each starting with #) above the inventory. */
  inventoryNote: string;
  inventoryDescription: string;
}

/**
 * The inventory and groups of a mixed fleet, for the lab (lab/lib/repo.mjs) and the simulated
 * fleet alike: every host with its `os` hint and a `family` label, one group per family, and a canary
 * group with the first host of each family but the last present, so that the rings of the `lab`
 * rollout mix families (e.g. [lab-01, el-01] for deb:1,el:1,suse:1). Config, rollout, window and
 * policies are labRepositoryFiles'.
 */
export function mixedLabDocuments(o: MixedLabOptions): Record<string, string> {
  const { hosts } = o;
  const families = [...new Set(hosts.map((h) => h.family))];
  const canaryFamilies = families.length > 1 ? families.slice(0, -1) : families;
  const canary = canaryFamilies.map((f) => hosts.find((h) => h.family === f)?.name ?? '');
  const hostLines = hosts
    .map(
      (h) => `    - name: ${h.name}
      address: ${h.address}${h.port === undefined ? '' : `\n      port: ${h.port}`}
      os: ${h.os}
      labels:
        updates: ${policyOf(h.index)}
        family: ${FAMILY_GROUP[h.family].group}`,
    )
    .join('\n');
  const doc = (name: string, description: string, spec: string): string => `apiVersion: patchctl/v1
kind: Group
metadata:
  name: ${name}
  description: ${description}
spec:
${spec}`;
  const groups = [
    doc('lab', 'Every lab host.', '  selector:\n    matchLabels:\n      fleet: lab\n'),
    doc(
      'canary',
      'The first lab host of each family but the last, patched before the others.',
      `  hosts: [${canary.join(', ')}]\n`,
    ),
    doc(
      'all-updates',
      'Lab hosts that take every update (odd-numbered hosts).',
      '  selector:\n    matchLabels:\n      updates: all\n',
    ),
    ...(hosts.some((h) => policyOf(h.index) === 'security-only')
      ? [
          doc(
            'security-only',
            'Lab hosts that take security updates only (even-numbered hosts).',
            '  selector:\n    matchLabels:\n      updates: security-only\n',
          ),
        ]
      : []),
    ...families.map((f) =>
      doc(
        FAMILY_GROUP[f].group,
        FAMILY_GROUP[f].description,
        `  selector:\n    matchLabels:\n      family: ${FAMILY_GROUP[f].group}\n`,
      ),
    ),
  ];
  return {
    'inventory/lab.yaml': `${o.header}${o.inventoryNote}
apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
  description: ${o.inventoryDescription}
spec:
  defaults:
    transport: ssh
    timezone: UTC
    labels:
      fleet: lab
  hosts:
${hostLines}
`,
    'groups/lab.yaml': `${o.header}${groups.join('---\n')}`,
  };
}
