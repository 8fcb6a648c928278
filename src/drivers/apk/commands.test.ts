import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { InvalidPackageRefError } from '../errors.js';
import { splitSections } from '../sections.js';
import type { PackageRef } from '../types.js';
import {
  installCommand,
  installedCommand,
  lockHoldersCommand,
  packageArg,
  rebootRequiredCommand,
  refreshCommand,
  simulateInstallCommand,
  updatesCommand,
} from './commands.js';
import { parseInstall } from './parse-install.js';
import {
  APK_INSTALLED_DB,
  APK_WORLD_FILE,
  INSTALL_SCRIPT,
  INSTALLED_SCRIPT,
  LOCK_SCRIPT,
  REBOOT_SCRIPT,
  UPDATES_SCRIPT,
} from './scripts.js';

const invalid = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidPackageRefError) return e.message;
    throw e;
  }
  throw new Error('expected an InvalidPackageRefError');
};

describe('commands', () => {
  it('read-only commands are constant scripts, without sudo', () => {
    expect(installedCommand()).toEqual({ argv: ['sh', '-c', INSTALLED_SCRIPT] });
    expect(updatesCommand()).toEqual({ argv: ['sh', '-c', UPDATES_SCRIPT] });
    expect(rebootRequiredCommand()).toEqual({ argv: ['sh', '-c', REBOOT_SCRIPT] });
    expect(lockHoldersCommand()).toEqual({ argv: ['sh', '-c', LOCK_SCRIPT] });
  });

  it('refresh is apk update, non-interactive, with a bounded wait on the lock', () => {
    expect(refreshCommand()).toEqual({
      argv: ['apk', 'update', '--no-interactive', '--wait', '120'],
      sudo: true,
    });
    expect(refreshCommand({ lockTimeoutSeconds: 5 }).argv).toContain('5');
    expect(invalid(() => refreshCommand({ lockTimeoutSeconds: -1 }))).toMatch(/lock timeout/);
  });

  it('install passes name=version as positional parameters of the install script', () => {
    const pkgs: PackageRef[] = [
      { name: 'busybox', version: '1.36.1-r29', arch: 'x86_64' },
      { name: 'libssl3', version: '3.3.2-r0' },
    ];
    expect(installCommand(pkgs, { lockTimeoutSeconds: 30 })).toEqual({
      argv: ['sh', '-c', INSTALL_SCRIPT, 'patchctl-apk', '30', '0', 'busybox=1.36.1-r29', 'libssl3=3.3.2-r0'],
      sudo: true,
    });
    expect(simulateInstallCommand(pkgs).argv.slice(3, 6)).toEqual(['patchctl-apk', '0', '1']);
  });

  it('never asks apk to trust, force or upgrade beyond the plan', () => {
    for (const s of [INSTALL_SCRIPT, UPDATES_SCRIPT, INSTALLED_SCRIPT, REBOOT_SCRIPT, LOCK_SCRIPT]) {
      expect(s).not.toMatch(/allow-untrusted|--force|--upgrade|-U\b|--latest/);
    }
    expect(refreshCommand().argv.join(' ')).not.toMatch(/untrusted|force/);
  });

  it('validates names, versions and arches before any command exists', () => {
    expect(packageArg({ name: 'py3-foo', version: '1.0_rc1-r0' })).toBe('py3-foo=1.0_rc1-r0');
    expect(invalid(() => packageArg({ name: '-rf', version: '1.0-r0' }))).toMatch(
      /not an Alpine package name/,
    );
    expect(invalid(() => packageArg({ name: '.patchctl-upgrade', version: '1.0-r0' }))).toMatch(
      /package name/,
    );
    expect(invalid(() => packageArg({ name: 'foo=1', version: '1.0-r0' }))).toMatch(/package name/);
    expect(invalid(() => packageArg({ name: 'foo', version: '1.0 --allow-untrusted' }))).toMatch(
      /not a valid apk version/,
    );
    expect(invalid(() => packageArg({ name: 'foo', version: '1.0-r0-r1' }))).toMatch(
      /not a valid apk version/,
    );
    expect(invalid(() => packageArg({ name: 'foo', version: '1.0_foo' }))).toMatch(/not a valid apk version/);
    expect(invalid(() => packageArg({ name: 'foo', version: '1', arch: 'x86 64' }))).toMatch(/architecture/);
    expect(invalid(() => installCommand([]))).toMatch(/no packages/);
    expect(
      invalid(() =>
        installCommand([
          { name: 'foo', version: '1' },
          { name: 'foo', version: '2' },
        ]),
      ),
    ).toMatch(/listed twice/);
  });
});

// The install script's own logic, run by this machine's sh against a fake `apk` that logs its
// arguments and answers `version -t` with a canned table, with the database paths pointed at
// temporary files. Not apk: apk's behaviour comes from the parsers' fixtures.
describe('install script (sh, fake apk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchctl-apk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'installed');
  const world = join(dir, 'world');
  const log = join(dir, 'apk.log');
  writeFileSync(db, 'P:busybox\nV:1.36.1-r28\nA:x86_64\n\nP:musl\nV:1.2.5-r1\nA:x86_64\n\n');
  writeFileSync(
    join(dir, 'apk'),
    [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      'if [ "$1" = version ]; then',
      '  case "$3 $4" in',
      "    '1.36.1-r28 1.36.1-r29') echo '<' ;;",
      "    '1.2.5-r1 1.2.5-r0') echo '>' ;;",
      "    *) echo '=' ;;",
      '  esac',
      '  exit 0',
      'fi',
      `case "$*" in *--simulate*) echo '(1/2) Installing .patchctl-upgrade (1)'; echo '(2/2) Upgrading busybox (1.36.1-r28 -> 1.36.1-r29)'; exit 0 ;; esac`,
      `case "$1" in add) echo '.patchctl-upgrade' >> '${world}'; echo '(2/2) Upgrading busybox (1.36.1-r28 -> 1.36.1-r29)' ;; del) : > '${world}'; echo '(1/1) Purging .patchctl-upgrade (1)' ;; esac`,
    ].join('\n'),
  );
  chmodSync(join(dir, 'apk'), 0o755);
  const script = INSTALL_SCRIPT.split(APK_INSTALLED_DB).join(db).split(APK_WORLD_FILE).join(world);
  const run = (pkgs: PackageRef[], simulate = false) => {
    writeFileSync(world, 'busybox\nmusl\n');
    writeFileSync(log, '');
    const cmd = simulate ? simulateInstallCommand(pkgs) : installCommand(pkgs, { lockTimeoutSeconds: 7 });
    const argv = [...cmd.argv];
    argv[2] = script;
    const r = spawnSync(argv[0] ?? 'sh', argv.slice(1), {
      encoding: 'utf8',
      env: { PATH: `${dir}:/usr/bin:/bin`, LC_ALL: 'C' },
    });
    const out = { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, durationMs: 1 };
    return {
      out,
      calls: readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== ''),
      outcome: parseInstall(out),
    };
  };

  it('upgrades through a virtual package it deletes afterwards', () => {
    const { out, calls, outcome } = run([{ name: 'busybox', version: '1.36.1-r29' }]);
    expect(splitSections(out.stdout).complete).toBe(true);
    expect(calls).toEqual([
      'version -t 1.36.1-r28 1.36.1-r29',
      'add --simulate --no-interactive --wait 7 --virtual .patchctl-upgrade busybox=1.36.1-r29',
      'add --no-interactive --wait 7 --virtual .patchctl-upgrade busybox=1.36.1-r29',
      'del --no-interactive --wait 7 .patchctl-upgrade',
    ]);
    expect(outcome).toEqual({
      ok: true,
      changed: [{ name: 'busybox', from: '1.36.1-r28', to: '1.36.1-r29' }],
      warnings: [],
    });
  });

  it('a simulation stops after apk add --simulate', () => {
    const { calls, outcome } = run([{ name: 'busybox', version: '1.36.1-r29' }], true);
    expect(calls.filter((c) => !c.startsWith('version'))).toEqual([
      'add --simulate --no-interactive --wait 0 --virtual .patchctl-upgrade busybox=1.36.1-r29',
    ]);
    expect(outcome.ok).toBe(true);
  });

  it('refuses a package that is not installed and a downgrade without running apk add', () => {
    const missing = run([{ name: 'nginx', version: '1.26.2-r0' }]);
    expect(missing.calls).toEqual([]);
    expect(missing.outcome.failure).toMatchObject({ kind: 'not-installed', packages: ['nginx'] });
    const down = run([
      { name: 'busybox', version: '1.36.1-r29' },
      { name: 'musl', version: '1.2.5-r0' },
    ]);
    expect(down.calls.some((c) => c.startsWith('add'))).toBe(false);
    expect(down.outcome.failure).toMatchObject({ kind: 'downgrade', packages: ['musl'] });
  });

  it('does nothing for a version already installed', () => {
    const same = run([{ name: 'musl', version: '1.2.5-r1' }]);
    expect(same.calls).toEqual(['version -t 1.2.5-r1 1.2.5-r1']);
    expect(same.outcome).toEqual({ ok: true, changed: [], warnings: [] });
  });

  it('removes a virtual package left by an interrupted run first', () => {
    writeFileSync(world, 'busybox\n.patchctl-upgrade\n');
    const argv = [...installCommand([{ name: 'musl', version: '1.2.5-r1' }]).argv];
    argv[2] = script;
    writeFileSync(log, '');
    spawnSync('sh', argv.slice(1), { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin` } });
    expect(readFileSync(log, 'utf8')).toMatch(/^del --no-interactive --wait 120 \.patchctl-upgrade$/m);
  });

  it('every script is valid POSIX sh', () => {
    for (const s of [INSTALL_SCRIPT, UPDATES_SCRIPT, INSTALLED_SCRIPT, REBOOT_SCRIPT, LOCK_SCRIPT]) {
      expect(spawnSync('sh', ['-n', '-c', s]).status).toBe(0);
    }
  });
});
