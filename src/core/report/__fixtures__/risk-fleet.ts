// A small fleet with every kind of open risk, for the compliance report's risk tests and its
// renderers (issue 15, docs/vulnerabilities.md "Reports"): a Low advisory fixing a KEV CVE on
// an apt host, an EPSS-scored update, a critical one, one of unknown severity, a waived one, a
// fix not offered yet, an advisory with no fix, scanner findings (one for a host not in the
// inventory), and a journal of verified installs.
import { DateTime } from 'luxon';
import { check, doc } from '../../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../../test-support/state-builder.js';
import { buildPlan } from '../../plan/build-plan.js';
import type { HostState, ObservedState } from '../../state/types.js';
import type { Advisory, FindingsFile, KevEntry, VulnIntel } from '../../vuln/types.js';
import type { ComplianceInputs } from '../compliance.js';
import type { RunJournal } from '../last-run.js';

export const AT = DateTime.fromISO('2026-12-01T10:00:00Z', { setZone: true });
const DIGEST = `sha256:${'e'.repeat(64)}`;
const DEBIAN = { family: 'debian', id: 'debian', version: '12' };
export const KEV_CVE = 'CVE-2024-6387';

const config = (sla: string) => `apiVersion: patchctl/v1
kind: Config
metadata:
  name: test
spec:
  timezone: UTC
  sla: { ${sla} }
`;

const files = (sla = 'critical: 7d, high: 14d, medium: 30d, low: 90d, unknown: 45d') => ({
  'patchctl.yaml': config(sla),
  'inventory/a.yaml': doc(
    'Inventory',
    'inv',
    `hosts:
  - { name: kev-1, labels: { role: srv } }
  - { name: epss-1, labels: { role: srv } }
  - { name: sev-1, labels: { role: srv } }
  - { name: unk-1, labels: { role: srv } }
  - { name: exc-1, labels: { role: srv } }
  - { name: done-1, labels: { role: srv } }`,
  ),
  'groups/g.yaml': doc('Group', 'servers', 'selector: { matchLabels: { role: srv } }'),
  'rollouts/r.yaml': doc('Rollout', 'main', 'rings:\n  - name: all\n    rest: true'),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'servers-security',
    `appliesTo: { groups: [servers] }
rollout: main
classification: [security]
emergency: { enabled: true, feeds: [kev.json], skipApproval: true }`,
  ),
  'exceptions/e.yaml': [
    doc(
      'PatchException',
      'ssl-waiver',
      'hosts: [exc-1]\npackages: [openssl]\nreason: vendor certification\nowner: ops\nexpires: "2027-01-31"',
    ),
    doc(
      'PatchException',
      'cve-waiver',
      `hosts: [exc-1]\nadvisories: [${KEV_CVE}]\nreason: mitigated by firewall\nowner: sec\nexpires: "2027-02-28"`,
    ),
  ].join('---\n'),
});

// ---------------------------------------------------------------- feeds

function advisory(id: string, source: string, fixed: string | null, over: Partial<Advisory> = {}): Advisory {
  return {
    file: `advisories/osv/debian/${id}.json`,
    id,
    cves: [],
    severity: null,
    published: null,
    modified: null,
    summary: null,
    affected: [
      {
        ecosystem: 'Debian:12',
        name: source,
        ranges: [
          {
            type: 'ECOSYSTEM',
            events: fixed === null ? [{ introduced: '0' }] : [{ introduced: '0' }, { fixed }],
          },
        ],
        versions: [],
      },
    ],
    ...over,
  };
}

export const kevEntry: KevEntry = {
  cve: KEV_CVE,
  dateAdded: '2026-11-18',
  dueDate: '2026-11-25',
  ransomware: false,
};

function findingsFile(host: string, findings: FindingsFile['findings']): FindingsFile {
  return {
    formatVersion: 1,
    kind: 'patchctl-findings',
    host,
    scanner: { format: 'trivy', name: 'Trivy', version: '0.50.0' },
    importedFrom: { file: `trivy-${host}.json`, sha256: '0'.repeat(64) },
    scannedAt: '2026-11-30T00:00:00Z',
    findings,
  };
}

export const intel: VulnIntel = {
  kev: new Map([[KEV_CVE, kevEntry]]),
  kevVersions: ['2026.11.30'],
  epss: new Map([
    [KEV_CVE, { epss: 0.9, percentile: 0.99 }],
    ['CVE-2025-0002', { epss: 0.5, percentile: 0.97 }],
  ]),
  epssDates: ['2026-11-30T00:00:00+0000'],
  advisories: [
    // A Low-rated advisory fixing a KEV CVE: its SLA (90d) is far later than the KEV dueDate.
    advisory('DSA-5724-1', 'openssh', '1:9.2p1-2+deb12u3', {
      cves: [KEV_CVE],
      severity: 'low',
      published: '2026-11-20T00:00:00Z',
    }),
    advisory('DSA-5800-1', 'zlib', '1:1.2.13.dfsg-1+deb12u1', {
      cves: ['CVE-2025-0005'],
      severity: 'high',
      published: '2026-11-05T00:00:00Z',
    }),
    advisory('DEBIAN-CVE-2025-0006', 'tiff', null, { cves: ['CVE-2025-0006'] }),
  ],
  findings: new Map([
    [
      'sev-1',
      findingsFile('sev-1', [
        {
          id: 'CVE-2025-9999',
          aliases: [],
          package: 'libxml2',
          installedVersion: '2.9.14+dfsg-1.3',
          fixedVersion: null,
          severity: 'medium',
        },
      ]),
    ],
    [
      'ghost-1',
      findingsFile('ghost-1', [
        {
          id: 'CVE-2025-0007',
          aliases: [],
          package: 'bash',
          installedVersion: '5.2-1',
          fixedVersion: '5.2-2',
          severity: 'low',
        },
      ]),
    ],
  ]),
};

// ---------------------------------------------------------------- hosts

const apt = (over: Partial<Parameters<typeof anUpdate>[1]> & {}) => ({
  severity: undefined,
  advisories: [],
  releasedAt: undefined,
  ...over,
});

export const hostStates: HostState[] = [
  // A KEV CVE fixed by a pending update (apt: no severity, advisory or date of its own), a fix
  // published but not offered (zlib), and no fix at all (tiff).
  aHostState(
    'kev-1',
    [anUpdate('openssh-server', apt({ from: '1:9.2p1-2+deb12u2', to: '1:9.2p1-2+deb12u3' }))],
    {
      os: DEBIAN,
      installed: [
        { name: 'openssh-server', version: '1:9.2p1-2+deb12u2', source: 'openssh' },
        { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib' },
        { name: 'libtiff6', version: '4.5.0-6', source: 'tiff' },
      ],
    },
  ),
  aHostState(
    'epss-1',
    [
      anUpdate('nginx', {
        advisories: ['CVE-2025-0002'],
        severity: 'medium',
        releasedAt: '2026-11-20T00:00:00Z',
      }),
    ],
    { os: DEBIAN },
  ),
  aHostState(
    'sev-1',
    [
      anUpdate('curl', { severity: 'critical', releasedAt: '2026-11-30T00:00:00Z' }),
      anUpdate('bash', {
        from: '5.2-1',
        to: '5.2-2',
        severity: 'medium',
        releasedAt: '2026-11-01T00:00:00Z',
      }),
    ],
    {
      os: DEBIAN,
      installed: [
        { name: 'curl', version: '1.0-1' },
        { name: 'bash', version: '5.2-1' },
        { name: 'libxml2', version: '2.9.14+dfsg-1.3' },
      ],
    },
  ),
  // Severity unknown: Config sla.unknown sets its clock, or nothing does.
  aHostState('unk-1', [anUpdate('tzdata', apt({ releasedAt: '2026-10-01T00:00:00Z' }))], { os: DEBIAN }),
  aHostState(
    'exc-1',
    [anUpdate('openssl', { advisories: ['DSA-9999-1', 'CVE-2025-0003'], severity: 'high' })],
    { os: DEBIAN },
  ),
  // Patched by the journal's runs: zlib1g and bash are at their new versions now.
  aHostState('done-1', [], {
    os: DEBIAN,
    installed: [
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1+deb12u1', source: 'zlib' },
      { name: 'bash', version: '5.2-2' },
    ],
  }),
];

const journal: RunJournal = {
  runId: 'r1',
  events: [
    { type: 'run-started', at: '2026-11-10T02:00:00Z', runId: 'r1', planDigest: DIGEST },
    {
      type: 'host-finished',
      at: '2026-11-10T02:05:00Z',
      runId: 'r1',
      host: 'done-1',
      ring: 'all',
      status: 'patched',
      actions: [
        // Known from the feeds (DSA-5800-1, high, published 2026-11-05): 5 days, within 14d.
        { package: 'zlib1g', from: '1:1.2.13.dfsg-1', to: '1:1.2.13.dfsg-1+deb12u1' },
        // Known from sev-1's pending update (medium, released 2026-11-01): 9 days, within 30d.
        { package: 'bash', from: '5.2-1', to: '5.2-2' },
        // Known from nothing: counted, never measured.
        { package: 'libfoo', from: '1.0', to: '1.1' },
      ],
      verification: { ok: true, mismatches: [] },
    },
    {
      // Not verified installed: not remediated.
      type: 'host-finished',
      at: '2026-11-12T02:05:00Z',
      runId: 'r1',
      host: 'exc-1',
      ring: 'all',
      status: 'drifted',
      actions: [{ package: 'openssl', from: '1.0-1', to: '1.1-1' }],
      verification: { ok: false, mismatches: ['openssl'] },
    },
    { type: 'run-finished', at: '2026-11-10T02:10:00Z', runId: 'r1', halted: false },
  ],
};

export function stateOf(withIntel: boolean): ObservedState {
  const s = observed(hostStates, { feeds: { 'kev.json': [KEV_CVE] } });
  return withIntel ? { ...s, intel } : s;
}

export function riskInputs(over: { sla?: string; intel?: boolean } = {}): ComplianceInputs {
  const result = check(files(over.sla), { at: AT });
  if (!result.repository) throw new Error('fixture repository is invalid');
  const state = stateOf(over.intel ?? true);
  const plan = buildPlan({
    repository: result.repository,
    state,
    at: AT,
    inputsDigest: DIGEST,
    inputs: {},
    gitCommit: null,
  });
  return { repository: result.repository, state, plan, journals: [journal], history: [], at: AT };
}
