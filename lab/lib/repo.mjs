// The ready patchctl repository of the lab, written to .lab/repo by every `lab:up`. The
// documents come from src/sim/lab-repository.ts, which the simulated fleet uses too.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { NET } from './fleet.mjs';
import { paths } from './util.mjs';

const HEADER = '# Written by `npm run lab:up` (lab/lib/repo.mjs): rewritten on every lab:up.\n';

/** The shared documents, built into dist/ by `npm install` (only `up` needs them, not `down`). */
export async function labDocuments() {
  try {
    return await import('../../dist/sim/lab-repository.js');
  } catch (err) {
    throw new Error(
      `lab: patchctl is not built (dist/sim/lab-repository.js): run \`npm install\` or \`npm run build\` first (${err.message})`,
      { cause: err },
    );
  }
}

export async function writeLabRepository(hosts, knownHostLines) {
  const built = await labDocuments();
  const repo = paths.repo;
  rmSync(repo, { recursive: true, force: true });
  const w = (rel, text) => {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  };
  const files = built.labRepositoryFiles({
    hosts,
    header: HEADER,
    fleetDescription: `The test fleet of npm run lab:up, ${hosts.length} host(s) on ${NET.subnet}.`,
    inventoryNote: `# Each host is a namespace on this machine with sshd as PID 1 on the lab bridge ${NET.bridge}.`,
    inventoryDescription: 'Hosts of the patchctl lab (Debian minbase, apt from the local lab repository).',
    identityFile: paths.clientKey,
  });
  if (hosts.some((h) => (h.family ?? 'deb') !== 'deb')) Object.assign(files, mixedDocuments(hosts));
  for (const [rel, text] of Object.entries(files)) w(rel, text);
  w(
    'known_hosts',
    `# The lab hosts' real host keys, read from each host's own upper dir by lab:up.\n${knownHostLines.join('\n')}\n`,
  );
  return repo;
}

const FAMILY_GROUP = {
  deb: { group: 'debian', description: 'Debian lab hosts (apt).' },
  el: { group: 'el', description: 'RHEL-like lab hosts (rpm, dnf; AlmaLinux 9.4 release package).' },
  suse: { group: 'suse', description: 'SUSE-like lab hosts (rpm, zypper; SLES 15.5 release package).' },
};

/**
 * The inventory and groups of a mixed lab (lab:up --mix): every host with its `os` hint and a
 * `family` label, one group per family, and a canary group with the first host of each family
 * but the last, so that the rings of the `lab` rollout mix families. Config, rollout, window and policies
 * are the plain lab's (src/sim/lab-repository.ts).
 */
export function mixedDocuments(hosts) {
  const policyOf = (i) => (i % 2 === 1 ? 'all' : 'security-only');
  const families = [...new Set(hosts.map((h) => h.family))];
  // The canary ring: the first host of each family but the last one present (so that with one
  // host per family the `rest` ring is not empty), e.g. [lab-01, el-01] for deb:1,el:1,suse:1.
  const canaryFamilies = families.length > 1 ? families.slice(0, -1) : families;
  const canary = canaryFamilies.map((f) => hosts.find((h) => h.family === f).name);
  const hostLines = hosts
    .map(
      (h) => `    - name: ${h.name}
      address: ${h.address}
      os: ${h.os}
      labels:
        updates: ${policyOf(h.index)}
        family: ${FAMILY_GROUP[h.family].group}`,
    )
    .join('\n');
  const doc = (name, description, spec) => `apiVersion: patchctl/v1
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
    'inventory/lab.yaml': `${HEADER}# A mixed lab (lab:up --mix): each host is a namespace on this machine with sshd as PID 1 on
# the lab bridge ${NET.bridge}. Debian hosts run apt; el hosts rpm + dnf (AlmaLinux 9.4 release
# package); suse hosts rpm + zypper (SLES 15.5 release package). See lab/README.md.
apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
  description: Hosts of the mixed patchctl lab (Debian, RHEL-like and SUSE-like).
spec:
  defaults:
    transport: ssh
    timezone: UTC
    labels:
      fleet: lab
  hosts:
${hostLines}
`,
    'groups/lab.yaml': `${HEADER}${groups.join('---\n')}`,
  };
}
