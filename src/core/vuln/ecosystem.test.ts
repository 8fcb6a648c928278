import { describe, expect, it } from '@jest/globals';
import { ecosystemKeyOf, hostEcosystemOf, orderingOf } from './ecosystem.js';

const os = (id: string, version: string, family = 'x') => ({ family, id, version });

describe('hostEcosystemOf', () => {
  it.each([
    ['debian', '12', ['Debian:12'], 'deb', 'source'],
    ['debian', 'sid', ['Debian:sid'], 'deb', 'source'],
    ['ubuntu', '22.04', ['Ubuntu:22.04:LTS', 'Ubuntu:Pro:22.04:LTS'], 'deb', 'source'],
    ['ubuntu', '23.10', ['Ubuntu:23.10'], 'deb', 'source'],
    ['almalinux', '9.4', ['AlmaLinux:9'], 'rpm', 'binary'],
    ['rocky', '9.3', ['Rocky Linux:9'], 'rpm', 'binary'],
    ['rhel', '9.4', ['Red Hat:enterprise_linux:9'], 'rpm', 'binary'],
    ['sles', '15.5', ['SUSE:Linux Enterprise Server 15 SP5'], 'rpm', 'source-rpm'],
    ['sles', '15', ['SUSE:Linux Enterprise Server 15'], 'rpm', 'source-rpm'],
    ['opensuse-leap', '15.5', ['openSUSE:Leap 15.5'], 'rpm', 'source-rpm'],
    ['alpine', '3.19.1', ['Alpine:v3.19'], 'apk', 'source'],
  ])('%s %s → %j', (id, version, osv, ordering, naming) => {
    expect(hostEcosystemOf(os(id, version))).toMatchObject({ osv, ordering, naming });
  });

  it('says nothing for an OS without an OSV ecosystem, or a version naming no release', () => {
    for (const [id, v] of [
      ['centos', '7'],
      ['fedora', '40'],
      ['amzn', '2023'],
      ['windows', '10.0.20348'],
      ['debian', 'trixie'],
      ['alpine', 'edge'],
      ['ubuntu', 'unknown'],
    ] as const)
      expect(hostEcosystemOf(os(id, v))).toBeUndefined();
    expect(hostEcosystemOf(undefined)).toBeUndefined();
  });

  it('gives keys that the spellings of a record ecosystem meet', () => {
    const keyed = (id: string, v: string, ecosystem: string) =>
      hostEcosystemOf(os(id, v))?.keys.includes(ecosystemKeyOf(ecosystem) ?? '\u0000');
    expect(keyed('debian', '12', 'Debian:12')).toBe(true);
    expect(keyed('debian', '12', 'Debian:11')).toBe(false);
    expect(keyed('ubuntu', '22.04', 'Ubuntu:22.04:LTS')).toBe(true);
    expect(keyed('ubuntu', '22.04', 'Ubuntu:22.04')).toBe(true);
    expect(keyed('ubuntu', '14.04', 'Ubuntu:Pro:14.04:LTS')).toBe(true);
    expect(keyed('ubuntu', '22.04', 'Ubuntu:Pro:FIPS:22.04:LTS')).toBe(false);
    expect(keyed('almalinux', '9.4', 'AlmaLinux:9')).toBe(true);
    expect(keyed('almalinux', '8.9', 'AlmaLinux:9')).toBe(false);
    expect(keyed('rocky', '9.3', 'Rocky Linux:9')).toBe(true);
    expect(keyed('rhel', '9.4', 'Red Hat:enterprise_linux:9::appstream')).toBe(true);
    expect(keyed('rhel', '9.4', 'Red Hat:enterprise_linux:9::baseos')).toBe(true);
    expect(keyed('rhel', '9.4', 'Red Hat:rhel_eus:9.2::baseos')).toBe(false);
    expect(keyed('sles', '15.5', 'SUSE:Linux Enterprise Server 15 SP5')).toBe(true);
    expect(keyed('sles', '15.5', 'SUSE:Linux Enterprise Module for Basesystem 15 SP5')).toBe(true);
    expect(keyed('sles', '15.5', 'SUSE:Linux Enterprise Server 15 SP4')).toBe(false);
    expect(keyed('opensuse-leap', '15.5', 'openSUSE:Leap 15.5')).toBe(true);
    expect(keyed('alpine', '3.19.1', 'Alpine:v3.19')).toBe(true);
    expect(ecosystemKeyOf('PyPI')).toBeUndefined();
  });
});

describe('orderingOf', () => {
  it('takes the ecosystem, else the package manager', () => {
    expect(orderingOf({ os: os('debian', '12') })).toBe('deb');
    expect(orderingOf({ os: os('centos', '7'), packageManager: 'yum' })).toBe('rpm');
    expect(orderingOf({ os: os('fedora', '40'), packageManager: 'dnf' })).toBe('rpm');
    expect(orderingOf({ os: os('postmarketos', 'x'), packageManager: 'apk' })).toBe('apk');
    expect(orderingOf({ os: os('windows', '10'), packageManager: 'winupdate' })).toBeUndefined();
  });
});
