import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { classifyOrigins } from './classify.js';
import {
  checkedSimulation,
  classifyPolicyCandidate,
  parseAptCachePolicy,
  parseAptFailure,
  parseCheckRestart,
  parseCheckRestartText,
  parseFacts,
  parseInstall,
  parseInstalled,
  parseOsRelease,
  parsePackageFiles,
  parsePreflight,
  parseRebootRequired,
  parseRefresh,
  parseReleaseRefs,
  parseUpdateScan,
  parseUpdates,
  osFactsFrom,
} from './parse.js';
import { checkPreflight, minFreeKbFor } from './preflight.js';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8');
const optional = (name: string): string => (existsSync(new URL(name, fixtures)) ? text(name) : '');
const exitCodes = new Map(
  text('captures.tsv')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([name, exit]) => [name ?? '', Number(exit)] as const),
);

/** A captured command result: NAME.stdout, NAME.stderr and the exit status from captures.tsv. */
function capture(name: string): CommandResult {
  const exitCode = exitCodes.get(name);
  if (exitCode === undefined) throw new Error(`no capture ${name} in captures.tsv`);
  return { exitCode, stdout: optional(`${name}.stdout`), stderr: optional(`${name}.stderr`), durationMs: 1 };
}
const vuls = (name: string): string => text(`vuls/${name}`);
const result = (stdout: string, exitCode: number | null = 0): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
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

describe('facts', () => {
  it('reads the Debian 12 host', () => {
    expect(parseFacts(capture('host-facts'))).toEqual({
      os: {
        family: 'debian',
        id: 'debian',
        version: '12',
        idLike: [],
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      kernel: '6.18.44-fc-v595',
      bootId: '692d43d6-a1f8-4a26-b872-9093ba7e3726',
      rebootRequired: false,
      rebootRequiredPackages: [],
      nativeArch: 'amd64',
      packageManagerVersion: '2.6.2',
    });
  });

  it('sees /run/reboot-required and the package that asked for it', () => {
    const facts = parseFacts(capture('lab-facts-reboot-required'));
    expect(facts.rebootRequired).toBe(true);
    expect(facts.rebootRequiredPackages).toEqual(['fleet-kernel']);
    expect(facts.packageManagerVersion).toBe('2.6.1');
    expect(parseFacts(capture('lab-facts')).rebootRequired).toBe(false);
    expect(parseRebootRequired(capture('lab-reboot-required'))).toBe(true);
  });

  it('reads os-release quoting and derivatives', () => {
    const ubuntu = parseOsRelease(
      [
        'NAME="Ubuntu"',
        'VERSION_ID="22.04"',
        "PRETTY_NAME='Ubuntu 22.04.4 LTS'",
        'ID=ubuntu',
        'ID_LIKE=debian',
        '# a comment',
        'VERSION_CODENAME=jammy',
        'X="a \\"quoted\\" \\$word"',
      ].join('\n'),
    );
    expect(ubuntu.get('PRETTY_NAME')).toBe('Ubuntu 22.04.4 LTS');
    expect(ubuntu.get('X')).toBe('a "quoted" $word');
    expect(osFactsFrom(ubuntu)).toEqual({
      family: 'debian',
      id: 'ubuntu',
      version: '22.04',
      idLike: ['debian'],
      codename: 'jammy',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
    expect(osFactsFrom(parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).family).toBe('debian');
    expect(osFactsFrom(parseOsRelease('ID=debian\nVERSION_CODENAME=trixie\n')).version).toBe('trixie');
    expect(
      osFactsFrom(parseOsRelease('ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"')).family,
    ).toBe('fedora');
  });

  it('gives Debian testing/sid a version the host state accepts (no VERSION_ID there)', () => {
    // Real files (SOURCES.md): bookworm/sid had neither VERSION_ID nor VERSION_CODENAME.
    const bookwormSid = osFactsFrom(parseOsRelease(text('os-release.debian-bookworm-sid.txt')));
    expect(bookwormSid).toMatchObject({ family: 'debian', id: 'debian', version: 'bookworm' });
    const trixieSid = osFactsFrom(parseOsRelease(text('os-release.debian-trixie-sid.txt')));
    expect(trixieSid).toMatchObject({
      family: 'debian',
      id: 'debian',
      version: 'trixie',
      codename: 'trixie',
    });
    // Rolling releases name a BUILD_ID; a file naming no version at all gets "unknown".
    expect(osFactsFrom(parseOsRelease('ID=arch\nBUILD_ID=rolling\n')).version).toBe('rolling');
    expect(osFactsFrom(parseOsRelease('ID=debian\n')).version).toBe('unknown');
    // A value the state could not store is passed over for the next one.
    expect(
      osFactsFrom(parseOsRelease('ID=debian\nVERSION_ID="13 beta"\nVERSION_CODENAME=trixie\n')).version,
    ).toBe('trixie');
    expect(osFactsFrom(parseOsRelease(`ID=debian\nVERSION_ID=${'9'.repeat(200)}\n`)).version).toBe('unknown');
    // Through the facts script's output too.
    const facts = capture('lab-facts').stdout.replace(
      /(@@patchctl:os-release@@\n)[^@]*/,
      `$1${text('os-release.debian-bookworm-sid.txt')}\n`,
    );
    expect(parseFacts(result(facts)).os.version).toBe('bookworm');
  });

  it('refuses cut-short or odd output with a DriverOutputError', () => {
    const full = capture('host-facts').stdout;
    expect(
      driverError(() => parseFacts(result(full.slice(0, full.indexOf('@@patchctl:end@@'))))).message,
    ).toMatch(/did not run to its end/);
    expect(driverError(() => parseFacts(result(full.replace('692d43d6-', 'not-a-uuid')))).message).toMatch(
      /boot id "not-a-uuid.*" is not a UUID/,
    );
    expect(driverError(() => parseFacts(result(full, 1))).message).toMatch(/exit status 1/);
    expect(driverError(() => parseFacts({ ...result(full), timedOut: true })).message).toMatch(/timed out/);
    expect(driverError(() => parseFacts(result(full.replace('\nno\n', '\nmaybe\n')))).message).toMatch(
      /yes nor no/,
    );
  });
});

describe('installed packages (dpkg-query)', () => {
  it('lists the host: fully installed only, sorted, with arch', () => {
    const inv = parseInstalled(capture('host-installed'));
    expect(inv.installed).toHaveLength(723);
    expect(inv.installed.slice(0, 2)).toEqual([
      { name: 'adduser', version: '3.134', arch: 'all' },
      { name: 'adwaita-icon-theme', version: '43-1', arch: 'all' },
    ]);
    expect(inv.installed.find((p) => p.name === 'openssl')).toEqual({
      name: 'openssl',
      version: '3.0.19-1~deb12u2',
      arch: 'amd64',
    });
    expect(inv.held).toEqual([]);
    expect(inv.notFullyInstalled).toEqual([]);
  });

  it('reads holds and leaves out removed packages whose config files remain', () => {
    const inv = parseInstalled(capture('lab-installed'));
    expect(inv.held).toEqual(['fleet-held']);
    expect(inv.installed.find((p) => p.name === 'fleet-held')).toEqual({
      name: 'fleet-held',
      version: '1.0',
      arch: 'all',
    });
    expect(inv.installed.find((p) => p.name === 'fleet-gone')).toBeUndefined();
    expect(inv.installed).toHaveLength(96);
  });

  it('keeps half-configured and half-installed packages out of the installed list', () => {
    const failed = parseInstalled(capture('lab-installed-half-configured'));
    expect(failed.notFullyInstalled).toEqual([
      { name: 'fleet-broken', arch: 'all', version: '1.1', status: 'install ok half-configured' },
    ]);
    expect(failed.installed.find((p) => p.name === 'fleet-broken')).toBeUndefined();
    expect(parseInstalled(capture('lab-installed-interrupted')).notFullyInstalled).toEqual([
      { name: 'fleet-slow', arch: 'all', version: '1.0', status: 'install reinstreq half-installed' },
    ]);
  });

  it("refuses vuls's comma-separated dpkg-query format instead of misreading it", () => {
    for (const name of [
      'debian__Test_debian_parseInstalledPackages__01.txt',
      'debian__Test_debian_parseInstalledPackages__02.txt',
    ]) {
      const e = driverError(() => parseInstalled(result(vuls(name))));
      expect(e.message).toMatch(/^apt: dpkg-query: unexpected line "linux-base,ii ,4\./);
      expect(e.driver).toBe('apt');
      expect(e.excerpt).toMatch(/^linux-base,ii ,4\./);
    }
  });

  it('refuses an empty list, a failed dpkg-query and a bad status', () => {
    expect(driverError(() => parseInstalled(result(''))).message).toMatch(/no packages at all/);
    expect(driverError(() => parseInstalled(result('', 2))).message).toMatch(/exit status 2/);
    expect(
      driverError(() => parseInstalled(result('a\tamd64\t1\tinstall ok sideways\ta\t1\n'))).message,
    ).toMatch(/unexpected line/);
  });
});

describe('apt-cache policy', () => {
  it('reads vuls fixture 01 (Ubuntu 16.04)', () => {
    expect(parseAptCachePolicy(vuls('debian__TestParseAptCachePolicy__01.txt'))).toEqual([
      {
        name: 'openssl',
        installed: '1.0.2f-2ubuntu1',
        candidate: '1.0.2g-1ubuntu2',
        versions: [
          {
            version: '1.0.2g-1ubuntu2',
            priority: 500,
            current: false,
            sources: [
              {
                priority: 500,
                uri: 'http://archive.ubuntu.com/ubuntu',
                dist: 'xenial',
                component: 'main',
                indexArch: 'amd64',
              },
            ],
          },
          {
            version: '1.0.2f-2ubuntu1',
            priority: 100,
            current: true,
            sources: [{ priority: 100, uri: '/var/lib/dpkg/status', status: true }],
          },
        ],
      },
    ]);
  });

  it('classifies candidates by the suites that carry them (vuls 01–04)', () => {
    const classify = (n: number) =>
      classifyPolicyCandidate(parseAptCachePolicy(vuls(`debian__TestParseAptCachePolicy__0${n}.txt`))[0]!);
    expect(classify(1)).toEqual({ classification: 'bugfix', source: 'xenial' });
    expect(classify(2)).toEqual({ classification: 'security', source: 'trusty-security' });
    expect(classify(3)).toEqual({ classification: 'security', source: 'precise-security' });
    // A flat repository has no suite: the site is the source.
    expect(classify(4)).toEqual({
      classification: 'bugfix',
      source: 'https://nvidia.github.io/libnvidia-container/stable/deb/amd64',
    });
  });

  it('reads a flat repository and several packages at once', () => {
    const [nvidia] = parseAptCachePolicy(vuls('debian__TestParseAptCachePolicy__04.txt'));
    expect(nvidia?.versions.map((v) => [v.version, v.current, v.sources.length])).toEqual([
      ['1.14.3-1', false, 1],
      ['1.14.2-1', true, 2],
      ['1.14.1-1', false, 1],
      ['1.14.0-1', false, 1],
    ]);
    const lab = parseUpdateScanSections('lab-updates').get('held-policy') ?? '';
    expect(parseAptCachePolicy(lab).map((e) => [e.name, e.installed, e.candidate])).toEqual([
      ['fleet-held', '1.0', '1.1'],
    ]);
  });

  it('reads the package files with their Release metadata', () => {
    const files = parsePackageFiles(parseUpdateScanSections('host-updates').get('package-files') ?? '');
    expect(files.map((f) => [f.uri, f.dist, f.release.n, f.release.l, f.site])).toEqual([
      ['/var/lib/dpkg/status', undefined, undefined, undefined, undefined],
      [
        'http://deb.debian.org/debian-security',
        'bookworm-security',
        'bookworm-security',
        'Debian-Security',
        'deb.debian.org',
      ],
      ['http://deb.debian.org/debian', 'bookworm-updates', 'bookworm-updates', 'Debian', 'deb.debian.org'],
      ['http://deb.debian.org/debian', 'bookworm', 'bookworm', 'Debian', 'deb.debian.org'],
    ]);
    expect(driverError(() => parsePackageFiles('openssl:\n  Installed: 1\n')).message).toMatch(
      /Package files/,
    );
  });

  it('refuses an entry without Installed/Candidate', () => {
    expect(driverError(() => parseAptCachePolicy('openssl:\n  Version table:\n')).message).toMatch(
      /no Installed/,
    );
    expect(driverError(() => parseAptCachePolicy('  Installed: 1.0\n')).message).toMatch(/unexpected line/);
  });
});

// The sections of a capture, for tests of the single parsers.
function parseUpdateScanSections(name: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of capture(name).stdout.split('\n')) {
    const m = /^@@patchctl:([a-z-]+)@@$/.exec(line);
    if (m !== null) current = m[1];
    else if (current !== undefined && !line.startsWith('@@'))
      sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
  }
  return sections;
}

describe('pending updates', () => {
  it('classifies the host’s real Debian updates by suite: bookworm-security or bookworm', () => {
    const scan = parseUpdateScan(capture('host-updates'));
    expect(scan.updates).toHaveLength(132);
    const count = (c: string, s: string) =>
      scan.updates.filter((u) => u.classification === c && u.source === s).length;
    expect([count('security', 'bookworm-security'), count('bugfix', 'bookworm')]).toEqual([78, 54]);
    const pick = (name: string) => scan.updates.find((u) => u.name === name);
    expect(pick('openssl')).toEqual({
      name: 'openssl',
      from: '3.0.19-1~deb12u2',
      to: '3.0.22-1~deb12u2',
      arch: 'amd64',
      classification: 'security',
      source: 'bookworm-security',
    });
    // In both the point release and the security suite: security.
    expect(pick('libgcrypt20')).toEqual({
      name: 'libgcrypt20',
      from: '1.10.1-3',
      to: '1.10.1-3+deb12u1',
      arch: 'amd64',
      classification: 'security',
      source: 'bookworm-security',
    });
    expect(pick('bash')).toEqual({
      name: 'bash',
      from: '5.2.15-2+b8',
      to: '5.2.15-2+b13',
      arch: 'amd64',
      classification: 'bugfix',
      source: 'bookworm',
    });
    expect(pick('tzdata')?.arch).toBe('all');
    expect(scan.held).toEqual([]);
    expect(scan.keptBack).toEqual([]);
    expect(parseUpdates(capture('host-updates'))).toEqual(scan.updates);
  });

  it('lists the lab’s updates, with the held package’s candidate from apt-cache policy', () => {
    const expected = {
      updates: [
        {
          name: 'fleet-base',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        { name: 'fleet-big', from: '1.0', to: '1.1', arch: 'all', classification: 'bugfix', source: 'fleet' },
        {
          name: 'fleet-broken',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        { name: 'fleet-held', from: '1.0', to: '1.1', classification: 'security', source: 'fleet-security' },
        {
          name: 'fleet-kernel',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        {
          name: 'fleet-libssl',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'security',
          source: 'fleet-security',
        },
        {
          name: 'fleet-openssl',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'security',
          source: 'fleet-security',
        },
        {
          name: 'fleet-slow',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
      ],
      held: ['fleet-held'],
      keptBack: ['fleet-held'],
    };
    expect(parseUpdateScan(capture('lab-updates'))).toEqual(expected);
    // As a user without root, apt adds a NOTE; nothing else changes.
    expect(capture('lab-updates-nonroot').stdout).toMatch(/NOTE: This is only a simulation!/);
    expect(parseUpdateScan(capture('lab-updates-nonroot'))).toEqual(expected);
  });

  it('reads Inst lines: foreign arch, release lists, no release, trailing brackets', () => {
    const sim = checkedSimulation(
      [
        'Inst libc6:i386 [2.36-9] (2.36-9+deb12u4 Debian:12.5/stable, Debian-Security:12/stable-security [i386]) []',
        'Inst local-pkg [1.0] (1.1  [amd64]) [libpam-modules:amd64 on libpam-modules-bin:amd64] [libpam-modules:amd64 ]',
        'Inst newdep (2.0 localhost [all])',
        '2 upgraded, 1 newly installed, 0 to remove and 0 not upgraded.',
      ].join('\n'),
    );
    expect(sim.insts).toEqual([
      {
        name: 'libc6',
        arch: 'i386',
        from: '2.36-9',
        to: '2.36-9+deb12u4',
        releases: [
          { label: 'Debian', version: '12.5', archive: 'stable' },
          { label: 'Debian-Security', version: '12', archive: 'stable-security' },
        ],
      },
      { name: 'local-pkg', arch: 'amd64', from: '1.0', to: '1.1', releases: [] },
      { name: 'newdep', arch: 'all', to: '2.0', releases: [{ archive: 'localhost' }] },
    ]);
    expect(parseReleaseRefs('fleet:fleet, fleet-security:fleet-security')).toEqual([
      { label: 'fleet', archive: 'fleet' },
      { label: 'fleet-security', archive: 'fleet-security' },
    ]);
  });

  it('accepts vuls’s empty dry runs and refuses the ones cut short (summary without Inst lines)', () => {
    for (const n of [3, 4]) {
      const sim = checkedSimulation(vuls(`debian__TestGetUpdatablePackNames__0${n}.txt`));
      expect(sim.insts).toEqual([]);
      expect(sim.summary).toEqual({
        upgraded: 0,
        newlyInstalled: 0,
        downgraded: 0,
        reinstalled: 0,
        toRemove: 0,
        notUpgraded: 0,
      });
    }
    expect(
      driverError(() => checkedSimulation(vuls('debian__TestGetUpdatablePackNames__01.txt'))).message,
    ).toBe(
      'apt: apt-get -s: the summary announces 21 installs but the output has 0 Inst lines (not a complete simulation)',
    );
    expect(
      driverError(() => checkedSimulation(vuls('debian__TestGetUpdatablePackNames__02.txt'))).message,
    ).toMatch(/announces 59 installs/);
    const lists = checkedSimulation(
      vuls('debian__TestGetUpdatablePackNames__02.txt').replace(/^59 upgraded/m, '0 upgraded'),
    ).lists;
    expect(lists.get('The following packages will be upgraded')?.slice(0, 3)).toEqual([
      'apt',
      'apt-utils',
      'base-files',
    ]);
  });

  it('turns a failed simulation or a cut-short script into a DriverOutputError', () => {
    const good = capture('lab-updates').stdout;
    const failed = good.replace(
      /@@patchctl:simulate@@\n[\s\S]*?@@patchctl:rc=0@@/,
      '@@patchctl:simulate@@\nE: The package cache file is corrupted\n\n@@patchctl:rc=100@@',
    );
    expect(driverError(() => parseUpdateScan(result(failed))).message).toBe(
      'apt: apt-get -s dist-upgrade failed: The package cache file is corrupted',
    );
    expect(driverError(() => parseUpdateScan(result(good.slice(0, good.length / 2)))).message).toMatch(
      /did not run to its end/,
    );
    expect(driverError(() => parseUpdateScan({ ...result(good), truncated: true })).message).toMatch(
      /truncated/,
    );
    const noHeld = good.replace(/@@patchctl:held@@[\s\S]*?(?=@@patchctl:held-policy)/, '');
    expect(driverError(() => parseUpdateScan(result(noHeld))).message).toMatch(/lacks the section held$/);
  });
});

describe('classification rule', () => {
  const classify = (...origins: Parameters<typeof classifyOrigins>[0]) => classifyOrigins(origins);
  it('calls security what any security repository carries', () => {
    expect(
      classify(
        { label: 'Debian', suite: 'stable', codename: 'bookworm' },
        { label: 'Debian-Security', suite: 'stable-security', codename: 'bookworm-security' },
      ),
    ).toEqual({
      classification: 'security',
      source: 'bookworm-security',
    });
    // Debian ≤ 10: the security archive's suite is "oldstable/updates"-like, its label says Security.
    expect(
      classify({ label: 'Debian-Security', origin: 'Debian', suite: 'oldoldstable', codename: 'buster' }),
    ).toEqual({
      classification: 'security',
      source: 'buster',
    });
    expect(
      classify({ origin: 'UbuntuESMApps', label: 'Ubuntu', suite: 'jammy-apps-security', codename: 'jammy' })
        .classification,
    ).toBe('security');
    expect(classify({ suite: 'fleet-security' })).toEqual({
      classification: 'security',
      source: 'fleet-security',
    });
  });
  it('calls enhancement what only backports carry, bugfix the rest', () => {
    expect(classify({ suite: 'stable-backports', codename: 'bookworm-backports' })).toEqual({
      classification: 'enhancement',
      source: 'bookworm-backports',
    });
    expect(
      classify({ suite: 'bookworm-backports' }, { suite: 'stable-updates', codename: 'bookworm-updates' }),
    ).toEqual({
      classification: 'bugfix',
      source: 'bookworm-updates',
    });
    expect(classify({ suite: 'securitytools' }).classification).toBe('bugfix');
    expect(classify()).toEqual({ classification: 'bugfix' });
  });
});

describe('pre-flight', () => {
  it('finds the holders on overlayfs, where /proc/locks and stat disagree on the device', () => {
    const pf = parsePreflight(capture('lab-preflight-lock-held-overlay'));
    expect(pf.lockHolders).toEqual([
      { path: '/var/lib/dpkg/lock-frontend', pid: 18, command: 'unattended-upgr' },
      { path: '/var/lib/dpkg/lock', pid: 18, command: 'unattended-upgr' },
    ]);
    expect(checkPreflight(pf).map((p) => p.message)).toEqual([
      '/var/lib/dpkg/lock-frontend is held by process 18 (unattended-upgr)',
    ]);
  });

  it('names the processes holding the dpkg locks', () => {
    const pf = parsePreflight(capture('lab-preflight-lock-held'));
    expect(pf.lockHolders).toEqual([
      { path: '/var/lib/dpkg/lock-frontend', pid: 6, command: 'apt-get' },
      { path: '/var/lib/dpkg/lock', pid: 15, command: 'dpkg' },
      { path: '/var/cache/apt/archives/lock', pid: 6, command: 'apt-get' },
    ]);
    // dpkg is running: its journal is busy, but that is not an interrupted run.
    expect(pf.interrupted).toBe(true);
    expect(checkPreflight(pf)).toEqual([
      {
        kind: 'lock-held',
        message: '/var/lib/dpkg/lock-frontend is held by process 6 (apt-get)',
        holder: { path: '/var/lib/dpkg/lock-frontend', pid: 6, command: 'apt-get' },
      },
      {
        kind: 'lock-held',
        message: '/var/lib/dpkg/lock is held by process 15 (dpkg)',
        holder: { path: '/var/lib/dpkg/lock', pid: 15, command: 'dpkg' },
      },
    ]);
  });

  it('sees an interrupted dpkg and what dpkg --audit says', () => {
    const pf = parsePreflight(capture('lab-preflight-interrupted'));
    expect(pf.lockHolders).toEqual([]);
    expect(pf.interrupted).toBe(true);
    expect(pf.audit[0]).toBe('The following packages are in a mess due to serious problems during');
    expect(checkPreflight(pf).map((p) => [p.kind, p.message])).toEqual([
      [
        'interrupted',
        "dpkg was interrupted by an earlier run: 'dpkg --configure -a' must be run on the host first",
      ],
      ['audit', 'dpkg --audit reports packages in a broken state'],
    ]);
    const halfConfigured = parsePreflight(capture('lab-preflight-half-configured'));
    expect(halfConfigured.interrupted).toBe(false);
    expect(halfConfigured.audit.at(-1)).toBe(
      ' fleet-broken         patchctl driver capture package fleet-broken',
    );
  });

  it('reads free space, sharing thresholds between paths of one filesystem', () => {
    const host = parsePreflight(capture('host-preflight'));
    expect(host.freeSpace[0]).toEqual({
      path: '/var/cache/apt/archives',
      filesystem: '/dev/vda',
      mountedOn: '/',
      totalKb: 264212084,
      availableKb: host.freeSpace[0]?.availableKb,
    });
    expect(host.freeSpace.map((f) => [f.path, f.mountedOn])).toEqual([
      ['/var/cache/apt/archives', '/'],
      ['/var/lib/dpkg', '/'],
      ['/boot', '/'],
      ['/', '/'],
    ]);
    expect(checkPreflight(host)).toEqual([]);
    expect(checkPreflight(parsePreflight(capture('lab-preflight-clean')))).toEqual([]);
    const small = parsePreflight(capture('lab-preflight-small-archives'));
    expect(small.freeSpace[0]).toEqual({
      path: '/var/cache/apt/archives',
      filesystem: 'tmpfs',
      mountedOn: '/var/cache/apt/archives',
      totalKb: 1024,
      availableKb: 1024,
    });
    expect(checkPreflight(small)).toEqual([
      {
        kind: 'low-space',
        message: '/var/cache/apt/archives has 1024 KiB free, 262144 KiB needed',
        path: '/var/cache/apt/archives',
        availableKb: 1024,
        requiredKb: 262144,
      },
    ]);
    const tight = { ...host, freeSpace: host.freeSpace.map((f) => ({ ...f, availableKb: 100_000 })) };
    expect(checkPreflight(tight, { '/var/cache/apt/archives': 50_000, '/': 200_000 })).toEqual([
      {
        kind: 'low-space',
        message: '/ has 100000 KiB free, 200000 KiB needed',
        path: '/',
        availableKb: 100000,
        requiredKb: 200000,
      },
    ]);
    expect(minFreeKbFor([{ name: 'linux-image-amd64', version: '6.1.1-1' }])['/boot']).toBe(131072);
    expect(minFreeKbFor([{ name: 'openssl', version: '3' }])['/boot']).toBeUndefined();
  });

  it('skips waiters and unknown pids in /proc/locks', () => {
    const stdout = [
      '@@patchctl:lock-files@@',
      '65024 100 /var/lib/dpkg/lock-frontend',
      '@@patchctl:lock-holders@@',
      '1: OFDLCK ADVISORY  WRITE -1 fe:00:100 0 EOF\t',
      '1: -> POSIX  ADVISORY  WRITE 77 fe:00:100 0 EOF\tapt-get',
      '2: POSIX  ADVISORY  WRITE 12 fe:01:100 0 EOF\tother-device',
      '@@patchctl:dpkg-updates@@',
      'tmp.i',
      '@@patchctl:dpkg-audit@@',
      '@@patchctl:rc=0@@',
      '@@patchctl:df@@',
      'path /',
      'df: /: some error',
      '@@patchctl:end@@',
    ].join('\n');
    expect(parsePreflight(result(stdout))).toEqual({
      lockHolders: [{ path: '/var/lib/dpkg/lock-frontend', pid: null }],
      interrupted: false,
      audit: [],
      freeSpace: [],
    });
  });
});

describe('install and refresh outcomes', () => {
  it('reports what a successful install changed', () => {
    expect(parseInstall(capture('lab-install-ok'))).toEqual({
      ok: true,
      changed: [
        { name: 'fleet-base', from: '1.0', to: '1.1' },
        { name: 'fleet-libssl', from: '1.0', to: '1.1' },
        { name: 'fleet-openssl', from: '1.0', to: '1.1' },
      ],
      warnings: [],
    });
    expect(parseInstall(capture('lab-install-kernel')).ok).toBe(true);
  });

  it('reports what a simulation would change, including packages pulled along', () => {
    expect(parseInstall(capture('host-simulate-install-ok'))).toEqual({
      ok: true,
      changed: [
        { name: 'bash', from: '5.2.15-2+b8', to: '5.2.15-2+b13' },
        { name: 'libssl-dev', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
        { name: 'libssl3', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
        { name: 'openssl', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
      ],
      warnings: [],
    });
    expect(parseInstall(capture('lab-simulate-install-ok')).changed.map((c) => c.name)).toEqual([
      'fleet-base',
      'fleet-openssl',
    ]);
  });

  const failure = (name: string) => parseInstall(capture(name)).failure;

  it('names the holder of the dpkg lock, after a bounded wait or at once', () => {
    const holder = { path: '/var/lib/dpkg/lock-frontend', pid: 6, command: 'apt-get' };
    for (const name of ['lab-install-lock-wait', 'lab-install-lock-nowait']) {
      expect(failure(name)).toMatchObject({
        kind: 'lock-held',
        message: '/var/lib/dpkg/lock-frontend is held by process 6 (apt-get)',
        holder,
      });
    }
    expect(capture('lab-install-lock-wait').stdout).toMatch(/^Waiting for cache lock: Could not get lock/);
    // The transport's own timeout ran out first:
    expect(
      parseAptFailure({ ...capture('lab-install-lock-wait'), exitCode: null, timedOut: true }),
    ).toMatchObject({
      kind: 'timeout',
      message:
        'the package manager did not finish in time while waiting for /var/lib/dpkg/lock-frontend, held by process 6 (apt-get)',
      holder,
    });
  });

  it('explains an interrupted dpkg, a failing maintainer script and full disks', () => {
    expect(failure('lab-install-interrupted')).toEqual({
      kind: 'interrupted',
      message: "dpkg was interrupted by an earlier run: 'dpkg --configure -a' must be run on the host first",
      excerpt: "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.",
    });
    expect(failure('lab-install-maintscript-fail')).toEqual({
      kind: 'maintainer-script',
      message: 'the post-installation script of fleet-broken failed with exit status 1',
      packages: ['fleet-broken'],
      excerpt: [
        'dpkg: error processing package fleet-broken (--configure):',
        ' installed fleet-broken package post-installation script subprocess returned error exit status 1',
        'E: Sub-process /usr/bin/dpkg returned an error code (1)',
      ].join('\n'),
    });
    expect(failure('lab-install-no-space-unpack')).toMatchObject({
      kind: 'no-space',
      message: 'no space left on device while installing fleet-big',
      packages: ['fleet-big'],
    });
    expect(failure('lab-install-no-space-download')).toEqual({
      kind: 'no-space',
      message: 'not enough free space in /var/cache/apt/archives/ to download the packages',
      excerpt: "E: You don't have enough free space in /var/cache/apt/archives/.",
    });
  });

  it('explains what apt refuses under -y: holds, downgrades', () => {
    expect(failure('lab-install-held')).toMatchObject({
      kind: 'held',
      message: 'held packages would change: fleet-held (patchctl never overrides a hold)',
      packages: ['fleet-held'],
    });
    expect(failure('host-simulate-install-downgrade')).toMatchObject({
      kind: 'downgrade',
      message: 'the transaction would downgrade openssl (patchctl never downgrades)',
      packages: ['openssl'],
    });
  });

  it('explains unknown versions and packages, skipped ones, failed downloads, missing root', () => {
    expect(failure('host-simulate-install-version-not-found')).toMatchObject({
      kind: 'version-not-found',
      message: "version not available from the host's repositories: openssl=3.0.99-1",
      packages: ['openssl'],
    });
    expect(failure('host-simulate-install-unknown-package')).toMatchObject({
      kind: 'package-not-found',
      packages: ['no-such-package-xyz'],
    });
    // --only-upgrade skips a package that is not installed, and apt exits 0.
    const skipped = parseInstall(capture('lab-install-skipped'));
    expect(skipped.ok).toBe(false);
    expect(skipped.changed).toEqual([{ name: 'fleet-base', from: '1.0', to: '1.1' }]);
    expect(skipped.failure).toMatchObject({ kind: 'not-installed', packages: ['fleet-gone'] });
    expect(failure('lab-install-fetch-failed')).toMatchObject({
      kind: 'fetch-failed',
      message: 'could not download file:/srv/repo/pool/fleet/fleet-base_1.1_all.deb',
    });
    expect(failure('lab-install-not-root')).toMatchObject({
      kind: 'package-manager-error',
      message: 'apt could not take its lock: not running as root (is sudo configured?)',
    });
  });

  it('explains removals, unresolvable dependencies and file conflicts', () => {
    expect(failure('lab-install-removal-required')).toEqual({
      kind: 'removal-required',
      message: 'the transaction would remove fleet-base (patchctl never removes)',
      packages: ['fleet-base'],
      excerpt: 'E: Packages need to be removed but remove is disabled.',
    });
    expect(failure('lab-install-unresolvable')).toEqual({
      kind: 'unresolvable',
      message: 'the package manager cannot resolve the dependencies of fleet-deps',
      packages: ['fleet-deps'],
      excerpt: 'E: Unable to correct problems, you have held broken packages.',
    });
    expect(failure('lab-install-file-conflict')).toEqual({
      kind: 'file-conflict',
      message: 'fleet-dup would overwrite /usr/share/doc/fleet-base/VERSION, which belongs to fleet-base',
      packages: ['fleet-dup', 'fleet-base'],
      excerpt: [
        'dpkg: error processing archive /srv/extrarepo/pool/fleet-dup_1.1_all.deb (--unpack):',
        " trying to overwrite '/usr/share/doc/fleet-base/VERSION', which is also in package fleet-base 1.0",
      ].join('\n'),
    });
    // Without the file conflict line, the same output is a plain dpkg failure naming the archive.
    const plain = capture('lab-install-file-conflict');
    expect(
      parseAptFailure({ ...plain, stderr: plain.stderr.replace(/^ trying to overwrite.*\n/m, '') }),
    ).toMatchObject({
      kind: 'package-manager-error',
      message: '/usr/bin/dpkg failed with exit status 1 while processing fleet-dup',
      packages: ['fleet-dup'],
    });
  });

  it('reads apt-get update', () => {
    expect(parseRefresh(capture('lab-refresh-ok'))).toEqual({ ok: true, warnings: [] });
    // apt-get update does not take the dpkg lock: it runs while an install holds it.
    expect(parseRefresh(capture('lab-refresh-lock-held'))).toEqual({ ok: true, warnings: [] });
    expect(parseRefresh(capture('lab-refresh-unsigned'))).toMatchObject({
      ok: false,
      failure: {
        kind: 'unauthenticated',
        excerpt: "E: The repository 'file:/srv/extrarepo fleet-extra Release' is not signed.",
      },
    });
    expect(parseRefresh(capture('lab-refresh-fetch-failed'))).toMatchObject({
      ok: false,
      failure: {
        kind: 'fetch-failed',
        message: 'could not download file:/srv/no-such-repo/dists/fleet/main/binary-amd64/Packages',
      },
    });
  });

  it('explains signals, old apt lock messages and unknown errors', () => {
    expect(
      parseAptFailure({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 1 }),
    ).toMatchObject({
      kind: 'killed',
      message: 'the package manager was ended by SIGKILL',
    });
    // apt < 1.9 (e.g. Debian 10) names no holder.
    expect(
      parseAptFailure(
        result(
          'E: Could not get lock /var/lib/dpkg/lock - open (11: Resource temporarily unavailable)\n' +
            'E: Unable to lock the administration directory (/var/lib/dpkg/), is another process using it?\n',
          100,
        ),
      ),
    ).toMatchObject({
      kind: 'lock-held',
      message: '/var/lib/dpkg/lock is held by another process',
      holder: { pid: null },
    });
    expect(parseAptFailure(result('E: Something new\n', 100))).toMatchObject({
      kind: 'unknown',
      message: 'Something new',
    });
    expect(parseAptFailure(result('no E: line at all\n', 3))).toMatchObject({
      kind: 'unknown',
      message: 'apt-get exited with status 3',
    });
    expect(parseAptFailure(result('all good\n', 0))).toBeUndefined();
  });
});

describe('checkrestart', () => {
  it('reads vuls fixture 01', () => {
    expect(parseCheckRestartText(vuls('debian__TestParseCheckRestart__01.txt'))).toEqual({
      processes: 27,
      restartable: [
        {
          name: 'varnish',
          processes: [
            { pid: 3490, path: '/usr/sbin/varnishd' },
            { pid: 3704, path: '/usr/sbin/varnishd' },
          ],
        },
        { name: 'memcached', processes: [{ pid: 3636, path: '/usr/bin/memcached' }] },
        {
          name: 'openssh-server',
          processes: [
            { pid: 1252, path: '/usr/sbin/sshd' },
            { pid: 1184, path: '/usr/sbin/sshd' },
          ],
        },
        {
          name: 'accountsservice',
          processes: [{ pid: 462, path: '/usr/lib/accountsservice/accounts-daemon' }],
        },
      ],
      services: ['accounts-daemon.service'],
      initScripts: ['varnish', 'memcached', 'ssh'],
      other: [
        {
          name: 'util-linux',
          processes: [
            { pid: 3650, path: '/sbin/agetty' },
            { pid: 3648, path: '/sbin/agetty' },
          ],
        },
      ],
    });
  });

  it('reads vuls fixture 02 (a foreign-arch package) and a host without checkrestart', () => {
    const r = parseCheckRestartText(vuls('debian__TestParseCheckRestart__02.txt'));
    expect(r.restartable.map((p) => p.name)).toEqual(['util-linux', 'openssh-server']);
    expect(r.other).toEqual([
      { name: 'dbus-daemon', processes: [{ pid: 718, path: '/usr/bin/dbus-daemon' }] },
      { name: 'bash', processes: [{ pid: 1373, path: '/usr/bin/bash' }] },
    ]);
    expect(r.services).toEqual(['fstrim.service']);
    expect(parseCheckRestart(capture('lab-checkrestart-missing'))).toBeUndefined();
    expect(driverError(() => parseCheckRestartText('nothing here')).message).toMatch(/Found N processes/);
  });
});
