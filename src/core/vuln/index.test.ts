import { describe, expect, it } from '@jest/globals';
import { allOsvFixtures, osvFixture } from './__fixtures__/load.js';
import { entriesFor, indexIntel } from './index.js';

describe('indexIntel', () => {
  it('indexes by ecosystem key and package name, once per advisory', () => {
    const glibc = osvFixture('osv/almalinux9/ALSA-2023_5453.json');
    const index = indexIntel({ advisories: [glibc, glibc, ...allOsvFixtures()] });
    const hits = entriesFor(index, ['AlmaLinux:9'], 'glibc');
    expect(hits.map((h) => h.advisory.id)).toEqual(['ALSA-2023:5453']);
    expect(entriesFor(index, ['AlmaLinux:8'], 'glibc')).toEqual([]);
    expect(entriesFor(index, ['Debian:7'], 'nginx').map((h) => h.advisory.id)).toEqual(['DSA-3029-1']);
    // Ubuntu:22.04:LTS is keyed Ubuntu:22.04; Pro records apart.
    expect(entriesFor(index, ['Ubuntu:22.04'], 'policykit-1').map((h) => h.advisory.id)).toEqual([
      'UBUNTU-CVE-2021-4034',
    ]);
    expect(entriesFor(index, ['Ubuntu:Pro:14.04'], 'linux').map((h) => h.advisory.id)).toEqual([
      'UBUNTU-CVE-2025-38094',
    ]);
  });

  it('leaves out ecosystems no host has and entries with nothing to evaluate', () => {
    const index = indexIntel({
      advisories: [
        {
          file: 'f',
          id: 'GHSA-1',
          cves: [],
          severity: null,
          published: null,
          modified: null,
          summary: null,
          affected: [
            {
              ecosystem: 'PyPI',
              name: 'x',
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
              versions: [],
            },
            {
              ecosystem: 'Debian:12',
              name: 'y',
              ranges: [{ type: 'GIT', events: [{ introduced: 'a' }] }],
              versions: [],
            },
          ],
        },
      ],
    });
    expect(index.byEcosystem.size).toBe(0);
  });
});
