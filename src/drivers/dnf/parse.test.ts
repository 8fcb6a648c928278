import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { combineUpdates } from './combine.js';
import { capture, fixture } from './fixtures.js';
import { parseNevra } from './nevra.js';
import { checkUpdateStatus, parseCheckUpdateText } from './parse-check-update.js';
import { globMatches, heldNames, parseExcludes, parseVersionlockList } from './parse-holds.js';
import { lockHolderIn, parseDnfFailure, parseInstall, parseLockHolders } from './parse-install.js';
import { parseInstalled, parseInstalledText } from './parse-installed.js';
import { parseInstallTimes, parseNeedsRestarting, parseRebootRequired } from './parse-reboot.js';
import { isoDate, parseUpdateinfoInfo, parseUpdateinfoList, severityOf } from './parse-updateinfo.js';
import { parseUpdateScan } from './parse-updates.js';

const ok = (stdout: string, stderr = '', exitCode: number | null = 0): CommandResult => ({
  exitCode,
  stdout,
  stderr,
  durationMs: 1,
});

const driverError = (f: () => unknown): DriverOutputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DriverOutputError) return e;
    throw e;
  }
  throw new Error('expected a DriverOutputError');
};

describe('NEVRA', () => {
  it('splits names with dashes and dots, epochs in both places', () => {
    expect(parseNevra('fleet-epoch-2:3.2-5.el9.x86_64')).toEqual({
      name: 'fleet-epoch',
      epoch: '2',
      version: '3.2',
      release: '5.el9',
      arch: 'x86_64',
    });
    expect(parseNevra('0:bash-4.2.46-34.el7.x86_64')?.name).toBe('bash');
    expect(parseNevra('python3.11-3.11.2-1.el9.x86_64')?.name).toBe('python3.11');
    expect(parseNevra('openssh-server#$%^5.3p1$%^104.el6.x86_64')).toBeUndefined();
    expect(parseNevra('kernel')).toBeUndefined();
  });
  it('reads the insights-core rpm -qa NEVRA lists', () => {
    const lines = fixture('insights-core/installed_rpms__RPMS_PACKAGE_WITH_GARBAGE.txt')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.map((l) => parseNevra(l)?.name)).toEqual([
      'openjpeg-libs',
      'openldap',
      'openobex',
      undefined,
      'openssh-askpass',
      'openssl',
    ]);
    const unicode = fixture('insights-core/installed_rpms__RPMS_PACKAGE_WITH_UNICODE.txt').split('\n');
    expect(parseNevra(unicode[3] ?? '')?.name).toBe('openobex\u018e');
  });
});

describe('installed packages (rpm -qa --qf)', () => {
  it('reads the lab capture: epochs (none) and set, sorted, kernel versions kept apart', () => {
    const inv = parseInstalled(capture('scan-rpm-qa', 0));
    expect(inv.installed.find((p) => p.name === 'fleet-epoch')).toEqual({
      name: 'fleet-epoch',
      version: '2:3.2-4.el9',
      arch: 'x86_64',
    });
    expect(inv.installed.find((p) => p.name === 'fleet-lib')?.version).toBe('2.0-1.el9');
    expect(inv.packages.find((p) => p.name === 'kernel')?.sourceRpm).toBe(
      'kernel-5.14.0-362.8.1.el9.src.rpm',
    );
    const names = inv.installed.map((p) => p.name);
    expect(names).toEqual([...names].sort());
  });
  it('sorts installonly versions by rpmvercmp, never as strings', () => {
    const text = [
      'kernel\t(none)\t5.14.0\t70.13.1.el9_0\tx86_64\tkernel-5.14.0-70.13.1.el9_0.src.rpm\t1',
      'kernel\t(none)\t5.14.0\t503.15.1.el9_5\tx86_64\tkernel-5.14.0-503.15.1.el9_5.src.rpm\t2',
      'kernel\t(none)\t5.14.0\t9.1.el9\tx86_64\tkernel-5.14.0-9.1.el9.src.rpm\t3',
    ].join('\n');
    expect(parseInstalledText(text).installed.map((p) => p.version)).toEqual([
      '5.14.0-9.1.el9',
      '5.14.0-70.13.1.el9_0',
      '5.14.0-503.15.1.el9_5',
    ]);
  });
  it('leaves gpg-pubkey out, skips warnings, keeps non-ASCII names', () => {
    const text = [
      'gpg-pubkey\t(none)\t2fa658e0\t45700c69\t(none)\t(none)\t1556194860',
      'warning: Signature not supported. Hash algorithm SHA1 not available.',
      'openobexΎ\t(none)\t1.4\t7.el6\tx86_64\topenobex-1.4-7.el6.src.rpm\t1556194860',
    ].join('\n');
    expect(parseInstalledText(text).installed).toEqual([
      // The source RPM's name differs from this (edited) binary name, so it is recorded.
      { name: 'openobexΎ', version: '1.4-7.el6', arch: 'x86_64', source: 'openobex' },
    ]);
  });
  it('records the source RPM only where its name differs (glibc-common from glibc, kernel-core from kernel)', () => {
    const text = [
      'glibc	(none)	2.34	60.el9	x86_64	glibc-2.34-60.el9.src.rpm	1556194860',
      'glibc-common	(none)	2.34	60.el9	x86_64	glibc-2.34-60.el9.src.rpm	1556194860',
      'kernel-core	(none)	5.14.0	427.13.1.el9_4	x86_64	kernel-5.14.0-427.13.1.el9_4.src.rpm	1556194860',
      'libgcc	(none)	11.4.1	3.el9	x86_64	(none)	1556194860',
    ].join('\n');
    expect(parseInstalledText(text).installed).toEqual([
      { name: 'glibc', version: '2.34-60.el9', arch: 'x86_64' },
      { name: 'glibc-common', version: '2.34-60.el9', arch: 'x86_64', source: 'glibc' },
      { name: 'kernel-core', version: '5.14.0-427.13.1.el9_4', arch: 'x86_64', source: 'kernel' },
      { name: 'libgcc', version: '11.4.1-3.el9', arch: 'x86_64' },
    ]);
  });
  it('refuses rpmdb errors (insights-core ERROR_DB, ERROR_DB_NO_PKG) and garbage lines', () => {
    expect(
      driverError(() => parseInstalledText(fixture('insights-core/installed_rpms__ERROR_DB.txt'))).message,
    ).toMatch(/rpm database reports "error: rpmdbNextIterator/);
    const noPkg = fixture('insights-core/installed_rpms__ERROR_DB_NO_PKG.txt');
    expect(driverError(() => parseInstalled(ok('', noPkg, 1))).message).toMatch(
      /rpm -qa failed \(exit status 1\)/,
    );
    expect(driverError(() => parseInstalled(ok('x\t1\n', noPkg, 0))).message).toMatch(/rpm database reports/);
    expect(driverError(() => parseInstalledText('openssh-server#$%^5.3p1\n')).message).toMatch(
      /unexpected line/,
    );
    expect(driverError(() => parseInstalledText('\n')).message).toMatch(/no packages at all/);
    expect(driverError(() => parseInstalled({ ...ok('a'), timedOut: true })).message).toMatch(/timed out/);
  });
});

describe('check-update', () => {
  it('reads the lab capture, -q or not (the expiration line is on stdout without -q)', () => {
    const q = parseCheckUpdateText(fixture('lab-check-update.stdout'));
    expect(q).toHaveLength(10);
    expect(q.find((e) => e.name === 'fleet-epoch')).toEqual({
      name: 'fleet-epoch',
      arch: 'x86_64',
      evr: '2:3.2-5.el9',
      repo: 'fleet',
    });
    expect(parseCheckUpdateText(fixture('lab-check-update-noq.stdout'))).toEqual(q);
    expect(
      parseCheckUpdateText(fixture('rpm-hosts/check-update-security.stdout')).map((e) => e.name),
    ).toEqual(['fleet-testpkg', 'kernel']);
  });
  it('joins wrapped lines and skips header and footer junk (insights-core)', () => {
    const wrapped = parseCheckUpdateText(fixture('insights-core/yum_list_available__WRAPPED_LINE.txt'));
    expect(wrapped.map((e) => `${e.name}.${e.arch} ${e.evr} ${e.repo}`)).toEqual([
      'NetworkManager-bluetooth.x86_64 1:1.10.10-1.fc28 updates',
      'NetworkManager-config-connectivity-fedora.noarch 1:1.10.10-1.fc28 updates',
      'NetworkManager-glib.x86_64 1:1.10.10-1.fc28 updates',
      'NetworkManager-libnm.x86_64 1:1.10.10-1.fc28 updates',
      'clucene-contribs-lib.x86_64 2.3.3.4-31.20130812.e8e3d20git.fc28 fedora',
      'clucene-core.x86_64 2.3.3.4-31.20130812.e8e3d20git.fc28 fedora',
    ]);
    const junk = parseCheckUpdateText(fixture('insights-core/yum_list_available__HEADER_FOOTER_JUNK.txt'));
    expect(junk.map((e) => e.name)).toEqual([
      'GConf2',
      'GeoIP',
      'ImageMagick',
      'NetworkManager',
      'NetworkManager',
      'NetworkManager-config-server',
    ]);
    expect(
      parseCheckUpdateText(fixture('insights-core/yum_list_available__EXPIRED_WITH_DATA.txt')),
    ).toHaveLength(1);
    expect(parseCheckUpdateText(fixture('insights-core/yum_list_available__EMPTY.txt'))).toEqual([]);
  });
  it('stops at "Obsoleting Packages" and refuses a wrapped entry cut short', () => {
    const text = 'a.x86_64 1-1 r\nObsoleting Packages\nnew.x86_64 2-1 r\n    old.x86_64 1-1 @System\n';
    expect(parseCheckUpdateText(text).map((e) => e.name)).toEqual(['a']);
    expect(driverError(() => parseCheckUpdateText('averyveryverylongname.noarch\n')).message).toMatch(
      /not continued/,
    );
  });
  it('maps exit statuses: 100 updates, 0 none, anything else an error', () => {
    expect([100, 0, 1, 200, undefined].map(checkUpdateStatus)).toEqual([
      'updates',
      'none',
      'error',
      'error',
      'error',
    ]);
  });
});

describe('updateinfo', () => {
  it('maps severities to patchctl severities', () => {
    expect(
      ['Critical', 'Important', 'Moderate', 'Low', 'None', 'medium', 'high', ''].map(severityOf),
    ).toEqual(['critical', 'high', 'medium', 'low', undefined, 'medium', 'high', undefined]);
  });
  it('reads list: id, type, severity, NEVRA (lab, rpm-hosts, vuls, insights-core)', () => {
    const list = parseUpdateinfoList(fixture('lab-updateinfo-list.stdout'));
    expect(list).toHaveLength(8);
    expect(list[1]).toEqual({
      advisory: 'FLEET-2026:0005',
      type: 'security',
      severity: 'medium',
      package: { name: 'fleet-epoch', epoch: '2', version: '3.2', release: '5.el9', arch: 'x86_64' },
    });
    expect(list.find((a) => a.advisory === 'FLEET-2026:0003')?.type).toBe('bugfix');
    expect(parseUpdateinfoList(fixture('lab-updateinfo-list-v.stdout'))).toEqual(list);
    expect(
      parseUpdateinfoList(fixture('rpm-hosts/updateinfo-list-security.stdout')).map((a) => a.severity),
    ).toEqual(['critical', 'high']);
    const rhel = parseUpdateinfoList(
      fixture('vuls/redhatbase-2019__TestParseYumUpdateinfoListAvailable__01.txt'),
    );
    expect(rhel.map((a) => `${a.advisory} ${a.severity ?? '-'} ${a.package.name}`)).toEqual([
      'RHSA-2015:2315 medium NetworkManager',
      'RHSA-2015:2315 medium NetworkManager-config-server',
      'RHSA-2015:1705 high bind-libs-lite',
      'RHSA-2016:0176 critical glibc',
      'RHSA-2015:2401 low grub2',
      'RHSA-2015:2401 low grub2-tools',
    ]);
    const fedora = parseUpdateinfoList(fixture('insights-core/yum_updateinfo__YUM_UPDATEINFO_INPUT.txt'));
    expect(fedora).toHaveLength(12);
    expect(fedora[8]?.package.epoch).toBe('1');
    const types = parseUpdateinfoList(fixture('insights-core/yum_updateinfo__TEST_DATA.txt')).map(
      (a) => a.type,
    );
    expect(types).toEqual(['security', 'bugfix', 'enhancement']);
  });
  it('reads info: CVE references only (never the description), dates in UTC ISO form', () => {
    const info = parseUpdateinfoInfo(fixture('lab-updateinfo-info.stdout'));
    expect(info).toHaveLength(8);
    const kernel = info.find((i) => i.id === 'FLEET-2026:0002');
    expect(kernel).toEqual({
      id: 'FLEET-2026:0002',
      type: 'security',
      severity: 'high',
      title: 'Important: kernel security update',
      cves: ['CVE-2023-0386', 'CVE-2024-1086'],
      updated: '2026-02-03T00:00:00Z',
    });
    expect(info.find((i) => i.id === 'FLEET-2026:0003')).toMatchObject({ type: 'bugfix', cves: [] });
    expect(info.find((i) => i.id === 'FLEET-2026:0003')?.severity).toBeUndefined();
    expect(parseUpdateinfoInfo(fixture('rpm-hosts/updateinfo-info-0002.stdout'))[0]?.cves).toEqual(
      kernel?.cves,
    );
  });
  it('reads yum-era info blocks (vuls RHEL, Oracle, Amazon) without crashing on their odd lines', () => {
    const rhel = parseUpdateinfoInfo(fixture('vuls/redhatbase-2019__TestParseYumUpdateinfoRHEL__01.txt'));
    expect(rhel.map((i) => i.id)).toEqual([
      'RHSA-2015:1705',
      'RHSA-2015:2655',
      'RHSA-2016:0073',
      'RHSA-2017:1574',
    ]);
    expect(rhel[1]).toMatchObject({
      cves: ['CVE-2015-8000', 'CVE-2015-8001'],
      severity: 'low',
      issued: '2015-09-03T01:00:00Z',
      updated: '2015-09-04T00:00:00Z',
    });
    expect(rhel[2]?.cves).toEqual(['CVE-2015-8704', 'CVE-2015-8705']);
    const ol = parseUpdateinfoInfo(fixture('vuls/redhatbase-2019__TestParseYumUpdateinfoOL__01.txt'));
    expect(ol.map((i) => [i.id, i.issued, i.cves.length])).toEqual([
      ['ELSA-2017-0276', '2017-02-15T00:00:00Z', 1],
      ['ELSA-2017-0286', '2017-02-15T00:00:00Z', 2],
      ['ELSA-2017-3520', '2017-02-15T00:00:00Z', 1],
    ]);
    const amazon = parseUpdateinfoInfo(fixture('vuls/redhatbase-2019__TestParseYumUpdateinfoAmazon__01.txt'));
    expect(amazon.map((i) => [i.id, i.severity, i.issued])).toEqual([
      ['ALAS-2016-644', 'medium', '2015-12-15T13:30:00Z'],
      ['ALAS-2015-614', 'medium', '2015-12-15T10:00:00Z'],
    ]);
  });
  it('accepts only real dates', () => {
    expect(isoDate('2026-02-30 00:00:00')).toBeUndefined();
    expect(isoDate('yesterday')).toBeUndefined();
  });
});

describe('holds', () => {
  it('reads versionlock lists (dnf and yum forms; ! entries are not holds) and excludes', () => {
    expect(
      parseVersionlockList(
        '# c\nfleet-held-0:1.0-1.el9.*\n!fleet-lib-0:2.1-1.el9.*\n0:bash-4.2.46-34.el7.*\n',
      ),
    ).toEqual(['bash', 'fleet-held']);
    expect(parseExcludes('exclude=fleet-a-package-* kernel-debug*\nexcludepkgs = foo,bar\n')).toEqual([
      'bar',
      'fleet-a-package-*',
      'foo',
      'kernel-debug*',
    ]);
    expect(globMatches('kernel-debug*', 'kernel-debug-core')).toBe(true);
    expect(globMatches('kernel-debug*', 'kernel')).toBe(false);
    expect(globMatches('f?o[a-c]', 'fxob')).toBe(true);
    expect(heldNames({ locked: ['x'], excludes: ['k*'] }, ['x', 'kernel', 'y'])).toEqual(['kernel', 'x']);
  });
});

describe('the update scan (UPDATES_SCRIPT, captured on the lab root)', () => {
  const installed = parseInstalled(capture('scan-rpm-qa', 0)).packages;
  const scan = parseUpdateScan(capture('updates-script', 0), installed);
  const by = (name: string) => scan.updates.find((u) => u.name === name);

  it('joins advisory → package → classification, severity, CVEs and dates', () => {
    expect(by('fleet-testpkg')).toEqual({
      name: 'fleet-testpkg',
      from: '1.0-1.el9',
      to: '1.1-1.el9',
      arch: 'noarch',
      source: 'fleet',
      classification: 'security',
      severity: 'critical',
      advisories: ['CVE-2021-44228', 'FLEET-2026:0001'],
      releasedAt: '2026-01-10T00:00:00Z',
    });
    expect(by('kernel')).toMatchObject({
      from: '5.14.0-362.8.1.el9',
      to: '5.14.0-427.13.1.el9',
      classification: 'security',
      severity: 'high',
      advisories: ['CVE-2023-0386', 'CVE-2024-1086', 'FLEET-2026:0002'],
      releasedAt: '2026-02-03T00:00:00Z',
      rebootRequired: true,
    });
    expect(by('fleet-epoch')).toMatchObject({ from: '2:3.2-4.el9', to: '2:3.2-5.el9', severity: 'medium' });
    expect(by('fleet-lib')).toMatchObject({ classification: 'bugfix', advisories: ['FLEET-2026:0003'] });
    expect(by('fleet-lib')?.severity).toBeUndefined();
    expect(by('fleet-enh')).toMatchObject({
      classification: 'enhancement',
      releasedAt: '2026-01-06T12:30:00Z',
    });
    expect(by('fleet-badscript')).toEqual({
      name: 'fleet-badscript',
      from: '1.0-1.el9',
      to: '1.1-1.el9',
      arch: 'noarch',
      source: 'fleet',
      classification: 'bugfix',
    });
  });
  it('an update over two advisories carries both, the highest severity, the candidate advisory date', () => {
    expect(by('fleet-multi')).toMatchObject({
      from: '1.0-1.el9',
      to: '1.2-1.el9',
      severity: 'high',
      advisories: ['CVE-2022-0001', 'CVE-2022-0002', 'FLEET-2026:0006', 'FLEET-2026:0007'],
      releasedAt: '2026-01-15T00:00:00Z',
    });
  });
  it('lists held packages and their candidates, sorted like apt', () => {
    expect(scan.held).toEqual(['fleet-a-package-with-a-really-long-name-for-wrapping', 'fleet-held']);
    expect(by('fleet-held')?.severity).toBe('medium');
    const names = scan.updates.map((u) => u.name);
    expect(names).toEqual([...names].sort());
    expect(names).toHaveLength(10);
  });
  it('refuses a failed check-update (exit 1), and exit 100 with nothing readable', () => {
    const broken = `@@patchctl:check-update@@\n${fixture('lab-check-update-broken-repo.stderr')}\n@@patchctl:rc=1@@\n@@patchctl:updateinfo-list@@\n@@patchctl:rc=0@@\n@@patchctl:updateinfo-info@@\n@@patchctl:rc=0@@\n@@patchctl:end@@\n`;
    expect(driverError(() => parseUpdateScan(ok(broken), installed)).message).toMatch(
      /check-update failed \(exit status 1\): Error: Failed to download metadata for repo 'fleet'/,
    );
    const empty100 = broken.replace('rc=1', 'rc=100');
    expect(driverError(() => parseUpdateScan(ok(empty100), installed)).message).toMatch(/exited 100/);
    const none = broken.replace(
      /@@patchctl:check-update@@\n[^@]*@@patchctl:rc=1@@/,
      '@@patchctl:check-update@@\n@@patchctl:rc=0@@',
    );
    expect(parseUpdateScan(ok(none), installed).updates).toEqual([]);
  });
});

describe('combine', () => {
  const pkg = (name: string, version: string, release: string, arch = 'x86_64') => ({
    name,
    epoch: null,
    version,
    release,
    arch,
    sourceRpm: null,
    installTime: 0,
  });
  it('takes from the newest installed kernel (installonly) by rpmvercmp, skips non-updates', () => {
    const installed = [
      pkg('kernel', '5.14.0', '70.13.1.el9_0'),
      pkg('kernel', '5.14.0', '503.15.1.el9_5'),
      pkg('zlib', '1.2.11', '40.el9'),
    ];
    const updates = combineUpdates({
      installed,
      candidates: [
        { name: 'kernel', arch: 'x86_64', evr: '5.14.0-503.16.1.el9_5', repo: 'baseos' },
        { name: 'zlib', arch: 'x86_64', evr: '1.2.11-9.el9', repo: 'baseos' },
        { name: 'newpkg', arch: 'x86_64', evr: '1-1', repo: 'baseos' },
      ],
      advisories: [],
      details: [],
    });
    expect(updates).toEqual([
      {
        name: 'kernel',
        from: '5.14.0-503.15.1.el9_5',
        to: '5.14.0-503.16.1.el9_5',
        arch: 'x86_64',
        source: 'baseos',
        classification: 'bugfix',
        rebootRequired: true,
      },
    ]);
  });
  it('vuls AlmaLinux rpm -qa (space-separated; made tab-separated here): from = the newest kernel', () => {
    for (const [file, n] of [
      ['vuls/redhatbase__Test_redhatBase_parseInstalledPackages__01.txt', 6],
      ['vuls/redhatbase__Test_redhatBase_parseInstalledPackages__03.txt', 6],
    ] as const) {
      const text = fixture(file)
        .split('\n')
        .map((l) => `${l.trim().split(/\s+/).slice(0, 6).join('\t')}\t0`)
        .join('\n');
      const inv = parseInstalledText(text);
      expect(inv.packages).toHaveLength(n);
      const [u] = combineUpdates({
        installed: inv.packages,
        candidates: [{ name: 'kernel', arch: 'x86_64', evr: '5.14.0-503.16.1.el9_5', repo: 'baseos' }],
        advisories: [],
        details: [],
      });
      expect(u?.from).toBe('5.14.0-503.15.1.el9_5');
    }
  });
});

describe('reboot decision', () => {
  it('reads needs-restarting -r both ways (captured outputs in __fixtures__/rpm-hosts/)', () => {
    expect(parseNeedsRestarting(1, fixture('rpm-hosts/needs-restarting-required.stdout'))).toEqual({
      required: true,
      packages: ['kernel'],
      method: 'needs-restarting',
    });
    expect(parseNeedsRestarting(0, fixture('rpm-hosts/needs-restarting-not-required.stdout'))?.required).toBe(
      false,
    );
    expect(parseNeedsRestarting(1, 'No such command: needs-restarting.')).toBeUndefined();
  });
  it('falls back to install times against boot time when the plugin is absent (lab capture)', () => {
    const d = parseRebootRequired(capture('reboot-script', 0));
    expect(d).toEqual({
      required: true,
      packages: ['kernel-5.14.0-362.8.1.el9.x86_64'],
      method: 'install-time',
    });
    expect(parseInstallTimes(fixture('lab-reboot-fallback.stdout'), 1796590150).packages).toEqual([
      'kernel-5.14.0-427.13.1.el9.x86_64',
    ]);
    expect(parseInstallTimes(fixture('lab-reboot-fallback.stdout'), 2e9).required).toBe(false);
  });
});

describe('install outcomes and failures', () => {
  it('reads Upgraded/Installed sections (-q), the kernel installed beside', () => {
    const o = parseInstall(capture('install-q', 0));
    expect(o).toEqual({
      ok: true,
      changed: [
        { name: 'fleet-epoch', to: '2:3.2-5.el9' },
        { name: 'fleet-testpkg', to: '1.1-1.el9' },
        { name: 'kernel', to: '5.14.0-427.13.1.el9' },
      ],
      warnings: [],
    });
    expect(parseInstall(capture('install-verbose', 0)).changed.map((c) => c.name)).toEqual([
      'fleet-lib',
      'fleet-multi',
    ]);
    expect(parseInstall(capture('install-nothing', 0))).toEqual({ ok: true, changed: [], warnings: [] });
  });
  it('a failing %post leaves exit 0 but is a maintainer-script failure; a failing %pre fails the transaction', () => {
    const post = parseInstall(capture('install-scriptlet-post', 0));
    expect(post.ok).toBe(false);
    expect(post.failure).toMatchObject({ kind: 'maintainer-script', packages: ['fleet-badscript'] });
    expect(post.failure?.message).toBe(
      'the %post scriptlet of fleet-badscript failed (exit status 1); the package was installed, its setup did not finish',
    );
    const pre = parseInstall(capture('install-scriptlet-pre', 1));
    expect(pre.failure).toMatchObject({ kind: 'maintainer-script', packages: ['fleet-badpre'] });
    expect(pre.failure?.message).toBe('the %prein scriptlet of fleet-badpre failed (exit status 1)');
  });
  it('names the lock holder (exit_on_lock, exit 200) and a wait cut by a timeout', () => {
    const f = parseDnfFailure(capture('install-lock-exit', 200));
    expect(f).toMatchObject({
      kind: 'lock-held',
      message: '/var/lib/dnf/rpmdb_lock.pid is held by process 32148 (sleep)',
      holder: { path: '/var/lib/dnf/rpmdb_lock.pid', pid: 32148, command: 'sleep' },
    });
    const t = parseDnfFailure({ ...capture('install-lock-wait', null), timedOut: true });
    expect(t).toMatchObject({ kind: 'timeout', holder: { pid: 32148 } });
    expect(
      parseDnfFailure(ok('', 'patchctl-dnf: the package manager lock was still held after 120s\n', 200))
        ?.kind,
    ).toBe('lock-held');
    expect(lockHolderIn(['Existing lock /var/run/yum.pid: another copy is running as pid 4242.'])).toEqual({
      path: '/var/run/yum.pid',
      pid: 4242,
    });
  });
  it('classifies no match, excluded, unresolvable, unauthenticated, fetch, no space, not root', () => {
    expect(parseDnfFailure(capture('install-no-match', 1))).toMatchObject({
      kind: 'version-not-found',
      packages: ['fleet-lib', 'fleet-nosuch'],
    });
    expect(parseDnfFailure(capture('install-downgrade', 1))?.kind).toBe('version-not-found');
    expect(parseDnfFailure(capture('install-excluded', 1))).toMatchObject({
      kind: 'held',
      packages: ['fleet-held'],
    });
    expect(parseDnfFailure(capture('install-unresolvable', 1))).toMatchObject({
      kind: 'unresolvable',
      packages: ['fleet-badscript'],
    });
    expect(parseDnfFailure(capture('install-gpg', 1))?.kind).toBe('unauthenticated');
    expect(parseDnfFailure(ok('', fixture('lab-check-update-broken-repo.stderr'), 1))?.kind).toBe(
      'fetch-failed',
    );
    // rpm's disk-space check (lib/transaction.c "installing package %s needs %s on the %s filesystem")
    const space = parseDnfFailure(
      ok(
        '',
        'Error: Transaction test error:\n  installing package fleet-big-1.1-1.el9.noarch needs 12MB more space on the / filesystem\n',
        1,
      ),
    );
    expect(space).toMatchObject({ kind: 'no-space', packages: ['fleet-big'] });
    expect(
      parseDnfFailure(
        ok(
          '',
          'Error: This command has to be run with superuser privileges (under the root user on most systems).\n',
          1,
        ),
      )?.kind,
    ).toBe('package-manager-error');
    expect(parseDnfFailure(ok('', '', null))?.kind).toBe('killed');
    expect(parseDnfFailure(ok('', 'Error: something new\n', 1))).toMatchObject({
      kind: 'unknown',
      message: 'something new',
    });
  });
  it('reads the lock holders script', () => {
    const out = ok(
      '\n@@patchctl:lock-holders@@\n/var/cache/dnf/metadata_lock.pid\t77\t\n/var/lib/dnf/rpmdb_lock.pid\t42\tdnf\n/etc/passwd\t1\tx\n@@patchctl:end@@\n',
    );
    expect(parseLockHolders(out)).toEqual([
      { path: '/var/lib/dnf/rpmdb_lock.pid', pid: 42, command: 'dnf' },
      { path: '/var/cache/dnf/metadata_lock.pid', pid: 77 },
    ]);
  });
});
