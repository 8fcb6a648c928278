// The lab fleet itself (lab/lab.mjs, lab/README.md): real OpenSSH on real Debian hosts in
// namespaces on this machine. Needs Linux and root; skipped elsewhere, except in CI, where a
// lab that cannot come up fails the run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { applyScenarios } from './apply.lab.js';
import { pipelineScenarios } from './pipelines.lab.js';
import { reportScenarios } from './report.lab.js';
import { simVsLabScenarios } from './sim-vs-lab.lab.js';
import { mixScenarios } from './mix.lab.js';
import { mixApplyScenarios } from './mix-apply.lab.js';
import { realDebianScenarios } from './real-debian.lab.js';
import { sshConfigScenarios } from './ssh-config.lab.js';
import type { LabStatus } from './lab-helpers.js';
import { LAB_KNOWN_HOSTS, LAB_REPO, lab, labStatus, labUnavailable, patchctl, ssh } from './lab-helpers.js';

const unavailable = labUnavailable();
const inCI = Boolean(process.env.CI);

if (unavailable && !inCI) {
  describe('lab fleet', () => {
    it.skip(`skipped: ${unavailable}`, () => undefined);
  });
  process.stderr.write(`lab.test.ts: skipping the lab fleet tests: ${unavailable}\n`);
} else {
  describe('lab fleet (2 hosts)', () => {
    let upError: string | undefined;
    let status: LabStatus;
    const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-lab-test-'));

    beforeAll(() => {
      if (unavailable) {
        upError = `the lab cannot run in CI: ${unavailable}`;
        return;
      }
      const r = lab(['up', '--hosts', '2']);
      if (r.status !== 0) {
        upError = `lab up failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`;
        return;
      }
      status = labStatus();
    }, 900_000);

    afterAll(() => {
      rmSync(scratch, { recursive: true, force: true });
      if (unavailable) return;
      // Down twice: the second one must find nothing to do and still succeed.
      const first = lab(['down'], 120_000);
      const second = lab(['down'], 120_000);
      expect(first.status).toBe(0);
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('nothing was up');
    }, 300_000);

    /** Every test first checks that the lab came up: in CI a lab that cannot start is a failure. */
    function labIsUp(): boolean {
      if (upError === undefined) return true;
      if (inCI) throw new Error(upError);
      process.stderr.write(
        `lab.test.ts: the lab did not come up (not in CI, so not a failure):\n${upError}\n`,
      );
      return false;
    }

    it('comes up with two hosts on the lab subnet, each with its own sshd and boot id', () => {
      if (!labIsUp()) return;
      expect(status.up).toBe(true);
      expect(status.hosts.map((h) => h.name)).toEqual(['lab-01', 'lab-02']);
      expect(status.hosts.map((h) => h.address)).toEqual(['169.254.100.11', '169.254.100.12']);
      expect(status.hosts.every((h) => h.up && h.sshdPid !== null)).toBe(true);
      expect(new Set(status.hosts.map((h) => h.bootId)).size).toBe(2);
    });

    it('OpenSSH on each host answers with the host key pinned in .lab/repo/known_hosts, and only with it', () => {
      if (!labIsUp()) return;
      const pinned = readFileSync(LAB_KNOWN_HOSTS, 'utf8');
      for (const h of status.hosts) {
        const r = ssh(h.address, 'echo "$(hostname) $(id -un)"');
        expect(r.stderr).not.toContain('Host key verification failed');
        expect(r.stdout.trim()).toBe(`${h.name} patchctl`);
        expect(r.status).toBe(0);
      }
      // Each host made its own keys: no key is shared.
      const keys = pinned
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(' ').slice(1).join(' '));
      expect(new Set(keys).size).toBe(keys.length);
      // A known_hosts that pins the other host's keys under this host's address is refused.
      const [a, b] = status.hosts;
      if (!a || !b) throw new Error('two hosts expected');
      const swapped = pinned
        .split('\n')
        .filter((l) => l.startsWith(`${b.name},`))
        .map((l) => l.replace(`${b.name},${b.address}`, a.address))
        .join('\n');
      const wrong = path.join(scratch, 'known_hosts.wrong');
      writeFileSync(wrong, `${swapped}\n`);
      const r = ssh(a.address, 'true', { knownHosts: wrong });
      expect(r.status).toBe(255);
      expect(r.stderr).toContain('Host key verification failed');
    });

    it('apt on the hosts sees the lab packages from the fleet and fleet-security suites', () => {
      if (!labIsUp()) return;
      for (const h of status.hosts) {
        const r = ssh(h.address, 'LC_ALL=C apt list --upgradable 2>/dev/null');
        expect(r.status).toBe(0);
        const upgradable = r.stdout
          .split('\n')
          .filter((l) => l.includes('[upgradable from'))
          .map((l) => l.replace(/ \[upgradable from: (\S+)\]$/, ' from $1'))
          .sort();
        expect(upgradable).toEqual([
          'fleet-broken/fleet 1.1 all from 1.0',
          'fleet-crypto/fleet-security 1.1 all from 1.0',
          'fleet-held/fleet 1.1 all from 1.0',
          'fleet-kernel/fleet-security 1.1 all from 1.0',
          'fleet-tools/fleet 1.1 all from 1.0',
          'fleet-utils/fleet 1.1 all from 1.0',
        ]);
      }
      // The classification comes from repository metadata: the security suite's Release file.
      const address = status.hosts[0]?.address ?? '';
      const policy = ssh(address, 'LC_ALL=C apt-cache policy fleet-crypto');
      expect(policy.stdout).toMatch(/1\.1 500\n\s+500 file:\/srv\/lab-apt fleet-security\/main/);
      const releases = ssh(address, 'LC_ALL=C apt-cache policy');
      expect(releases.stdout).toContain(
        'release v=12,o=Fleet,a=fleet-security,n=fleet-security,l=Fleet-Security,c=main',
      );
      expect(releases.stdout).toContain('release v=12,o=Fleet,a=fleet,n=fleet,l=Fleet,c=main');
      const simulated = ssh(address, 'LC_ALL=C apt-get -s install fleet-crypto fleet-tools');
      expect(simulated.stdout).toContain(
        'Inst fleet-crypto [1.0] (1.1 Fleet-Security:12/fleet-security [all])',
      );
      expect(simulated.stdout).toContain('Inst fleet-tools [1.0] (1.1 Fleet:12/fleet [all])');
    });

    it('patchctl can use sudo -n without a password', () => {
      if (!labIsUp()) return;
      for (const h of status.hosts) {
        const r = ssh(h.address, 'sudo -n true && sudo -n id -u');
        expect(r.stderr).toBe('');
        expect(r.stdout.trim()).toBe('0');
        expect(r.status).toBe(0);
      }
    });

    it('fleet-held is held and stays at 1.0 through an upgrade', () => {
      if (!labIsUp()) return;
      const h = status.hosts[1];
      if (!h) throw new Error('two hosts expected');
      expect(ssh(h.address, 'apt-mark showhold').stdout.trim()).toBe('fleet-held');
      const up = ssh(h.address, 'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -s upgrade');
      expect(up.stdout).toMatch(/The following packages have been kept back:\n\s+fleet-held/);
    });

    it('the hosts have no default route: nothing they send leaves the lab subnet', () => {
      if (!labIsUp()) return;
      for (const h of status.hosts) {
        const routes = ssh(h.address, 'cat /proc/net/route').stdout.split('\n').slice(1).filter(Boolean);
        expect(routes.map((l) => l.split('\t')[1])).toEqual(['0064FEA9']); // 169.254.100.0, little-endian
      }
    });

    it('a reboot gives a new boot id and a fresh /run, and keeps installed packages', () => {
      if (!labIsUp()) return;
      const h = status.hosts[0];
      if (!h) throw new Error('two hosts expected');
      const install = ssh(
        h.address,
        'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q fleet-kernel >/dev/null 2>&1; cat /run/reboot-required.pkgs',
      );
      expect(install.stdout.trim()).toBe('fleet-kernel');
      const before = ssh(h.address, 'cat /proc/sys/kernel/random/boot_id').stdout.trim();
      expect(before).toMatch(/^[0-9a-f-]{36}$/);
      const reboot = lab(['reboot', h.name], 60_000);
      expect(reboot.status).toBe(0);
      const after = ssh(
        h.address,
        'cat /proc/sys/kernel/random/boot_id; test -e /run/reboot-required && echo still-required; cat /usr/share/fleet/fleet-kernel/VERSION',
      );
      expect(after.status).toBe(0);
      const [bootId, ...rest] = after.stdout.trim().split('\n');
      expect(bootId).toMatch(/^[0-9a-f-]{36}$/);
      expect(bootId).not.toBe(before);
      expect(rest).toEqual(['1.1']);
    }, 120_000);

    it('patchctl validate accepts the lab repository', () => {
      if (!labIsUp()) return;
      const r = patchctl(['validate', '-C', LAB_REPO]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('valid: 2 hosts\n');
      expect(r.status).toBe(0);
    });

    describe('patchctl scan on the real hosts', () => {
      const stateOf = (host: string) =>
        JSON.parse(readFileSync(path.join(LAB_REPO, 'state', 'hosts', `${host}.json`), 'utf8')) as {
          reachable: boolean;
          error?: string;
          lastReachableAt?: string;
          scannedAt: string;
          bootId?: string;
          packageManager?: string;
          os?: { id: string; version: string };
          held: string[];
          installed: { name: string; version: string }[];
          updates: {
            name: string;
            from: string;
            to: string;
            source?: string;
            classification: string;
            releasedAt?: string;
          }[];
        };

      it("writes each host's packages, pending updates with their suite, holds and boot id", () => {
        if (!labIsUp()) return;
        const r = patchctl(['scan', '-C', LAB_REPO]);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/Scanned 2 of 2 hosts\.\n$/);
        for (const h of status.hosts) {
          const s = stateOf(h.name);
          const bootId = ssh(h.address, 'cat /proc/sys/kernel/random/boot_id').stdout.trim();
          expect(s).toMatchObject({
            reachable: true,
            packageManager: 'apt',
            bootId,
            os: { id: 'debian', version: '12' },
          });
          expect(s.held).toContain('fleet-held');
          const crypto = s.updates.find((u) => u.name === 'fleet-crypto');
          expect(crypto).toMatchObject({
            from: '1.0',
            to: '1.1',
            source: 'fleet-security',
            classification: 'security',
          });
          expect(s.updates.find((u) => u.name === 'fleet-tools')).toMatchObject({
            source: 'fleet',
            classification: 'bugfix',
          });
          const dpkg = ssh(h.address, "dpkg-query -W -f='${Version}' fleet-crypto").stdout;
          expect(s.installed.find((p) => p.name === 'fleet-crypto')?.version).toBe(dpkg);
        }
      }, 120_000);

      it('keeps the first-seen date of an update across scans, so approval delays can run out', () => {
        if (!labIsUp()) return;
        const host = status.hosts[0]?.name ?? '';
        const before = stateOf(host).updates.find((u) => u.name === 'fleet-crypto')?.releasedAt;
        expect(patchctl(['scan', '-C', LAB_REPO, '--hosts', host, '--no-refresh']).status).toBe(0);
        expect(stateOf(host).updates.find((u) => u.name === 'fleet-crypto')?.releasedAt).toBe(before);
      }, 120_000);

      it('marks a stopped host unreachable, keeps its last data, and exits 1', () => {
        if (!labIsUp()) return;
        const h = status.hosts[1];
        if (!h) throw new Error('two hosts expected');
        const last = stateOf(h.name);
        expect(lab(['stop', h.name], 60_000).status).toBe(0);
        try {
          const r = patchctl(['scan', '-C', LAB_REPO, '--hosts', h.name]);
          expect(r.status).toBe(1);
          expect(r.stdout).toContain(`✗ ${h.name}: unreachable:`);
          const s = stateOf(h.name);
          expect(s.reachable).toBe(false);
          expect(s.error).toBeTruthy();
          expect(s.lastReachableAt).toBe(last.scannedAt);
          expect(s.installed).toEqual(last.installed);
          expect(s.updates).toEqual(last.updates);
        } finally {
          expect(lab(['start', h.name], 60_000).status).toBe(0);
        }
      }, 180_000);

      it('refuses a host whose key changed: host-key-mismatch, known_hosts untouched, last data kept', () => {
        if (!labIsUp()) return;
        const h = status.hosts[0];
        if (!h) throw new Error('two hosts expected');
        const known = readFileSync(LAB_KNOWN_HOSTS, 'utf8');
        expect(lab(['change-host-key', h.name], 60_000).status).toBe(0);
        try {
          const r = patchctl(['scan', '-C', LAB_REPO, '--hosts', h.name, '--accept-new-host-keys']);
          expect(r.status).toBe(1);
          expect(r.stdout).toContain(`✗ ${h.name}: host-key-mismatch:`);
          expect(readFileSync(LAB_KNOWN_HOSTS, 'utf8')).toBe(known); // never re-pinned
          expect(stateOf(h.name)).toMatchObject({ reachable: false });
        } finally {
          // Trust the host's new keys from here on, as an operator would after checking them.
          const current = lab(['known-hosts'], 60_000);
          expect(current.status).toBe(0);
          writeFileSync(LAB_KNOWN_HOSTS, current.stdout);
        }
      }, 180_000);

      it('pins a first-seen host key only with --accept-new-host-keys', () => {
        if (!labIsUp()) return;
        const h = status.hosts[1];
        if (!h) throw new Error('two hosts expected');
        const known = readFileSync(LAB_KNOWN_HOSTS, 'utf8');
        const without = known
          .split('\n')
          .filter((l) => !l.startsWith(`${h.name},`))
          .join('\n');
        writeFileSync(LAB_KNOWN_HOSTS, without);
        try {
          const refused = patchctl(['scan', '-C', LAB_REPO, '--hosts', h.name]);
          expect(refused.status).toBe(1);
          expect(refused.stdout).toContain(`✗ ${h.name}: unreachable:`);
          expect(refused.stdout).toMatch(/not in known_hosts|unknown/i);
          const pinned = patchctl(['scan', '-C', LAB_REPO, '--hosts', h.name, '--accept-new-host-keys']);
          expect(pinned.status).toBe(0);
          expect(pinned.stderr).toContain(`pinned new host key for ${h.name}`);
          const line = readFileSync(LAB_KNOWN_HOSTS, 'utf8')
            .split('\n')
            .find((l) => l.startsWith(`${h.name},`));
          expect(line).toBeDefined();
          // The pinned key is the host's real one: OpenSSH itself accepts it.
          expect(ssh(h.address, 'true').status).toBe(0);
        } finally {
          writeFileSync(LAB_KNOWN_HOSTS, known);
        }
      }, 180_000);

      it('plans from what it scanned', () => {
        if (!labIsUp()) return;
        expect(patchctl(['scan', '-C', LAB_REPO]).status).toBe(0);
        const r = patchctl(['plan', '-C', LAB_REPO, '--format', 'json']);
        expect(r.status).toBe(0);
        const plan = JSON.parse(r.stdout) as {
          rings: { hosts: { host: string; actions: { package?: string }[] }[] }[];
        };
        const upgrades = plan.rings.flatMap((ring) =>
          ring.hosts.flatMap((h) => h.actions.map((a) => a.package)),
        );
        expect(upgrades).toContain('fleet-crypto');
        expect(upgrades).not.toContain('fleet-held');
      }, 120_000);
    });
  });
}

// apply on the real fleet, after the fleet's own tests (one lab at a time: same file, in order).
if (!unavailable || inCI) {
  const labIsUsable = () => {
    if (unavailable) throw new Error(`the lab cannot run in CI: ${unavailable}`);
    return true;
  };
  applyScenarios(labIsUsable);
  reportScenarios(labIsUsable);
  pipelineScenarios(labIsUsable);
  simVsLabScenarios(labIsUsable);
  mixScenarios(labIsUsable);
  mixApplyScenarios(labIsUsable);
  realDebianScenarios(labIsUsable);
  sshConfigScenarios(labIsUsable);
}
