// The shared RPM pieces, on real rpm -qa output: the lab's EL 9 layer and dnf's lab root
// (../dnf/__fixtures__/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import { splitSections } from '../sections.js';
import type { CommandResult } from '../types.js';
import {
  compareEvr,
  duplicatesOf,
  evrOf,
  INSTALLONLY_NAMES,
  parseInstallonly,
  parseNevra,
  parseRpmQuery,
  parseRpmQueryLine,
  parseRpmQueryResult,
  RPM_QUERY_FORMAT,
  rpmQueryAllBody,
  rpmQueryAllCommand,
  sourceNameOf,
} from './index.js';

const dnfFixture = (name: string) =>
  readFileSync(new URL(`../dnf/__fixtures__/${name}`, import.meta.url), 'utf8');
const section = (file: string, name: string) =>
  splitSections(dnfFixture(file)).sections.get(name)?.text ?? '';
const ok = (stdout: string, stderr = '', exitCode: number | null = 0): CommandResult => ({
  stdout,
  stderr,
  exitCode,
  durationMs: 1,
});

describe('rpm -qa --qf RPM_QUERY_FORMAT', () => {
  it('is one argv, seven tab-separated fields', () => {
    expect(rpmQueryAllCommand()).toEqual({ argv: ['rpm', '-qa', '--qf', RPM_QUERY_FORMAT] });
    expect(RPM_QUERY_FORMAT.split('\\t')).toHaveLength(7);
  });

  it("is one script section, with rpm's errors in it (parseRpmQueryResult refuses an error: line)", () => {
    expect(rpmQueryAllBody('installed')).toEqual([
      's installed',
      `rpm -qa --qf '${RPM_QUERY_FORMAT}' 2>&1`,
      'r $?',
    ]);
  });

  it('reads the EL 9 layer: [epoch:]version-release, sorted by name, arch, then rpmvercmp', () => {
    const inv = parseRpmQuery('dnf', section('el9/installed-after.stdout', 'rpm-qa'));
    expect(inv.installed).toEqual([
      { name: 'almalinux-release', version: '9.4-1.el9', arch: 'noarch' },
      { name: 'fleet-broken', version: '1.0-1.el9', arch: 'noarch' },
      { name: 'fleet-held', version: '1.0-1.el9', arch: 'noarch' },
      { name: 'fleet-lib', version: '2.1-1.el9', arch: 'noarch' },
      { name: 'fleet-testpkg', version: '1.1-1.el9', arch: 'noarch' },
      { name: 'kernel', version: '5.14.0-362.8.1.el9', arch: 'x86_64' },
      { name: 'kernel', version: '5.14.0-427.13.1.el9', arch: 'x86_64' },
    ]);
    expect(inv.packages.map(sourceNameOf)).toContain('almalinux-release');
    expect(sourceNameOf(inv.packages[5] ?? { sourceRpm: null })).toBe('kernel');
  });

  it('keeps an epoch in the version (lab root capture), never 0:', () => {
    const inv = parseRpmQuery('dnf', dnfFixture('lab-scan-rpm-qa.stdout'));
    expect(inv.installed.find((p) => p.name === 'fleet-epoch')?.version).toBe('2:3.2-4.el9');
    expect(evrOf({ epoch: '0', version: '1', release: '2' })).toBe('1-2');
  });

  it('names the driver that asked in its errors, and refuses what it cannot read', () => {
    const e = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const err = e(() => parseRpmQuery('zypper', 'not\ta\tpackage\n'));
    expect(err).toBeInstanceOf(DriverOutputError);
    expect((err as DriverOutputError).message).toMatch(/^zypper: rpm -qa: unexpected line/);
    expect(e(() => parseRpmQueryResult('dnf', ok('', 'error: rpmdb: damaged', 0)))).toBeInstanceOf(
      DriverOutputError,
    );
    expect(e(() => parseRpmQueryResult('dnf', ok('', '', 1)))).toBeInstanceOf(DriverOutputError);
    expect(parseRpmQueryLine('gpg-pubkey\t(none)\tfd431d51\t4ae0493b\t(none)\t(none)\t1')).toBeNull();
    expect(parseRpmQueryLine('package fleet-nosuch is not installed')).toBeUndefined();
  });
});

describe('installonly and duplicates', () => {
  it('reads the installonly names (rpm --whatprovides), ignoring "no package provides"', () => {
    expect(parseInstallonly(section('el9/installed-duplicate.stdout', 'installonly'))).toEqual([
      'kernel',
      'kernel-PAE',
    ]);
    expect(parseInstallonly('')).toEqual([...INSTALLONLY_NAMES].sort());
  });

  it('reports the older of two versions of a non-installonly package; kernels side by side are normal', () => {
    const text = section('el9/installed-duplicate.stdout', 'rpm-qa');
    const { packages } = parseRpmQuery('dnf', text);
    expect(duplicatesOf(packages, ['kernel'])).toEqual([
      { name: 'fleet-held', arch: 'noarch', version: '1.0-1.el9', status: 'duplicate' },
    ]);
    expect(duplicatesOf(packages, []).map((p) => p.name)).toEqual(['fleet-held', 'kernel']);
  });
});

describe('NEVRA', () => {
  it('parses and compares with rpmvercmp', () => {
    expect(parseNevra('kernel-5.14.0-427.13.1.el9.x86_64')).toEqual({
      name: 'kernel',
      epoch: null,
      version: '5.14.0',
      release: '427.13.1.el9',
      arch: 'x86_64',
    });
    expect(compareEvr('5.14.0-70.13.1.el9_0', '5.14.0-503.15.1.el9_5')).toBeLessThan(0);
    expect(compareEvr('1:1.0-1', '2.0-1')).toBeGreaterThan(0);
  });
});
