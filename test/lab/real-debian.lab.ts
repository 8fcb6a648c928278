// Real Debian packages on the lab (issue 15, lab/README.md "Real Debian packages"): a debreal host
// (lab:up --mix deb:1,debreal:1 → lab-01, real-01) has real Debian packages (the binaries of one
// source package that has a security update on the mirror today — libssl3 and openssl of openssl
// when it has one — and tzdata when it has one) installed at an older real version from the
// machine's Debian mirror, and the lab repository's real-security suite serves the newest version
// of its security suite. scan, plan, apply and verification run on
// Debian's own packages, maintainer scripts and version strings; every version the test expects
// is the one the lab discovered on the mirror at build time (lab status --json), never a constant.
// Registered from lab.test.ts after mix-apply.lab.ts (one lab at a time). Alone (root, after
// `npm run build`): node --experimental-vm-modules node_modules/jest/bin/jest.js test/lab/lab.test.ts \
//   -t 'real Debian packages'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import { compareVersions } from '../../src/core/versions/index.js';
import type { JournalLine, LabRealPackage, LabStatus } from './lab-helpers.js';
import { LAB_REPO, journalEvents, lab, labStatus, patchctl, ssh, versionsOn } from './lab-helpers.js';

const MIX = 'deb:1,debreal:1';
const REAL_HOST = 'real-01';
const PLAIN_HOST = 'lab-01';
/** What a plain Debian lab host offers (lab.test.ts): the debreal kind must not change it. */
const FLEET_UPDATES = [
  'fleet-broken',
  'fleet-crypto',
  'fleet-held',
  'fleet-kernel',
  'fleet-tools',
  'fleet-utils',
];
/** The lab's OSV record: Debian's shape (DSA-NNNN-1), an id no real DSA will reach for years. */
const ADVISORY_ID = 'DSA-9999-1';
const ADVISORY_CVE = 'CVE-2025-9230';
const ADVISORY_FILE = path.join(LAB_REPO, 'advisories', 'osv', 'debian', `${ADVISORY_ID}.json`);

interface HostState {
  reachable: boolean;
  os?: { id: string; version: string };
  installed: { name: string; version: string; arch?: string; source?: string; sourceVersion?: string }[];
  updates: { name: string; from: string; to: string; source?: string; classification: string }[];
}

interface PlanFile {
  rings: {
    name: string;
    hosts: {
      host: string;
      actions: { type: string; package?: string; from?: string; to?: string; advisories?: string[] }[];
    }[];
  }[];
}

interface Lab {
  status: LabStatus;
  real: LabRealPackage[];
  address: (name: string) => string;
}

const stateOf = (name: string): HostState =>
  JSON.parse(readFileSync(path.join(LAB_REPO, 'state', 'hosts', `${name}.json`), 'utf8')) as HostState;

function upgradesOf(plan: PlanFile, host: string): NonNullable<PlanFile['rings'][0]['hosts'][0]['actions']> {
  return plan.rings
    .flatMap((r) => r.hosts)
    .filter((h) => h.host === host)
    .flatMap((h) => h.actions.filter((a) => a.type === 'upgrade'));
}

function finished(events: readonly JournalLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'host-finished' && e.host && e.status) out[e.host] = e.status;
  return out;
}

/** The names of the real packages of this build. */
const namesOf = (real: readonly LabRealPackage[]): string[] => real.map((p) => p.name);

/** The real package whose binary is named unlike its source (libssl3 of openssl): the selection has one. */
function binaryOfOtherName(real: readonly LabRealPackage[]): LabRealPackage {
  const p = real.find((x) => x.source !== x.name);
  if (!p) throw new Error(`the lab selected no binary named unlike its source: ${JSON.stringify(real)}`);
  return p;
}

/** The OSV record Debian publishes for a DSA (see Debian's DSA-3029-1 in OSV), for one source package. */
function osvRecord(debianRelease: string, source: string, fixed: string): string {
  return `${JSON.stringify(
    {
      id: ADVISORY_ID,
      summary: `${source} - security update`,
      affected: [
        {
          package: { ecosystem: `Debian:${debianRelease}`, name: source },
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
        },
      ],
      aliases: [ADVISORY_CVE],
      published: '2025-10-01T00:00:00Z',
      modified: '2025-10-01T00:00:00Z',
      details: `\nA lab record of the patchctl test fleet (test/lab/real-debian.lab.ts), in the shape of Debian's\nDSA records: fixed in ${fixed}, the version the lab found in the security suite.\n\nWe recommend that you upgrade your ${source} packages.\n`,
      references: [{ type: 'ADVISORY', url: 'https://www.debian.org/security/' }],
    },
    null,
    2,
  )}\n`;
}

export function realDebianScenarios(labIsUsable: () => boolean): void {
  describe('real Debian packages on the lab (--mix deb:1,debreal:1)', () => {
    let ready: Lab | undefined;
    let failed: Error | undefined;

    /** The lab up with a plain and a real-package host, scanned once; shared by the tests below. */
    function up(): Lab {
      if (ready) return ready;
      if (failed) throw failed; // tried once already: not again for every test
      try {
        ready = bringUp();
      } catch (e) {
        failed = e instanceof Error ? e : new Error(String(e));
        throw failed;
      }
      return ready;
    }

    function bringUp(): Lab {
      const r = lab(['up', '--mix', MIX]);
      if (r.status !== 0)
        throw new Error(`lab up --mix ${MIX} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      const status = labStatus();
      const real = status.realPackages ?? [];
      const scan = patchctl(['scan', '-C', LAB_REPO]);
      if (scan.status !== 0) throw new Error(`scan failed:\n${scan.stdout}\n${scan.stderr}`);
      const address = (name: string): string => {
        const h = status.hosts.find((x) => x.name === name);
        if (!h) throw new Error(`no lab host ${name}`);
        return h.address;
      };
      return { status, real, address };
    }

    afterAll(() => {
      rmSync(ADVISORY_FILE, { force: true });
      expect(lab(['down'], 120_000).status).toBe(0);
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it("installs the older real versions from the machine's mirror on the debreal host only", () => {
      if (!labIsUsable()) return;
      const { status, real, address } = up();
      expect(status.hosts.map((h) => [h.name, h.family, h.os])).toEqual([
        [PLAIN_HOST, 'deb', 'debian'],
        [REAL_HOST, 'debreal', 'debian'],
      ]);
      // What the lab discovered: the newest security version, and an older one from the release
      // or its -updates suite, ordered as dpkg orders them.
      expect(real.length).toBeGreaterThan(0);
      for (const p of real) {
        expect(p.availableSuite).toMatch(/^[a-z]+-security$/);
        const release = p.availableSuite.replace(/-security$/, '');
        expect([release, `${release}-updates`]).toContain(p.installedSuite);
        expect([p.name, compareVersions('deb', p.installed, p.available)]).toEqual([p.name, -1]);
      }
      // A binary named unlike its source (libssl3 of openssl), for source-package matching.
      expect(binaryOfOtherName(real).source).not.toBe(binaryOfOtherName(real).name);
      // Read back over OpenSSH with dpkg-query: the older versions are what dpkg installed.
      expect(versionsOn(address(REAL_HOST), namesOf(real))).toEqual(
        Object.fromEntries(real.map((p) => [p.name, p.installed])),
      );
      // The plain host sees what a Debian lab host always saw: the fleet packages, no real suite.
      const plain = ssh(
        address(PLAIN_HOST),
        'LC_ALL=C apt list --upgradable 2>/dev/null; cat /etc/apt/sources.list.d/*',
      );
      expect(plain.status).toBe(0);
      expect(plain.stdout).not.toContain('real-security');
      for (const name of namesOf(real)) expect(plain.stdout).not.toContain(`${name}/`);
      const policy = ssh(address(REAL_HOST), 'LC_ALL=C apt-cache policy');
      expect(policy.stdout).toContain('o=Debian,a=real-security,n=real-security,l=Debian-Security,c=main');
    }, 600_000);

    it('patchctl scan sees the real security updates with their real versions', () => {
      if (!labIsUsable()) return;
      const { real } = up();
      const s = stateOf(REAL_HOST);
      expect(s.reachable).toBe(true);
      for (const p of real) {
        expect(s.updates.find((u) => u.name === p.name)).toMatchObject({
          from: p.installed,
          to: p.available,
          source: 'real-security',
          classification: 'security',
        });
        expect(s.installed.find((i) => i.name === p.name)?.version).toBe(p.installed);
      }
      expect(
        stateOf(PLAIN_HOST)
          .updates.map((u) => u.name)
          .sort(),
      ).toEqual(FLEET_UPDATES);
    }, 300_000);

    it("the host state records each package's source package where it differs (dpkg's Source)", () => {
      if (!labIsUsable()) return;
      const { real } = up();
      const installed = stateOf(REAL_HOST).installed;
      for (const p of real) {
        const recorded = installed.find((i) => i.name === p.name);
        // Only where the source differs from the binary (libssl3: openssl; openssl, tzdata: none).
        expect([p.name, recorded?.source]).toEqual([p.name, p.source === p.name ? undefined : p.source]);
      }
    }, 300_000);

    it("plan gives the upgrades of a source package's binaries its Debian OSV advisory (libssl3 through openssl)", () => {
      if (!labIsUsable()) return;
      const { real } = up();
      const target = binaryOfOtherName(real);
      const fixed = target.availableSourceVersion;
      const release = stateOf(REAL_HOST).os?.version ?? '';
      expect(release).toMatch(/^[0-9]+$/);
      mkdirSync(path.dirname(ADVISORY_FILE), { recursive: true });
      writeFileSync(ADVISORY_FILE, osvRecord(release, target.source, fixed));
      try {
        const r = patchctl(['plan', '-C', LAB_REPO, '--format', 'json']);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const upgrades = upgradesOf(JSON.parse(r.stdout) as PlanFile, REAL_HOST);
        for (const p of real) {
          // Every binary of that source (libssl3 and openssl), and no other package (tzdata).
          const advisories = upgrades.find((a) => a.package === p.name)?.advisories ?? [];
          expect([p.name, advisories.includes(ADVISORY_ID), advisories.includes(ADVISORY_CVE)]).toEqual([
            p.name,
            p.source === target.source,
            p.source === target.source,
          ]);
        }
      } finally {
        rmSync(ADVISORY_FILE, { force: true });
      }
    }, 300_000);

    it('plan and apply install them (real maintainer scripts run); dpkg-query over OpenSSH shows the new versions', () => {
      if (!labIsUsable()) return;
      const { real, address } = up();
      const planFile = path.join(LAB_REPO, 'plan-real.json');
      const planned = patchctl(['plan', '-C', LAB_REPO, '--format', 'json', '--out', planFile]);
      expect(planned.status).toBe(0);
      const upgrades = upgradesOf(JSON.parse(readFileSync(planFile, 'utf8')) as PlanFile, REAL_HOST);
      for (const p of real) {
        expect(upgrades.find((a) => a.package === p.name)).toMatchObject({
          from: p.installed,
          to: p.available,
        });
      }

      const r = patchctl(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color', planFile]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const first = real[0];
      expect(r.stdout).toContain(`${first?.name} ${first?.installed} → ${first?.available}`);
      const events = journalEvents(LAB_REPO);
      expect(finished(events)).toEqual({ [PLAIN_HOST]: 'patched', [REAL_HOST]: 'patched' });
      // patchctl's own verification read the versions back and found them.
      expect(events.find((e) => e.type === 'host-finished' && e.host === REAL_HOST)).toMatchObject({
        verification: { ok: true, mismatches: [] },
      });

      // Read back on the host itself, over OpenSSH.
      const after = labStatus();
      const realAddress = after.hosts.find((h) => h.name === REAL_HOST)?.address ?? address(REAL_HOST);
      expect(versionsOn(realAddress, namesOf(real))).toEqual(
        Object.fromEntries(real.map((p) => [p.name, p.available])),
      );
      // dpkg configured each new version: its real postinst ran, and the package is installed.
      const log = ssh(realAddress, 'cat /var/log/dpkg.log');
      expect(log.status).toBe(0);
      for (const p of real) {
        expect(log.stdout).toContain(`configure ${p.name}:${p.arch} ${p.available}`);
        expect(log.stdout).toContain(`status installed ${p.name}:${p.arch} ${p.available}`);
      }
      // The state written after the apply has nothing of them left to do.
      const left = stateOf(REAL_HOST).updates.map((u) => u.name);
      expect(left.filter((n) => namesOf(real).includes(n))).toEqual([]);
    }, 600_000);
  });
}
