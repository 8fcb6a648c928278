import { describe, expect, it } from '@jest/globals';
import type { RingVersions } from './ring-versions.js';
import {
  addRingVersions,
  ecosystemOf,
  mergeRingVersions,
  ranAtLeast,
  ringVersionOf,
} from './ring-versions.js';

describe('ring versions (per-update ring gating, issue 13)', () => {
  it('keeps the highest version of each package in the ecosystem order, by name and architecture', () => {
    const r: RingVersions = {};
    addRingVersions(r, 'deb', [
      { name: 'openssl', version: '3.0.9-1', arch: 'amd64' },
      { name: 'openssl', version: '3.0.10-1', arch: 'amd64' },
      { name: 'openssl', version: '3.0.8-1', arch: 'i386' },
      { name: 'tzdata', version: '2025b-0+deb12u1' },
    ]);
    expect(r).toEqual({
      deb: { 'openssl:amd64': '3.0.10-1', 'openssl:i386': '3.0.8-1', tzdata: '2025b-0+deb12u1' },
    });
    expect(ringVersionOf(r, 'deb', 'openssl', 'i386')).toBe('3.0.8-1');
    // No record for the architecture: the highest of the package's.
    expect(ringVersionOf(r, 'deb', 'openssl', 'arm64')).toBe('3.0.10-1');
    expect(ringVersionOf(r, 'deb', 'openssl', undefined)).toBe('3.0.10-1');
    expect(ringVersionOf(r, 'deb', 'openssl-dev', undefined)).toBeUndefined();
    expect(ringVersionOf(r, 'rpm', 'openssl', undefined)).toBeUndefined();
  });

  it('compares with the ecosystem, never as strings; a version it cannot order never passes', () => {
    expect(ranAtLeast('deb', '1:1.0-1', '2.0-1')).toBe(true); // the epoch wins
    expect(ranAtLeast('deb', '3.0.10-1', '3.0.9-1')).toBe(true);
    expect(ranAtLeast('rpm', '3.0.7-24.el9', '3.0.7-27.el9')).toBe(false);
    expect(ranAtLeast('deb', '', '1.0')).toBe(false);
  });

  it('merges records of shards and knows which package managers it can order', () => {
    expect(
      mergeRingVersions([undefined, { deb: { a: '1.0' } }, { deb: { a: '1.1' }, rpm: { b: '2' } }]),
    ).toEqual({
      deb: { a: '1.1' },
      rpm: { b: '2' },
    });
    expect(mergeRingVersions([undefined])).toBeUndefined();
    expect([ecosystemOf('apt'), ecosystemOf('zypper'), ecosystemOf('winupdate')]).toEqual([
      'deb',
      'rpm',
      undefined,
    ]);
  });
});
