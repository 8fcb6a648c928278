// Scanner findings become plan items (issue 15, docs/vulnerabilities.md "Scanner findings"): a
// Trivy, a Grype and an OSV-Scanner report (hand-written from their published formats, see
// src/core/vuln/findings/__fixtures__/README.md) imported with `patchctl import findings`, then
// `patchctl plan`: each pending update that reaches a finding's fix carries its ids, CVEs and
// severity, and takes its risk tier from CISA KEV (the real catalogue, in its CSV form).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '../src/cli/main.js';
import { captureIo } from '../src/test-support/capture-io.js';

const findings = new URL('../src/core/vuln/findings/__fixtures__/', import.meta.url);
const kevCsv = new URL(
  '../src/core/vuln/feeds/__fixtures__/known_exploited_vulnerabilities.csv',
  import.meta.url,
);
const AT = '2026-12-01T00:00:00Z';

interface Upgrade {
  type: string;
  package?: string;
  to?: string;
  severity?: string | null;
  advisories?: string[];
  tier?: string;
  emergency?: boolean;
}
interface PlanJson {
  rings: { hosts: { host: string; tier?: string; actions: Upgrade[] }[] }[];
}

const doc = (kind: string, name: string, spec: string) =>
  `apiVersion: patchctl/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

/** An apt or dnf host whose package manager gave no severity, advisory or date of its own. */
function hostState(
  host: string,
  os: { family: string; id: string; version: string },
  packageManager: string,
  packages: [name: string, from: string, to: string | null, source?: string][],
) {
  return {
    formatVersion: 1,
    host,
    scannedAt: '2026-11-30T12:00:00Z',
    reachable: true,
    os,
    packageManager,
    installed: packages.map(([name, version, , source]) => ({
      name,
      version,
      ...(source ? { source } : {}),
    })),
    updates: packages
      .filter(([, , to]) => to !== null)
      .map(([name, from, to]) => ({ name, from, to, classification: 'security' })),
    held: [],
  };
}

let dir: string;
let plan: PlanJson;

async function run(args: string[]) {
  const io = captureIo();
  const code = await main([...args, '-C', dir], io);
  return { code, ...io.text() };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-findings-plan-'));
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  write('patchctl.yaml', doc('Config', 'config', '  timezone: UTC'));
  write(
    'inventory/hosts.yaml',
    doc(
      'Inventory',
      'hosts',
      '  defaults: { labels: { fleet: all } }\n  hosts:\n    - { name: deb-1, address: 192.0.2.1 }\n    - { name: el-1, address: 192.0.2.2 }\n    - { name: ub-1, address: 192.0.2.3 }',
    ),
  );
  write(
    'policies/security.yaml',
    doc(
      'PatchPolicy',
      'security',
      '  appliesTo: { selector: { matchLabels: { fleet: all } } }\n  classification: [security]\n  minSeverity: high\n  windows: []\n  emergency: { enabled: true, skipApproval: true }',
    ),
  );
  mkdirSync(path.join(dir, 'advisories'), { recursive: true });
  copyFileSync(kevCsv, path.join(dir, 'advisories', 'known_exploited_vulnerabilities.csv'));
  const debian = { family: 'debian', id: 'debian', version: '12' };
  write(
    'state/hosts/deb-1.json',
    JSON.stringify(
      hostState('deb-1', debian, 'apt', [
        ['apt', '2.6.1', null],
        ['bash', '5.2.15-2+b2', '5.2.15-2+b7'],
        ['libc6', '2.36-9+deb12u1', '2.36-9+deb12u3', 'glibc'],
        ['openssh-server', '1:9.2p1-2+deb12u2', '1:9.2p1-2+deb12u3', 'openssh'],
      ]),
    ),
  );
  write(
    'state/hosts/el-1.json',
    JSON.stringify(
      hostState('el-1', { family: 'rhel', id: 'almalinux', version: '9.4' }, 'dnf', [
        ['glibc', '2.34-60.el9', '2.34-60.el9_2.7'],
        ['httpd', '2.4.57-5.el9', '2.4.57-8.el9'],
        ['open-vm-tools', '12.1.5-1.el9', '12.1.5-1.el9_2.1.alma'],
        ['nss', '3.90.0-3.el9_2', null],
      ]),
    ),
  );
  write(
    'state/hosts/ub-1.json',
    JSON.stringify(
      hostState('ub-1', { family: 'debian', id: 'ubuntu', version: '20.04' }, 'apt', [
        ['policykit-1', '0.105-26ubuntu1.1', '0.105-26ubuntu1.2'],
        ['linux-image-5.4.0-216-generic', '5.4.0-216.236', null, 'linux'],
      ]),
    ),
  );
  for (const [fixture, host] of [
    ['trivy-debian12.json', 'deb-1'],
    ['grype-almalinux9.json', 'el-1'],
    ['osv-scanner-ubuntu2004.json', 'ub-1'],
  ] as const) {
    copyFileSync(new URL(fixture, findings), path.join(dir, fixture));
    const r = await run(['import', 'findings', path.join(dir, fixture), '--host', host]);
    expect([fixture, r.code, r.stderr]).toEqual([fixture, 0, '']);
  }
  const r = await run(['plan', '--format', 'json', '--at', AT]);
  expect(r.stderr).toBe('');
  plan = JSON.parse(r.stdout) as PlanJson;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hostOf = (name: string) => plan.rings.flatMap((r) => r.hosts).find((h) => h.host === name);
const upgrade = (host: string, pkg: string) => hostOf(host)?.actions.find((a) => a.package === pkg);

describe('scanner findings in the plan', () => {
  it('Trivy on Debian 12: the DSA and CVE on each update that reaches the fix, nothing on the others', () => {
    expect(upgrade('deb-1', 'libc6')).toMatchObject({
      to: '2.36-9+deb12u3',
      severity: 'high',
      advisories: ['CVE-2023-4911', 'DSA-5514-1'],
    });
    expect(upgrade('deb-1', 'openssh-server')).toMatchObject({
      severity: 'high',
      advisories: ['CVE-2024-6387', 'DSA-5724-1'],
    });
    // A finding without a fix makes no plan item; an update no finding names stays unrated,
    // and is planned all the same (unknownSeverity: include, the default).
    expect(upgrade('deb-1', 'apt')).toBeUndefined();
    expect(upgrade('deb-1', 'bash')).toMatchObject({ severity: null, advisories: [], tier: 'routine' });
  });

  it('Grype on AlmaLinux 9: ALSA ids, the KEV tier even for a Low advisory, the emergency track', () => {
    expect(upgrade('el-1', 'glibc')).toMatchObject({
      advisories: ['ALSA-2023:5453', 'CVE-2023-4911'],
      severity: 'high',
      tier: 'kev',
      emergency: true,
    });
    expect(upgrade('el-1', 'httpd')).toMatchObject({ advisories: ['ALSA-2024:4726', 'CVE-2024-38475'] });
    // Rated Low, below minSeverity high: still planned, on the emergency track, because its CVE is in KEV.
    expect(upgrade('el-1', 'open-vm-tools')).toMatchObject({
      severity: 'low',
      advisories: ['ALSA-2023:3948', 'CVE-2023-20867'],
      tier: 'kev',
    });
    expect(hostOf('el-1')?.tier).toBe('kev');
  });

  it('OSV-Scanner on Ubuntu 20.04: the Ubuntu record and its CVE and USN ids on the policykit update', () => {
    expect(upgrade('ub-1', 'policykit-1')).toMatchObject({
      severity: 'high',
      advisories: ['CVE-2021-4034', 'UBUNTU-CVE-2021-4034', 'USN-5252-1', 'USN-5252-2'],
      tier: 'kev',
    });
  });
});

describe('scanner findings in the report', () => {
  it('lists findings without a fix per host, findings of unknown hosts, and reports the KEV fix the plan makes', async () => {
    // A findings file for a name that is no inventory host: read, matched to nothing, said.
    const stray = JSON.parse(
      readFileSync(path.join(dir, 'advisories', 'findings', 'deb-1.json'), 'utf8'),
    ) as {
      host: string;
    };
    writeFileSync(
      path.join(dir, 'advisories', 'findings', 'old-db-9.json'),
      `${JSON.stringify({ ...stray, host: 'old-db-9' }, null, 2)}\n`,
    );
    try {
      const r = await run(['report', '--format', 'json', '--at', AT]);
      expect([r.code, r.stderr]).toEqual([0, '']);
      const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'compliance.json'), 'utf8')) as {
        findings: {
          noFix: { host: string; packages: string[] }[];
          unknownHosts: { host: string; file: string }[];
        };
        hosts: { host: string; missing: { package: string; tier?: string; emergency: boolean }[] }[];
      };
      // Only findings that still match an installed package (libtinfo6, openssl-libs and
      // sqlite-libs are not in these hosts' scans).
      expect(report.findings.noFix.map((n) => [n.host, n.packages])).toEqual([
        ['deb-1', ['apt', 'bash']],
        ['el-1', ['nss']],
        ['ub-1', ['linux-image-5.4.0-216-generic']],
      ]);
      expect(report.findings.unknownHosts).toEqual([
        expect.objectContaining({ host: 'old-db-9', file: 'advisories/findings/old-db-9.json' }),
      ]);
      const vmTools = report.hosts
        .find((h) => h.host === 'el-1')
        ?.missing.find((m) => m.package === 'open-vm-tools');
      expect(vmTools).toMatchObject({ tier: 'kev', emergency: true });
    } finally {
      rmSync(path.join(dir, 'advisories', 'findings', 'old-db-9.json'), { force: true });
    }
  });
});
