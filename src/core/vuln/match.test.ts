import { describe, expect, it } from '@jest/globals';
import { RPM_LAB_PACKAGES } from '../../sim/rpm-packages.js';
import type { HostState, InstalledPackage, PendingUpdate } from '../state/types.js';
import { allOsvFixtures, epssFixture, kevFixture } from './__fixtures__/load.js';
import { indexIntel } from './index.js';
import { debSourceVersionOf, evaluateAffected, exposureOf, updateIntelOf } from './match.js';
import type { AffectedPackage, FindingsFile, OpenVulnerability, OsvEvent } from './types.js';

const kev = kevFixture();
const epss = epssFixture();
const advisories = allOsvFixtures();

type Host = Pick<HostState, 'os' | 'packageManager' | 'installed' | 'updates'>;

const host = (
  id: string,
  version: string,
  installed: InstalledPackage[],
  updates: PendingUpdate[] = [],
): Host => ({
  os: { family: id === 'debian' || id === 'ubuntu' ? 'debian' : 'rhel', id, version },
  packageManager: id === 'debian' || id === 'ubuntu' ? 'apt' : 'dnf',
  installed,
  updates,
});

const upd = (name: string, from: string, to: string, arch?: string): PendingUpdate => ({
  name,
  from,
  to,
  classification: 'security',
  ...(arch === undefined ? {} : { arch }),
});

function exposure(h: Host, findings?: FindingsFile, index = indexIntel({ advisories })): OpenVulnerability[] {
  return exposureOf({ host: h, index, kev, epss, epssThreshold: 0.1, ...(findings ? { findings } : {}) });
}

function intel(h: Host, findings?: FindingsFile) {
  return updateIntelOf({ host: h, index: indexIntel({ advisories }), ...(findings ? { findings } : {}) });
}

const brief = (v: OpenVulnerability) => [
  v.advisory,
  v.package,
  v.installed,
  v.fixedIn,
  v.fixedBy?.to ?? null,
];

// ---------------------------------------------------------------- AlmaLinux 9 (the RPM lab hosts)

const labKernel = RPM_LAB_PACKAGES.find((p) => p.name === 'kernel');
if (labKernel === undefined) throw new Error('the lab has no kernel package');
const KERNEL_OLD = `${labKernel.old[0]}-${labKernel.old[1]}`; // 5.14.0-362.8.1.el9
const KERNEL_NEW = `${labKernel.new[0]}-${labKernel.new[1]}`; // 5.14.0-427.13.1.el9

function almaHost(kernels: string[] = [KERNEL_OLD]): Host {
  return host(
    'almalinux',
    '9.4',
    [
      ...kernels.map((version) => ({ name: 'kernel', version, arch: 'x86_64' })),
      { name: 'glibc', version: '2.34-60.el9', arch: 'x86_64' },
      { name: 'glibc-common', version: '2.34-60.el9', arch: 'x86_64' },
      { name: 'open-vm-tools', version: '12.0.5-2.el9', arch: 'x86_64' },
      { name: 'fleet-testpkg', version: '1.0-1.el9', arch: 'noarch' },
    ],
    [
      upd('kernel', KERNEL_OLD, KERNEL_NEW, 'x86_64'),
      upd('glibc', '2.34-60.el9', '2.34-60.el9_2.7', 'x86_64'),
      upd('open-vm-tools', '12.0.5-2.el9', '12.1.5-1.el9_2.1.alma', 'x86_64'),
      upd('fleet-testpkg', '1.0-1.el9', '1.1-1.el9'),
    ],
  );
}

describe('AlmaLinux 9: the advisories that fix KEV CVEs match the RPM lab hosts', () => {
  it('the lab kernel and glibc are affected; ALSA-2024:2394 (fixed in …el9_4) is not fixed by 427.13.1.el9', () => {
    const open = exposure(almaHost());
    expect(open.map(brief)).toEqual([
      // kev tier, earliest KEV dueDate first: CVE-2023-20867 (2023-07-14), CVE-2023-4911 (2023-12-12),
      // CVE-2024-1086 (2024-06-20).
      ['ALSA-2023:3948', 'open-vm-tools', '12.0.5-2.el9', '12.1.5-1.el9_2.1.alma', '12.1.5-1.el9_2.1.alma'],
      ['ALSA-2023:5453', 'glibc', '2.34-60.el9', '2.34-60.el9_2.7', '2.34-60.el9_2.7'],
      ['ALSA-2023:5453', 'glibc-common', '2.34-60.el9', '2.34-60.el9_2.7', null],
      ['ALSA-2024:2394', 'kernel', KERNEL_OLD, '5.14.0-427.13.1.el9_4', null],
    ]);
    const glibc = open.find((v) => v.package === 'glibc');
    expect(glibc).toMatchObject({
      cves: ['CVE-2023-4527', 'CVE-2023-4806', 'CVE-2023-4813', 'CVE-2023-4911'],
      arch: 'x86_64',
      severity: 'high',
      from: 'feed',
      risk: { tier: 'kev', cve: 'CVE-2023-4911', kevDueDate: '2023-12-12' },
    });
    // The trap: 427.13.1.el9 < 427.13.1.el9_4, so the kernel stays open after the lab's update.
    expect(open.find((v) => v.package === 'kernel')?.risk).toMatchObject({
      tier: 'kev',
      cve: 'CVE-2024-1086',
    });
  });

  it('a Low-rated advisory fixing a KEV CVE is tier kev (ALSA-2023:3948, open-vm-tools)', () => {
    const vm = exposure(almaHost()).find((v) => v.package === 'open-vm-tools');
    expect(vm).toMatchObject({
      advisory: 'ALSA-2023:3948',
      severity: 'low',
      risk: { tier: 'kev', cve: 'CVE-2023-20867' },
    });
  });

  it('after the kernel update both installed kernels are judged, and both stay affected', () => {
    const open = exposure(almaHost([KERNEL_OLD, KERNEL_NEW])).filter((v) => v.package === 'kernel');
    expect(open.map(brief)).toEqual([
      ['ALSA-2024:2394', 'kernel', KERNEL_OLD, '5.14.0-427.13.1.el9_4', null],
      ['ALSA-2024:2394', 'kernel', KERNEL_NEW, '5.14.0-427.13.1.el9_4', null],
    ]);
  });

  it('an older kernel is affected by ALSA-2023:1703 too, and the update fixes that one only', () => {
    const old = '5.14.0-70.13.1.el9_0';
    const h = almaHost([old]);
    h.updates[0] = upd('kernel', old, KERNEL_NEW, 'x86_64');
    expect(
      exposure(h)
        .filter((v) => v.package === 'kernel')
        .map(brief),
    ).toEqual([
      ['ALSA-2024:2394', 'kernel', old, '5.14.0-427.13.1.el9_4', null],
      ['ALSA-2023:1703', 'kernel', old, '5.14.0-162.23.1.el9_1', KERNEL_NEW],
    ]);
    const kernelIntel = intel(h).get(h.updates[0] as PendingUpdate);
    expect(kernelIntel?.advisories).toContain('ALSA-2023:1703');
    expect(kernelIntel?.advisories).toContain('CVE-2023-0386');
    expect(kernelIntel?.advisories).not.toContain('ALSA-2024:2394');
  });

  it('each update gets the advisories it fixes, their CVEs, the highest severity and the first release date', () => {
    const h = almaHost();
    const byUpdate = intel(h);
    const [kernel, glibc, vmtools, fleet] = h.updates as [
      PendingUpdate,
      PendingUpdate,
      PendingUpdate,
      PendingUpdate,
    ];
    expect(byUpdate.get(glibc)).toEqual({
      advisories: ['ALSA-2023:5453', 'CVE-2023-4527', 'CVE-2023-4806', 'CVE-2023-4813', 'CVE-2023-4911'],
      severity: 'high',
      releasedAt: '2023-10-05T00:00:00Z',
    });
    expect(byUpdate.get(vmtools)).toMatchObject({
      advisories: ['ALSA-2023:3948', 'CVE-2023-20867'],
      severity: 'low',
    });
    expect(byUpdate.has(kernel)).toBe(false); // 427.13.1.el9 reaches no fix
    expect(byUpdate.has(fleet)).toBe(false);
  });

  it('leaves out ids the update already carries', () => {
    const h = almaHost();
    const glibc = h.updates[1] as PendingUpdate;
    glibc.advisories = ['ALSA-2023:5453', 'CVE-2023-4911'];
    expect(intel(h).get(glibc)?.advisories).toEqual(['CVE-2023-4527', 'CVE-2023-4806', 'CVE-2023-4813']);
  });

  it('compares epochs: 1:16.20.2-3.el9_2 fixes nodejs 1:16.19.1; an epoch-0 version is older whatever its numbers', () => {
    const at = (v: string) =>
      exposure(host('almalinux', '9.4', [{ name: 'nodejs', version: v }])).map((x) => x.advisory);
    expect(at('1:16.19.1-2.el9_1')).toEqual(['ALSA-2023:5765']);
    expect(at('18.0.0-1.el9')).toEqual(['ALSA-2023:5765']);
    expect(at('1:16.20.2-3.el9_2')).toEqual([]);
    expect(at('2:1.0-1.el9')).toEqual([]);
  });

  it('says nothing for an OS without an OSV ecosystem (CentOS 7 with the same glibc)', () => {
    const h = almaHost();
    h.os = { family: 'rhel', id: 'centos', version: '7' };
    expect(exposure(h)).toEqual([]);
    expect(intel(h).size).toBe(0);
  });

  it('memoises per (ecosystem, name, version): 1000 identical hosts cost one evaluation', () => {
    const index = indexIntel({ advisories });
    const first = exposure(almaHost(), undefined, index);
    const size = index.memo.size;
    for (let i = 0; i < 1000; i++) expect(exposure(almaHost(), undefined, index)).toEqual(first);
    expect(index.memo.size).toBe(size);
  });
});

// ---------------------------------------------------------------- Debian and Ubuntu (apt hosts)

describe('Debian and Ubuntu records match apt hosts by source package', () => {
  it('DSA-3029-1: Debian 7 nginx-full (source nginx) is affected; the update to +wheezy3 fixes it', () => {
    const h = host(
      'debian',
      '7',
      [
        { name: 'nginx-full', version: '1.2.1-2.2+wheezy2', source: 'nginx' },
        { name: 'nginx-common', version: '1.2.1-2.2+wheezy2', source: 'nginx' },
      ],
      [upd('nginx-full', '1.2.1-2.2+wheezy2', '1.2.1-2.2+wheezy3')],
    );
    expect(exposure(h).map(brief)).toEqual([
      ['DSA-3029-1', 'nginx-common', '1.2.1-2.2+wheezy2', '1.2.1-2.2+wheezy3', null],
      ['DSA-3029-1', 'nginx-full', '1.2.1-2.2+wheezy2', '1.2.1-2.2+wheezy3', '1.2.1-2.2+wheezy3'],
    ]);
    expect(intel(h).get(h.updates[0] as PendingUpdate)).toEqual({
      advisories: ['CVE-2014-3616', 'DSA-3029-1'],
      severity: null,
      releasedAt: '2014-09-20T00:00:00Z',
    });
    // The same host on Debian 8: DSA-3029-1 is for Debian:7 only.
    expect(exposure({ ...h, os: { family: 'debian', id: 'debian', version: '8' } })).toEqual([]);
  });

  it('USN and UBUNTU-CVE records match Ubuntu 18.04 pkexec by its source policykit-1', () => {
    const h = host(
      'ubuntu',
      '18.04',
      [{ name: 'pkexec', version: '0.105-20ubuntu0.18.04.5', source: 'policykit-1' }],
      [upd('pkexec', '0.105-20ubuntu0.18.04.5', '0.105-20ubuntu0.18.04.6')],
    );
    const open = exposure(h);
    expect(open.map(brief)).toEqual([
      [
        'UBUNTU-CVE-2021-4034',
        'pkexec',
        '0.105-20ubuntu0.18.04.5',
        '0.105-20ubuntu0.18.04.6',
        '0.105-20ubuntu0.18.04.6',
      ],
      [
        'USN-5252-1',
        'pkexec',
        '0.105-20ubuntu0.18.04.5',
        '0.105-20ubuntu0.18.04.6',
        '0.105-20ubuntu0.18.04.6',
      ],
    ]);
    expect(open[0]?.risk).toMatchObject({ tier: 'kev', cve: 'CVE-2021-4034' });
    expect(open[1]?.risk.tier).toBe('routine'); // USN-5252-1 names no CVE id itself
    expect(intel(h).get(h.updates[0] as PendingUpdate)).toEqual({
      advisories: ['CVE-2021-4034', 'UBUNTU-CVE-2021-4034', 'USN-5252-1'],
      severity: 'high',
      releasedAt: '2022-01-25T17:00:00Z',
    });
  });

  it('Ubuntu 22.04 LTS: policykit-1 0.105-31 is affected, 0.105-31ubuntu1 is not', () => {
    const at = (v: string) =>
      exposure(host('ubuntu', '22.04', [{ name: 'policykit-1', version: v }])).map((x) => [
        x.advisory,
        x.fixedIn,
      ]);
    expect(at('0.105-31')).toEqual([['UBUNTU-CVE-2021-4034', '0.105-31ubuntu1']]);
    expect(at('0.105-31ubuntu1')).toEqual([]);
  });

  it('the unfixed UBUNTU-CVE-2025-38094 is "affected, no fix" (Ubuntu Pro 14.04 linux)', () => {
    const h = host(
      'ubuntu',
      '14.04',
      [{ name: 'linux-image-3.13.0-170-generic', version: '3.13.0-170.220', source: 'linux' }],
      [upd('linux-image-3.13.0-170-generic', '3.13.0-170.220', '3.13.0-171.221')],
    );
    const open = exposure(h);
    expect(open.map(brief)).toEqual([
      ['UBUNTU-CVE-2025-38094', 'linux-image-3.13.0-170-generic', '3.13.0-170.220', null, null],
    ]);
    expect(open[0]).toMatchObject({
      cves: ['CVE-2025-38094'],
      severity: 'medium',
      risk: { tier: 'routine' },
    });
    expect(intel(h).size).toBe(0); // no update can reach a fix that does not exist
  });
});

describe('Debian 12 (hand-written records): ~ versions, epochs, no fixed event', () => {
  const deb12 = (installed: InstalledPackage[], updates: PendingUpdate[] = []) =>
    host('debian', '12', installed, updates);

  it('orders ~ versions: 3.0.15-1~deb12u1 fixes 3.0.11-1~deb12u2 and is below 3.0.15-1', () => {
    const at = (v: string) =>
      exposure(deb12([{ name: 'libssl3', version: v, source: 'openssl' }])).map((x) => x.advisory);
    expect(at('3.0.11-1~deb12u2')).toEqual(['TEST-DEB12-OPENSSL']);
    expect(at('3.0.15-1~deb11u1')).toEqual(['TEST-DEB12-OPENSSL']);
    expect(at('3.0.15-1~')).toEqual(['TEST-DEB12-OPENSSL']);
    expect(at('3.0.15-1~deb12u1')).toEqual([]);
    expect(at('3.0.15-1')).toEqual([]);
    const h = deb12(
      [{ name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl' }],
      [upd('libssl3', '3.0.11-1~deb12u2', '3.0.15-1~deb12u1')],
    );
    expect(exposure(h)[0]?.fixedBy).toEqual({ to: '3.0.15-1~deb12u1' });
    expect(intel(h).get(h.updates[0] as PendingUpdate)).toMatchObject({
      advisories: ['CVE-2024-5535', 'TEST-DEB12-OPENSSL'],
      severity: 'medium',
    });
  });

  it('orders epochs: 9.9p1-1 (epoch 0) is older than 1:9.2p1-2+deb12u3', () => {
    const at = (v: string) =>
      exposure(deb12([{ name: 'openssh-server', version: v, source: 'openssh' }])).map((x) => x.advisory);
    expect(at('1:9.2p1-2+deb12u2')).toEqual(['TEST-DEB12-OPENSSH']);
    expect(at('9.9p1-1')).toEqual(['TEST-DEB12-OPENSSH']);
    expect(at('1:9.2p1-2+deb12u3')).toEqual([]);
  });

  it('keys by the source version; a binNMU update reaches the fix through its source version', () => {
    const h = deb12(
      [
        {
          name: 'libssl3',
          version: '3.0.11-1~deb12u2+b1',
          source: 'openssl',
          sourceVersion: '3.0.11-1~deb12u2',
        },
      ],
      [upd('libssl3', '3.0.11-1~deb12u2+b1', '3.0.15-1~deb12u1+b1')],
    );
    expect(exposure(h).map(brief)).toEqual([
      ['TEST-DEB12-OPENSSL', 'libssl3', '3.0.11-1~deb12u2+b1', '3.0.15-1~deb12u1', '3.0.15-1~deb12u1+b1'],
    ]);
    expect(debSourceVersionOf('3.0.15-1~deb12u1+b1')).toBe('3.0.15-1~deb12u1');
    expect(debSourceVersionOf('1.2+b1-1')).toBe('1.2+b1-1');
  });

  it('a record with no fixed event is "affected, no fix"; a signed kernel image is judged as linux', () => {
    const h = deb12(
      [
        {
          name: 'linux-image-6.1.0-18-amd64',
          version: '6.1.76-1',
          source: 'linux-signed-amd64',
          sourceVersion: '6.1.76+1',
        },
      ],
      [upd('linux-image-6.1.0-18-amd64', '6.1.76-1', '6.1.90-1')],
    );
    expect(exposure(h).map(brief)).toEqual([
      ['TEST-DEB12-LINUX-OPEN', 'linux-image-6.1.0-18-amd64', '6.1.76-1', null, null],
    ]);
    expect(exposure(h)[0]?.severity).toBeNull(); // urgency "not yet assigned"
    expect(intel(h).size).toBe(0);
  });

  it('a version that does not parse is not affected, never a crash', () => {
    expect(exposure(deb12([{ name: 'openssl', version: 'not a version!' }]))).toEqual([]);
    expect(exposure(host('almalinux', '9.4', [{ name: 'glibc', version: '' }]))).toEqual([]);
  });
});

// ---------------------------------------------------------------- scanner findings

describe('findings', () => {
  const findings = (list: FindingsFile['findings']): FindingsFile => ({
    formatVersion: 1,
    kind: 'patchctl-findings',
    host: 'web-1',
    scanner: { format: 'trivy', name: 'Trivy', version: '0.50.0' },
    importedFrom: { file: 'trivy.json', sha256: '0'.repeat(64) },
    scannedAt: '2026-01-01T00:00:00Z',
    findings: list,
  });
  const h = host(
    'debian',
    '12',
    [
      { name: 'libfoo1', version: '1.0-1', source: 'foo' },
      { name: 'libbar1', version: '2.0-1' },
      { name: 'libbaz1', version: '3.0-2' },
    ],
    [upd('libfoo1', '1.0-1', '1.0-1+deb12u1'), upd('libbaz1', '3.0-2', '3.0-3')],
  );
  const file = findings([
    {
      id: 'CVE-2021-4034',
      aliases: ['DSA-9999-1'],
      package: 'libfoo1',
      sourcePackage: 'foo',
      installedVersion: '1.0-1',
      fixedVersion: '1.0-1+deb12u1',
      severity: 'medium',
    },
    {
      id: 'GHSA-aaaa',
      aliases: ['cve-2021-33909'],
      package: 'libbar1',
      installedVersion: '2.0-1',
      fixedVersion: null,
      severity: null,
    },
    // Stale: libbaz1 was upgraded since the scan.
    {
      id: 'CVE-2020-0001',
      aliases: [],
      package: 'libbaz1',
      installedVersion: '3.0-1',
      fixedVersion: '3.0-3',
      severity: 'high',
    },
  ]);

  it('match by package and installed version; fixedVersion null is "no fix"; stale ones are dropped', () => {
    const open = exposure(h, file);
    expect(open.map(brief)).toEqual([
      ['CVE-2021-4034', 'libfoo1', '1.0-1', '1.0-1+deb12u1', '1.0-1+deb12u1'],
      ['GHSA-aaaa', 'libbar1', '2.0-1', null, null],
    ]);
    expect(open[0]).toMatchObject({ from: 'findings', cves: ['CVE-2021-4034'], risk: { tier: 'kev' } });
    expect(open[1]).toMatchObject({ cves: ['CVE-2021-33909'], risk: { tier: 'routine', epss: 0.09729 } });
  });

  it('an update reaching fixedVersion gets the finding id and aliases', () => {
    const byUpdate = intel(h, file);
    expect(byUpdate.get(h.updates[0] as PendingUpdate)).toEqual({
      advisories: ['CVE-2021-4034', 'DSA-9999-1'],
      severity: 'medium',
      releasedAt: null,
    });
    expect(byUpdate.has(h.updates[1] as PendingUpdate)).toBe(false);
  });

  it('matches by source package when the scanner names the source', () => {
    const bySource = findings([
      {
        id: 'CVE-2024-0001',
        aliases: [],
        package: 'foo',
        sourcePackage: 'foo',
        installedVersion: '1.0-1',
        fixedVersion: '1.0-1+deb12u1',
        severity: 'low',
      },
    ]);
    expect(exposure(h, bySource).map(brief)).toEqual([
      ['CVE-2024-0001', 'libfoo1', '1.0-1', '1.0-1+deb12u1', '1.0-1+deb12u1'],
    ]);
  });

  it('work on an OS without an OSV ecosystem too', () => {
    const centos = {
      ...h,
      os: { family: 'rhel', id: 'centos', version: '7' },
      packageManager: 'yum' as const,
    };
    expect(exposure(centos, file).map((v) => v.advisory)).toEqual(['CVE-2021-4034', 'GHSA-aaaa']);
  });
});

// ---------------------------------------------------------------- range evaluation

describe('evaluateAffected', () => {
  const entry = (
    events: OsvEvent[],
    versions: string[] = [],
    type: 'ECOSYSTEM' | 'SEMVER' = 'ECOSYSTEM',
  ): AffectedPackage => ({
    ecosystem: 'Debian:12',
    name: 'x',
    ranges: [{ type, events }],
    versions,
  });

  it('introduced ≤ V < fixed', () => {
    const e = entry([{ introduced: '1.0-1' }, { fixed: '1.0-3' }]);
    expect(evaluateAffected(e, '0.9-1', 'deb')).toEqual({ affected: false, fixedIn: null });
    expect(evaluateAffected(e, '1.0-1', 'deb')).toEqual({ affected: true, fixedIn: '1.0-3' });
    expect(evaluateAffected(e, '1.0-3', 'deb').affected).toBe(false);
  });

  it('several intervals, events in any order', () => {
    const e = entry([{ fixed: '2.5' }, { introduced: '2.0' }, { fixed: '1.0' }, { introduced: '0' }]);
    expect(evaluateAffected(e, '0.5', 'deb')).toEqual({ affected: true, fixedIn: '1.0' });
    expect(evaluateAffected(e, '1.5', 'deb').affected).toBe(false);
    expect(evaluateAffected(e, '2.1', 'deb')).toEqual({ affected: true, fixedIn: '2.5' });
  });

  it('last_affected: V ≤ it is affected, with no fix known', () => {
    const e = entry([{ introduced: '0' }, { last_affected: '1.0' }]);
    expect(evaluateAffected(e, '1.0', 'rpm')).toEqual({ affected: true, fixedIn: null });
    expect(evaluateAffected(e, '1.0.1', 'rpm').affected).toBe(false);
  });

  it('versions[] counts; SEMVER ranges are not evaluated', () => {
    expect(evaluateAffected(entry([], ['1.2-1']), '1.2-1', 'deb')).toEqual({ affected: true, fixedIn: null });
    expect(evaluateAffected(entry([{ introduced: '0' }], [], 'SEMVER'), '1.0', 'deb').affected).toBe(false);
  });

  it('a range with a version that does not parse is skipped', () => {
    const e: AffectedPackage = {
      ecosystem: 'Debian:12',
      name: 'x',
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: 'not valid!' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] },
      ],
      versions: [],
    };
    expect(evaluateAffected(e, '1.0', 'deb')).toEqual({ affected: true, fixedIn: '2.0' });
  });
});
