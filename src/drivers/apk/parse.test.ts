import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { splitNameVersion } from './common.js';
import { parseApkFailure, parseSelectProblems } from './parse-failure.js';
import { parseChanges, parseInstall, parseRefresh } from './parse-install.js';
import { parseApkList, parseApkListLine, parseInstalled, parseInstalledDb } from './parse-installed.js';
import { parseLockHolders } from './parse-lock.js';
import {
  alpineKernelRelease,
  decideReboot,
  parseRebootDecision,
  parseRebootRequired,
} from './parse-reboot.js';
import { parseUpdateScan, parseUpdates } from './parse-updates.js';
import { heldFromWorld, parseWorld } from './parse-world.js';

const fixtures = new URL('./__fixtures__/', import.meta.url);
const text = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8');
const vuls = (name: string): string => text(`vuls/alpine__${name}__01.txt`);
const written = (name: string): string => text(`written/${name}.txt`);

const result = (
  stdout: string,
  exitCode: number | null = 0,
  extra: Partial<CommandResult> = {},
): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
  durationMs: 1,
  ...extra,
});
/** A script's output: `[name, text, rc?]` sections and the end marker. */
const script = (...parts: [string, string, number?][]): string =>
  [
    ...parts.flatMap(([name, body, rc]) => [
      `@@patchctl:${name}@@`,
      body,
      ...(rc === undefined ? [] : [`@@patchctl:rc=${rc}@@`]),
    ]),
    '@@patchctl:end@@',
    '',
  ].join('\n');
const driverError = (f: () => unknown): DriverOutputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DriverOutputError) return e;
    throw e;
  }
  throw new Error('expected a DriverOutputError');
};

describe('name-version identifiers', () => {
  it('splits at the hyphen that starts the version with its revision', () => {
    expect(splitNameVersion('busybox-binsh-1.36.1-r29')).toEqual({
      name: 'busybox-binsh',
      version: '1.36.1-r29',
    });
    expect(splitNameVersion('ca-certificates-bundle-20240705-r0')).toEqual({
      name: 'ca-certificates-bundle',
      version: '20240705-r0',
    });
    expect(splitNameVersion('py3-2to3-3.12.3-r1')).toEqual({ name: 'py3-2to3', version: '3.12.3-r1' });
    expect(splitNameVersion('d-2.0')).toEqual({ name: 'd', version: '2.0' });
    expect(splitNameVersion('noversion')).toBeUndefined();
    expect(splitNameVersion('bad-1.0-rX')).toBeUndefined();
  });
});

describe('installed packages', () => {
  it('reads the full installed database (vuls parseApkIndex), ignoring the file lists', () => {
    const records = parseInstalledDb(vuls('Test_alpine_parseApkIndex'));
    expect(records).toEqual([
      {
        name: 'alpine-baselayout',
        version: '3.6.5-r0',
        arch: 'x86_64',
        origin: 'alpine-baselayout',
        broken: [],
      },
      {
        name: 'alpine-baselayout-data',
        version: '3.6.5-r0',
        arch: 'x86_64',
        origin: 'alpine-baselayout',
        broken: [],
      },
    ]);
  });

  it('reads what INSTALLED_SCRIPT prints: the database reduced to P/V/A/o/f, and the world', () => {
    const reduced = text('derived/installed-db-reduced.txt');
    const inv = parseInstalled(result(script(['installed-db', reduced, 0], ['world', written('world'), 0])));
    expect(inv.installed).toEqual([
      { name: 'alpine-baselayout', version: '3.6.5-r0', arch: 'x86_64' },
      { name: 'alpine-baselayout-data', version: '3.6.5-r0', arch: 'x86_64' },
    ]);
    expect(inv.origins.get('alpine-baselayout-data')).toBe('alpine-baselayout');
    expect(inv.held).toEqual(['linux-lts', 'openssl']);
    expect(inv.notFullyInstalled).toEqual([]);
  });

  it('lists a package whose script or files failed as not fully installed, never as installed', () => {
    const db = 'P:busybox\nV:1.36.1-r29\nA:x86_64\no:busybox\nf:sS\n\nP:musl\nV:1.2.5-r0\nA:x86_64\nf:S\n';
    const inv = parseInstalled(result(script(['installed-db', db, 0], ['world', '', 0])));
    expect(inv.installed).toEqual([{ name: 'musl', version: '1.2.5-r0', arch: 'x86_64' }]);
    expect(inv.notFullyInstalled).toEqual([
      { name: 'busybox', arch: 'x86_64', version: '1.36.1-r29', status: 'broken script' },
    ]);
  });

  it('refuses an unreadable database, an empty one, and records without a version', () => {
    expect(
      driverError(() => parseInstalled(result(script(['installed-db', '', 2], ['world', '', 0])))).message,
    ).toMatch(/cannot read the installed database/);
    expect(
      driverError(() => parseInstalled(result(script(['installed-db', '', 0], ['world', '', 0])))).message,
    ).toMatch(/no packages at all/);
    expect(driverError(() => parseInstalledDb('P:foo\nA:x86_64\n')).message).toMatch(
      /without a valid P:\/V:/,
    );
    expect(driverError(() => parseInstalledDb('P:foo\nV:1.0-r0\nP:bar\nV:1\n')).message).toMatch(
      /two P: lines/,
    );
    expect(driverError(() => parseInstalledDb('garbage\n')).message).toMatch(/unexpected line/);
    expect(driverError(() => parseInstalled(result('@@patchctl:installed-db@@\nP:x\n'))).message).toMatch(
      /did not run to its end/,
    );
  });

  it('reads `apk list --installed` (vuls), keeping apk warnings apart', () => {
    const { entries, messages } = parseApkList(vuls('Test_alpine_parseApkInstalledList'));
    expect(messages).toHaveLength(2);
    expect(entries.map((e) => [e.name, e.version, e.arch, e.origin, e.installed])).toEqual([
      ['alpine-baselayout', '3.6.5-r0', 'x86_64', 'alpine-baselayout', true],
      ['alpine-baselayout-data', '3.6.5-r0', 'x86_64', 'alpine-baselayout', true],
      ['ca-certificates-bundle', '20240226-r0', 'x86_64', 'ca-certificates', true],
    ]);
    expect(entries[2]?.license).toBe('MPL-2.0 AND MIT');
    expect(parseApkListLine('not a package line')).toBeUndefined();
    expect(driverError(() => parseApkList('alpine-baselayout 3.6.5-r0\n')).message).toMatch(
      /unexpected line/,
    );
  });
});

describe('world and holds', () => {
  it('parses constraints, tags and conflicts; holds are upper-bounded versions', () => {
    const world = parseWorld(written('world'));
    expect(world.invalid).toEqual([]);
    expect(world.constraints.find((c) => c.name === 'openssl')).toMatchObject({
      op: '=',
      version: '3.3.0-r2',
    });
    expect(world.constraints.find((c) => c.name === 'nginx')).toMatchObject({ tag: 'edge' });
    expect(world.constraints.find((c) => c.name === 'sudo')).toMatchObject({ conflict: true });
    expect(heldFromWorld(world)).toEqual(['linux-lts', 'openssl']);
  });

  it('reads the older space-separated world and lists what apk would refuse', () => {
    const world = parseWorld('busybox musl<1.3 foo=bar== !\n');
    expect(world.constraints.map((c) => c.text)).toEqual(['busybox', 'musl<1.3']);
    expect(world.invalid).toEqual(['foo=bar==', '!']);
    expect(heldFromWorld(world)).toEqual(['musl']);
  });
});

describe('pending updates', () => {
  const upgradable = vuls('Test_alpine_parseApkUpgradableList');
  const scan = (list: string, world = '', kernels = '') =>
    result(script(['world', world, 0], ['upgradable', list, 0], ['kernel-packages', kernels, 0]));

  it('reads `apk list --upgradable` (vuls): from, to, arch, origin; sorted by name; bugfix, not security', () => {
    const s = parseUpdateScan(scan(upgradable, 'busybox\nopenssl=3.3.0-r2\n'));
    expect(s.updates.map((u) => [u.name, u.from, u.to])).toEqual([
      ['busybox', '1.36.1-r28', '1.36.1-r29'],
      ['busybox-binsh', '1.36.1-r28', '1.36.1-r29'],
      ['ca-certificates-bundle', '20240226-r0', '20240705-r0'],
      ['libcrypto3', '3.3.0-r2', '3.3.2-r0'],
      ['libssl3', '3.3.0-r2', '3.3.2-r0'],
      ['ssl_client', '1.36.1-r28', '1.36.1-r29'],
    ]);
    expect(s.updates.every((u) => u.classification === 'bugfix' && u.arch === 'x86_64')).toBe(true);
    expect(s.updates.some((u) => 'severity' in u || 'advisories' in u || 'source' in u)).toBe(false);
    expect(s.origins.get('libssl3')).toBe('openssl');
    expect(s.held).toEqual(['openssl']);
    expect(parseUpdates(scan(upgradable))).toEqual(s.updates);
  });

  it('keeps the newest of several candidates with apk ordering, not string order', () => {
    const list = [
      'foo-1.10-r0 x86_64 {foo} (MIT) [upgradable from: foo-1.2-r0]',
      'foo-1.9-r0 x86_64 {foo} (MIT) [upgradable from: foo-1.2-r0]',
      'bar-1.0_rc1-r0 x86_64 {bar} (MIT) [upgradable from: bar-0.9-r0]',
      'bar-1.0-r0 x86_64 {bar} (MIT) [upgradable from: bar-0.9-r0]',
    ].join('\n');
    expect(parseUpdates(scan(list)).map((u) => `${u.name} ${u.to}`)).toEqual(['bar 1.0-r0', 'foo 1.10-r0']);
  });

  it('marks kernel package updates as needing a reboot', () => {
    const list =
      'linux-lts-6.6.60-r0 x86_64 {linux-lts} (GPL-2.0-only) [upgradable from: linux-lts-6.6.58-r0]';
    const [u] = parseUpdates(scan(list, '', written('kernel-packages')));
    expect(u).toMatchObject({ name: 'linux-lts', rebootRequired: true });
  });

  it('refuses a listing made without the repository indexes (vuls installed list warnings)', () => {
    const e = driverError(() =>
      parseUpdateScan(scan(vuls('Test_alpine_parseApkInstalledList').split('\n').slice(0, 2).join('\n'))),
    );
    expect(e.message).toMatch(/index of 2 repositories is not available.*apk update/);
  });

  it('refuses a listing that failed, lines that are not packages, and candidates that are not newer', () => {
    expect(
      driverError(() => parseUpdateScan(result(script(['world', '', 0], ['upgradable', 'ERROR: boom', 1]))))
        .message,
    ).toMatch(/apk list --upgradable failed \(exit status 1\): ERROR: boom/);
    expect(() => parseUpdateScan(scan('garbage'))).toThrow(DriverOutputError);
    expect(() =>
      parseUpdateScan(scan('foo-1.0-r0 x86_64 {foo} (MIT) [upgradable from: foo-2.0-r0]')),
    ).toThrow(/not newer/);
    expect(() => parseUpdateScan(scan('foo-1.0-r0 x86_64 {foo} (MIT) [installed]'))).toThrow(
      /not marked upgradable/,
    );
  });

  it('reads `apk version -l <` style lines nowhere: that output is refused, not misread', () => {
    expect(() => parseUpdateScan(scan(vuls('TestParseApkVersion')))).toThrow(DriverOutputError);
  });
});

describe('reboot decision', () => {
  it('maps uname -r of an Alpine kernel to its package version and flavor', () => {
    expect(alpineKernelRelease('6.6.58-0-lts')).toEqual({ version: '6.6.58-r0', flavor: 'lts' });
    expect(alpineKernelRelease('6.18.44-amd64')).toBeUndefined();
  });

  it('requires a reboot when the running flavor’s package is at another version', () => {
    const k = [{ name: 'linux-lts', version: '6.6.60-r0', image: 'vmlinuz-lts' }];
    expect(decideReboot('6.6.58-0-lts', k)).toMatchObject({ required: true, packages: ['linux-lts'] });
    expect(decideReboot('6.6.60-0-lts', k)).toMatchObject({ required: false });
    expect(decideReboot('6.6.58-0-virt', k)).toMatchObject({ required: true });
    expect(decideReboot('6.18.44-amd64', k)).toMatchObject({ required: false });
    expect(decideReboot('6.18.44-amd64', [])).toMatchObject({ required: false, reason: /container/ });
  });

  it('reads REBOOT_SCRIPT output', () => {
    const out = (uname: string) =>
      result(script(['kernel', uname], ['kernel-packages', written('kernel-packages'), 0]));
    expect(parseRebootRequired(out('6.6.58-0-lts'))).toBe(false);
    expect(parseRebootDecision(out('6.6.57-0-lts')).reason).toMatch(
      /linux-lts 6.6.58-r0 is installed, 6.6.57-0-lts/,
    );
    expect(() => parseRebootDecision(result(script(['kernel', 'a b'], ['kernel-packages', '', 0])))).toThrow(
      DriverOutputError,
    );
    expect(() =>
      parseRebootDecision(result(script(['kernel', 'x'], ['kernel-packages', 'junk', 0]))),
    ).toThrow(/unexpected line/);
  });
});

describe('lock holders', () => {
  it('names the process holding /lib/apk/db/lock', () => {
    const out = result(
      script(
        ['lock-file', '2049 131090 /lib/apk/db/lock'],
        [
          'lock-holders',
          '1: FLOCK  ADVISORY  WRITE 4242 08:01:131090 0 EOF\tapk\n2: FLOCK ADVISORY WRITE 77 08:01:999 0 EOF\tx',
        ],
      ),
    );
    expect(parseLockHolders(out)).toEqual([{ path: '/lib/apk/db/lock', pid: 4242, command: 'apk' }]);
    expect(parseLockHolders(result(script(['lock-file', ''], ['lock-holders', ''])))).toEqual([]);
  });
});

describe('failures', () => {
  const failed = (name: string, exitCode = 99) => parseApkFailure(result(written(name), exitCode));

  it('classifies a held lock (apk 2.x and 3 wording), an expired --wait, and a missing root', () => {
    expect(failed('lock-held-apk2')).toMatchObject({
      kind: 'lock-held',
      holder: { path: '/lib/apk/db/lock', pid: null },
    });
    expect(failed('lock-held-apk3')?.kind).toBe('lock-held');
    expect(failed('lock-wait-expired')?.message).toMatch(/bounded wait ran out/);
    expect(failed('not-root')).toMatchObject({
      kind: 'package-manager-error',
      message: /not running as root/,
    });
  });

  it('classifies unsatisfiable constraints: missing package, world pin, missing version, conflict', () => {
    expect(failed('select-no-such-package')).toMatchObject({
      kind: 'package-not-found',
      packages: ['nonexistant'],
    });
    expect(failed('select-world-pin')).toMatchObject({ kind: 'held', packages: ['a'] });
    expect(failed('select-version-not-found')).toMatchObject({
      kind: 'version-not-found',
      packages: ['busybox'],
    });
    expect(failed('select-conflict')).toMatchObject({ kind: 'unresolvable', packages: ['d'] });
    const multi = parseSelectProblems(written('select-multiline').split('\n'));
    expect(multi[0]?.labels.get('conflicts')).toEqual([
      'selfconflicting-1[selfprovided=2]',
      'selfconflicting-1[selfprovided=3]',
    ]);
  });

  it('classifies untrusted signatures, full disks, scripts, overwrites and the network', () => {
    expect(failed('install-untrusted', 2)).toMatchObject({
      kind: 'unauthenticated',
      packages: ['libcrypto3', 'libssl3'],
    });
    expect(failed('install-no-space', 1)).toMatchObject({ kind: 'no-space', packages: ['busybox'] });
    expect(failed('install-script-apk2', 1)).toMatchObject({
      kind: 'maintainer-script',
      packages: ['busybox'],
      message: 'the post-upgrade script of busybox exited with error 1',
    });
    expect(failed('install-script-apk3', 1)).toMatchObject({
      kind: 'maintainer-script',
      packages: ['busybox'],
    });
    expect(failed('install-overwrite', 1)).toMatchObject({
      kind: 'file-conflict',
      packages: ['fleet-a', 'fleet-b'],
    });
    expect(failed('install-network', 1)?.kind).toBe('fetch-failed');
  });

  it('reports time-outs, signals and unexplained exits; nothing when apk succeeded', () => {
    expect(parseApkFailure(result('Waiting for repository lock', null, { timedOut: true }))).toMatchObject({
      kind: 'timeout',
      holder: { path: '/lib/apk/db/lock' },
    });
    expect(parseApkFailure(result('', null, { signal: 'SIGKILL' }))?.message).toMatch(/SIGKILL/);
    expect(parseApkFailure(result('something odd', 3))).toMatchObject({
      kind: 'unknown',
      message: /status 3/,
    });
    expect(parseApkFailure(result('ERROR: odd thing', 1))).toMatchObject({
      kind: 'unknown',
      message: 'odd thing',
    });
    expect(parseApkFailure(result(written('install-ok'), 0))).toBeUndefined();
  });
});

describe('refresh', () => {
  it('reads apk update: success, unreachable repositories, an untrusted index', () => {
    expect(parseRefresh(result(written('update-ok')))).toEqual({ ok: true, warnings: [] });
    const net = parseRefresh(result(written('update-network'), 2));
    expect(net.failure).toMatchObject({
      kind: 'fetch-failed',
      message: 'could not download the index of https://dl-cdn.alpinelinux.org/alpine/v3.20/main',
    });
    expect(net.warnings).toHaveLength(2);
    expect(parseRefresh(result(written('update-untrusted'), 1)).failure?.kind).toBe('unauthenticated');
  });
});

describe('install', () => {
  const install = (...parts: [string, string, number?][]) => parseInstall(result(script(...parts)));

  it('reads the change lines, apk 3 padding and repository tags included', () => {
    expect(parseChanges(written('change-apk3-padded'))).toEqual([
      { action: 'Upgrading', name: 'musl', from: '1.2.5-r0', to: '1.2.5-r1' },
    ]);
    expect(parseChanges('(1/2) Upgrading a@testing (3 -> 3.1)')).toEqual([
      { action: 'Upgrading', name: 'a', from: '3', to: '3.1' },
    ]);
  });

  it('reports what changed, without the virtual package', () => {
    const o = install(
      ['pre', ''],
      ['check', '', 0],
      ['simulate', written('install-ok'), 0],
      ['add', written('install-ok'), 0],
      ['del', written('del-ok'), 0],
    );
    expect(o).toEqual({
      ok: true,
      warnings: [],
      changed: [
        { name: 'libcrypto3', from: '3.3.0-r2', to: '3.3.2-r0' },
        { name: 'libssl3', from: '3.3.0-r2', to: '3.3.2-r0' },
        { name: 'busybox', from: '1.36.1-r28', to: '1.36.1-r29' },
      ],
    });
  });

  it('a simulation reports what would change', () => {
    const o = install(['check', '', 0], ['simulate', written('install-ok'), 0]);
    expect(o.ok).toBe(true);
    expect(o.changed).toHaveLength(3);
  });

  it('refuses packages that are not installed, and downgrades, before apk runs', () => {
    expect(install(['check', 'refuse not-installed foo - 1.0-r0', 1]).failure).toMatchObject({
      kind: 'not-installed',
      packages: ['foo'],
    });
    expect(install(['check', 'refuse downgrade foo 2.0-r0 1.0-r0', 1]).failure).toMatchObject({
      kind: 'downgrade',
      packages: ['foo'],
    });
    expect(install(['check', 'same foo 1.0-r0 1.0-r0', 0])).toEqual({ ok: true, changed: [], warnings: [] });
  });

  it('refuses a transaction that would remove a package', () => {
    const o = install(['check', '', 0], ['simulate', written('simulate-purge'), 0]);
    expect(o.failure).toMatchObject({ kind: 'removal-required', packages: ['fleet-old'] });
  });

  it('classifies a failed simulation or install, and warns when the virtual package stays', () => {
    expect(install(['check', '', 0], ['simulate', written('lock-held-apk2'), 99]).failure?.kind).toBe(
      'lock-held',
    );
    const script = install(
      ['check', '', 0],
      ['simulate', written('install-ok'), 0],
      ['add', written('install-script-apk2'), 1],
      ['del', written('del-ok'), 0],
    );
    expect(script.failure?.kind).toBe('maintainer-script');
    expect(script.changed).toEqual([{ name: 'busybox', from: '1.36.1-r28', to: '1.36.1-r29' }]);
    const stuck = install(
      ['check', '', 0],
      ['simulate', written('install-ok'), 0],
      ['add', written('install-ok'), 0],
      ['del', written('lock-held-apk3'), 99],
    );
    expect(stuck.ok).toBe(true);
    expect(stuck.warnings.join('\n')).toMatch(/still pins/);
  });

  it('never throws on a cut-short, killed or timed-out script', () => {
    expect(parseInstall(result('@@patchctl:check@@\n', 0)).failure?.message).toMatch(
      /did not run to its end/,
    );
    expect(parseInstall(result('', null, { signal: 'SIGKILL' })).failure?.kind).toBe('killed');
    expect(
      parseInstall(result('@@patchctl:add@@\nWaiting for repository lock', null, { timedOut: true })).failure,
    ).toMatchObject({
      kind: 'timeout',
    });
  });
});
