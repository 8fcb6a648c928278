// The zypper driver against the contract, on outputs of its own commands captured on the lab's
// SUSE-like host (__fixtures__/README.md, "sle15/").
import { describe, expect, it } from '@jest/globals';
import type { PackageDriver } from '../types.js';
import { simulateInstallCommand } from './commands.js';
import { zypper } from './driver.js';
import type { ZypperInstallOutcome } from './outcome.js';
import type { ZypperUpdateScan } from './parse-update-scan.js';
import { parseUpdates } from './parse-update-scan.js';
import { result, sle15Command, sle15Result } from './__fixtures__/load.js';

const driver: PackageDriver = zypper;
const t = { name: 'fleet-testpkg', version: '1.1-1.el9' };
const k = { name: 'kernel', version: '5.14.0-427.13.1.el9', arch: 'x86_64' };
const lib = { name: 'fleet-lib', version: '2.1-1.el9', arch: 'noarch' };

describe('zypper driver: the contract', () => {
  it('is a PackageDriver for SUSE hosts, with the shared Linux steps', () => {
    expect(driver.id).toBe('zypper');
    expect(driver.shell).toBe('sh');
    expect(driver.ecosystem).toBe('rpm');
    expect(driver.serves.osIds).toEqual([
      'sles',
      'sled',
      'opensuse-leap',
      'opensuse-tumbleweed',
      'opensuse',
      'suse',
    ]);
    expect(driver.serves.osHints).toEqual(['sles', 'opensuse']);
    expect(driver.os.reboot()).toEqual({ argv: ['reboot'], sudo: true });
  });

  it('builds the same commands as the ones captured on the host (stable commands)', () => {
    const built: Record<string, unknown> = {
      refresh: driver.refresh(),
      facts: driver.facts(),
      inventory: driver.listInstalled(),
      scan: driver.listUpdates(),
      preflight: driver.preflight(),
      simulate: simulateInstallCommand([t, k, lib]),
      'install-lock-held': driver.install([t], { lockTimeoutSeconds: 3 }),
      install: driver.install([t, k, lib], { lockTimeoutSeconds: 30 }),
      'install-downgrade': driver.install([{ name: 'fleet-testpkg', version: '1.0-1.el9' }], {
        lockTimeoutSeconds: 30,
      }),
    };
    for (const [name, command] of Object.entries(built)) {
      expect(JSON.parse(JSON.stringify(command))).toEqual(sle15Command(name));
    }
    // Each builder returns the same command every time (no clock, no randomness).
    expect(driver.listUpdates()).toEqual(driver.listUpdates());
    expect(driver.install([t])).toEqual(driver.install([t]));
  });

  it('never downgrades, never forces, never skips signatures', () => {
    for (const c of [driver.install([t, k]), simulateInstallCommand([t]), driver.refresh()]) {
      expect(c.argv.join(' ')).not.toMatch(
        /--oldpackage|--allow-downgrade |--force|--no-gpg-checks|--with-interactive|--force-resolution /,
      );
    }
    expect(driver.install([t]).env).toEqual({ ZYPP_LOCK_TIMEOUT: '120' });
    expect(simulateInstallCommand([t]).env).toEqual({ ZYPP_READONLY_HACK: '1' });
  });
});

describe('zypper driver on the lab host (sle15 captures)', () => {
  it('facts: SLES 15.5, rpm arch, zypper version, the reboot decision is needs-rebooting', () => {
    const f = driver.parseFacts(sle15Result('facts'));
    expect(f.os).toMatchObject({ id: 'sles', idLike: ['suse'], version: '15.5', family: 'suse' });
    expect(f.nativeArch).toBe('x86_64');
    expect(f.packageManagerVersion).toBe('1.14.42');
    expect(f.rebootRequired).toBe(false);
    expect(f.rebootRequiredPackages).toEqual([]);
    // After the kernel install: needs-rebooting exits 102, though /run/reboot-required is absent.
    const after = sle15Result('facts-after');
    expect(after.stdout).toMatch(/@@patchctl:reboot-required@@\nno\n/);
    expect(driver.parseFacts(after).rebootRequired).toBe(true);
    expect(driver.parseFacts(after).bootId).toBe(f.bootId);
  });

  it('facts: a zypper without needs-rebooting falls back on libzypp /run/reboot-needed', () => {
    const out = sle15Result('facts-after');
    const old = out.stdout.replace('@@patchctl:rc=102@@', '@@patchctl:rc=1@@');
    expect(driver.parseFacts({ ...out, stdout: old }).rebootRequired).toBe(true);
    const neither = old.replace('@@patchctl:reboot-needed@@\nyes', '@@patchctl:reboot-needed@@\nmaybe');
    expect(() => driver.parseFacts({ ...out, stdout: neither })).toThrow(/needs-rebooting exited 1/);
  });

  it('installed: rpm packages, the locked one held, kernels side by side after the install', () => {
    const inv = driver.parseInstalled(sle15Result('inventory'));
    expect(inv.installed.map((p) => `${p.name}-${p.version}.${p.arch}`)).toEqual([
      'fleet-broken-1.0-1.el9.noarch',
      'fleet-held-1.0-1.el9.noarch',
      'fleet-lib-2.0-1.el9.noarch',
      'fleet-testpkg-1.0-1.el9.noarch',
      'kernel-5.14.0-362.8.1.el9.x86_64',
      'sles-release-15.5-1.noarch',
    ]);
    expect(inv.installed[0]).toEqual({ name: 'fleet-broken', version: '1.0-1.el9', arch: 'noarch' });
    expect(inv.held).toEqual(['fleet-held']);
    expect(inv.notFullyInstalled).toEqual([]);
    const after = driver.parseInstalled(sle15Result('inventory-after'));
    expect(after.installed.filter((p) => p.name === 'kernel').map((p) => p.version)).toEqual([
      '5.14.0-362.8.1.el9',
      '5.14.0-427.13.1.el9',
    ]);
    // Multiversion: the engine counts an upgrade of these done when its version is among them.
    expect(inv.sideBySide).toEqual(['kernel', 'kernel-PAE']);
    expect(after.sideBySide).toEqual(['kernel', 'kernel-PAE']);
  });

  it('scan: patches joined to package updates; the locked package held with its candidate', () => {
    const scan = driver.parseUpdateScan(sle15Result('scan')) as ZypperUpdateScan;
    expect(scan.updates).toEqual([
      {
        name: 'fleet-broken',
        from: '1.0-1.el9',
        to: '1.1-1.el9',
        arch: 'noarch',
        classification: 'bugfix',
        source: 'fleet',
      },
      {
        name: 'fleet-held',
        from: '1.0-1.el9',
        to: '1.1-1.el9',
        arch: 'noarch',
        classification: 'bugfix',
        source: 'fleet',
      },
      {
        name: 'fleet-lib',
        from: '2.0-1.el9',
        to: '2.1-1.el9',
        arch: 'noarch',
        classification: 'bugfix',
        source: 'fleet',
        advisories: ['FLEET-2026:0003'],
        releasedAt: '2026-02-10T00:00:00Z',
      },
      {
        name: 'fleet-testpkg',
        from: '1.0-1.el9',
        to: '1.1-1.el9',
        arch: 'noarch',
        classification: 'security',
        severity: 'critical',
        source: 'fleet',
        advisories: ['CVE-2021-44228', 'FLEET-2026:0001'],
        releasedAt: '2026-01-16T00:00:00Z',
      },
      {
        name: 'kernel',
        from: '5.14.0-362.8.1.el9',
        to: '5.14.0-427.13.1.el9',
        arch: 'x86_64',
        classification: 'security',
        severity: 'high',
        source: 'fleet',
        advisories: ['CVE-2023-0386', 'CVE-2024-1086', 'FLEET-2026:0002'],
        releasedAt: '2026-02-03T00:00:00Z',
        rebootRequired: true,
      },
    ]);
    expect(scan.held).toEqual(['fleet-held']);
    expect(scan.keptBack).toEqual(['fleet-held']);
    // The kernel patch is interactive (reboot): listed with what it needs, not skipped.
    expect(scan.attention).toEqual([
      { patch: 'FLEET-2026:0002', needs: ['reboot', 'interactive'], packages: ['kernel'] },
    ]);
    expect(parseUpdates(sle15Result('scan'))).toEqual(scan.updates);
  });

  it('scan: runs while zypper holds its lock (read-only), and after the install lists only the rest', () => {
    expect(driver.parseUpdateScan(sle15Result('scan-locked'))).toEqual(
      driver.parseUpdateScan(sle15Result('scan')),
    );
    const after = driver.parseUpdateScan(sle15Result('scan-after'));
    expect(after.updates.map((u) => u.name)).toEqual(['fleet-broken', 'fleet-held']);
  });

  it('scan: refuses a scan cut short or lacking the held search', () => {
    const out = sle15Result('scan');
    expect(() =>
      driver.parseUpdateScan({ ...out, stdout: out.stdout.replace('@@patchctl:end@@', '') }),
    ).toThrow(/did not run to its end/);
    expect(() =>
      driver.parseUpdateScan({ ...out, stdout: out.stdout.replace('@@patchctl:held-search@@', '') }),
    ).toThrow();
  });

  it('preflight: free, then the zypp lock held by a running zypper (named from /proc/PID/comm)', () => {
    const free = driver.parsePreflight(sle15Result('preflight'));
    expect(free.lockHolders).toEqual([]);
    expect(free.interrupted).toBe(false);
    expect(free.audit).toEqual([]);
    expect(free.freeSpace.map((f) => f.path)).toEqual(['/var/cache/zypp', '/var/lib/rpm', '/boot', '/']);
    expect(driver.checkPreflight(free)).toEqual([]);
    const locked = driver.parsePreflight(sle15Result('preflight-locked'));
    expect(locked.lockHolders).toEqual([{ path: '/run/zypp.pid', pid: 68, command: 'zypper' }]);
    expect(driver.checkPreflight(locked)).toEqual([
      expect.objectContaining({ kind: 'lock-held', message: '/run/zypp.pid is held by process 68 (zypper)' }),
    ]);
    // Two kernels after the install: multiversion, not an interrupted transaction.
    const after = driver.parsePreflight(sle15Result('preflight-after'));
    expect(after.interrupted).toBe(false);
  });

  it('preflight: a non-multiversion package listed twice is an interrupted rpm transaction', () => {
    const out = sle15Result('preflight');
    // rpm installs the new version before it erases the old one: both are listed (../rpm/readme.md).
    const dup = out.stdout.replace(
      '@@patchctl:rpm-qa@@\n',
      '@@patchctl:rpm-qa@@\nfleet-lib\t(none)\t2.1\t1.el9\tnoarch\tfleet-lib-2.1-1.el9.src.rpm\t1796599791\n',
    );
    const p = driver.parsePreflight({ ...out, stdout: dup });
    expect(p.interrupted).toBe(true);
    expect(p.audit).toEqual(['rpm lists fleet-lib.noarch twice']);
    expect(driver.checkPreflight(p).map((x) => x.kind)).toEqual(['interrupted', 'audit']);
  });

  it('preflight: kernels side by side are installonly (multiversion), read with the shared rpm parser', () => {
    const after = sle15Result('preflight-after');
    expect(after.stdout).toMatch(/@@patchctl:installonly@@\nkernel\n/);
    // A kernel that does not provide multiversion(kernel) is installonly by name (dnf's default).
    const noProvides = after.stdout.replace(
      /@@patchctl:installonly@@\n(?:kernel\n)+/,
      '@@patchctl:installonly@@\n',
    );
    expect(driver.parsePreflight({ ...after, stdout: noProvides }).interrupted).toBe(false);
    // A damaged rpmdb in the pre-flight's rpm -qa is refused, naming zypper.
    const damaged = after.stdout.replace(
      '@@patchctl:rpm-qa@@\n',
      '@@patchctl:rpm-qa@@\nerror: rpmdb: damaged\n',
    );
    expect(() => driver.parsePreflight({ ...after, stdout: damaged })).toThrow(
      /^zypper: rpm -qa: the rpm database reports/,
    );
  });

  it('minFreeKbFor: /boot for a kernel', () => {
    expect(driver.minFreeKbFor?.([t])).toEqual({ '/var/cache/zypp': 262144, '/': 262144 });
    expect(driver.minFreeKbFor?.([t, k])?.['/boot']).toBe(131072);
    expect(
      driver.minFreeKbFor?.([{ name: 'kernel-default', version: '6.4.0-150600.23.7.1' }])?.['/boot'],
    ).toBe(131072);
    expect(
      driver.minFreeKbFor?.([{ name: 'kernel-firmware-all', version: '1-1' }])?.['/boot'],
    ).toBeUndefined();
  });

  it('install: exact versions, the new kernel installed beside the running one, reboot needed', () => {
    const o = driver.parseInstall(sle15Result('install')) as ZypperInstallOutcome;
    expect(o.ok).toBe(true);
    expect(o.changed).toEqual([
      { name: 'fleet-lib', to: '2.1-1.el9' },
      { name: 'fleet-testpkg', to: '1.1-1.el9' },
      { name: 'kernel', to: '5.14.0-427.13.1.el9' },
    ]);
    expect(o.rebootRequired).toBe(true);
    expect(sle15Result('install').stdout).toMatch(
      /The following NEW package is going to be installed:\n {2}kernel-/,
    );
    const sim = driver.parseInstall(sle15Result('simulate'));
    expect(sim).toMatchObject({ ok: true, changed: [] });
  });

  it('install: failures classified (lock held, %pre scriptlet, downgrade, locked package)', () => {
    expect(driver.parseInstall(sle15Result('install-lock-held')).failure).toMatchObject({
      kind: 'lock-held',
      holder: { path: '/run/zypp.pid', pid: 68, command: 'zypper' },
    });
    expect(driver.parseInstall(sle15Result('install-scriptlet')).failure).toMatchObject({
      kind: 'maintainer-script',
      packages: ['fleet-broken'],
    });
    expect(driver.parseInstall(sle15Result('install-downgrade')).failure).toMatchObject({
      kind: 'downgrade',
      packages: ['fleet-testpkg'],
    });
    expect(driver.parseInstall(sle15Result('install-locked')).failure).toMatchObject({
      kind: 'held',
      packages: ['fleet-held'],
    });
    // After it all: the downgrade, the scriptlet and the lock changed nothing.
    const end = driver.parseInstalled(sle15Result('inventory-end'));
    expect(end.installed.find((p) => p.name === 'fleet-testpkg')?.version).toBe('1.1-1.el9');
    expect(end.installed.find((p) => p.name === 'fleet-broken')?.version).toBe('1.0-1.el9');
    expect(end.installed.find((p) => p.name === 'fleet-held')?.version).toBe('1.0-1.el9');
  });

  it('install: exit codes 102 and 103 are successes with a reboot / a zypper restart to do', () => {
    expect(driver.parseInstall(result('', 102))).toMatchObject({ ok: true, rebootRequired: true });
    expect(driver.parseInstall(result('', 103))).toMatchObject({ ok: true, packageManagerRestart: true });
    expect(driver.parseInstall(result('', 107)).failure?.kind).toBe('maintainer-script');
    expect(driver.parseInstall(result('', 104)).ok).toBe(false);
  });

  it('refresh: ok on the host; a failure is a result', () => {
    expect(driver.parseRefresh(sle15Result('refresh'))).toEqual({ ok: true, warnings: [] });
    expect(
      driver.parseRefresh(
        result('', 7, 'System management is locked by the application with pid 9 (zypper).'),
      ),
    ).toMatchObject({
      ok: false,
      failure: { kind: 'lock-held', holder: { pid: 9, command: 'zypper' } },
    });
  });
});
