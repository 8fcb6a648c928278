import { describe, expect, it } from '@jest/globals';
import { osvFixture } from '../__fixtures__/load.js';
import { advisoryFromOsv, severityFromWord } from './osv.js';

const osv = (over: Record<string, unknown>): Record<string, unknown> => ({
  id: 'TEST-1',
  modified: '2024-01-01T00:00:00Z',
  affected: [],
  ...over,
});

describe('advisoryFromOsv on the stored real records', () => {
  it('ALSA: CVEs from related, rating from the summary prefix, binary RPM names, epochs kept', () => {
    const a = osvFixture('osv/almalinux9/ALSA-2023_5453.json');
    expect(a.id).toBe('ALSA-2023:5453');
    expect(a.cves).toEqual(['CVE-2023-4527', 'CVE-2023-4806', 'CVE-2023-4813', 'CVE-2023-4911']);
    expect(a.severity).toBe('high'); // "Important: glibc security update"
    expect(a.published).toBe('2023-10-05T00:00:00Z');
    expect(a.affected.find((e) => e.name === 'glibc')).toEqual({
      ecosystem: 'AlmaLinux:9',
      name: 'glibc',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.34-60.el9_2.7' }] }],
      versions: [],
    });
    expect(osvFixture('osv/almalinux9/ALSA-2023_3948.json').severity).toBe('low'); // "Low: open-vm-tools …"
    const node = osvFixture('osv/almalinux9/ALSA-2023_5765.json');
    expect(node.affected[0]?.ranges[0]?.events).toContainEqual({ fixed: '1:16.20.2-3.el9_2' });
  });

  it('Ubuntu: only CVE ids count (not USN-… or UBUNTU-CVE-…); ubuntu_priority, the Ubuntu severity', () => {
    const cve = osvFixture('osv/ubuntu/UBUNTU-CVE-2021-4034.json');
    expect(cve.cves).toEqual(['CVE-2021-4034']); // related also lists USN-5252-1, USN-5252-2
    expect(cve.severity).toBe('high'); // ubuntu_priority "high" (before the CVSS vector, also high)
    expect(cve.affected.map((e) => e.ecosystem)).toContain('Ubuntu:22.04:LTS');
    expect(cve.affected[0]?.binaries).toContain('policykit-1');
    expect(cve.affected[0]?.versions).toContain('0.105-4ubuntu3.14.04.6');

    const usn = osvFixture('osv/ubuntu/USN-5252-1.json');
    expect(usn.cves).toEqual([]); // upstream is UBUNTU-CVE-2021-4034, not a CVE id
    expect(usn.severity).toBeNull();

    const open = osvFixture('osv/ubuntu/UBUNTU-CVE-2025-38094.json');
    expect(open.cves).toEqual(['CVE-2025-38094']); // from upstream
    expect(open.severity).toBe('medium'); // severity [{type: Ubuntu, score: medium}]
    expect(open.affected[0]?.ranges[0]?.events).toEqual([{ introduced: '0' }]);
  });

  it('Debian DSA: CVEs from aliases, no rating', () => {
    const dsa = osvFixture('osv/debian/DSA-3029-1.json');
    expect(dsa).toMatchObject({ id: 'DSA-3029-1', cves: ['CVE-2014-3616'], severity: null });
    expect(dsa.affected[0]).toMatchObject({ ecosystem: 'Debian:7', name: 'nginx' });
  });

  it('RHSA (as in the OSV linter test data): a CVSS_V3 vector is scored (8.1 → high); no affected', () => {
    const rhsa = advisoryFromOsv(
      'RHSA-2022_0216.json',
      osv({
        id: 'RHSA-2022:0216',
        summary:
          'Red Hat Security Advisory: Red Hat JBoss Enterprise Application Platform 7.4 security update',
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
        affected: undefined,
      }),
    );
    expect(rhsa).toMatchObject({ severity: 'high', affected: [] });
  });
});

describe('advisoryFromOsv shapes', () => {
  it('is undefined for what is not an OSV record', () => {
    expect(advisoryFromOsv('f', null)).toBeUndefined();
    expect(advisoryFromOsv('f', [])).toBeUndefined();
    expect(advisoryFromOsv('f', { vulnerabilities: [] })).toBeUndefined();
    expect(advisoryFromOsv('f', { id: 'X' })).toBeUndefined(); // no modified
    expect(advisoryFromOsv('f', osv({ affected: {} }))).toBeUndefined();
  });

  it('a withdrawn record matches nothing', () => {
    const live = osvFixture('osv/debian/DSA-3029-1.json');
    const a = advisoryFromOsv(
      'f',
      osv({
        withdrawn: '2024-02-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'Debian:7', name: 'nginx' }, ranges: [] }],
      }),
    );
    expect(a?.affected).toEqual([]);
    expect(live.affected).toHaveLength(1);
  });

  it('upper-cases, dedupes and sorts CVEs from aliases, upstream and related', () => {
    const a = advisoryFromOsv(
      'f',
      osv({
        aliases: ['cve-2024-20002', 'GHSA-xxxx'],
        upstream: ['CVE-2024-20002'],
        related: ['CVE-2023-0001', 'USN-1-1'],
      }),
    );
    expect(a?.cves).toEqual(['CVE-2023-0001', 'CVE-2024-20002']);
  });

  it('keeps SEMVER/GIT ranges, drops entries without a package and unknown range types', () => {
    const a = advisoryFromOsv(
      'f',
      osv({
        affected: [
          { ranges: [] },
          {
            package: { ecosystem: 'Debian:12', name: 'x' },
            ranges: [
              { type: 'GIT', repo: 'r', events: [{ introduced: 'abc' }, { limit: 'def' }] },
              { type: 'OTHER', events: [] },
            ],
          },
        ],
      }),
    );
    expect(a?.affected).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'x',
        ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }, { limit: 'def' }] }],
        versions: [],
      },
    ]);
  });

  it('reads SUSE binaries ([{name: version}]) as well as Ubuntu ones', () => {
    const a = advisoryFromOsv(
      'f',
      osv({
        affected: [
          {
            package: { ecosystem: 'SUSE:Linux Enterprise Server 15 SP5', name: 'openssl-3' },
            ranges: [],
            ecosystem_specific: {
              binaries: [{ libopenssl3: '3.0.8-150500.5.8.1', 'openssl-3': '3.0.8-150500.5.8.1' }],
            },
          },
        ],
      }),
    );
    expect(a?.affected[0]?.binaries).toEqual(['libopenssl3', 'openssl-3']);
  });

  const entry = (ecosystemSpecific: Record<string, unknown>): Record<string, unknown> => ({
    package: { ecosystem: 'Debian:12', name: 'x' },
    ranges: [],
    ecosystem_specific: ecosystemSpecific,
  });

  it('rates in order: database_specific, urgency/ubuntu_priority, severity[], summary prefix', () => {
    const sev = (over: Record<string, unknown>) => advisoryFromOsv('f', osv(over))?.severity;
    expect(
      sev({
        database_specific: { severity: 'MODERATE' },
        affected: [entry({ urgency: 'high' })],
        severity: [{ type: 'Ubuntu', score: 'critical' }],
      }),
    ).toBe('medium');
    expect(
      sev({ affected: [entry({ urgency: 'high' })], severity: [{ type: 'Ubuntu', score: 'low' }] }),
    ).toBe('high');
    // Debian urgencies: unimportant is low; "not yet assigned" and end-of-life give no rating,
    // so the next source decides.
    expect(sev({ affected: [entry({ urgency: 'unimportant' })] })).toBe('low');
    expect(sev({ affected: [entry({ urgency: 'low**' })] })).toBe('low');
    expect(sev({ affected: [entry({ urgency: 'not yet assigned' })] })).toBeNull();
    expect(
      sev({ affected: [entry({ urgency: 'end-of-life' })], severity: [{ type: 'Ubuntu', score: 'medium' }] }),
    ).toBe('medium');
    expect(sev({ affected: [entry({ ubuntu_priority: 'negligible' })] })).toBe('low');
    // CVSS v4 vectors are not scored.
    expect(
      sev({
        severity: [
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        ],
      }),
    ).toBeNull();
    // The summary prefix counts for Red Hat-style ids only.
    expect(sev({ id: 'RLSA-2024:1', summary: 'Critical: x' })).toBe('critical');
    expect(sev({ id: 'SUSE-SU-2024:1-1', summary: 'Moderate: x' })).toBe('medium');
    expect(sev({ id: 'ALSA-2024:1', summary: 'None: x' })).toBeNull();
    expect(sev({ id: 'DSA-1-1', summary: 'Critical: x' })).toBeNull();
  });

  it('maps vendor words', () => {
    expect(severityFromWord('Important')).toBe('high');
    expect(severityFromWord('moderate')).toBe('medium');
    expect(severityFromWord('untriaged')).toBeNull();
    expect(severityFromWord('bogus')).toBeNull();
  });
});
