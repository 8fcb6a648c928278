// The four renderings of the compliance report (README.md, "Reports") checked against each other and
// against their contracts: compliance.json against schemas/compliance.schema.json (strict ajv, as
// the project loads it), compliance.xml for well-formed JUnit, compliance.csv for RFC 4180, and
// compliance.md for the same hosts and states. The report is built the real way: documents
// through the real schemas, observed state, the plan, and run journals shaped like apply's.
import { describe, expect, it } from '@jest/globals';
import type { ErrorObject } from 'ajv';
import { DateTime } from 'luxon';
import { buildPlan } from '../core/plan/build-plan.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import type { ComplianceInputs } from '../core/report/compliance.js';
import type { ComplianceReport, ComplianceState, HistoryEntry } from '../core/report/types.js';
import { COMPLIANCE_STATES } from '../core/report/types.js';
import type { HostState, RolloutState } from '../core/state/types.js';
import type { JournalEvent } from '../engine/apply/journal.js';
import { bundledSchemas } from '../engine/schemas.js';
import { renderReportFiles, REPORT_FORMATS } from '../engine/write-report.js';
import { check, doc } from '../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../test-support/state-builder.js';
import { CSV_COLUMNS, field, renderComplianceCsv } from './compliance-csv.js';
import { renderComplianceJunit } from './compliance-junit.js';
import { renderComplianceMarkdown } from './compliance-markdown.js';

const AT = DateTime.fromISO('2026-12-01T10:00:00Z', { setZone: true });
const DIGEST = `sha256:${'c'.repeat(64)}`;
const RUN = '20261130T020000Z-3fa29c01';
const OLD_RUN = '20261120T020000Z-0a1b2c3d';
/** What a hostile or broken host could put into an error text that ends up in a reason. */
const HOSTILE = 'banner <script>&amp;"quoted" \'single\'> \u0001\u001b[31mred\u0007, end';

// ---------------------------------------------------------------- the repository and its state

const files = {
  'inventory/a.yaml': doc(
    'Inventory',
    'inv',
    `hosts:
  - { name: web-1, labels: { role: web, site: fra } }
  - { name: web-2, labels: { role: web, site: fra } }
  - { name: web-3, labels: { role: web, site: nyc } }
  - { name: web-4, labels: { role: web, site: nyc } }
  - { name: db-1, labels: { role: db, site: fra } }
  - { name: db-2, labels: { role: db, site: nyc } }
  - { name: db-3, labels: { role: db } }
  - { name: db-4, labels: { role: db } }
  - { name: db-5, labels: { role: db } }
  - { name: win-1, transport: winrm, os: windows, labels: { role: db } }
  - { name: ws-1, labels: { role: ws } }`,
  ),
  'groups/g.yaml': [
    doc(
      'Group',
      'servers',
      'selector:\n  matchExpressions: [{ key: role, operator: In, values: [web, db] }]',
    ),
    doc('Group', 'canary', 'hosts: [web-1, web-4]'),
  ].join('---\n'),
  'rollouts/r.yaml': doc(
    'Rollout',
    'main',
    'rings:\n  - name: canary\n    groups: [canary]\n    bakeTime: 1d\n  - name: rest\n    rest: true',
  ),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'servers-security',
    `appliesTo: { groups: [servers] }
rollout: main
classification: [security]
approveAfter: 3d
reboot: ifRequired
emergency: { enabled: true, feeds: [kev.json], skipApproval: true }`,
  ),
  'exceptions/e.yaml': [
    doc(
      'PatchException',
      'db-freeze',
      'hosts: [db-1]\npackages: [postgresql-16]\nreason: vendor certification pending\nowner: dba@example.net\nticket: CHG-4711\ncreated: "2026-11-15"\nexpires: "2026-12-20"',
    ),
    doc(
      'PatchException',
      'old-waiver',
      'groups: [canary]\nadvisories: [CVE-2026-0099]\nreason: superseded by the December update\nowner: ops\nexpires: "2026-11-28T18:00:00Z"',
    ),
  ].join('---\n'),
};

const hostStates: HostState[] = [
  // compliant: patched by the run before this scan
  aHostState('web-1', [], { os: { family: 'debian', id: 'debian', version: '12' }, bootId: 'bbbb' }),
  // missing: an emergency (KEV-listed) update past its SLA, and a fresh critical one
  aHostState('web-2', [
    anUpdate('openssl', {
      from: '3.0.15-1~deb12u1',
      to: '3.0.17-1~deb12u1',
      arch: 'amd64',
      advisories: ['CVE-2026-0001', 'DSA-5939-1'],
      releasedAt: '2026-11-01T00:00:00Z',
    }),
    anUpdate('curl', { severity: 'critical', releasedAt: '2026-11-30T00:00:00.250Z' }),
  ]),
  // unreachable, with a hostile error text
  aHostState('web-3', [anUpdate('openssl')], {
    reachable: false,
    scannedAt: '2026-11-30T13:00:00+01:00',
    lastReachableAt: '2026-11-20T08:00:00Z',
    error: HOSTILE,
  }),
  // failed: the latest apply (after this scan) found the packages drifted
  aHostState('web-4', [anUpdate('bash')], { scannedAt: '2026-11-30T01:00:00Z' }),
  // excepted
  aHostState('db-1', [anUpdate('postgresql-16', { to: '16.6-1', releasedAt: '2026-10-01T00:00:00Z' })]),
  // pending-reboot, known from the scan
  aHostState('db-2', [], { rebootRequired: true }),
  // failed: the latest apply (after this scan) failed
  aHostState('db-3', [anUpdate('nginx')], { scannedAt: '2026-11-30T01:00:00Z' }),
  // pending-reboot, known from the apply run that came after the scan
  aHostState('db-4', [], { scannedAt: '2026-11-30T01:00:00Z' }),
  // not-applicable: no policy applies
  aHostState('ws-1', [anUpdate('firefox')]),
  // unsupported: transport winrm, whatever a state file says (db-5 has none: never-scanned)
  aHostState('win-1', [anUpdate('KB5044284')], { reachable: false, errorKind: 'unsupported' }),
];

const rollouts: RolloutState[] = [
  {
    formatVersion: 1,
    rollout: 'main',
    planDigest: DIGEST,
    updatedAt: '2026-11-30T02:05:00.000Z',
    rings: {
      canary: {
        status: 'completed',
        startedAt: '2026-11-30T02:00:00.000Z',
        finishedAt: '2026-11-30T02:04:00.000Z',
        healthySince: '2026-11-30T02:04:00.000Z',
        failures: 1,
      },
      rest: { status: 'in-progress', startedAt: '2026-11-30T02:04:30.000Z', failures: 1 },
    },
  },
];

// ---------------------------------------------------------------- run journals, as apply writes them

const run: JournalEvent[] = [
  { type: 'run-started', at: '2026-11-30T02:00:00.000Z', runId: RUN, planDigest: DIGEST, who: 'ops@ci' },
  { type: 'ring-started', at: '2026-11-30T02:00:00.010Z', runId: RUN, ring: 'canary', rollout: 'main' },
  { type: 'host-started', at: '2026-11-30T02:00:01.000Z', runId: RUN, host: 'web-1', ring: 'canary' },
  { type: 'host-step', at: '2026-11-30T02:00:02.000Z', runId: RUN, host: 'web-1', step: 'install' },
  {
    type: 'host-finished',
    at: '2026-11-30T02:02:00.000Z',
    runId: RUN,
    planDigest: DIGEST,
    host: 'web-1',
    ring: 'canary',
    status: 'patched',
    actions: [{ package: 'openssl', from: '3.0.15-1~deb12u1', to: '3.0.17-1~deb12u1' }],
    verification: { ok: true, mismatches: [] },
    rebooted: { bootIdBefore: 'aaaa-1111', bootIdAfter: 'bbbb-2222' },
  },
  { type: 'host-started', at: '2026-11-30T02:00:01.500Z', runId: RUN, host: 'web-4', ring: 'canary' },
  {
    type: 'host-finished',
    at: '2026-11-30T02:03:00.000Z',
    runId: RUN,
    planDigest: DIGEST,
    host: 'web-4',
    ring: 'canary',
    status: 'drifted',
    actions: [{ package: 'bash', from: '1.0-1', to: '1.1-1' }],
    verification: { ok: false, mismatches: ['bash: expected 1.1-1, found 1.0-1'] },
  },
  {
    type: 'ring-finished',
    at: '2026-11-30T02:04:00.000Z',
    runId: RUN,
    ring: 'canary',
    rollout: 'main',
    status: 'completed',
    failures: 1,
  },
  { type: 'ring-started', at: '2026-11-30T02:04:30.000Z', runId: RUN, ring: 'rest', rollout: 'main' },
  { type: 'host-started', at: '2026-11-30T02:04:31.000Z', runId: RUN, host: 'db-3', ring: 'rest' },
  {
    type: 'host-finished',
    at: '2026-11-30T02:06:00.000Z',
    runId: RUN,
    planDigest: DIGEST,
    host: 'db-3',
    ring: 'rest',
    status: 'failed',
    actions: [{ package: 'nginx', from: '1.0-1', to: '1.1-1' }],
    error:
      'install: apt-get exited 100\nReading package lists...\nE: Sub-process /usr/bin/dpkg returned an error code (1)',
  },
  { type: 'host-started', at: '2026-11-30T02:04:32.000Z', runId: RUN, host: 'db-4', ring: 'rest' },
  {
    type: 'host-finished',
    at: '2026-11-30T02:07:00.000Z',
    runId: RUN,
    planDigest: DIGEST,
    host: 'db-4',
    ring: 'rest',
    status: 'patched-pending-reboot',
    actions: [{ package: 'libc6', from: '2.36-9', to: '2.36-9+deb12u10' }],
    verification: { ok: true, mismatches: [] },
  },
  {
    type: 'ring-finished',
    at: '2026-11-30T02:08:00.000Z',
    runId: RUN,
    ring: 'rest',
    rollout: 'main',
    status: 'interrupted',
    failures: 1,
    reason: 'window closed',
  },
  { type: 'run-finished', at: '2026-11-30T02:08:01.000Z', runId: RUN, halted: false },
];

/** An earlier run, not finished (killed): its evidence still counts. */
const oldRun: JournalEvent[] = [
  {
    type: 'run-started',
    at: '2026-11-20T02:00:00.000Z',
    runId: OLD_RUN,
    planDigest: `sha256:${'d'.repeat(64)}`,
  },
  { type: 'host-started', at: '2026-11-20T02:00:01.000Z', runId: OLD_RUN, host: 'db-2', ring: 'rest' },
  {
    type: 'host-finished',
    at: '2026-11-20T02:01:00.000Z',
    runId: OLD_RUN,
    planDigest: `sha256:${'d'.repeat(64)}`,
    host: 'db-2',
    ring: 'rest',
    status: 'patched',
    actions: [{ package: 'tzdata', from: '2024a-1', to: '2025b-1' }],
  },
];

const earlier: HistoryEntry = {
  formatVersion: 1,
  date: '2026-11-30',
  asOf: '2026-11-29T12:00:00.000Z',
  hosts: 9,
  states: {
    compliant: 4,
    missing: 2,
    'pending-reboot': 0,
    failed: 0,
    excepted: 1,
    unreachable: 1,
    unsupported: 0,
    'never-scanned': 0,
    'not-applicable': 1,
  },
  compliancePercent: 62.5,
  missingUpdates: 4,
  slaBreaches: 1,
  emergencyMissing: 1,
};

function inputs(over: Partial<ComplianceInputs> = {}): ComplianceInputs {
  const result = check(files, { at: AT });
  const state = observed(hostStates, { rollouts, feeds: { 'kev.json': ['CVE-2026-0001'] } });
  const plan = buildPlan({
    repository: result.repository,
    state,
    at: AT,
    inputsDigest: DIGEST,
    inputs: {},
    gitCommit: null,
  });
  return {
    repository: result.repository,
    state,
    plan,
    journals: [
      { runId: OLD_RUN, events: oldRun },
      { runId: RUN, events: run },
    ],
    history: [earlier],
    at: AT,
    ...over,
  };
}

const report = buildComplianceReport(inputs());
const files_ = renderReportFiles(report, '/reports', REPORT_FORMATS);
const written = (name: string): string => {
  const text = files_.get(`/reports/${name}`);
  if (text === undefined) throw new Error(`${name} was not rendered`);
  return text;
};

const expectedStates: Record<string, ComplianceState> = {
  'db-1': 'excepted',
  'db-2': 'pending-reboot',
  'db-3': 'failed',
  'db-4': 'pending-reboot',
  'web-1': 'compliant',
  'web-2': 'missing',
  'web-3': 'unreachable',
  'web-4': 'failed',
  'db-5': 'never-scanned',
  'win-1': 'unsupported',
  'ws-1': 'not-applicable',
};

const jsonStates = (r: ComplianceReport): Record<string, ComplianceState> =>
  Object.fromEntries(r.hosts.map((h) => [h.host, h.state]));

const copy = (r: ComplianceReport): ComplianceReport => structuredClone(r);

function withReason(r: ComplianceReport, host: string, reason: string): ComplianceReport {
  const c = copy(r);
  const h = c.hosts.find((x) => x.host === host);
  if (!h) throw new Error(`no host ${host}`);
  h.reason = reason;
  return c;
}

// ---------------------------------------------------------------- the fixture itself

describe('the fixture report', () => {
  it('has every compliance state, an SLA breach, an emergency update, evidence passed and failed', () => {
    expect(jsonStates(report)).toEqual(expectedStates);
    expect(new Set(Object.values(jsonStates(report)))).toEqual(new Set(COMPLIANCE_STATES));
    // Emergency first, then the oldest release, the worst severity, the host.
    expect(report.slaBreaches.map((b) => [b.host, b.package, b.emergency])).toEqual([
      ['web-2', 'openssl', true],
      ['db-3', 'nginx', false],
      ['web-3', 'openssl', false],
      ['web-4', 'bash', false],
    ]);
    expect(report.summary.emergencyMissing).toBe(1);
    expect(report.evidence.map((e) => [e.host, e.verification])).toEqual([
      ['db-2', 'not-run'],
      ['web-1', 'passed'],
      ['web-4', 'failed'],
      ['db-3', 'not-run'],
      ['db-4', 'passed'],
    ]);
    expect(report.failures.map((f) => [f.host, f.status, f.error])).toEqual([
      ['db-3', 'failed', expect.stringContaining('E: Sub-process /usr/bin/dpkg returned an error code (1)')],
      ['web-4', 'drifted', undefined],
    ]);
    expect(report.exceptions.map((e) => [e.name, e.status])).toEqual([
      ['old-waiver', 'expired'],
      ['db-freeze', 'expiring'],
    ]);
    expect(report.pendingReboot.map((p) => [p.host, p.source])).toEqual([
      ['db-2', 'scan'],
      ['db-4', `apply run ${RUN}`],
    ]);
    expect(report.history.map((e) => e.date)).toEqual(['2026-11-30', '2026-12-01']);
    expect(report.lastRun?.runId).toBe(RUN);
  });
});

// ---------------------------------------------------------------- compliance.json

describe('compliance.json', () => {
  const schemas = bundledSchemas();
  const validate = schemas.validatorForFile('compliance.schema.json');
  const validateHistory = schemas.validatorForFile('compliance-history.schema.json');
  const problems = (fn: typeof validate, value: unknown): string[] =>
    fn(value) ? [] : (fn.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.keyword}`);
  const json = (): Record<string, unknown> =>
    JSON.parse(written('compliance.json')) as Record<string, unknown>;

  it('validates against schemas/compliance.schema.json as written', () => {
    expect(problems(validate, json())).toEqual([]);
  });

  it('validates when nothing was observed yet (nulls everywhere)', () => {
    const state = observed([]);
    const bare = buildComplianceReport(
      inputs({
        state,
        journals: [],
        history: [],
        plan: buildPlan({
          repository: check(files, { at: AT }).repository,
          state,
          at: AT,
          inputsDigest: DIGEST,
          inputs: {},
          gitCommit: null,
        }),
      }),
    );
    expect(bare.asOf).toBeNull();
    expect(bare.lastRun).toBeNull();
    // Nothing observed is not "unreachable": never scanned, or (winrm) unsupported whatever is known.
    expect(new Set(bare.hosts.map((h) => h.state))).toEqual(
      new Set(['never-scanned', 'unsupported', 'not-applicable']),
    );
    expect(new Set(bare.hosts.map((h) => h.track))).toEqual(new Set(['unknown', 'not-applicable']));
    expect(problems(validate, JSON.parse(JSON.stringify(bare)))).toEqual([]);
  });

  it("the day's history file validates against schemas/compliance-history.schema.json", () => {
    const entry: unknown = JSON.parse(written('history/2026-12-01.json'));
    expect(problems(validateHistory, entry)).toEqual([]);
    for (const e of report.history) expect(problems(validateHistory, e)).toEqual([]);
    const { slaBreaches: _, ...missingField } = earlier;
    expect(problems(validateHistory, missingField)).toContain(' required');
    expect(problems(validateHistory, { ...earlier, date: '2026-11-31' })).toContain('/date format');
  });

  /** [what, path, new value (undefined deletes), an error it must cause]; hosts are sorted by name. */
  const mutations: Array<[string, Array<string | number>, unknown, string]> = [
    ['an unknown host state', ['hosts', 0, 'state'], 'mostly-fine', '/hosts/0/state enum'],
    ['a missing summary field', ['summary', 'slaBreaches'], undefined, '/summary required'],
    ['a missing host field', ['hosts', 2, 'lastApply'], undefined, '/hosts/2 required'],
    ['an unknown field', ['hosts', 1, 'note'], 'x', '/hosts/1 additionalProperties'],
    ['a state count left out', ['summary', 'states', 'excepted'], undefined, '/summary/states required'],
    ['an unknown `why`', ['hosts', 6, 'missing', 0, 'why'], 'forgotten', '/hosts/6/missing/0/why enum'],
    [
      'a due day given as an instant',
      ['hosts', 6, 'missing', 0, 'dueDate'],
      '2026-11-15T00:00:00Z',
      '/hosts/6/missing/0/dueDate anyOf',
    ],
    ['an unknown verification', ['evidence', 0, 'verification'], 'maybe', '/evidence/0/verification enum'],
    ['a date that is no day', ['date'], '2026-12-1', '/date format'],
    [
      'an instant without a zone',
      ['hosts', 0, 'scannedAt'],
      '2026-11-30T12:00:00',
      '/hosts/0/scannedAt format',
    ],
    ['a percentage over 100', ['summary', 'compliancePercent'], 101, '/summary/compliancePercent maximum'],
    ['a wrong format version', ['formatVersion'], 2, '/formatVersion const'],
    ['an unknown host track', ['hosts', 0, 'track'], 'fine-ish', '/hosts/0/track enum'],
    ['an unknown update track', ['hosts', 6, 'missing', 0, 'track'], 'late', '/hosts/6/missing/0/track enum'],
    ['a track count left out', ['summary', 'tracks', 'overdue'], undefined, '/summary/tracks required'],
    ['a host name with a command', ['failures', 0, 'host'], 'db-3;id', '/failures/0/host pattern'],
  ];

  it.each(mutations)('rejects %s', (_label, path, value, expected) => {
    const j = json();
    expect((j.hosts as { host: string }[]).map((h) => h.host)).toEqual(Object.keys(expectedStates).sort());
    let node = j as Record<string | number, unknown>;
    for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    expect(value === undefined ? last in node : true).toBe(true);
    if (value === undefined) delete node[last];
    else node[last] = value;
    expect(problems(validate, j)).toContain(expected);
  });
});

// ---------------------------------------------------------------- a tiny XML checker

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, where: string): string {
  return raw.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`${where}: bare & in ${JSON.stringify(raw)}`);
    if (name in ENTITIES) return ENTITIES[name]!;
    const num = /^#(\d+)$/.exec(name)?.[1] ?? /^#x([0-9a-fA-F]+)$/.exec(name)?.[1];
    if (num === undefined) throw new Error(`${where}: unknown entity &${name};`);
    const code = name.startsWith('#x') ? parseInt(num, 16) : parseInt(num, 10);
    if (!isXmlChar(code)) throw new Error(`${where}: &${name}; is not an XML character`);
    return String.fromCodePoint(code);
  });
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

/** Well-formedness as far as the renderer's output needs: one root, balanced tags, quoted
 *  attributes, only known entities, no raw `<` or `&` in text, only XML characters. Throws. */
function parseXml(xml: string): XmlElement {
  for (const ch of xml) {
    const c = ch.codePointAt(0)!;
    if (!isXmlChar(c)) throw new Error(`character U+${c.toString(16)} is not allowed in XML`);
  }
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (!decl) throw new Error('no XML declaration');
  let i = decl[0].length;
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const top = (): XmlElement => stack[stack.length - 1]!;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    if (text !== '') {
      if (text.includes('>')) throw new Error(`raw > in text ${JSON.stringify(text)}`);
      if (stack.length === 1 && text.trim() !== '') throw new Error('text outside the root element');
      top().text += decode(text, `text of <${top().name}>`);
    }
    if (lt === -1) break;
    // Find the end of the tag, skipping quoted attribute values.
    let j = lt + 1;
    let quote: string | null = null;
    for (; j < xml.length; j++) {
      const ch = xml[j]!;
      if (quote) {
        if (ch === quote) quote = null;
        else if (ch === '<') throw new Error('raw < in an attribute value');
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
      else if (ch === '<') throw new Error('< inside a tag');
    }
    if (j >= xml.length) throw new Error('unterminated tag');
    const tag = xml.slice(lt, j + 1);
    i = j + 1;
    const close = /^<\/([A-Za-z_][\w.-]*)\s*>$/.exec(tag);
    if (close) {
      const open = stack.pop();
      if (!open || open.name !== close[1]) throw new Error(`</${close[1]}> closes <${open?.name}>`);
      continue;
    }
    const m = /^<([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>$/.exec(tag);
    if (!m) throw new Error(`malformed tag ${tag}`);
    const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const name = a[1]!;
      if (name in el.attrs) throw new Error(`duplicate attribute ${name} on <${el.name}>`);
      el.attrs[name] = decode(a[2] ?? a[3] ?? '', `${el.name}@${name}`);
    }
    if (stack.length === 1 && root.children.length > 0) throw new Error('more than one root element');
    top().children.push(el);
    if (m[3] !== '/') stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`<${top().name}> is not closed`);
  if (root.children.length !== 1) throw new Error('no root element');
  return root.children[0]!;
}

function testcases(xml: string): Map<string, { suite: string; el: XmlElement }> {
  const out = new Map<string, { suite: string; el: XmlElement }>();
  for (const suite of parseXml(xml).children) {
    for (const tc of suite.children) {
      const name = tc.attrs.name!;
      if (out.has(name)) throw new Error(`two testcases for ${name}`);
      out.set(name, { suite: suite.attrs.name!, el: tc });
    }
  }
  return out;
}

/** The state a testcase stands for: failure type, skipped, or the state its system-out names. */
function junitState(tc: XmlElement): string {
  const failure = tc.children.find((c) => c.name === 'failure');
  if (failure) return failure.attrs.type!;
  if (tc.children.some((c) => c.name === 'skipped')) return 'not-applicable';
  return tc.children.find((c) => c.name === 'system-out')?.text.split(':')[0] ?? '?';
}

// ---------------------------------------------------------------- compliance.xml

describe('compliance.xml (JUnit)', () => {
  const xml = written('compliance.xml');

  it('is the JUnit renderer output, and well-formed', () => {
    expect(xml).toBe(renderComplianceJunit(report));
    expect(() => parseXml(xml)).not.toThrow();
  });

  it('the checker itself rejects broken XML', () => {
    const ok = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${ok}<a><b></a></b>`)).toThrow();
    expect(() => parseXml(`${ok}<a x="1" x="2"/>`)).toThrow();
    expect(() => parseXml(`${ok}<a>AT&T</a>`)).toThrow();
    expect(() => parseXml(`${ok}<a>x \u0001</a>`)).toThrow();
    expect(() => parseXml(`${ok}<a x="<"/>`)).toThrow();
    expect(() => parseXml(`${ok}<a/><b/>`)).toThrow();
    expect(() => parseXml(`${ok}<a>`)).toThrow();
    expect(parseXml(`${ok}<a x="&lt;&#10;"><b>&amp;</b></a>`).children[0]?.text).toBe('&');
  });

  it('has one testcase per host: failures exactly for non-compliant states, skipped for not-applicable', () => {
    const cases = testcases(xml);
    expect([...cases.keys()].sort()).toEqual(Object.keys(expectedStates).sort());
    for (const [host, { el }] of cases) {
      const state = expectedStates[host]!;
      const failures = el.children.filter((c) => c.name === 'failure');
      const skipped = el.children.filter((c) => c.name === 'skipped');
      const failing = !['compliant', 'excepted', 'not-applicable'].includes(state);
      expect([host, failures.length, skipped.length]).toEqual([
        host,
        failing ? 1 : 0,
        state === 'not-applicable' ? 1 : 0,
      ]);
      if (failing) expect([host, failures[0]?.attrs.type]).toEqual([host, state]);
      expect([host, junitState(el)]).toEqual([host, state]);
    }
  });

  it('counts tests, failures and skipped correctly on testsuites and each testsuite', () => {
    const root = parseXml(xml);
    const count = (cases: XmlElement[], name: string) =>
      cases.filter((c) => c.children.some((x) => x.name === name)).length;
    const all = root.children.flatMap((s) => s.children);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({
      tests: String(report.hosts.length),
      failures: String(count(all, 'failure')),
      skipped: String(count(all, 'skipped')),
      errors: '0',
    });
    // missing, 2 × pending-reboot, 2 × failed, unreachable, unsupported, never-scanned
    expect(root.attrs.failures).toBe('8');
    for (const suite of root.children) {
      expect(suite.name).toBe('testsuite');
      expect(suite.children.every((c) => c.name === 'testcase')).toBe(true);
      expect(suite.attrs).toMatchObject({
        tests: String(suite.children.length),
        failures: String(count(suite.children, 'failure')),
        skipped: String(count(suite.children, 'skipped')),
        errors: '0',
      });
    }
    // ws-1 has no policy, but the `rest: true` ring still places it (skipped there).
    expect(root.children.map((s) => [s.attrs.name, s.children.map((c) => c.attrs.name)])).toEqual([
      ['compliance: main/rest', ['db-1', 'db-2', 'db-3', 'db-4', 'db-5', 'web-2', 'web-3', 'win-1', 'ws-1']],
      ['compliance: main/canary', ['web-1', 'web-4']],
    ]);
  });

  it('escapes hostile text and shows characters XML cannot carry as visible escapes', () => {
    const reason = report.hosts.find((h) => h.host === 'web-3')!.reason;
    expect(reason).toContain('<script>');
    expect(reason).toContain('\u0001');
    const failure = testcases(xml)
      .get('web-3')!
      .el.children.find((c) => c.name === 'failure')!;
    const visible = reason.replace('\u0001', '\\x01').replace('\u001b', '\\x1b').replace('\u0007', '\\x07');
    expect(visible).toContain('\\x01\\x1b[31mred\\x07');
    expect(failure.attrs.message).toBe(`unreachable: ${visible}`);
    expect(failure.text).toContain(`why: ${visible}`);
    expect(xml).not.toContain('<script>');

    // The same through every place a reason reaches: system-out, skipped, failure, multi-line.
    const nasty = `a<b>&c"d'e\r\nf\tg\u0000\u000b\u001f\ufffeh]]>`;
    for (const host of ['web-1', 'ws-1', 'web-2']) {
      const tc = testcases(renderComplianceJunit(withReason(report, host, nasty))).get(host)!.el;
      const carried = [
        ...tc.children.map((c) => c.text),
        ...tc.children.flatMap((c) => Object.values(c.attrs)),
      ].join('\n');
      // One line per fact: the line breaks, the tab and the rest are shown as escapes.
      expect([host, carried]).toEqual([
        host,
        expect.stringContaining(`a<b>&c"d'e\\r\\nf\\tg\\x00\\x0b\\x1f\\ufffeh]]>`),
      ]);
    }
  });
});

// ---------------------------------------------------------------- a tiny RFC 4180 parser

/** Strict RFC 4180: CRLF record ends, quoted fields with doubled quotes, nothing else. Throws. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  if (!text.endsWith('\r\n')) throw new Error('the last record must end with CRLF');
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        value += text[i++];
      }
    }
    row.push(value);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
      continue;
    }
    throw new Error(`expected , or CRLF at ${i}, found ${JSON.stringify(text[i])}`);
  }
  return rows;
}

type CsvRecord = Record<(typeof CSV_COLUMNS)[number], string>;

function csvRecords(text: string): CsvRecord[] {
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...CSV_COLUMNS]);
  for (const r of rows) expect(r.length).toBe(CSV_COLUMNS.length);
  return rows.map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]!])) as CsvRecord);
}

// ---------------------------------------------------------------- compliance.csv

describe('compliance.csv', () => {
  const csv = written('compliance.csv');
  const records = csvRecords(csv);

  it('the parser itself rejects broken CSV', () => {
    expect(() => parseCsv('a,b\n')).toThrow();
    expect(() => parseCsv('a,"b\r\n')).toThrow();
    expect(() => parseCsv('a,b"c"\r\n')).toThrow();
    expect(() => parseCsv('"a"b\r\n')).toThrow();
    expect(parseCsv('a,"b,""c""\r\nd",\r\n')).toEqual([['a', 'b,"c"\r\nd', '']]);
  });

  it('is the CSV renderer output', () => {
    expect(csv).toBe(renderComplianceCsv(report));
  });

  it('has exactly one host_row=1 row per host, with the state of the JSON', () => {
    const hostRows = records.filter((r) => r.host_row === '1');
    expect(hostRows.map((r) => r.host)).toEqual(report.hosts.map((h) => h.host));
    expect(Object.fromEntries(hostRows.map((r) => [r.host, r.state]))).toEqual(jsonStates(report));
    expect(new Set(records.map((r) => r.host_row))).toEqual(new Set(['0', '1']));
  });

  it('has one row per missing or excepted update, else one for the host', () => {
    for (const h of report.hosts) {
      const rows = records.filter((r) => r.host === h.host);
      expect([h.host, rows.length]).toEqual([h.host, Math.max(1, h.missing.length + h.excepted.length)]);
      expect(rows.every((r) => r.state === h.state)).toBe(true);
      expect(rows.filter((r) => r.update_status === 'missing').map((r) => r.package)).toEqual(
        h.missing.map((m) => m.package),
      );
      expect(rows.filter((r) => r.update_status === 'excepted').map((r) => r.package)).toEqual(
        h.excepted.map((e) => e.package),
      );
    }
    const openssl = records.find((r) => r.host === 'web-2' && r.package === 'openssl')!;
    expect(openssl).toMatchObject({
      update_status: 'missing',
      arch: 'amd64',
      severity: 'high',
      advisories: 'CVE-2026-0001 DSA-5939-1',
      emergency: 'true',
      sla: '14d',
      sla_breached: 'true',
      overdue_days: '16',
      why: 'planned',
    });
    expect(openssl.detail).toMatch(/^planned in ring main\/rest/);
    expect(records.find((r) => r.host === 'db-1')).toMatchObject({
      update_status: 'excepted',
      package: 'postgresql-16',
      exception: 'db-freeze',
      exception_expires: '2026-12-20',
    });
    const web3 = records.find((r) => r.host === 'web-3')!;
    // Control characters other than tab and line breaks are shown as visible escapes.
    expect(web3.reason).toBe(
      report.hosts
        .find((h) => h.host === 'web-3')!
        .reason.replace('\u0001', '\\x01')
        .replace('\u001b', '\\x1b')
        .replace('\u0007', '\\x07'),
    );
  });

  it('round-trips fields with commas, quotes and line breaks', () => {
    const text = 'one, "two"\r\nthree\nfour\r five,,"';
    const records2 = csvRecords(renderComplianceCsv(withReason(report, 'db-3', text)));
    expect(records2.filter((r) => r.host === 'db-3').map((r) => r.reason)).toEqual([text]);
    expect(records2.filter((r) => r.host_row === '1')).toHaveLength(report.hosts.length);
  });

  it.each(['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])(
    'neutralises a value that a spreadsheet would run as a formula: %j',
    (text) => {
      const got = csvRecords(renderComplianceCsv(withReason(report, 'web-1', text))).find(
        (r) => r.host === 'web-1',
      )!;
      expect(got.reason).toBe(`'${text}`);
    },
  );

  it('leaves other values, numbers and booleans alone', () => {
    expect(field('web-01')).toBe('web-01');
    expect(field('a=b')).toBe('a=b');
    expect(field(-3)).toBe('-3');
    expect(field(false)).toBe('false');
    expect(field(null)).toBe('');
    expect(field('')).toBe('');
  });
});

// ---------------------------------------------------------------- compliance.md and agreement

/** Cells of the rows (not header or alignment) of the first table under a `## heading`. */
function tableUnder(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no section ${heading}`);
  const lines = markdown.slice(start + heading.length + 2).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  // md() writes `|` in text as an entity, so every raw `|` separates cells.
  return lines
    .slice(first, end === -1 ? undefined : end)
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .slice(2);
}

describe('the four formats agree', () => {
  const markdown = written('compliance.md');
  const json = JSON.parse(written('compliance.json')) as ComplianceReport;
  const csvHosts = Object.fromEntries(
    csvRecords(written('compliance.csv'))
      .filter((r) => r.host_row === '1')
      .map((r) => [r.host, r.state]),
  );
  const junitHosts = Object.fromEntries(
    [...testcases(written('compliance.xml'))].map(([host, { el }]) => [host, junitState(el)]),
  );

  it('is the Markdown renderer output', () => {
    expect(markdown).toBe(renderComplianceMarkdown(report));
  });

  it('on the set of hosts and the state of each (json, junit, csv)', () => {
    expect(jsonStates(json)).toEqual(expectedStates);
    expect(junitHosts).toEqual(expectedStates);
    expect(csvHosts).toEqual(expectedStates);
  });

  it('with the Markdown "Hosts needing attention" table', () => {
    const rows = tableUnder(markdown, '## Hosts needing attention');
    const md = Object.fromEntries(rows.map((r) => [r[0], r[1]!.split(' ').at(-1)]));
    const needing = Object.fromEntries(
      Object.entries(expectedStates).filter(
        ([, s]) => !['compliant', 'excepted', 'not-applicable'].includes(s),
      ),
    );
    expect(md).toEqual(needing);
    const web2 = rows.find((r) => r[0] === 'web-2')!;
    expect(web2.slice(2, 6)).toEqual(['⏰ overdue', 'main/rest', '2', '**1**']);
  });

  it('with the Markdown summary counts', () => {
    const rows = tableUnder(markdown, '## Summary');
    const counts = Object.fromEntries(
      rows.filter((r) => !r[0]!.startsWith('**')).map((r) => [r[0]!.split(' ').at(-1), Number(r[1])]),
    );
    const tally = (states: Record<string, string>) => {
      const out = Object.fromEntries(COMPLIANCE_STATES.map((s) => [s, 0]));
      for (const s of Object.values(states)) out[s] = (out[s] ?? 0) + 1;
      return out;
    };
    expect(counts).toEqual(json.summary.states);
    expect(counts).toEqual(tally(expectedStates));
    expect(counts).toEqual(tally(junitHosts));
    expect(counts).toEqual(tally(csvHosts));
    expect(rows.at(-1)?.slice(0, 2)).toEqual(['**total**', `**${report.hosts.length}**`]);
    expect(markdown).toContain(`**${json.summary.compliancePercent?.toFixed(1)}% of hosts in compliance**`);
    // The schedule's figures beside the strict one, and a row per track.
    const t = json.summary.tracks;
    expect(markdown).toContain(
      `**${json.summary.onTrackPercent?.toFixed(1)}% in compliance or on track** (on track: ${t['on-track']} host`,
    );
    expect(markdown).toContain(`**overdue: ${t.overdue} hosts**`);
    expect(t.overdue).toBeGreaterThan(0);
  });
});
