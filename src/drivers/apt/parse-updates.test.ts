import { describe, expect, it } from '@jest/globals';
import { capture, driverError, result } from './__fixtures__/load.js';
import { parseUpdateScan, parseUpdates } from './parse-updates.js';

describe('pending updates', () => {
  it('classifies the host’s real Debian updates by suite: bookworm-security or bookworm', () => {
    const scan = parseUpdateScan(capture('host-updates'));
    expect(scan.updates).toHaveLength(132);
    const count = (c: string, s: string) =>
      scan.updates.filter((u) => u.classification === c && u.source === s).length;
    expect([count('security', 'bookworm-security'), count('bugfix', 'bookworm')]).toEqual([78, 54]);
    const pick = (name: string) => scan.updates.find((u) => u.name === name);
    expect(pick('openssl')).toEqual({
      name: 'openssl',
      from: '3.0.19-1~deb12u2',
      to: '3.0.22-1~deb12u2',
      arch: 'amd64',
      classification: 'security',
      source: 'bookworm-security',
    });
    // In both the point release and the security suite: security.
    expect(pick('libgcrypt20')).toEqual({
      name: 'libgcrypt20',
      from: '1.10.1-3',
      to: '1.10.1-3+deb12u1',
      arch: 'amd64',
      classification: 'security',
      source: 'bookworm-security',
    });
    expect(pick('bash')).toEqual({
      name: 'bash',
      from: '5.2.15-2+b8',
      to: '5.2.15-2+b13',
      arch: 'amd64',
      classification: 'bugfix',
      source: 'bookworm',
    });
    expect(pick('tzdata')?.arch).toBe('all');
    expect(scan.held).toEqual([]);
    expect(scan.keptBack).toEqual([]);
    expect(parseUpdates(capture('host-updates'))).toEqual(scan.updates);
  });

  it('lists the lab’s updates, with the held package’s candidate from apt-cache policy', () => {
    const expected = {
      updates: [
        {
          name: 'fleet-base',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        { name: 'fleet-big', from: '1.0', to: '1.1', arch: 'all', classification: 'bugfix', source: 'fleet' },
        {
          name: 'fleet-broken',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        { name: 'fleet-held', from: '1.0', to: '1.1', classification: 'security', source: 'fleet-security' },
        {
          name: 'fleet-kernel',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
        {
          name: 'fleet-libssl',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'security',
          source: 'fleet-security',
        },
        {
          name: 'fleet-openssl',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'security',
          source: 'fleet-security',
        },
        {
          name: 'fleet-slow',
          from: '1.0',
          to: '1.1',
          arch: 'all',
          classification: 'bugfix',
          source: 'fleet',
        },
      ],
      held: ['fleet-held'],
      keptBack: ['fleet-held'],
    };
    expect(parseUpdateScan(capture('lab-updates'))).toEqual(expected);
    // As a user without root, apt adds a NOTE; nothing else changes.
    expect(capture('lab-updates-nonroot').stdout).toMatch(/NOTE: This is only a simulation!/);
    expect(parseUpdateScan(capture('lab-updates-nonroot'))).toEqual(expected);
  });

  it('turns a failed simulation or a cut-short script into a DriverOutputError', () => {
    const good = capture('lab-updates').stdout;
    const failed = good.replace(
      /@@patchctl:simulate@@\n[\s\S]*?@@patchctl:rc=0@@/,
      '@@patchctl:simulate@@\nE: The package cache file is corrupted\n\n@@patchctl:rc=100@@',
    );
    expect(driverError(() => parseUpdateScan(result(failed))).message).toBe(
      'apt: apt-get -s dist-upgrade failed: The package cache file is corrupted',
    );
    expect(driverError(() => parseUpdateScan(result(good.slice(0, good.length / 2)))).message).toMatch(
      /did not run to its end/,
    );
    expect(driverError(() => parseUpdateScan({ ...result(good), truncated: true })).message).toMatch(
      /truncated/,
    );
    const noHeld = good.replace(/@@patchctl:held@@[\s\S]*?(?=@@patchctl:held-policy)/, '');
    expect(driverError(() => parseUpdateScan(result(noHeld))).message).toMatch(/lacks the section held$/);
  });
});
