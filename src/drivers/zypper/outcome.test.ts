import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import { zypperExit } from './exit-codes.js';
import {
  parseLockHolder,
  parseNeedsRebooting,
  parsePatchCheck,
  parseZypperFailure,
  parseZypperInstall,
} from './outcome.js';
import { labResult, result } from './__fixtures__/load.js';

describe('parseZypperInstall on lab captures', () => {
  it('an exact upgrade: what was installed, epoch included', () => {
    const o = parseZypperInstall(labResult('update-exact'));
    expect(o.ok).toBe(true);
    expect(o.changed).toEqual([
      { name: 'fleet-epoch', to: '2:1.2-1' },
      { name: 'fleet-testpkg', to: '1.1-1.el9' },
    ]);
    expect(o.warnings).toEqual([]); // the file-conflict-check notice is noise
    expect(o.rebootRequired).toBe(false);
  });

  it('exit 102 after a reboot patch: ok, reboot required', () => {
    const o = parseZypperInstall(labResult('install-patch-interactive'));
    expect(o).toMatchObject({
      ok: true,
      rebootRequired: true,
      changed: [{ name: 'kernel', to: '5.14.0-427.13.1.el9' }],
    });
    expect(o.exit?.name).toBe('ZYPPER_EXIT_INF_REBOOT_NEEDED');
  });

  it('exit 103 after a package-manager patch: ok, run again', () => {
    expect(parseZypperInstall(labResult('patch-updatestack'))).toMatchObject({
      ok: true,
      packageManagerRestart: true,
      rebootRequired: false,
    });
  });

  it('zypper patch skipping an interactive patch is reported, not silent', () => {
    const o = parseZypperInstall(labResult('patch-skip-interactive'));
    expect(o.skippedInteractive).toEqual(['FLEET-2026:0002-2']);
    expect(o.warnings).toContain("Patch 'FLEET-2026:0002-2' is interactive, skipping.");
  });

  it.each([
    [
      'update-scriptlet',
      'maintainer-script',
      ['fleet-broken'],
      /%prein scriptlet of fleet-broken failed with exit status 1/,
    ],
    [
      'update-post-script',
      'maintainer-script',
      ['fleet-post'],
      /%post scriptlet of fleet-post failed with exit status 3 \(the package is installed/,
    ],
    ['lock-held', 'lock-held', undefined, /\/run\/zypp.pid is held by process 1772 \(zypper\)/],
    ['lock-held-timeout', 'lock-held', undefined, /process 1772/],
    ['update-notfound', 'version-not-found', ['fleet-lib'], /fleet-lib=9.9-1/],
    ['install-epoch-notfound', 'package-not-found', ['fleet-epoch-1.0'], /fleet-epoch-1.0/],
    ['update-not-installed', 'not-installed', ['fleet-lib'], /fleet-lib/],
    ['update-downgrade', 'downgrade', ['fleet-testpkg'], /never downgrades/],
    ['update-locked', 'held', ['fleet-held'], /never removes a lock/],
  ])('%s → %s', (name, kind, packages, message) => {
    const o = parseZypperInstall(labResult(name));
    expect(o.ok).toBe(false);
    expect(o.failure?.kind).toBe(kind);
    expect(o.failure?.message).toMatch(message);
    if (packages !== undefined) expect(o.failure?.packages).toEqual(packages);
    expect(o.failure?.excerpt.length).toBeLessThanOrEqual(401);
  });

  it('names the holder of the lock', () => {
    expect(parseZypperFailure(labResult('lock-held'))?.holder).toEqual({
      path: '/run/zypp.pid',
      pid: 1772,
      command: 'zypper',
    });
  });

  it('a broken repository (exit 106) is fetch-failed', () => {
    expect(parseZypperFailure(labResult('lu-broken-repo'))?.kind).toBe('fetch-failed');
  });

  it.each([
    [
      'error: Failed dependencies:\nerror: unpacking of archive failed: cpio: write failed - No space left on device',
      8,
      'no-space',
    ],
    [
      'installing package kernel-default-6.4.0-1.1.x86_64 needs 212MB more space on the /boot filesystem',
      8,
      'no-space',
    ],
    [
      'File /usr/bin/x\n  from install of a-1.0-1.noarch (repo)\n  conflicts with file from package b-2.0-1.noarch (@System)',
      8,
      'file-conflict',
    ],
    [
      'Detected 1 file conflict:\n\nFile /usr/bin/x\n  from install of\n     a-1.0-1.noarch (fleet)\n  conflicts with file from package\n     b-2.0-1.noarch (@System)',
      8,
      'file-conflict',
    ],
    ["Signature verification failed for file 'repomd.xml' from repository 'x'.", 4, 'unauthenticated'],
    ['Root privileges are required for installing or uninstalling packages.', 5, 'package-manager-error'],
    ['Problem: nothing provides libfoo.so.2 needed by bar-1.0-1.x86_64', 4, 'unresolvable'],
    ['', 6, 'package-manager-error'],
    ['something odd', 1, 'unknown'],
  ])('classifies %j (exit %d) as %s', (stderr, code, kind) => {
    expect(parseZypperFailure(result('', code, stderr))?.kind).toBe(kind);
  });

  it('timeouts and signals', () => {
    expect(parseZypperFailure({ ...result('', null), timedOut: true })?.kind).toBe('timeout');
    expect(parseZypperFailure({ ...result('', null), signal: 'SIGKILL' })?.message).toContain('SIGKILL');
  });
});

describe('exit codes', () => {
  it('maps 0 and 100–107 per zypper(8)', () => {
    expect([0, 100, 101, 102, 103].every((c) => zypperExit(c).success)).toBe(true);
    expect([1, 4, 7, 8, 104, 105, 106, 107, 42].some((c) => zypperExit(c).success)).toBe(false);
    expect(zypperExit(104).name).toBe('ZYPPER_EXIT_INF_CAP_NOT_FOUND');
    expect(zypperExit(42).name).toBe('UNKNOWN');
  });
});

describe('needs-rebooting, patch-check, lock holder', () => {
  it('needs-rebooting: 102 yes, 0 no, else unreadable', () => {
    expect(parseNeedsRebooting(labResult('needs-rebooting'))).toBe(true);
    expect(parseNeedsRebooting(labResult('needs-rebooting-no'))).toBe(false);
    expect(() => parseNeedsRebooting(result('', 7))).toThrow(DriverOutputError);
  });

  it('patch-check: 101 security', () => {
    expect(parsePatchCheck(labResult('patch-check'))).toBe('security');
    expect(parsePatchCheck(result('', 100))).toBe('needed');
    expect(() => parsePatchCheck(result('', 4))).toThrow(DriverOutputError);
  });

  it('lock holder: free, or pid and command', () => {
    expect(parseLockHolder(labResult('lock-holder-free'))).toBeUndefined();
    expect(parseLockHolder(labResult('lock-holder-held'))).toEqual({
      path: '/run/zypp.pid',
      pid: 16412,
      command: 'zypper',
    });
    expect(() => parseLockHolder(result('held x'))).toThrow(DriverOutputError);
  });
});
