// patchctl on a mixed lab (lab:up --mix deb:1,el:1,suse:1): scan, plan, apply and report with
// each host's own driver — apt on lab-01, dnf on el-01, zypper on suse-01 — over plain OpenSSH,
// and the apt driver's fault tests on the RPM hosts (failing scriptlet, package-manager lock
// held, reboot that never returns, full disk, host down). Every planned upgrade is read back on
// its host with rpm -q or dpkg-query, not from patchctl's own state. Registered from
// lab.test.ts after mix.lab.ts (one lab at a time). Alone: jest test/lab/lab.test.ts -t 'patchctl on a mixed lab'.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import type { JournalLine, LabStatus } from './lab-helpers.js';
import { LAB_REPO, journalEvents, lab, labStatus, patchctl, ssh } from './lab-helpers.js';

const MIX = 'deb:1,el:1,suse:1';

interface PlanFile {
  rings: {
    name: string;
    hosts: {
      host: string;
      packageManager?: string;
      actions: { type: string; package?: string; to?: string; arch?: string }[];
    }[];
  }[];
}

function up(): LabStatus {
  const r = lab(['up', '--mix', MIX]);
  if (r.status !== 0) throw new Error(`lab up --mix failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const scan = patchctl(['scan', '-C', LAB_REPO]);
  if (scan.status !== 0) throw new Error(`scan failed:\n${scan.stdout}\n${scan.stderr}`);
  return labStatus();
}

const apply = (...args: string[]) =>
  patchctl(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color', ...args]);

function finished(events: readonly JournalLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'host-finished' && e.host && e.status) out[e.host] = e.status;
  return out;
}

function addressOf(s: LabStatus, name: string): string {
  const h = s.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  return h.address;
}

/** Every installed version of each package on an RPM host ([epoch:]version-release), read with rpm -q. */
function rpmVersions(address: string, packages: string[]): Record<string, string[]> {
  const r = ssh(address, `rpm -q --qf '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n' ${packages.join(' ')}`);
  if (r.status !== 0) throw new Error(`rpm -q on ${address} failed: ${r.stdout}${r.stderr}`);
  const out: Record<string, string[]> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [name = '', evr = ''] = line.split(' ');
    (out[name] ??= []).push(evr.startsWith('0:') ? evr.slice(2) : evr);
  }
  return out;
}

/** The installed version of each package on a Debian host, read with dpkg-query. */
function debVersions(address: string, packages: string[]): Record<string, string[]> {
  const r = ssh(address, `dpkg-query -W -f='\${Package} \${Version}\\n' ${packages.join(' ')}`);
  if (r.status !== 0) throw new Error(`dpkg-query on ${address} failed: ${r.stderr}`);
  const out: Record<string, string[]> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [name = '', version = ''] = line.split(' ');
    (out[name] ??= []).push(version);
  }
  return out;
}

function editRepo(rel: string, edit: (text: string) => string): void {
  const file = path.join(LAB_REPO, rel);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

export function mixApplyScenarios(labIsUsable: () => boolean): void {
  describe('patchctl on a mixed lab (--mix deb:1,el:1,suse:1)', () => {
    afterAll(() => {
      expect(lab(['down'], 120_000).status).toBe(0);
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it('scans, plans, applies and reports a mixed fleet, each host with its own driver; rpm -q and dpkg-query show every planned upgrade', () => {
      if (!labIsUsable()) return;
      const s = up();
      const stateOf = (name: string) =>
        JSON.parse(readFileSync(path.join(LAB_REPO, 'state', 'hosts', `${name}.json`), 'utf8')) as {
          packageManager?: string;
          reachable: boolean;
          os?: { family: string; id: string };
          held: string[];
          updates: { name: string; severity?: string; advisories?: string[]; releasedAt?: string }[];
        };
      expect(
        ['lab-01', 'el-01', 'suse-01'].map((h) => [h, stateOf(h).packageManager, stateOf(h).os?.family]),
      ).toEqual([
        ['lab-01', 'apt', 'debian'],
        ['el-01', 'dnf', 'rhel'],
        ['suse-01', 'zypper', 'suse'],
      ]);
      // The RPM hosts' updates carry their advisories from updateinfo: id, CVE, severity, date.
      for (const h of ['el-01', 'suse-01']) {
        const testpkg = stateOf(h).updates.find((u) => u.name === 'fleet-testpkg');
        expect(testpkg).toMatchObject({ severity: 'critical', releasedAt: expect.any(String) });
        expect(testpkg?.advisories).toEqual(expect.arrayContaining(['CVE-2021-44228']));
        expect(stateOf(h).held).toContain('fleet-held');
      }

      const planFile = path.join(LAB_REPO, 'plan.json');
      const planned = patchctl(['plan', '-C', LAB_REPO, '--format', 'json', '--out', planFile]);
      expect(planned.status).toBe(0);
      const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlanFile;
      // One ring mixes families: lab-01 (apt) and el-01 (dnf) in the canary.
      const canary = plan.rings.find((r) => r.name === 'canary');
      expect(canary?.hosts.map((h) => [h.host, h.packageManager])).toEqual([
        ['el-01', 'dnf'],
        ['lab-01', 'apt'],
      ]);
      const upgrades = plan.rings.flatMap((r) =>
        r.hosts.flatMap((h) =>
          h.actions
            .filter((a) => a.type === 'upgrade')
            .map((a) => ({ host: h.host, pm: h.packageManager, name: a.package ?? '', to: a.to ?? '' })),
        ),
      );
      expect(new Set(upgrades.map((u) => u.pm))).toEqual(new Set(['apt', 'dnf', 'zypper']));
      expect(
        upgrades
          .filter((u) => u.name === 'kernel')
          .map((u) => u.host)
          .sort(),
      ).toEqual(['el-01', 'suse-01']);

      const bootBefore = Object.fromEntries(s.hosts.map((h) => [h.name, h.bootId]));
      const r = apply(planFile);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Apply \S+: 3 patched\./);
      expect(finished(journalEvents(LAB_REPO))).toEqual({
        'lab-01': 'patched',
        'el-01': 'patched',
        'suse-01': 'patched',
      });

      // Read back on the hosts themselves: every planned upgrade is there.
      const after = labStatus();
      for (const u of upgrades) {
        const address = addressOf(after, u.host);
        const versions = u.pm === 'apt' ? debVersions(address, [u.name]) : rpmVersions(address, [u.name]);
        expect([u.host, u.name, versions[u.name]]).toEqual([u.host, u.name, expect.arrayContaining([u.to])]);
      }
      // The kernels were installed beside the old one, and the hosts rebooted into a new boot id.
      for (const h of ['el-01', 'suse-01']) {
        expect(rpmVersions(addressOf(after, h), ['kernel']).kernel).toEqual([
          '5.14.0-362.8.1.el9',
          '5.14.0-427.13.1.el9',
        ]);
        expect(after.hosts.find((x) => x.name === h)?.bootId).not.toBe(bootBefore[h]);
      }
      // fleet-held stayed as it was: held on the host, never installed.
      expect(rpmVersions(addressOf(after, 'el-01'), ['fleet-held'])['fleet-held']).toEqual(['1.0-1.el9']);

      // The hosts' new state says nothing is left of what was planned, and the report agrees.
      const again = JSON.parse(patchctl(['plan', '-C', LAB_REPO, '--format', 'json']).stdout) as PlanFile;
      expect(
        again.rings.flatMap((x) => x.hosts.flatMap((h) => h.actions.filter((a) => a.type === 'upgrade'))),
      ).toEqual([]);
      const report = JSON.parse(readFileSync(path.join(LAB_REPO, 'reports', 'compliance.json'), 'utf8')) as {
        hosts: { host: string; status: string }[];
      };
      expect(report.hosts.map((h) => h.host).sort()).toEqual(['el-01', 'lab-01', 'suse-01']);
      expect(report.hosts.every((h) => h.status !== 'unsupported')).toBe(true);
    }, 600_000);

    it('a failing %pre scriptlet fails each RPM host naming the package; the old version stays', () => {
      if (!labIsUsable()) return;
      const s = up();
      // fleet-broken for every host, in one ring that lets every host run.
      editRepo('policies/lab.yaml', (t) => t.replaceAll('exclude: [fleet-broken]', 'exclude: []'));
      editRepo('inventory/lab.yaml', (t) => t.replaceAll('updates: security-only', 'updates: all'));
      writeFileSync(
        path.join(LAB_REPO, 'rollouts', 'lab.yaml'),
        'apiVersion: patchctl/v1\nkind: Rollout\nmetadata:\n  name: lab\nspec:\n  rings:\n    - name: all\n      rest: true\n      failureBudget:\n        maxFailed: 3\n',
      );
      const r = apply();
      expect(r.status).toBe(1);
      for (const h of ['el-01', 'suse-01']) {
        expect(r.stdout).toMatch(new RegExp(`✗ ${h}: failed: .*fleet-broken`));
        expect(rpmVersions(addressOf(s, h), ['fleet-broken'])['fleet-broken']).toEqual(['1.0-1.el9']);
      }
      expect(finished(journalEvents(LAB_REPO))).toEqual({
        'lab-01': 'failed',
        'el-01': 'failed',
        'suse-01': 'failed',
      });
    }, 300_000);

    it("waits for rpm's lock held by another process, then fails that host naming the holder", () => {
      if (!labIsUsable()) return;
      const s = up();
      expect(lab(['hold-rpm-lock', 'el-01', '120']).status).toBe(0);
      try {
        const r = apply('--lock-timeout', '6s');
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(
          /✗ el-01: failed: pre-flight: .*rpm.* held by process \d+ \(dnf-automatic\).*\(waited [6-9] s\)/,
        );
      } finally {
        lab(['release-dpkg-lock', 'el-01']);
      }
      expect(rpmVersions(addressOf(s, 'el-01'), ['fleet-testpkg'])['fleet-testpkg']).toEqual(['1.0-1.el9']);
    }, 300_000);

    it('an RPM host whose reboot never returns: reboot-timeout, and the ring halts', () => {
      if (!labIsUsable()) return;
      up();
      expect(lab(['reboot-mode', 'el-01', 'never']).status).toBe(0);
      const r = apply('--reboot-timeout', '8s');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /✗ el-01: reboot-timeout: the host did not come back with a new boot id within 8 s/,
      );
      expect(r.stdout).toMatch(/Ring canary: halted/);
      expect(finished(journalEvents(LAB_REPO))['suse-01']).toBeUndefined();
    }, 300_000);

    it('a full disk on the SUSE host fails its pre-flight; nothing is installed there', () => {
      if (!labIsUsable()) return;
      const s = up();
      expect(lab(['fill-disk', 'suse-01']).status).toBe(0);
      try {
        const r = apply();
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/✗ suse-01: failed: pre-flight: .*KiB free, \d+ KiB needed/);
      } finally {
        expect(lab(['free-disk', 'suse-01']).status).toBe(0);
      }
      expect(rpmVersions(addressOf(s, 'suse-01'), ['fleet-testpkg'])['fleet-testpkg']).toEqual(['1.0-1.el9']);
    }, 300_000);

    it('an RPM host down before the apply is unreachable; the others are patched', () => {
      if (!labIsUsable()) return;
      up();
      expect(lab(['stop', 'suse-01']).status).toBe(0);
      const r = apply();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ suse-01: unreachable: /);
      expect(finished(journalEvents(LAB_REPO))).toMatchObject({ 'lab-01': 'patched', 'el-01': 'patched' });
    }, 300_000);
  });
}
