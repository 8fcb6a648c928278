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
  if (hosts.some((h) => (h.family ?? 'deb') !== 'deb'))
    Object.assign(
      files,
      built.mixedLabDocuments({
        // A debreal host is a Debian host (family label debian) with real packages on top; the
        // group real-packages below names it.
        hosts: hosts.map((h) => (h.family === 'debreal' ? { ...h, family: 'deb' } : h)),
        header: HEADER,
        inventoryNote: `# A mixed lab (lab:up --mix): each host is a namespace on this machine with sshd as PID 1 on
# the lab bridge ${NET.bridge}. Debian hosts run apt (real-NN: with real Debian packages at an
# older version and their security updates); el hosts rpm + dnf (AlmaLinux 9.4 release
# package); suse hosts rpm + zypper (SLES 15.5 release package). See lab/README.md.`,
        inventoryDescription: 'Hosts of the mixed patchctl lab (Debian, RHEL-like and SUSE-like).',
      }),
    );
  const real = hosts.filter((h) => h.family === 'debreal').map((h) => h.name);
  if (real.length > 0) {
    files['groups/real-packages.yaml'] = `${HEADER}apiVersion: patchctl/v1
kind: Group
metadata:
  name: real-packages
  description: Debian lab hosts with real Debian packages (libssl3, openssl, tzdata) at an older version.
spec:
  hosts: [${real.join(', ')}]
`;
  }
  for (const [rel, text] of Object.entries(files)) w(rel, text);
  w(
    'known_hosts',
    `# The lab hosts' real host keys, read from each host's own upper dir by lab:up.\n${knownHostLines.join('\n')}\n`,
  );
  return repo;
}
