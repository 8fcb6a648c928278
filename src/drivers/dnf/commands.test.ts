import { spawnSync } from 'node:child_process';
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
import { INSTALL_SCRIPT, REBOOT_SCRIPT, UPDATES_SCRIPT } from './scripts.js';

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
        INSTALL_SCRIPT,
        'patchctl-dnf',
        '300',
        'dnf',
        '-y',
        '-q',
        '--setopt=exit_on_lock=True',
        '--setopt=install_weak_deps=False',
        '--setopt=clean_requirements_on_remove=False',
        'install',
        '--',
        'kernel-5.14.0-427.13.1.el9.x86_64',
        'fleet-epoch-2:3.2-5.el9.x86_64',
      ],
      sudo: true,
      env: { TZ: 'UTC' },
    });
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
    expect(installedCommand().argv.slice(0, 3)).toEqual(['rpm', '-qa', '--qf']);
    expect(installedCommand().argv[3]).toBe(
      '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{INSTALLTIME}\\n',
    );
    expect(updatesCommand().argv).toEqual(['sh', '-c', UPDATES_SCRIPT]);
    expect(rebootRequiredCommand().argv).toEqual(['sh', '-c', REBOOT_SCRIPT]);
    for (const s of [UPDATES_SCRIPT, REBOOT_SCRIPT, INSTALL_SCRIPT])
      expect(s).toMatch(/export LC_ALL=C TZ=UTC/);
    expect(UPDATES_SCRIPT).toMatch(
      /dnf -q -C --disableexcludes=all --disableplugin=versionlock check-update/,
    );
  });
  it('the scripts are valid sh', () => {
    for (const s of [UPDATES_SCRIPT, REBOOT_SCRIPT, INSTALL_SCRIPT]) {
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
});
