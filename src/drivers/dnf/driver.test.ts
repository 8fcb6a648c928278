// The dnf driver as the engine sees it (the PackageDriver contract), on the driver's own scripts run
// on the lab's EL 9 layer (__fixtures__/README.md, "el9/").
import { describe, expect, it } from '@jest/globals';
import { apt } from '../apt/index.js';
import { driverServing } from '../api.js';
import { linuxOs } from '../linux/index.js';
import type { PackageDriver, Preflight } from '../types.js';
import { rebootRequiredCommand, simulateInstallCommand } from './commands.js';
import { dnf } from './driver.js';
import { parseRebootRequired } from './parse-reboot.js';
import { parseUpdates } from './parse-updates.js';
import { el9 } from './fixtures.js';
import { FACTS_SCRIPT, PREFLIGHT_SCRIPT, UPGRADE_SCRIPT } from './scripts.js';

const driver: PackageDriver = dnf;

describe('the dnf driver', () => {
  it('is a PackageDriver for the RHEL family, with every method the engine calls', () => {
    expect(driver).toMatchObject({ id: 'dnf', shell: 'sh', ecosystem: 'rpm', os: linuxOs });
    for (const m of [
      'facts',
      'parseFacts',
      'listInstalled',
      'parseInstalled',
      'listUpdates',
      'parseUpdateScan',
      'refresh',
      'parseRefresh',
      'preflight',
      'parsePreflight',
      'checkPreflight',
      'minFreeKbFor',
      'install',
      'parseInstall',
    ] as const) {
      expect(typeof driver[m]).toBe('function');
    }
    const pick = (id: string, idLike: string[]) => driverServing({ id, idLike }, [apt, dnf])?.id;
    expect(pick('almalinux', ['rhel', 'centos', 'fedora'])).toBe('dnf');
    expect(pick('rocky', ['rhel', 'centos', 'fedora'])).toBe('dnf');
    expect(pick('ol', ['fedora'])).toBe('dnf');
    expect(pick('amzn', ['fedora'])).toBe('dnf');
    expect(pick('sles', ['suse'])).toBeUndefined();
    expect(pick('ubuntu', ['debian'])).toBe('apt');
    expect(dnf.serves.osHints).toEqual([
      'rhel',
      'almalinux',
      'rocky',
      'centos',
      'fedora',
      'amazon',
      'oracle',
    ]);
  });

  it('builds stable commands (argv snapshot)', () => {
    const pkgs = [
      { name: 'kernel', version: '5.14.0-427.13.1.el9', arch: 'x86_64' },
      { name: 'fleet-epoch', version: '2:3.2-5.el9', arch: 'x86_64' },
    ];
    expect({
      facts: dnf.facts(),
      listInstalled: dnf.listInstalled(),
      listUpdates: dnf.listUpdates(),
      refresh: dnf.refresh({ lockTimeoutSeconds: 30 }),
      preflight: dnf.preflight(),
      install: dnf.install(pkgs, { lockTimeoutSeconds: 300 }),
      simulateInstall: simulateInstallCommand(pkgs),
      rebootRequired: rebootRequiredCommand(),
    }).toMatchSnapshot();
    expect(dnf.install(pkgs).argv.slice(0, 6)).toEqual([
      'sh',
      '-c',
      UPGRADE_SCRIPT,
      'patchctl-dnf-upgrade',
      '120',
      'kernel-5.14.0-427.13.1.el9.x86_64',
    ]);
    expect(UPGRADE_SCRIPT).toMatch(/ upgrade -- "\$@"/);
    expect(UPGRADE_SCRIPT).not.toMatch(/ install /);
    expect(FACTS_SCRIPT).toMatch(/^s rpm-arch$/m);
    expect(PREFLIGHT_SCRIPT).toMatch(/\/var\/lib\/rpm\/\.rpm\.lock/);
  });
});

describe('facts (FACTS_SCRIPT on the EL 9 layer)', () => {
  it('reads os-release, rpm arch, dnf version; no reboot before the kernel update', () => {
    const facts = dnf.parseFacts(el9('facts'));
    expect(facts).toMatchObject({
      os: { id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'], version: '9.4' },
      rebootRequired: false,
      rebootRequiredPackages: [],
      nativeArch: 'x86_64',
      packageManagerVersion: '4.14.0',
    });
    expect(facts.bootId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("takes dnf's reboot decision (needs-restarting -r), not Debian's /run/reboot-required", () => {
    const out = el9('facts-after-kernel');
    expect(out.stdout).toMatch(/@@patchctl:reboot-required@@\nno\n/);
    expect(dnf.parseFacts(out)).toMatchObject({ rebootRequired: true, rebootRequiredPackages: ['kernel'] });
    expect(parseRebootRequired(el9('reboot-after-kernel')).required).toBe(true);
  });

  it('falls back to install times against the boot time when needs-restarting is absent', () => {
    const out = el9('facts-after-kernel');
    const noPlugin = out.stdout.replace(
      /(@@patchctl:needs-restarting@@\n)[\s\S]*?@@patchctl:rc=1@@/,
      '$1No such command: needs-restarting. Please use /usr/bin/dnf --help\n@@patchctl:rc=1@@',
    );
    expect(noPlugin).not.toBe(out.stdout);
    expect(dnf.parseFacts({ ...out, stdout: noPlugin })).toMatchObject({
      rebootRequired: true,
      rebootRequiredPackages: ['kernel'],
    });
  });
});

describe('installed packages (INSTALLED_SCRIPT)', () => {
  it('lists packages sorted, holds from versionlock, installonly kernels side by side', () => {
    const inv = dnf.parseInstalled(el9('installed-after'));
    expect(inv.installed.filter((p) => p.name === 'kernel').map((p) => p.version)).toEqual([
      '5.14.0-362.8.1.el9',
      '5.14.0-427.13.1.el9',
    ]);
    const names = inv.installed.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    expect(inv.held).toEqual(['fleet-held']);
    expect(inv.notFullyInstalled).toEqual([]);
    // The engine counts an upgrade of these done when its version is among those installed.
    expect(inv.sideBySide).toEqual(['kernel', 'kernel-PAE']);
  });

  it('reports the older of two versions of a non-installonly package (an interrupted transaction)', () => {
    expect(dnf.parseInstalled(el9('installed-duplicate')).notFullyInstalled).toEqual([
      { name: 'fleet-held', arch: 'noarch', version: '1.0-1.el9', status: 'duplicate' },
    ]);
  });
});

describe('the update scan (UPDATES_SCRIPT, with its own rpm -qa section)', () => {
  const scan = dnf.parseUpdateScan(el9('updates'));
  const by = (name: string) => scan.updates.find((u) => u.name === name);

  it("reads the lab's advisories: id, type, severity, CVEs, issued date, reboot", () => {
    expect(by('fleet-testpkg')).toEqual({
      name: 'fleet-testpkg',
      from: '1.0-1.el9',
      to: '1.1-1.el9',
      arch: 'noarch',
      source: 'fleet',
      classification: 'security',
      severity: 'critical',
      advisories: ['CVE-2021-44228', 'FLEET-2026:0001'],
      releasedAt: '2026-01-16T00:00:00Z',
    });
    expect(by('kernel')).toMatchObject({
      from: '5.14.0-362.8.1.el9',
      to: '5.14.0-427.13.1.el9',
      classification: 'security',
      severity: 'high',
      advisories: ['CVE-2023-0386', 'CVE-2024-1086', 'FLEET-2026:0002'],
      rebootRequired: true,
    });
    expect(by('fleet-lib')).toMatchObject({ classification: 'bugfix', advisories: ['FLEET-2026:0003'] });
    expect(by('fleet-broken')).toMatchObject({ classification: 'bugfix', from: '1.0-1.el9' });
  });

  it('keeps the version-locked package with its candidate and lists it as held (as apt does)', () => {
    expect(by('fleet-held')).toMatchObject({ from: '1.0-1.el9', to: '1.1-1.el9' });
    expect(scan.held).toEqual(['fleet-held']);
    expect(scan.updates.map((u) => u.name)).toEqual([
      'fleet-broken',
      'fleet-held',
      'fleet-lib',
      'fleet-testpkg',
      'kernel',
    ]);
    expect(parseUpdates(el9('updates-after')).map((u) => u.name)).toEqual(['fleet-broken', 'fleet-held']);
  });

  it('refuses a scan without its rpm -qa section', () => {
    const out = el9('updates');
    const cut = out.stdout.replace(/@@patchctl:rpm-qa@@[\s\S]*(?=@@patchctl:end@@)/, '');
    expect(() => dnf.parseUpdateScan({ ...out, stdout: cut })).toThrow(/lacks the section rpm-qa/);
  });
});

describe('pre-flight (PREFLIGHT_SCRIPT)', () => {
  it('is clean on a fresh host, with free space for each path', () => {
    const p = dnf.parsePreflight(el9('preflight-clean'));
    expect(p).toMatchObject({ lockHolders: [], interrupted: false, audit: [] });
    expect(p.freeSpace.map((f) => f.path)).toEqual(['/var/cache/dnf', '/var/lib/rpm', '/boot', '/']);
    expect(dnf.checkPreflight(p)).toEqual([]);
  });

  it("names the holder of rpm's lock (/proc/locks) and dnf's PID lock, once per process", () => {
    const p = dnf.parsePreflight(el9('preflight-lock-held'));
    expect(p.lockHolders).toEqual([
      { path: '/var/lib/rpm/.rpm.lock', pid: 47, command: 'python3' },
      { path: '/var/lib/dnf/rpmdb_lock.pid', pid: 47, command: 'python3' },
    ]);
    expect(dnf.checkPreflight(p)).toEqual([
      {
        kind: 'lock-held',
        message: '/var/lib/rpm/.rpm.lock is held by process 47 (python3)',
        holder: { path: '/var/lib/rpm/.rpm.lock', pid: 47, command: 'python3' },
      },
    ]);
  });

  it('reports duplicates from dnf check as an interrupted transaction', () => {
    const p = dnf.parsePreflight(el9('preflight-duplicate'));
    expect(p).toMatchObject({ interrupted: true, audit: [] });
    expect(dnf.checkPreflight(p).map((x) => x.kind)).toEqual(['interrupted']);
  });

  it('asks for room in /boot for a kernel, and judges low space', () => {
    expect(dnf.minFreeKbFor?.([{ name: 'kernel-core', version: '1-1', arch: 'x86_64' }])).toMatchObject({
      '/boot': 128 * 1024,
    });
    expect(dnf.minFreeKbFor?.([{ name: 'fleet-lib', version: '1-1', arch: 'noarch' }])).not.toHaveProperty(
      '/boot',
    );
    const p: Preflight = dnf.parsePreflight(el9('preflight-clean'));
    const tight = {
      ...p,
      freeSpace: p.freeSpace.map((f) => ({ ...f, mountedOn: f.path, availableKb: 1000 })),
    };
    expect(dnf.checkPreflight(tight, { '/boot': 2000 }).map((x) => x.kind)).toEqual(['low-space']);
  });
});

describe('install (UPGRADE_SCRIPT on the EL 9 layer)', () => {
  it('upgrades in place and installs the kernel beside the running one', () => {
    const o = dnf.parseInstall(el9('install-ok'));
    expect(o.ok).toBe(true);
    expect(o.failure).toBeUndefined();
    expect(o.changed).toEqual(
      expect.arrayContaining([
        { name: 'kernel', to: '5.14.0-427.13.1.el9' },
        { name: 'fleet-lib', to: '2.1-1.el9' },
        { name: 'fleet-testpkg', to: '1.1-1.el9' },
      ]),
    );
  });

  it('classifies a failing %pre as maintainer-script', () => {
    const o = dnf.parseInstall(el9('install-scriptlet-pre'));
    expect(o).toMatchObject({
      ok: false,
      failure: { kind: 'maintainer-script', packages: ['fleet-broken'] },
    });
  });

  it('gives up a held lock at the bound, naming the holder', () => {
    const o = dnf.parseInstall(el9('install-lock-held'));
    expect(o.failure).toMatchObject({
      kind: 'lock-held',
      holder: { path: '/var/lib/dnf/rpmdb_lock.pid', pid: 47, command: 'python3' },
    });
  });

  it('never downgrades: dnf upgrade of an older NEVRA does nothing (exit 0), reported as downgrade', () => {
    const out = el9('install-downgrade');
    expect(out.exitCode).toBe(0);
    const o = dnf.parseInstall(out);
    expect(o).toMatchObject({
      ok: false,
      changed: [],
      failure: { kind: 'downgrade', packages: ['fleet-lib'] },
    });
    expect(o.failure?.message).toMatch(/fleet-lib 2\.0-1\.el9: 2\.1-1\.el9 is installed/);
  });

  it('reports a version-locked package as held, a package not installed as not-installed', () => {
    expect(dnf.parseInstall(el9('install-held')).failure).toMatchObject({
      kind: 'held',
      packages: ['fleet-held'],
    });
    const o = dnf.parseInstall(el9('install-not-installed'));
    expect(el9('install-not-installed').exitCode).toBe(0);
    expect(o).toMatchObject({ ok: false, failure: { kind: 'not-installed', packages: ['fleet-nosuch'] } });
    expect(o.failure?.excerpt).toMatch(/No match for argument: fleet-nosuch/);
  });

  it('reads a refresh', () => {
    expect(dnf.parseRefresh(el9('refresh'))).toEqual({ ok: true, warnings: [] });
  });
});
