// A mixed lab (lab:up --mix, lab/README.md "Mixed fleets"): one Debian, one RHEL-like and one
// SUSE-like host, reached over plain OpenSSH. The RPM hosts run the real rpm, dnf and zypper
// against the lab's RPM repository with its updateinfo.xml: exit codes, advisories, locks and
// installonly kernels are theirs. Registered from lab.test.ts, after the other lab scenarios
// (one lab at a time). Alone: jest test/lab/lab.test.ts -t 'mixed lab'.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { LabStatus } from './lab-helpers.js';
import { LAB_REPO, lab, labStatus, patchctl, ssh } from './lab-helpers.js';

const inCI = Boolean(process.env.CI);

/** Why RPM hosts cannot be built here (Debian's rpm and createrepo-c), or undefined. */
function rpmToolsMissing(): string | undefined {
  for (const tool of ['/usr/bin/rpmbuild', '/usr/bin/createrepo_c', '/usr/bin/modifyrepo_c']) {
    if (!existsSync(tool)) return `${path.basename(tool)} is missing (apt-get install rpm createrepo-c)`;
  }
  return undefined;
}

const SEEDED = [
  'fleet-testpkg-1.0-1.el9.noarch',
  'kernel-5.14.0-362.8.1.el9.x86_64',
  'fleet-lib-2.0-1.el9.noarch',
  'fleet-broken-1.0-1.el9.noarch',
  'fleet-held-1.0-1.el9.noarch',
];

interface HostStateFile {
  reachable: boolean;
  errorKind?: string;
  packageManager?: string;
  os?: { id: string; version: string };
}

export function mixScenarios(labIsUsable: () => boolean): void {
  describe('a mixed lab: --mix deb:1,el:1,suse:1', () => {
    let upError: string | undefined;
    let status: LabStatus;
    let upSeconds = 0;
    const missing = rpmToolsMissing();

    beforeAll(() => {
      if (!labIsUsable()) return;
      if (missing) {
        upError = `RPM hosts cannot be built here: ${missing}`;
        return;
      }
      const t0 = Date.now();
      const r = lab(['up', '--mix', 'deb:1,el:1,suse:1']);
      upSeconds = (Date.now() - t0) / 1000;
      if (r.status !== 0) {
        upError = `lab up --mix failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`;
        return;
      }
      process.stderr.write(`mix.lab.ts: lab up --mix deb:1,el:1,suse:1 took ${upSeconds.toFixed(1)} s\n`);
      status = labStatus();
    }, 900_000);

    afterAll(() => {
      // Down twice: the second finds nothing to do (idempotent), and nothing is left mounted.
      const first = lab(['down'], 120_000);
      const second = lab(['down'], 120_000);
      expect(first.status).toBe(0);
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('nothing was up');
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
      expect(mounts).not.toContain('/.lab/hosts/');
    }, 300_000);

    function isUp(): boolean {
      if (upError === undefined) return true;
      if (inCI) throw new Error(upError);
      process.stderr.write(
        `mix.lab.ts: the mixed lab did not come up (not in CI, so not a failure):\n${upError}\n`,
      );
      return false;
    }

    const host = (family: string) => {
      const h = status.hosts.find((x) => x.family === family);
      if (!h) throw new Error(`no ${family} host in the mixed lab`);
      return h;
    };
    /** A command line on a host over ssh, as patchctl (sudo -n where root is needed); adds `rc=N`. */
    const on = (family: string, command: string) => {
      const r = ssh(host(family).address, `${command}; echo "rc=$?"`, { timeoutMs: 120_000 });
      expect(r.status).toBe(0);
      const rc = /rc=(\d+)\n$/.exec(r.stdout)?.[1];
      return { out: r.stdout.replace(/rc=\d+\n$/, ''), err: r.stderr, rc: Number(rc) };
    };

    it('comes up with one host per family, each with its os', () => {
      if (!isUp()) return;
      expect(status.hosts.map((h) => [h.name, h.family, h.os, h.up])).toEqual([
        ['lab-01', 'deb', 'debian', true],
        ['el-01', 'el', 'almalinux', true],
        ['suse-01', 'suse', 'sles', true],
      ]);
      const inventory = readFileSync(path.join(LAB_REPO, 'inventory', 'lab.yaml'), 'utf8');
      expect(inventory).toMatch(/- name: el-01\n\s+address: 169\.254\.100\.12\n\s+os: almalinux\n/);
      expect(inventory).toMatch(/- name: suse-01\n\s+address: 169\.254\.100\.13\n\s+os: sles\n/);
      // The canary ring mixes families.
      expect(readFileSync(path.join(LAB_REPO, 'groups', 'lab.yaml'), 'utf8')).toContain(
        'hosts: [lab-01, el-01]',
      );
    });

    it('each host says what it is in /etc/os-release; on RPM hosts the release package owns it', () => {
      if (!isUp()) return;
      const id = '. /etc/os-release; echo "$ID $VERSION_ID $ID_LIKE"';
      expect(on('deb', id).out.trim()).toBe('debian 12');
      expect(on('el', id).out.trim()).toBe('almalinux 9.4 rhel centos fedora');
      expect(on('suse', id).out.trim()).toBe('sles 15.5 suse');
      expect(on('el', 'rpm -qf /etc/os-release').out.trim()).toBe('almalinux-release-9.4-1.el9.noarch');
      expect(on('suse', 'rpm -qf /etc/os-release').out.trim()).toBe('sles-release-15.5-1.noarch');
      // Not Debian any more: no apt, no dpkg on the RPM hosts.
      for (const f of ['el', 'suse']) expect(on(f, 'command -v apt-get dpkg').rc).toBe(1);
    });

    it('the RPM hosts are seeded with the old versions, in their own rpmdb (/var/lib/rpm)', () => {
      if (!isUp()) return;
      for (const f of ['el', 'suse']) {
        const r = on(f, 'rpm -q fleet-testpkg kernel fleet-lib fleet-broken fleet-held');
        expect(r.rc).toBe(0);
        expect(r.out.trim().split('\n')).toEqual(SEEDED);
        // The same answer whatever $HOME is (Debian's rpm follows $HOME without the macro).
        expect(on(f, 'HOME=/tmp rpm --eval %_dbpath').out.trim()).toBe('/var/lib/rpm');
        expect(on(f, 'sudo -n rpm -q kernel').out.trim()).toBe('kernel-5.14.0-362.8.1.el9.x86_64');
      }
    });

    it('dnf on the el host: check-update exits 100 with the updates, updateinfo lists the advisories', () => {
      if (!isUp()) return;
      const check = on('el', 'sudo -n dnf -q check-update');
      expect(check.rc).toBe(100);
      const rows = check.out
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.split(/\s+/).slice(0, 2).join(' '));
      // fleet-held is version-locked: dnf does not offer it.
      expect(rows).toEqual([
        'fleet-broken.noarch 1.1-1.el9',
        'fleet-lib.noarch 2.1-1.el9',
        'fleet-testpkg.noarch 1.1-1.el9',
        'kernel.x86_64 5.14.0-427.13.1.el9',
      ]);
      const list = on('el', 'sudo -n dnf -q updateinfo list');
      expect(list.rc).toBe(0);
      expect(list.out.split('\n').map((l) => l.split(/\s+/).join(' '))).toEqual(
        expect.arrayContaining([
          'FLEET-2026:0001 Critical/Sec. fleet-testpkg-1.1-1.el9.noarch',
          'FLEET-2026:0002 Important/Sec. kernel-5.14.0-427.13.1.el9.x86_64',
          'FLEET-2026:0003 bugfix fleet-lib-2.1-1.el9.noarch',
        ]),
      );
      const security = on('el', 'sudo -n dnf -q check-update --security');
      expect(security.rc).toBe(100);
      expect(security.out).not.toContain('fleet-lib');
      const info = on('el', 'sudo -n dnf -q updateinfo info FLEET-2026:0002');
      expect(info.out).toMatch(/CVEs: CVE-2023-0386\n\s+: CVE-2024-1086/);
      expect(info.out).toMatch(/Severity: Important/);
      expect(on('el', 'sudo -n dnf -q versionlock list').out).toContain('fleet-held-0:1.0-1.el9.*');
    });

    it('zypper on the suse host: patch-check exits 101, list-patches -x lists the patches', () => {
      if (!isUp()) return;
      const check = on('suse', 'sudo -n zypper --non-interactive patch-check');
      expect(check.rc).toBe(101);
      expect(check.out).toContain('3 patches needed (2 security patches)');
      const x = on('suse', 'sudo -n zypper --non-interactive -x list-patches');
      expect(x.rc).toBe(0);
      const patches = [
        ...x.out.matchAll(
          /<update kind="patch" name="([^"]+)"[^>]* category="([^"]+)" severity="([^"]+)"[^>]* restart="([^"]+)"/g,
        ),
      ].map((m) => m.slice(1).join(' '));
      expect(patches).toEqual([
        'FLEET-2026:0001 security critical false',
        'FLEET-2026:0002 security important true',
        'FLEET-2026:0003 bugfix none false',
      ]);
      expect(x.out).toContain('<issue type="cve" id="CVE-2024-1086">');
      expect(x.out).toContain('<issue-date time_t="1770076800" text="2026-02-03T00:00:00Z"/>');
      expect(on('suse', 'sudo -n zypper --non-interactive locks').out).toMatch(/\| fleet-held\s+\| package/);
    });

    it('patchctl scan: each host is scanned with its own driver (apt, dnf, zypper)', () => {
      if (!isUp()) return;
      const r = patchctl(['scan', '-C', LAB_REPO]);
      expect(r.status).toBe(0);
      const stateOf = (name: string) =>
        JSON.parse(
          readFileSync(path.join(LAB_REPO, 'state', 'hosts', `${name}.json`), 'utf8'),
        ) as HostStateFile;
      for (const [name, packageManager, id] of [
        ['lab-01', 'apt', 'debian'],
        ['el-01', 'dnf', 'almalinux'],
        ['suse-01', 'zypper', 'sles'],
      ] as const) {
        expect(stateOf(name)).toMatchObject({ reachable: true, packageManager, os: { id } });
      }
    }, 180_000);

    it('each RPM host has its own rpmdb: upgrades on el-01 (kernel installed beside) leave suse-01 alone', () => {
      if (!isUp()) return;
      const up = on('el', 'sudo -n dnf -y -q upgrade fleet-testpkg kernel >/dev/null 2>&1');
      expect(up.rc).toBe(0);
      expect(on('el', 'rpm -q fleet-testpkg kernel').out.trim().split('\n')).toEqual([
        'fleet-testpkg-1.1-1.el9.noarch',
        'kernel-5.14.0-362.8.1.el9.x86_64',
        'kernel-5.14.0-427.13.1.el9.x86_64',
      ]);
      expect(on('suse', 'rpm -q fleet-testpkg').out.trim()).toBe('fleet-testpkg-1.0-1.el9.noarch');
    }, 120_000);

    it('fleet-broken: its %pre fails on the upgrade, dnf exits 1 and the old version stays', () => {
      if (!isUp()) return;
      const r = on('el', 'sudo -n dnf -y upgrade fleet-broken 2>&1');
      expect(r.rc).toBe(1);
      expect(r.out).toContain('fleet-broken: %pre failed on purpose');
      expect(r.out).toContain('Error in PREIN scriptlet in rpm package fleet-broken');
      expect(on('el', 'rpm -q fleet-broken').out.trim()).toBe('fleet-broken-1.0-1.el9.noarch');
    }, 120_000);

    it('zypper: a reboot patch needs --with-interactive, exits 102, keeps both kernels and asks for a reboot', () => {
      if (!isUp()) return;
      const skipped = on('suse', 'sudo -n zypper --non-interactive patch --category security');
      expect(skipped.out + skipped.err).toContain("Patch 'FLEET-2026:0002-2' is interactive, skipping.");
      const r = on('suse', 'sudo -n zypper --non-interactive patch --category security --with-interactive');
      expect(r.rc).toBe(102);
      expect(on('suse', 'rpm -q kernel').out.trim().split('\n')).toEqual([
        'kernel-5.14.0-362.8.1.el9.x86_64',
        'kernel-5.14.0-427.13.1.el9.x86_64',
      ]);
      expect(on('suse', 'sudo -n zypper needs-rebooting').rc).toBe(102);
      // A reboot (fresh /run) clears the request, the packages stay.
      expect(lab(['reboot', 'suse-01'], 60_000).status).toBe(0);
      expect(on('suse', 'sudo -n zypper needs-rebooting').rc).toBe(0);
      expect(on('suse', 'rpm -q fleet-testpkg').out.trim()).toBe('fleet-testpkg-1.1-1.el9.noarch');
    }, 180_000);
  });
}
