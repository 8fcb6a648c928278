import { describe, expect, it } from '@jest/globals';
import { capture, result } from './__fixtures__/load.js';
import { parsePreflight } from './parse-preflight.js';
import { checkPreflight, minFreeKbFor } from './preflight.js';

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
