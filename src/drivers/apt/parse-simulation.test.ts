import { describe, expect, it } from '@jest/globals';
import { driverError, vuls } from './__fixtures__/load.js';
import { checkedSimulation, parseReleaseRefs } from './parse-simulation.js';

describe('apt-get -s (simulation)', () => {
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
});
