// The compliance report ranked by risk (issue 15, docs/vulnerabilities.md "Reports"): KEV and
// unknown-severity SLA clocks, open CVEs per host with and without a fix, hosts and products
// ranked by open risk, exceptions by advisory, time to remediate from the journals, and what
// imported findings say about hosts that are not in the inventory.
import { describe, expect, it } from '@jest/globals';
import type { RiskTier } from '../vuln/types.js';
import { KEV_CVE, intel, kevEntry, riskInputs as inputs, stateOf } from './__fixtures__/risk-fleet.js';
import { buildComplianceReport } from './compliance.js';
import type { ComplianceReport, HostCompliance, HostRisk } from './types.js';
import { rankHosts } from './vuln-exposure.js';

const report = buildComplianceReport(inputs());
const host = (r: ComplianceReport, name: string) => {
  const h = r.hosts.find((x) => x.host === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
};
const missing = (r: ComplianceReport, name: string, pkg: string) => {
  const m = host(r, name).missing.find((x) => x.package === pkg);
  if (!m) throw new Error(`${name} misses no ${pkg}`);
  return m;
};

describe('SLA clocks', () => {
  it('an update fixing a KEV CVE is due at the KEV dueDate when that is earlier than its SLA', () => {
    const m = missing(report, 'kev-1', 'openssh-server');
    // The feeds gave the apt update its advisory, severity and release date (withVulnIntel).
    expect(m).toMatchObject({
      advisories: [KEV_CVE, 'DSA-5724-1'],
      severity: 'low',
      releasedAt: '2026-11-20T00:00:00Z',
      tier: 'kev',
      kev: { cve: KEV_CVE, dueDate: '2026-11-25', ransomware: false },
      epss: 0.9,
      emergency: true,
      // low: 90d from 2026-11-20 would be 2027-02-18; KEV says 2026-11-25.
      sla: '90d',
      dueDate: '2026-11-25',
      slaSource: 'kev',
      breached: true,
      overdueDays: 6,
    });
    expect(report.slaBreaches.find((b) => b.host === 'kev-1')).toMatchObject({
      package: 'openssh-server',
      tier: 'kev',
      dueDate: '2026-11-25',
      slaSource: 'kev',
      overdueDays: 6,
    });
  });

  it('never puts a KEV deadline before the fix was released: then it is due the day of the release', () => {
    // A kernel update released 2026-11-20 fixing a CVE whose KEV dueDate passed in 2025.
    const long = { ...kevEntry, dueDate: '2025-02-26' };
    const r = buildComplianceReport({
      ...inputs(),
      state: { ...stateOf(true), intel: { ...intel, kev: new Map([[KEV_CVE, long]]) } },
    });
    expect(missing(r, 'kev-1', 'openssh-server')).toMatchObject({
      kev: { dueDate: '2025-02-26' },
      dueDate: '2026-11-20',
      slaSource: 'kev',
      breached: true,
      overdueDays: 11,
    });
  });

  it('keeps the SLA clock when it is earlier than the KEV dueDate', () => {
    const early = { ...kevEntry, dueDate: '2027-06-01' };
    const r = buildComplianceReport({
      ...inputs(),
      state: { ...stateOf(true), intel: { ...intel, kev: new Map([[KEV_CVE, early]]) } },
    });
    expect(missing(r, 'kev-1', 'openssh-server')).toMatchObject({
      tier: 'kev',
      kev: { dueDate: '2027-06-01' },
      dueDate: '2027-02-18',
      slaSource: 'severity',
      breached: false,
    });
  });

  it('a security update of unknown severity takes Config sla.unknown', () => {
    expect(report.sla.unknown).toBe('45d');
    expect(missing(report, 'unk-1', 'tzdata')).toMatchObject({
      severity: null,
      tier: 'routine',
      sla: '45d',
      dueDate: '2026-11-15',
      slaSource: 'unknown',
      breached: true,
      overdueDays: 16,
    });
    expect(report.slaBreaches.find((b) => b.host === 'unk-1')).toMatchObject({ slaSource: 'unknown' });
  });

  it('without sla.unknown it has no deadline, and says "severity unknown"', () => {
    const r = buildComplianceReport(inputs({ sla: 'critical: 7d, high: 14d, medium: 30d, low: 90d' }));
    expect(r.sla.unknown).toBeUndefined();
    expect(missing(r, 'unk-1', 'tzdata')).toMatchObject({
      severity: null,
      sla: null,
      dueDate: null,
      slaSource: null,
      breached: false,
      overdueDays: null,
    });
    expect(r.slaBreaches.map((b) => b.host)).not.toContain('unk-1');
  });
});

describe('open vulnerabilities per host', () => {
  it('lists every open CVE with its fix, the update that reaches it, or none', () => {
    const vulns = host(report, 'kev-1').vulnerabilities;
    expect(vulns.map((v) => [v.advisory, v.package, v.tier, v.fixedIn, v.fixedBy])).toEqual([
      ['DSA-5724-1', 'openssh-server', 'kev', '1:9.2p1-2+deb12u3', { to: '1:9.2p1-2+deb12u3' }],
      // Fixed upstream, but no update is offered to the host yet.
      ['DSA-5800-1', 'zlib1g', 'severity', '1:1.2.13.dfsg-1+deb12u1', null],
      // Affected, no fix published.
      ['DEBIAN-CVE-2025-0006', 'libtiff6', 'routine', null, null],
    ]);
    expect(vulns[0]).toMatchObject({
      cves: [KEV_CVE],
      installed: '1:9.2p1-2+deb12u2',
      severity: 'low',
      kev: { cve: KEV_CVE, dueDate: '2026-11-25' },
      epss: 0.9,
      from: 'feed',
    });
    expect(host(report, 'kev-1').risk).toEqual({
      tier: 'kev',
      vulnerabilities: { kev: 1, epss: 0, severity: 1, routine: 1 },
      missing: { kev: 1, epss: 0, severity: 0, routine: 0 },
      noFix: 1,
      oldestMissingDays: 11,
    });
    expect(report.summary.openVulnerabilities).toBe(4);
  });

  it('lists the open KEV CVEs with their fix and due date', () => {
    expect(report.openKev).toEqual([
      {
        cve: KEV_CVE,
        dueDate: '2026-11-25',
        ransomware: false,
        overdue: true,
        hosts: 1,
        packages: ['openssh-server'],
        fixes: [{ package: 'openssh-server', to: '1:9.2p1-2+deb12u3' }],
        noFixHosts: 0,
      },
    ]);
  });

  it('says what was read: KEV catalogue versions, EPSS dates, threshold', () => {
    expect(report.intel).toEqual({
      kevVersions: ['2026.11.30'],
      kevEntries: 1,
      epssDates: ['2026-11-30T00:00:00+0000'],
      epssScores: 2,
      epssThreshold: 0.1,
      advisories: 3,
      findingsHosts: 2,
    });
    const bare = buildComplianceReport(inputs({ intel: false }));
    expect(bare.intel).toBeNull();
    expect(bare.hosts.every((h) => h.vulnerabilities.length === 0)).toBe(true);
    expect(bare.openKev).toEqual([]);
  });
});

describe('ranking by open risk', () => {
  it('ranks hosts by tier, then counts, then age', () => {
    expect(report.riskRanking.map((h) => [h.host, h.tier])).toEqual([
      ['kev-1', 'kev'],
      ['epss-1', 'epss'],
      ['sev-1', 'severity'],
      ['unk-1', 'routine'],
    ]);
    expect(report.summary.hostsByTier).toEqual({ kev: 1, epss: 1, severity: 1, routine: 1 });
  });

  it('within a tier, more open items first, then more with no fix, then the older', () => {
    const risk = (tier: RiskTier, severity: number, noFix: number, oldest: number | null): HostRisk => ({
      tier,
      vulnerabilities: { kev: tier === 'kev' ? 1 : 0, epss: 0, severity, routine: 0 },
      missing: { kev: 0, epss: 0, severity: 0, routine: 3 },
      noFix,
      oldestMissingDays: oldest,
    });
    const hosts = [
      ['a', risk('severity', 1, 0, 40)],
      ['b', risk('severity', 2, 0, 1)],
      ['c', risk('severity', 1, 0, 90)],
      ['d', risk('severity', 1, 1, null)],
      ['e', risk('kev', 0, 0, null)],
      ['f', risk('severity', 1, 0, 40)],
    ].map(([host, r]) => ({ host, risk: r }) as unknown as HostCompliance);
    expect(rankHosts(hosts).map((h) => h.host)).toEqual(['e', 'b', 'd', 'c', 'a', 'f']);
  });

  it('ranks products by open risk: KEV, EPSS, severity, then age', () => {
    expect(report.products.map((p) => [p.package, p.tier])).toEqual([
      ['openssh-server', 'kev'],
      ['nginx', 'epss'],
      ['curl', 'severity'],
      ['bash', 'routine'],
      ['tzdata', 'routine'],
    ]);
    expect(report.products[0]).toMatchObject({
      tiers: { kev: 1, epss: 0, severity: 0, routine: 0 },
      epss: 0.9,
      openVulnerabilities: 1,
      emergency: 1,
    });
  });
});

describe('exceptions by advisory', () => {
  it('names the exceptions that waive each advisory, on how many hosts, until when', () => {
    expect(report.exceptionsByAdvisory).toEqual([
      // Named by an exception in force, waiving nothing today: still visible, and it is KEV.
      {
        advisory: KEV_CVE,
        tier: 'kev',
        exceptions: [{ name: 'cve-waiver', expires: '2027-02-28' }],
        hosts: 0,
        packages: [],
      },
      {
        advisory: 'CVE-2025-0003',
        tier: 'severity',
        exceptions: [{ name: 'ssl-waiver', expires: '2027-01-31' }],
        hosts: 1,
        packages: ['openssl'],
      },
      {
        advisory: 'DSA-9999-1',
        tier: 'severity',
        exceptions: [{ name: 'ssl-waiver', expires: '2027-01-31' }],
        hosts: 1,
        packages: ['openssl'],
      },
    ]);
  });
});

describe('time to remediate', () => {
  it('measures verified installs from the journal against their SLA; unknown release dates are not guessed', () => {
    const row = (tier: string) => report.remediation.find((r) => r.tier === tier);
    expect(report.remediation.map((r) => r.tier)).toEqual(['kev', 'epss', 'severity', 'routine']);
    expect(row('severity')).toEqual({
      tier: 'severity',
      remediated: 1,
      measured: 1,
      unknown: 0,
      medianDays: 5,
      worstDays: 5,
      withinSla: 1,
      pastSla: 0,
      noSla: 0,
    });
    expect(row('routine')).toEqual({
      tier: 'routine',
      remediated: 2,
      measured: 1,
      unknown: 1,
      medianDays: 9,
      worstDays: 9,
      withinSla: 1,
      pastSla: 0,
      noSla: 0,
    });
    expect(row('kev')).toMatchObject({ remediated: 0, medianDays: null, worstDays: null });
  });

  it('without feeds, the update only the feeds describe is unknown too', () => {
    const r = buildComplianceReport(inputs({ intel: false }));
    expect(r.remediation.find((x) => x.tier === 'routine')).toMatchObject({
      remediated: 3,
      measured: 1,
      unknown: 2,
    });
  });
});

describe('findings', () => {
  it('lists a findings file for a host that is not in the inventory, with the file', () => {
    expect(report.findings.unknownHosts).toEqual([
      {
        host: 'ghost-1',
        file: 'advisories/findings/ghost-1.json',
        importedFrom: 'trivy-ghost-1.json',
        scanner: 'Trivy',
        scannedAt: '2026-11-30T00:00:00Z',
        findings: 1,
      },
    ]);
    expect(report.hosts.map((h) => h.host)).not.toContain('ghost-1');
  });

  it('counts the findings with no fix per host', () => {
    expect(report.findings.noFix).toEqual([{ host: 'sev-1', findings: 1, packages: ['libxml2'] }]);
    expect(host(report, 'sev-1').vulnerabilities).toEqual([
      expect.objectContaining({
        advisory: 'CVE-2025-9999',
        fixedIn: null,
        from: 'findings',
        tier: 'routine',
      }),
    ]);
  });
});

describe('determinism', () => {
  it('gives the same bytes for the same inputs', () => {
    expect(JSON.stringify(buildComplianceReport(inputs()))).toBe(JSON.stringify(report));
  });
});
