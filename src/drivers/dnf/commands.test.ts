import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidPackageRefError } from '../errors.js';
import {
  installCommand,
  installedCommand,
  nevraArg,
  rebootRequiredCommand,
  refreshCommand,
  simulateInstallCommand,
  updatesCommand,
} from './commands.js';
import {
  FACTS_SCRIPT,
  INSTALL_SCRIPT,
  INSTALLED_SCRIPT,
  PREFLIGHT_SCRIPT,
  REBOOT_SCRIPT,
  UPDATES_SCRIPT,
  UPGRADE_SCRIPT,
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

describe('dnf commands', () => {
  it('installs exact NEVRAs through the bounded lock wait, never without GPG checks', () => {
    const cmd = installCommand(
      [
        { name: 'kernel', version: '5.14.0-427.13.1.el9', arch: 'x86_64' },
        { name: 'fleet-epoch', version: '2:3.2-5.el9', arch: 'x86_64' },
      ],
      { lockTimeoutSeconds: 300 },
    );
    expect(cmd).toEqual({
      argv: [
        'sh',
        '-c',
        UPGRADE_SCRIPT,
        'patchctl-dnf-upgrade',
        '300',
        'kernel-5.14.0-427.13.1.el9.x86_64',
        'fleet-epoch-2:3.2-5.el9.x86_64',
      ],
      sudo: true,
      env: { TZ: 'UTC' },
    });
    // dnf upgrade, never dnf install (which downgrades to an older NEVRA: __fixtures__/README.md).
    expect(UPGRADE_SCRIPT).toMatch(
      /dnf -y --setopt=exit_on_lock=True --setopt=install_weak_deps=False --setopt=clean_requirements_on_remove=False upgrade -- "\$@"/,
    );
    expect(simulateInstallCommand([{ name: 'a', version: '1-1', arch: 'noarch' }]).argv).toContain('upgrade');
    const all = [
      cmd,
      simulateInstallCommand([{ name: 'a', version: '1-1', arch: 'noarch' }]),
      refreshCommand(),
    ]
      .flatMap((c) => c.argv)
      .join(' ');
    expect(all).not.toMatch(/nogpgcheck|skip-broken|allowerasing|gpgcheck=0|gpgcheck=False/);
  });
  it('refuses names, versions and arches that are not RPM ones, and an arch-less ref', () => {
    expect(invalid(() => nevraArg({ name: 'a;rm -rf /', version: '1-1', arch: 'x86_64' }))).toMatch(
      /not an RPM package name/,
    );
    expect(invalid(() => nevraArg({ name: '-y', version: '1-1', arch: 'x86_64' }))).toMatch(
      /not an RPM package name/,
    );
    expect(invalid(() => nevraArg({ name: 'a', version: '1', arch: 'x86_64' }))).toMatch(/version-release/);
    expect(invalid(() => nevraArg({ name: 'a', version: '1..2-1', arch: 'x86_64' }))).toMatch(
      /version-release/,
    );
    expect(invalid(() => nevraArg({ name: 'a', version: '1-1', arch: 'x86 64' }))).toMatch(/architecture/);
    expect(invalid(() => nevraArg({ name: 'a', version: '1-1' }))).toMatch(/architecture/);
    expect(invalid(() => installCommand([]))).toMatch(/no packages/);
    expect(
      invalid(() =>
        installCommand([{ name: 'a', version: '1-1', arch: 'noarch' }], { lockTimeoutSeconds: -1 }),
      ),
    ).toMatch(/lock timeout/);
  });
  it('reads installed packages with rpm -qa --qf and the scan in one script, in UTC', () => {
    expect(installedCommand().argv).toEqual(['sh', '-c', INSTALLED_SCRIPT]);
    expect(INSTALLED_SCRIPT).toContain(
      "rpm -qa --qf '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{INSTALLTIME}\\n'",
    );
    expect(UPDATES_SCRIPT).toMatch(/^s rpm-qa$/m);
    expect(updatesCommand().argv).toEqual(['sh', '-c', UPDATES_SCRIPT]);
    expect(rebootRequiredCommand().argv).toEqual(['sh', '-c', REBOOT_SCRIPT]);
    for (const s of [UPDATES_SCRIPT, REBOOT_SCRIPT, INSTALL_SCRIPT])
      expect(s).toMatch(/export LC_ALL=C TZ=UTC/);
    expect(UPDATES_SCRIPT).toMatch(
      /dnf -q -C --disableexcludes=all --disableplugin=versionlock check-update/,
    );
  });
  it('the scripts are valid sh', () => {
    for (const s of [
      UPDATES_SCRIPT,
      REBOOT_SCRIPT,
      INSTALL_SCRIPT,
      INSTALLED_SCRIPT,
      FACTS_SCRIPT,
      PREFLIGHT_SCRIPT,
      UPGRADE_SCRIPT,
    ]) {
      expect(spawnSync('sh', ['-n', '-c', s]).status).toBe(0);
    }
  });
  it('INSTALL_SCRIPT retries while dnf exits 200, then gives up at the deadline; passes other statuses', () => {
    const run = (t: string, ...cmd: string[]) =>
      spawnSync('sh', ['-c', INSTALL_SCRIPT, 'patchctl-dnf', t, ...cmd], { encoding: 'utf8' });
    expect(run('0', 'sh', '-c', 'echo held; exit 200')).toMatchObject({
      status: 200,
      stderr: 'patchctl-dnf: the package manager lock was still held after 0s\n',
    });
    expect(run('5', 'sh', '-c', 'exit 1').status).toBe(1);
    expect(run('5', 'sh', '-c', 'exit 0').status).toBe(0);
    expect(run('x', 'true').status).toBe(2);
  });
  it('UPGRADE_SCRIPT gives up a held lock at the bound, then reports what was asked and what is installed', () => {
    const bin = mkdtempSync(join(tmpdir(), 'patchctl-dnf-'));
    try {
      writeFileSync(join(bin, 'dnf'), '#!/bin/sh\necho "RPMDB already locked by 4242" >&2\nexit 200\n', {
        mode: 0o755,
      });
      writeFileSync(join(bin, 'rpm'), '#!/bin/sh\necho "rpm $*"\n', { mode: 0o755 });
      const r = spawnSync(
        'sh',
        ['-c', UPGRADE_SCRIPT, 'patchctl-dnf-upgrade', '0', 'fleet-lib-2.1-1.el9.noarch'],
        {
          encoding: 'utf8',
          env: { PATH: `${bin}:/usr/bin:/bin` },
        },
      );
      expect(r.status).toBe(200);
      expect(r.stderr).toMatch(/patchctl-dnf-upgrade: the package manager lock was still held after 0s/);
      expect(r.stdout).toMatch(/@@patchctl:requested@@\nfleet-lib-2\.1-1\.el9\.noarch\n/);
      expect(r.stdout).toMatch(/@@patchctl:installed-after@@\nrpm -q --qf [^]*? -- fleet-lib\n/);
      expect(r.stdout).toMatch(/@@patchctl:end@@\n$/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
