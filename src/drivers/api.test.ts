import { existsSync, readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { driverForOsHint, driverFor, driverServing, drivers, whatIsDriven } from './api.js';

describe('driver registry', () => {
  it('has apt, dnf and zypper', () => {
    expect([...drivers.keys()]).toEqual(['apt', 'dnf', 'zypper']);
    expect(driverFor('apt')?.id).toBe('apt');
    expect(driverFor('dnf')?.id).toBe('dnf');
    expect(driverFor('zypper')?.id).toBe('zypper');
    expect(driverFor('apk')).toBeUndefined();
    expect(driverFor('yum')).toBeUndefined();
  });

  it.each([...drivers])('%s: its id matches its key, and it has fixtures and a readme', (key, driver) => {
    expect(driver.id).toBe(key);
    const folder = new URL(`./${key}/`, import.meta.url);
    const fixtures = new URL('__fixtures__/', folder);
    expect(existsSync(fixtures) && statSync(fixtures).isDirectory()).toBe(true);
    expect(
      readdirSync(fixtures).filter((n) => !['SOURCES.md', 'README.md'].includes(n)).length,
    ).toBeGreaterThan(0);
    expect(['SOURCES.md', 'README.md'].some((f) => existsSync(new URL(f, fixtures)))).toBe(true);
    expect(existsSync(new URL('readme.md', folder))).toBe(true);
    expect(readdirSync(folder).some((n) => /^parse(-[a-z-]+)?\.test\.ts$/.test(n))).toBe(true);
  });

  it.each([...drivers])('%s: builds every command without data', (_key, driver) => {
    for (const cmd of [
      driver.facts(),
      driver.listInstalled(),
      driver.listUpdates(),
      driver.preflight(),
      driver.refresh(),
    ]) {
      expect(cmd.argv.length).toBeGreaterThan(0);
      expect(cmd.argv.every((a) => typeof a === 'string')).toBe(true);
    }
  });

  it('picks the driver that serves a host from its os-release ID, then ID_LIKE in order', () => {
    expect(driverServing({ id: 'debian', idLike: [] })?.id).toBe('apt');
    expect(driverServing({ id: 'linuxmint', idLike: ['ubuntu', 'debian'] })?.id).toBe('apt');
    expect(driverServing({ id: 'Ubuntu', idLike: [] })?.id).toBe('apt');
    expect(driverServing({ id: 'rocky', idLike: ['rhel', 'centos', 'fedora'] })?.id).toBe('dnf');
    expect(driverServing({ id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'] })?.id).toBe('dnf');
    expect(driverServing({ id: 'sles', idLike: ['suse'] })?.id).toBe('zypper');
    expect(driverServing({ id: 'opensuse-leap', idLike: ['suse', 'opensuse'] })?.id).toBe('zypper');
    expect(driverServing({ id: 'alpine', idLike: [] })).toBeUndefined();
    expect(driverForOsHint('ubuntu')?.id).toBe('apt');
    expect(driverForOsHint('rocky')?.id).toBe('dnf');
    expect(driverForOsHint('sles')?.id).toBe('zypper');
    expect(driverForOsHint('alpine')).toBeUndefined();
    expect(driverForOsHint('windows')).toBeUndefined();
  });

  it('never lets two drivers claim the same os-release ID or os hint', () => {
    for (const field of ['osIds', 'osHints'] as const) {
      const all = [...drivers.values()].flatMap((d) => [...d.serves[field]]);
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('describes what it drives, with the transports, as data for core', () => {
    expect(whatIsDriven()).toEqual({
      transports: ['ssh', 'local'],
      drivers: [
        { id: 'apt', osHints: ['debian', 'ubuntu'] },
        { id: 'dnf', osHints: ['rhel', 'almalinux', 'rocky', 'centos', 'fedora', 'amazon', 'oracle'] },
        { id: 'zypper', osHints: ['sles', 'opensuse'] },
      ],
    });
  });
});
