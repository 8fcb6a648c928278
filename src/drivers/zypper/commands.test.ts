import { describe, expect, it } from '@jest/globals';
import { InvalidPackageRefError } from '../errors.js';
import {
  installCommand,
  installPatchesCommand,
  installedCommand,
  listPatchesCommand,
  listUpdatesCommand,
  needsRebootingCommand,
  packageArg,
  patchInfoCommand,
  scanCommand,
  simulateInstallCommand,
} from './commands.js';
import { INSTALLONLY_BODY, RPM_LOCK_FILES, RPM_QUERY_FORMAT, rpmQueryAllCommand } from '../rpm/query.js';
import { ZYPP_LOCK_FILE } from './outcome.js';
import { parseListPatches } from './parse-patches.js';
import { INVENTORY_SCRIPT, LOCK_HOLDER_SCRIPT, PREFLIGHT_SCRIPT, SCAN_SCRIPT } from './scripts.js';
import { planPatchInstall } from './patch-plan.js';
import { labResult } from './__fixtures__/load.js';

describe('zypper commands', () => {
  it('scans read-only (no lock, no refresh), as argument vectors', () => {
    for (const c of [
      listUpdatesCommand(),
      listPatchesCommand(),
      needsRebootingCommand(),
      patchInfoCommand(['FLEET-2026:0001']),
    ]) {
      expect(c.argv.slice(0, 3)).toEqual(['zypper', '--non-interactive', '--no-refresh']);
      expect(c.env).toEqual({ ZYPP_READONLY_HACK: '1' });
      expect(c.sudo).toBeUndefined();
    }
    expect(listUpdatesCommand().argv).toEqual([
      'zypper',
      '--non-interactive',
      '--no-refresh',
      '--xmlout',
      'list-updates',
    ]);
    expect(listPatchesCommand().argv).not.toContain('--category'); // the XML ignores it: patchctl filters
    expect(scanCommand().argv[0]).toBe('sh');
    expect(installedCommand().argv.slice(0, 3)).toEqual(['rpm', '-qa', '--qf']);
  });

  it('asks rpm what every RPM-family driver asks, in the shared format (../rpm/query.ts)', () => {
    expect(installedCommand()).toEqual(rpmQueryAllCommand());
    for (const s of [INVENTORY_SCRIPT, SCAN_SCRIPT, PREFLIGHT_SCRIPT]) {
      expect(s).toContain(`rpm -qa --qf '${RPM_QUERY_FORMAT}' 2>&1`);
    }
    for (const lock of [ZYPP_LOCK_FILE, ...RPM_LOCK_FILES]) expect(PREFLIGHT_SCRIPT).toContain(lock);
    expect(PREFLIGHT_SCRIPT).toContain(INSTALLONLY_BODY.join('\n'));
    expect(LOCK_HOLDER_SCRIPT).toContain(`f=${ZYPP_LOCK_FILE}\n`);
  });

  it('installs exact versions, upgrading only, with a bounded wait on the lock', () => {
    const c = installCommand(
      [
        { name: 'fleet-epoch', version: '2:1.2-1', arch: 'noarch' },
        { name: 'kernel', version: '5.14.0-427.13.1.el9' },
      ],
      { lockTimeoutSeconds: 30 },
    );
    expect(c).toEqual({
      argv: [
        'zypper',
        '--non-interactive',
        'update',
        '--no-recommends',
        '--no-force-resolution',
        '--no-allow-downgrade',
        '--',
        'fleet-epoch.noarch=2:1.2-1',
        'kernel=5.14.0-427.13.1.el9',
      ],
      sudo: true,
      env: { ZYPP_LOCK_TIMEOUT: '30' },
    });
    expect(simulateInstallCommand([{ name: 'a', version: '1-1' }]).argv).toContain('--dry-run');
    for (const c2 of [c, installPatchesCommand(['P-1'])]) {
      expect(c2.argv.join(' ')).not.toMatch(
        /--no-gpg-checks|--force-resolution |--oldpackage|--allow-downgrade|--with-interactive/,
      );
    }
  });

  it.each([
    [{ name: '-y', version: '1-1' }],
    [{ name: 'a*', version: '1-1' }],
    [{ name: 'a', version: '1.0' }], // no release: not exact
    [{ name: 'a', version: '1-1; rm -rf /' }],
    [{ name: 'a', version: '1..2-1' }],
    [{ name: 'a', version: '1-1', arch: 'x86 64' }],
  ])('refuses %j before a command exists', (ref) => {
    expect(() => packageArg(ref)).toThrow(InvalidPackageRefError);
  });

  it('refuses empty, duplicate or odd lists and lock timeouts', () => {
    expect(() => installCommand([])).toThrow(InvalidPackageRefError);
    expect(() =>
      installCommand([
        { name: 'a', version: '1-1' },
        { name: 'a', version: '1-2' },
      ]),
    ).toThrow(/twice/);
    expect(() => installCommand([{ name: 'a', version: '1-1' }], { lockTimeoutSeconds: -1 })).toThrow(
      InvalidPackageRefError,
    );
    expect(() => installPatchesCommand(['--with-interactive'])).toThrow(InvalidPackageRefError);
    expect(() =>
      installCommand([
        { name: 'a', version: '1-1', arch: 'noarch' },
        { name: 'a', version: '1-2', arch: 'noarch' },
      ]),
    ).toThrow('package a.noarch is listed twice');
    expect(() => installPatchesCommand([])).toThrow('no patches');
    expect(() => installPatchesCommand(['P-1', 'P-1'])).toThrow('patch P-1 is listed twice');
  });
});

describe('planPatchInstall', () => {
  const patches = parseListPatches(labResult('lp')).patches;

  it('without a reboot allowed: the reboot patch is withheld and reported, never skipped silently', () => {
    const plan = planPatchInstall(patches, false);
    expect(plan.withheld).toEqual([{ name: 'FLEET-2026:0002', reason: 'reboot-not-allowed' }]);
    expect(plan.install).toEqual([
      ['FLEET-2026:0006'], // the package-manager patch alone first (zypper exits 103 after it)
      ['FLEET-2026:0001', 'FLEET-2026:0003', 'FLEET-2026:0004', 'FLEET-2026:0005', 'FLEET-2026:0007'],
    ]);
    expect(plan.rebootExpected).toBe(false);
  });

  it('with a reboot allowed: installed, and the reboot expected', () => {
    const plan = planPatchInstall(patches, true);
    expect(plan.withheld).toEqual([]);
    expect(plan.install[1]).toContain('FLEET-2026:0002');
    expect(plan.rebootExpected).toBe(true);
  });

  it('an interactive patch that is not a reboot one (message, licence) is always withheld; applied ones are not applicable', () => {
    const base = patches[1]!;
    const plan = planPatchInstall(
      [
        { ...base, name: 'MSG-1', interactive: true, rebootSuggested: false },
        { ...base, name: 'OLD-1', status: 'applied' },
      ],
      true,
    );
    expect(plan.withheld).toEqual([
      { name: 'MSG-1', reason: 'interactive' },
      { name: 'OLD-1', reason: 'not-applicable' },
    ]);
    expect(plan.install).toEqual([]);
  });
});
