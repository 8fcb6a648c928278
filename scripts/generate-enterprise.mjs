#!/usr/bin/env node
// Writes examples/enterprise/: a patchctl repository for a fleet of 600 hosts in three sites,
// used as a larger example, as test input and as a benchmark fixture.
//
// Rerun it from the repository root after changing it:
//
//   node scripts/generate-enterprise.mjs
//
// It deletes examples/enterprise/ and writes it again. The output depends on nothing but this
// file: no clock, no environment, and randomness only from a generator with a fixed seed, so
// two runs write byte-identical files (and prettier finds nothing to change in them).
// Exception dates are fixed (created 2026-11-20, expiring by 2027-02-15, within the 90-day
// maximum): the repository validates with `--at 2026-12-01T00:00:00Z`.
//
// The script checks its own output before writing it: every host is in exactly one
// maintenance-window group, every policy, window and rollout ring matches hosts, and every
// name that a document refers to exists.

import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Deliberately outside every window of its policy (see the PCI labels below). */
const NO_WINDOW_HOST = 'fra-app-13';
import { fileURLToPath } from 'node:url';
import { Document, isScalar, visit } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'examples', 'enterprise');
const API = 'patchctl/v1';
const CREATED = '2026-11-20';

// ------------------------------------------------------------------ deterministic randomness

/** mulberry32: a small seeded generator; the same seed gives the same fleet. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(20261120);

/** Picks a key of `weights` with probability proportional to its weight. */
function pick(weights) {
  const entries = Object.entries(weights);
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1][0];
}

// ------------------------------------------------------------------ the fleet

/**
 * Sites, their zones, their documentation address ranges and how many hosts of each role they
 * have. `pt` is the local hour at which server windows open after Patch Tuesday.
 */
const SITES = [
  {
    id: 'fra',
    city: 'Frankfurt',
    zone: 'Europe/Berlin',
    ipv4: '192.0.2',
    ipv6: '2001:db8:10',
    workstationDay: 'WE',
    counts: { web: 20, app: 24, db: 8, sap: 4, mon: 2, dc: 2, file: 3, rds: 4, ws: 140, lws: 13 },
  },
  {
    id: 'nyc',
    city: 'New York',
    zone: 'America/New_York',
    ipv4: '198.51.100',
    ipv6: '2001:db8:20',
    workstationDay: 'TH',
    counts: { web: 24, app: 30, db: 10, sap: 0, mon: 2, dc: 3, file: 3, rds: 6, ws: 138, lws: 14 },
  },
  {
    id: 'syd',
    city: 'Sydney',
    zone: 'Australia/Sydney',
    ipv4: '203.0.113',
    ipv6: '2001:db8:30',
    workstationDay: 'WE',
    bastion: 'patchctl@bastion.syd.example.net:22',
    counts: { web: 12, app: 14, db: 6, sap: 2, mon: 2, dc: 2, file: 2, rds: 2, ws: 98, lws: 10 },
  },
];

/** Per role: platform, OS hints cycled through in order, owning team. */
const ROLES = {
  web: { platform: 'linux', os: ['debian', 'debian', 'ubuntu'], owner: 'team-web' },
  app: { platform: 'linux', os: ['rhel', 'almalinux', 'ubuntu', 'rhel', 'almalinux'], owner: 'team-apps' },
  db: { platform: 'linux', os: ['rhel', 'almalinux', 'debian'], owner: 'team-dba' },
  sap: { platform: 'linux', os: ['sles'], owner: 'team-sap' },
  mon: { platform: 'linux', os: ['debian'], owner: 'team-ops' },
  dc: { platform: 'windows', os: ['windows'], owner: 'team-identity' },
  file: { platform: 'windows', os: ['windows'], owner: 'team-infra' },
  rds: { platform: 'windows', os: ['windows'], owner: 'team-apps' },
};

const DEPARTMENTS = { it: 8, engineering: 30, sales: 18, finance: 14, hr: 7, operations: 23 };

/** The environment of the i-th (1-based) server of a role with `n` servers. */
function environmentOf(role, i, n) {
  if (!['web', 'app', 'db'].includes(role)) return 'prod';
  if (i === 1) return 'staging';
  if (role !== 'db' && i <= 1 + Math.max(1, Math.round(n * 0.12))) return 'dev';
  return 'prod';
}

function buildHosts(site) {
  const hosts = [];
  let ipv4 = 10;
  for (const [role, spec] of Object.entries(ROLES)) {
    const n = site.counts[role];
    for (let i = 1; i <= n; i++) {
      const env = environmentOf(role, i, n);
      const host = {
        name: `${site.id}-${role}-${String(i).padStart(2, '0')}`,
        address: `${site.ipv4}.${ipv4++}`,
      };
      if (spec.platform === 'windows') host.transport = 'winrm';
      host.os = spec.os[(i - 1) % spec.os.length];
      if (spec.platform === 'linux' && site.bastion) host.jumpHost = site.bastion;
      const labels = { role, env, platform: spec.platform, class: 'server', owner: spec.owner };
      // PCI DSS scope: New York's production databases and every fourth production web/app host,
      // plus one Frankfurt app server that the PCI policy's (New York) windows do not cover: the
      // plan shows it as "no-window", which is the point of keeping it here.
      if (
        (site.id === 'nyc' &&
          env === 'prod' &&
          (role === 'db' || ((role === 'web' || role === 'app') && i % 4 === 0))) ||
        host.name === NO_WINDOW_HOST
      ) {
        labels.compliance = 'pci';
      }
      host.labels = labels;
      hosts.push(host);
    }
  }
  const workstations = site.counts.ws + site.counts.lws;
  for (let i = 1; i <= workstations; i++) {
    const name = `${site.id}-ws-${String(i).padStart(4, '0')}`;
    const linux = i > site.counts.ws;
    const host = linux
      ? { name, address: `${site.ipv6}::${(0x1000 + i).toString(16)}`, os: 'ubuntu' }
      : { name, address: `${name}.${site.id}.corp.example.net`, transport: 'winrm', os: 'windows' };
    host.labels = {
      role: 'workstation',
      env: 'prod',
      platform: linux ? 'linux' : 'windows',
      class: 'workstation',
      owner: 'it-desk',
      dept: linux ? (i % 2 === 0 ? 'engineering' : 'it') : pick(DEPARTMENTS),
    };
    hosts.push(host);
  }
  return hosts;
}

const hostsBySite = new Map(SITES.map((s) => [s.id, buildHosts(s)]));
const allHosts = SITES.flatMap((s) => hostsBySite.get(s.id).map((h) => ({ ...h, site: s.id })));
const hostByName = new Map(allHosts.map((h) => [h.name, h]));

// ------------------------------------------------------------------ documents

const doc = (kind, name, spec, description) => ({
  apiVersion: API,
  kind,
  metadata: description ? { name, description } : { name },
  spec,
});

const group = (name, description, spec) => doc('Group', name, spec, description);
const labelsSelector = (matchLabels, matchExpressions) =>
  matchExpressions ? { matchLabels, matchExpressions } : { matchLabels };

// Groups. Every selector below is also evaluated by this script (see check()).
const groupDocs = {
  'sites.yaml': SITES.map((s) =>
    group(`site-${s.id}`, `Every host in ${s.city}.`, { selector: labelsSelector({ site: s.id }) }),
  ),
  'platforms.yaml': [
    group('servers', 'Every server.', { selector: labelsSelector({ class: 'server' }) }),
    group('workstations', 'Every desktop and laptop.', {
      selector: labelsSelector({ class: 'workstation' }),
    }),
    group('linux-servers', 'Servers running Linux.', {
      selector: labelsSelector({ class: 'server', platform: 'linux' }),
    }),
    group('windows-servers', 'Servers running Windows Server.', {
      selector: labelsSelector({ class: 'server', platform: 'windows' }),
    }),
    group('linux-workstations', 'Ubuntu desktops (engineering and IT).', {
      selector: labelsSelector({ class: 'workstation', platform: 'linux' }),
    }),
    group('windows-workstations', 'Windows desktops and laptops.', {
      selector: labelsSelector({ class: 'workstation', platform: 'windows' }),
    }),
  ],
  'roles.yaml': Object.keys(ROLES).map((role) =>
    group(`role-${role}`, `Servers with role ${role}.`, { selector: labelsSelector({ role }) }),
  ),
  'environments.yaml': [
    ...['prod', 'staging', 'dev'].map((env) =>
      group(`env-${env}`, `Servers in the ${env} environment.`, {
        selector: labelsSelector({ class: 'server', env }),
      }),
    ),
    group('nonprod-servers', 'Staging and development servers.', { groups: ['env-staging', 'env-dev'] }),
  ],
  'departments.yaml': [
    group('finance-workstations', 'Workstations of the finance department (quarter-end close).', {
      selector: labelsSelector({ class: 'workstation', dept: 'finance' }),
    }),
    group('it-workstations', 'Workstations of the IT department.', {
      selector: labelsSelector({ class: 'workstation', dept: 'it' }),
    }),
  ],
  'compliance.yaml': [
    group('pci', 'Hosts in PCI DSS scope (card data).', { selector: labelsSelector({ compliance: 'pci' }) }),
  ],
  'rings.yaml': [
    group(
      'servers-canary',
      'Non-production servers except nyc-db-01 (masked card data), plus one file server per site.',
      {
        selector: labelsSelector({ class: 'server' }, [
          { key: 'env', operator: 'In', values: ['staging', 'dev'] },
        ]),
        hosts: SITES.map((s) => `${s.id}-file-01`),
        // nyc-db-01 (staging) holds a masked copy of card data: patched with production.
        exclude: ['nyc-db-01'],
      },
    ),
    group('workstations-canary', 'IT workstations plus volunteers from the business (one per site).', {
      groups: ['it-workstations'],
      hosts: SITES.map(
        (s) =>
          hostsBySite.get(s.id).find((h) => h.labels.class === 'workstation' && h.labels.dept === 'finance')
            .name,
      ),
    }),
  ],
  // One group per site and kind of maintenance window: each host is in exactly one of them.
  'windows.yaml': SITES.flatMap((s) => [
    group(`${s.id}-linux-prod`, `Production Linux web, app and monitoring servers in ${s.city}.`, {
      selector: labelsSelector({ site: s.id, class: 'server', platform: 'linux', env: 'prod' }, [
        { key: 'role', operator: 'In', values: ['web', 'app', 'mon'] },
      ]),
    }),
    group(`${s.id}-databases`, `Production database and SAP servers in ${s.city}.`, {
      selector: labelsSelector({ site: s.id, env: 'prod' }, [
        { key: 'role', operator: 'In', values: ['db', 'sap'] },
      ]),
    }),
    group(`${s.id}-nonprod`, `Staging and development servers in ${s.city}.`, {
      selector: labelsSelector({ site: s.id, class: 'server' }, [
        { key: 'env', operator: 'In', values: ['staging', 'dev'] },
      ]),
    }),
    group(`${s.id}-windows-servers`, `Windows servers in ${s.city}.`, {
      selector: labelsSelector({ site: s.id, class: 'server', platform: 'windows' }),
    }),
    group(`${s.id}-workstations`, `Workstations in ${s.city}.`, {
      selector: labelsSelector({ site: s.id, class: 'workstation' }),
    }),
  ]),
};

const rolloutDocs = {
  'servers.yaml': [
    doc(
      'Rollout',
      'servers',
      {
        appliesTo: ['servers'],
        rings: [
          {
            name: 'canary',
            description: 'Non-production servers and one file server per site.',
            groups: ['servers-canary'],
            maxParallel: 10,
            failureBudget: { maxFailed: 1 },
            bakeTime: '2d',
          },
          {
            name: 'pilot',
            description: '10% of production, by a stable hash of the host name.',
            percent: 10,
            maxParallel: '20%',
            failureBudget: { maxFailedPercent: 10 },
            bakeTime: '2d',
          },
          {
            name: 'early',
            description: 'The next 30% of production.',
            percent: 30,
            maxParallel: '20%',
            failureBudget: { maxFailedPercent: 5 },
            bakeTime: '1d',
          },
          {
            name: 'broad',
            description: 'Every other server.',
            rest: true,
            maxParallel: '15%',
            failureBudget: { maxFailedPercent: 5 },
          },
        ],
      },
      'Servers: canary, pilot, early adopters, then the rest.',
    ),
  ],
  'workstations.yaml': [
    doc(
      'Rollout',
      'workstations',
      {
        appliesTo: ['workstations'],
        rings: [
          {
            name: 'canary',
            description: 'IT and one volunteer workstation per site.',
            groups: ['workstations-canary'],
            maxParallel: 25,
            failureBudget: { maxFailedPercent: 10 },
            bakeTime: '2d',
          },
          {
            name: 'broad',
            description: 'Every other workstation.',
            rest: true,
            maxParallel: '20%',
            failureBudget: { maxFailedPercent: 5 },
          },
        ],
      },
      'Workstations: IT first, then everyone.',
    ),
  ],
};

/** Window kinds per site: group suffix, window suffix, recurrence, offset, duration, cutoff. */
const WINDOW_KINDS = [
  {
    group: 'linux-prod',
    name: 'linux-prod-monthly',
    description: 'Thursday after Patch Tuesday, 22:00-03:00',
    rrule: 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0',
    offset: '2d',
    duration: '5h',
    cutoff: '1h',
  },
  {
    group: 'databases',
    name: 'databases-monthly',
    description: 'Saturday after Patch Tuesday, 23:00-03:00',
    rrule: 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=23;BYMINUTE=0',
    offset: '4d',
    duration: '4h',
    cutoff: '1h',
  },
  {
    group: 'windows-servers',
    name: 'windows-servers-monthly',
    description: 'Sunday after Patch Tuesday, 02:00-06:00',
    rrule: 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=2;BYMINUTE=0',
    offset: '5d',
    duration: '4h',
    cutoff: '1h',
  },
  {
    group: 'nonprod',
    name: 'nonprod-weekly',
    description: 'Tuesdays 19:00-22:00',
    cron: '0 19 * * 2',
    duration: '3h',
    cutoff: '30m',
  },
  {
    group: 'workstations',
    name: 'workstations-weekly',
    description: 'weekly at lunchtime, 12:00-14:00',
    duration: '2h',
    cutoff: '30m',
  },
];

const DAY_NAMES = { MO: 'Mondays', TU: 'Tuesdays', WE: 'Wednesdays', TH: 'Thursdays', FR: 'Fridays' };

function windowsOf(site) {
  return WINDOW_KINDS.map((k) => {
    const spec = { timezone: site.zone };
    let description = `${k.description} ${site.city} time.`;
    if (k.group === 'workstations') {
      spec.rrule = `FREQ=WEEKLY;BYDAY=${site.workstationDay};BYHOUR=12;BYMINUTE=0`;
      description = `${DAY_NAMES[site.workstationDay]} 12:00-14:00 ${site.city} time.`;
    } else if (k.rrule) spec.rrule = k.rrule;
    else spec.cron = k.cron;
    if (k.offset) spec.offset = k.offset;
    spec.duration = k.duration;
    spec.cutoff = k.cutoff;
    spec.groups = [`${site.id}-${k.group}`];
    return doc('MaintenanceWindow', `${site.id}-${k.name}`, spec, description);
  });
}

const windowName = (site, group) => `${site}-${WINDOW_KINDS.find((k) => k.group === group).name}`;
const windowsFor = (groupSuffixes, sites = SITES.map((s) => s.id)) =>
  sites.flatMap((s) => groupSuffixes.map((g) => windowName(s, g)));

const blackoutDocs = [
  doc(
    'Blackout',
    'year-end-freeze',
    {
      reason: 'Year-end change freeze: holidays, reduced staffing, financial year closing.',
      timezone: 'Europe/Berlin',
      rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=18;BYHOUR=0;BYMINUTE=0',
      duration: '17d',
    },
    '18 December to 4 January, every host.',
  ),
  doc(
    'Blackout',
    'quarter-end-close',
    {
      reason: 'Quarter-end financial close: SAP, databases and finance desktops stay untouched.',
      timezone: 'Europe/Berlin',
      rrule: 'FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=25;BYHOUR=0;BYMINUTE=0',
      duration: '10d',
      groups: ['role-sap', 'role-db', 'finance-workstations'],
    },
    'From the 25th of March, June, September and December, for ten days.',
  ),
  doc(
    'Blackout',
    'syd-network-migration',
    {
      reason: 'Sydney data-centre network migration (CHG-2211): no changes on Linux production.',
      timezone: 'Australia/Sydney',
      start: '2026-12-09T00:00:00',
      end: '2026-12-14T00:00:00',
      groups: ['syd-linux-prod'],
    },
    'A one-off freeze: 9 to 14 December 2026, Sydney time.',
  ),
];

const KEV = { enabled: true, feeds: ['kev.json'], skipApproval: true, skipBakeTime: true };
const LINUX_HEALTH = {
  command: ['systemctl', 'is-system-running'],
  timeout: '2m',
  retries: 5,
  interval: '30s',
};

const policy = (name, description, spec) => doc('PatchPolicy', name, spec, description);

const policyDocs = [
  policy('linux-servers-security', 'Security updates on Linux servers three days after release.', {
    appliesTo: { groups: ['linux-servers'] },
    priority: 10,
    rollout: 'servers',
    classification: ['security'],
    approveAfter: '3d',
    // The hypervisor team updates VM tools with the host platform, not with the guests.
    exclude: ['open-vm-tools'],
    reboot: 'ifRequired',
    windows: windowsFor(['linux-prod', 'databases', 'nonprod']),
    hooks: {
      pre: [{ command: ['logger', '-t', 'patchctl', 'patching starts'], timeout: '30s', required: false }],
      post: [{ command: ['logger', '-t', 'patchctl', 'patching finished'], timeout: '30s', required: false }],
      healthCheck: LINUX_HEALTH,
    },
    emergency: { ...KEV, ignoreWindows: false },
  }),
  policy('windows-servers-security', 'Security updates on Windows servers five days after Patch Tuesday.', {
    appliesTo: { groups: ['windows-servers'] },
    priority: 10,
    rollout: 'servers',
    classification: ['security'],
    approveAfter: '5d',
    reboot: 'ifRequired',
    windows: windowsFor(['windows-servers']),
    emergency: { ...KEV, ignoreWindows: false },
  }),
  policy('workstations-baseline', 'Security and bug fixes on workstations after two days, weekly.', {
    appliesTo: { groups: ['workstations'] },
    priority: 10,
    rollout: 'workstations',
    classification: ['security', 'bugfix'],
    approveAfter: '2d',
    reboot: 'ifRequired',
    windows: windowsFor(['workstations']),
    emergency: { ...KEV, ignoreWindows: true },
  }),
  policy('dev-all-updates', 'Development servers take every update after one day, and always reboot.', {
    appliesTo: { selector: labelsSelector({ class: 'server', env: 'dev' }) },
    priority: 20,
    rollout: 'servers',
    classification: ['all'],
    approveAfter: '1d',
    reboot: 'always',
    windows: windowsFor(['nonprod']),
    hooks: { healthCheck: LINUX_HEALTH },
  }),
  policy(
    'databases-conservative',
    'High and critical security fixes on databases after a week, majors pinned.',
    {
      appliesTo: { groups: ['role-db'] },
      priority: 30,
      rollout: 'servers',
      classification: ['security'],
      minSeverity: 'high',
      approveAfter: '7d',
      pins: [
        { package: 'postgresql-server', version: '<17' },
        { package: 'pgbouncer', version: '>=1.21 <1.24' },
      ],
      reboot: 'ifRequired',
      windows: windowsFor(['databases', 'nonprod']),
      hooks: {
        pre: [{ command: ['systemctl', 'is-active', 'postgresql'], timeout: '30s' }],
        healthCheck: {
          command: ['systemctl', 'is-active', 'postgresql'],
          timeout: '1m',
          retries: 3,
          interval: '20s',
        },
      },
    },
  ),
  policy('sap-certified', 'SAP hosts: critical security fixes only, kernel held on the certified line.', {
    appliesTo: { groups: ['role-sap'] },
    priority: 40,
    rollout: 'servers',
    classification: ['security'],
    minSeverity: 'critical',
    approveAfter: '14d',
    pins: [{ package: 'kernel-default', version: '<6.5' }],
    reboot: 'ifRequired',
    windows: windowsFor(
      ['databases'],
      SITES.filter((s) => s.counts.sap > 0).map((s) => s.id),
    ),
  }),
  policy('pci-security', 'PCI DSS scope: every security fix after one day; exploited ones at once.', {
    appliesTo: { groups: ['pci'] },
    priority: 50,
    rollout: 'servers',
    classification: ['security'],
    minSeverity: 'low',
    approveAfter: '1d',
    reboot: 'ifRequired',
    windows: windowsFor(['linux-prod', 'databases'], ['nyc']),
    hooks: { healthCheck: LINUX_HEALTH },
    emergency: { ...KEV, ignoreWindows: true },
  }),
  policy('browsers-fast-lane', 'Browsers on workstations one day after release, no reboot.', {
    appliesTo: { groups: ['workstations'] },
    priority: 60,
    rollout: 'workstations',
    classification: ['all'],
    approveAfter: '1d',
    include: [
      'firefox*',
      'chromium*',
      'google-chrome*',
      'microsoft-edge*',
      'Mozilla.Firefox*',
      'Google.Chrome*',
    ],
    reboot: 'never',
    windows: windowsFor(['workstations']),
  }),
];

const exception = (name, spec) => doc('PatchException', name, { ...spec, created: CREATED });

const exceptionDocs = {
  'databases.yaml': [
    exception('nyc-db-postgresql-16-4', {
      hosts: ['nyc-db-02', 'nyc-db-05'],
      packages: ['postgresql-server', 'postgresql-contrib'],
      reason: 'Payments ledger is certified on PostgreSQL 16.4; the vendor certifies 16.6 in January.',
      owner: 'dba@example.net',
      ticket: 'CHG-20417',
      expires: '2027-01-29',
    }),
    exception('sap-kernel-certification', {
      groups: ['role-sap'],
      packages: ['kernel-default'],
      reason: 'SAP supports only certified SLES kernels; the December kernel is not on the list yet.',
      owner: 'sap-basis@example.net',
      ticket: 'CHG-20451',
      expires: '2027-02-12',
    }),
  ],
  'windows.yaml': [
    exception('fra-print-spooler-kb', {
      groups: ['fra-windows-servers'],
      advisories: ['KB5046617'],
      reason: 'The update breaks printing to the warehouse label printers; vendor driver fix expected.',
      owner: 'infra@example.net',
      ticket: 'INC-88213',
      expires: '2027-01-15',
    }),
    exception('dc-kerberos-legacy-nas', {
      groups: ['role-dc'],
      advisories: ['KB5048685'],
      reason: 'Kerberos hardening in this update locks out the legacy NAS; its firmware update is scheduled.',
      owner: 'identity@example.net',
      ticket: 'CHG-20502',
      expires: '2027-02-15',
    }),
    exception('nyc-lab-instrument-pcs', {
      hosts: ['nyc-ws-0007', 'nyc-ws-0008'],
      advisories: ['KB5046613'],
      reason: 'Lab instrument control software is validated on the October build only (GxP).',
      owner: 'lab-it@example.net',
      ticket: 'VAL-3310',
      expires: '2027-02-15',
    }),
  ],
  'applications.yaml': [
    exception('nyc-app-git-cve-2025-48384', {
      hosts: ['nyc-app-04'],
      advisories: ['CVE-2025-48384'],
      reason: 'Build agent needs the vendor toolchain git; no untrusted repositories, submodules disabled.',
      owner: 'team-apps@example.net',
      ticket: 'RISK-1187',
      expires: '2027-01-31',
    }),
    exception('fra-app-java-17-pin', {
      hosts: ['fra-app-10', 'fra-app-11', 'fra-app-12'],
      packages: ['java-17-openjdk*'],
      reason: 'Trading engine fails its latency tests on the new JDK build; the vendor is investigating.',
      owner: 'team-apps@example.net',
      ticket: 'INC-88240',
      expires: '2027-01-22',
    }),
    exception('syd-web-nginx-module', {
      hosts: ['syd-web-05', 'syd-web-06'],
      packages: ['nginx', 'nginx-*'],
      reason: 'A custom nginx module must be rebuilt against the new version before the upgrade.',
      owner: 'team-web@example.net',
      ticket: 'CHG-20533',
      expires: '2027-02-05',
    }),
    exception('syd-mon-dsa-hold', {
      hosts: ['syd-mon-01'],
      advisories: ['DSA-5834-1'],
      reason: 'Monitoring server is being replaced in January; the new host is already patched.',
      owner: 'team-ops@example.net',
      ticket: 'CHG-20540',
      expires: '2027-01-08',
    }),
  ],
  'workstations.yaml': [
    exception('finance-firefox-esr', {
      groups: ['finance-workstations'],
      packages: ['firefox', 'Mozilla.Firefox*'],
      reason:
        'The ERP web client is certified on Firefox ESR only; finance moves to the new ESR in February.',
      owner: 'finance-it@example.net',
      ticket: 'CHG-20466',
      expires: '2027-02-15',
    }),
  ],
};

const config = doc(
  'Config',
  'enterprise',
  {
    timezone: 'Europe/Berlin',
    concurrency: 100,
    ssh: {
      user: 'patchctl',
      port: 22,
      useAgent: true,
      sudo: true,
      connectTimeout: '15s',
      commandTimeout: '45m',
      keepaliveInterval: '30s',
      useUserKnownHosts: false,
    },
    winrm: {
      scheme: 'https',
      port: 5986,
      auth: 'ntlm',
      allowHttp: false,
      userEnv: 'PATCHCTL_WINRM_USER',
      passwordEnv: 'PATCHCTL_WINRM_PASSWORD',
      operationTimeout: '90m',
    },
    sla: { critical: '7d', high: '14d', medium: '30d', low: '90d' },
    exceptions: { maxDuration: '90d' },
    git: { authorName: 'patchctl', authorEmail: 'patchctl@example.net' },
  },
  'Example enterprise fleet: 600 hosts in Frankfurt, New York and Sydney.',
);

const inventoryDocs = SITES.map((s) =>
  doc(
    'Inventory',
    s.id,
    {
      defaults: { transport: 'ssh', timezone: s.zone, labels: { site: s.id } },
      hosts: hostsBySite.get(s.id),
    },
    `${s.city}: servers and workstations.`,
  ),
);

// ------------------------------------------------------------------ self-check

/** The hosts a selector matches, as the validator reads it (all requirements must hold). */
function selectorMatches(selector, labels) {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const effectiveLabels = (h) => ({ site: h.site, ...h.labels });
const allGroups = Object.values(groupDocs).flat();
const groupByName = new Map(allGroups.map((g) => [g.metadata.name, g]));

function members(name, seen = new Set()) {
  const g = groupByName.get(name);
  if (!g) throw new Error(`unknown group ${name}`);
  if (seen.has(name)) throw new Error(`group cycle through ${name}`);
  const s = g.spec;
  const out = new Set();
  if (s.selector)
    for (const h of allHosts) if (selectorMatches(s.selector, effectiveLabels(h))) out.add(h.name);
  for (const n of s.hosts ?? []) out.add(n);
  for (const sub of s.groups ?? []) for (const n of members(sub, new Set([...seen, name]))) out.add(n);
  for (const n of s.exclude ?? []) out.delete(n);
  for (const sub of s.excludeGroups ?? [])
    for (const n of members(sub, new Set([...seen, name]))) out.delete(n);
  return out;
}

function check() {
  const problems = [];
  const need = (ok, message) => ok || problems.push(message);
  const hostExists = (n) => need(hostByName.has(n), `unknown host ${n}`);
  const groupExists = (n) => need(groupByName.has(n), `unknown group ${n}`);
  need(allHosts.length === hostByName.size, 'duplicate host names');
  for (const g of allGroups) {
    [...(g.spec.hosts ?? []), ...(g.spec.exclude ?? [])].forEach(hostExists);
    [...(g.spec.groups ?? []), ...(g.spec.excludeGroups ?? [])].forEach(groupExists);
    need(members(g.metadata.name).size > 0, `group ${g.metadata.name} is empty`);
  }
  const windows = SITES.flatMap(windowsOf);
  const windowNames = new Set(windows.map((w) => w.metadata.name));
  const windowOf = new Map();
  for (const w of windows) {
    for (const gname of w.spec.groups) {
      groupExists(gname);
      for (const h of members(gname)) {
        need(!windowOf.has(h), `${h} is in windows ${windowOf.get(h)} and ${w.metadata.name}`);
        windowOf.set(h, w.metadata.name);
      }
    }
  }
  for (const h of allHosts) need(windowOf.has(h.name), `${h.name} has no maintenance window`);
  for (const b of blackoutDocs) (b.spec.groups ?? []).forEach(groupExists);
  const rollouts = new Map(
    Object.values(rolloutDocs)
      .flat()
      .map((r) => [r.metadata.name, r]),
  );
  for (const r of rollouts.values()) {
    r.spec.appliesTo.forEach(groupExists);
    const scope = new Set(r.spec.appliesTo.flatMap((g) => [...members(g)]));
    const claimed = new Set();
    for (const ring of r.spec.rings.filter((x) => x.groups)) {
      for (const n of ring.groups.flatMap((g) => [...members(g)])) {
        if (!scope.has(n)) continue;
        need(!claimed.has(n), `${n} is in two rings of ${r.metadata.name}`);
        claimed.add(n);
      }
    }
    need(claimed.size > 0 && claimed.size < scope.size, `rollout ${r.metadata.name}: odd canary size`);
    const percent = r.spec.rings.reduce((sum, x) => sum + (x.percent ?? 0), 0);
    need(percent <= 100, `rollout ${r.metadata.name}: percents add up to ${percent}`);
  }
  for (const p of policyDocs) {
    const s = p.spec;
    (s.appliesTo.groups ?? []).forEach(groupExists);
    const hosts = new Set((s.appliesTo.groups ?? []).flatMap((g) => [...members(g)]));
    if (s.appliesTo.selector) {
      for (const h of allHosts)
        if (selectorMatches(s.appliesTo.selector, effectiveLabels(h))) hosts.add(h.name);
    }
    need(hosts.size > 0, `policy ${p.metadata.name} matches no host`);
    need(rollouts.has(s.rollout), `policy ${p.metadata.name}: unknown rollout ${s.rollout}`);
    const rolloutScope = new Set(rollouts.get(s.rollout).spec.appliesTo.flatMap((g) => [...members(g)]));
    for (const h of hosts)
      need(rolloutScope.has(h), `policy ${p.metadata.name}: ${h} is outside its rollout`);
    for (const w of s.windows) need(windowNames.has(w), `policy ${p.metadata.name}: unknown window ${w}`);
    const usable = new Set(s.windows);
    for (const h of hosts) {
      if (h === NO_WINDOW_HOST) continue;
      need(usable.has(windowOf.get(h)), `policy ${p.metadata.name}: ${h} has no usable window`);
    }
  }
  for (const e of Object.values(exceptionDocs).flat()) {
    (e.spec.hosts ?? []).forEach(hostExists);
    (e.spec.groups ?? []).forEach(groupExists);
    need(e.spec.reason.length >= 10, `exception ${e.metadata.name}: reason too short`);
    need(e.spec.expires <= '2027-02-15', `exception ${e.metadata.name}: expires too late`);
  }
  if (problems.length > 0)
    throw new Error(`generated repository is inconsistent:\n  ${problems.join('\n  ')}`);
}

// ------------------------------------------------------------------ output

/** YAML text of one document: short lists of scalars on one line, everything else in blocks. */
function yamlOf(value) {
  const d = new Document(value);
  visit(d, {
    Seq(_, node) {
      const scalars = node.items.every((i) => isScalar(i) && typeof i.value === 'string');
      const width = node.items.reduce((sum, i) => sum + String(i.value).length + 2, 0);
      if (scalars && node.items.length > 0 && width <= 70) node.flow = true;
    },
  });
  return d.toString({ singleQuote: true, lineWidth: 0, flowCollectionPadding: false });
}

function writeYaml(rel, schema, header, docs) {
  const comments = [
    `# yaml-language-server: $schema=${schema}`,
    '#',
    ...header.map((l) => (l ? `# ${l}` : '#')),
  ];
  const body = docs.map(yamlOf).join('---\n');
  write(rel, `${comments.join('\n')}\n\n${body}`);
}

function write(rel, text) {
  const file = path.join(OUT, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A Markdown table laid out the way prettier lays it out. */
function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const GENERATED =
  'Generated by scripts/generate-enterprise.mjs: edit the script and rerun it, not this file.';
const sub = (kind) => `../schemas/${kind}.schema.json`;

const DOCUMENT_DIRS = ['inventory', 'groups', 'rollouts', 'windows', 'policies', 'exceptions'];

function main() {
  check();
  // Only the documents are regenerated: state/ and advisories/kev.json come from
  // scripts/generate-state.mjs, which reads these documents (run it afterwards).
  for (const entry of ['patchctl.yaml', 'README.md', 'known_hosts', 'schemas', ...DOCUMENT_DIRS]) {
    rmSync(path.join(OUT, entry), { recursive: true, force: true });
  }
  mkdirSync(OUT, { recursive: true });
  // The modelines point at ../schemas/: a link to the package's schemas makes them resolve here.
  symlinkSync('../../schemas', path.join(OUT, 'schemas'));

  writeYaml('patchctl.yaml', 'schemas/config.schema.json', [GENERATED], [config]);
  for (const inv of inventoryDocs) {
    const site = SITES.find((s) => s.id === inv.metadata.name);
    writeYaml(
      `inventory/${site.id}.yaml`,
      sub('inventory'),
      [
        GENERATED,
        '',
        `${site.city} (${site.zone}): ${inv.spec.hosts.length} hosts. Labels: site (from the defaults), role,`,
        'env, platform, class (server or workstation), owner, dept (workstations) and compliance.',
      ],
      [inv],
    );
  }
  const groupHeaders = {
    'sites.yaml': 'One group per site.',
    'platforms.yaml': 'Servers and workstations, by platform.',
    'roles.yaml': 'One group per server role.',
    'environments.yaml': 'Servers by environment.',
    'departments.yaml': 'Workstations by department.',
    'compliance.yaml': 'Compliance scopes.',
    'rings.yaml': 'The canary groups of the two rollouts (rollouts/).',
    'windows.yaml': 'Maintenance-window groups: per site, every host is in exactly one of them.',
  };
  for (const [file, docs] of Object.entries(groupDocs)) {
    writeYaml(`groups/${file}`, sub('group'), [GENERATED, '', groupHeaders[file]], docs);
  }
  for (const [file, docs] of Object.entries(rolloutDocs)) {
    writeYaml(`rollouts/${file}`, sub('rollout'), [GENERATED], docs);
  }
  for (const site of SITES) {
    writeYaml(
      `windows/${site.id}.yaml`,
      sub('maintenance-window'),
      [
        GENERATED,
        '',
        `Maintenance windows of ${site.city}, in ${site.zone} time. Server windows follow Patch Tuesday`,
        '(the second Tuesday of the month) with an offset, so that the canary ring has patched first.',
      ],
      windowsOf(site),
    );
  }
  writeYaml('windows/blackouts.yaml', sub('blackout'), [GENERATED, '', 'Change freezes.'], blackoutDocs);
  for (const p of policyDocs) {
    writeYaml(`policies/${p.metadata.name}.yaml`, sub('patch-policy'), [GENERATED], [p]);
  }
  for (const [file, docs] of Object.entries(exceptionDocs)) {
    writeYaml(
      `exceptions/${file}`,
      sub('patch-exception'),
      [
        GENERATED,
        '',
        'Reviewed waivers; each one expires and then fails validation until renewed or removed.',
      ],
      docs,
    );
  }
  write(
    'known_hosts',
    '# Pinned SSH host keys (OpenSSH known_hosts format), reviewed like any other change.\n',
  );
  write('README.md', readme());
  const count = (pred) => allHosts.filter(pred).length;
  console.log(
    `examples/enterprise: ${allHosts.length} hosts (${count((h) => h.labels.class === 'server')} servers, ` +
      `${count((h) => h.labels.class === 'workstation')} workstations), ${allGroups.length} groups, ` +
      `${policyDocs.length} policies, ${Object.values(exceptionDocs).flat().length} exceptions`,
  );
}

function readme() {
  const count = (pred) => allHosts.filter(pred).length;
  const siteRows = SITES.map((s) => {
    const hs = allHosts.filter((h) => h.site === s.id);
    const n = (pred) => hs.filter(pred).length;
    return [
      `${s.id} (${s.city})`,
      s.zone,
      n((h) => h.labels.class === 'server' && h.labels.platform === 'linux'),
      n((h) => h.labels.class === 'server' && h.labels.platform === 'windows'),
      n((h) => h.labels.class === 'workstation' && h.labels.platform === 'windows'),
      n((h) => h.labels.class === 'workstation' && h.labels.platform === 'linux'),
      hs.length,
    ];
  });
  const osRows = [...new Set(allHosts.map((h) => h.os))].sort().map((os) => [os, count((h) => h.os === os)]);
  const windows = SITES.flatMap(windowsOf);
  const windowRows = windows.map((w) => [
    `\`${w.metadata.name}\``,
    w.spec.groups.map((g) => `\`${g}\``).join(', '),
    members(w.spec.groups[0]).size,
    w.metadata.description,
  ]);
  const policyRows = policyDocs.map((p) => [
    p.spec.priority,
    `\`${p.metadata.name}\``,
    `\`${p.spec.rollout}\``,
    p.metadata.description,
  ]);
  const exceptionRows = Object.entries(exceptionDocs).flatMap(([file, docs]) =>
    docs.map((e) => [
      `\`${e.metadata.name}\``,
      [
        ...(e.spec.hosts ?? []).map((h) => `\`${h}\``),
        ...(e.spec.groups ?? []).map((g) => `group \`${g}\``),
      ].join(', '),
      [...(e.spec.packages ?? []), ...(e.spec.advisories ?? [])].map((x) => `\`${x}\``).join(', '),
      e.spec.expires,
      `exceptions/${file}`,
    ]),
  );
  return `# Enterprise example

A patchctl repository for a fleet of ${allHosts.length} hosts in three sites: the shape of a
mid-sized company with data centres and offices in Frankfurt, New York and Sydney. It is
generated by \`scripts/generate-enterprise.mjs\` (rerun it with
\`node scripts/generate-enterprise.mjs\`; do not edit these files by hand) and serves as a
larger example, as test input and as a benchmark fixture.

\`\`\`sh
patchctl validate -C examples/enterprise --at 2026-12-01T00:00:00Z
\`\`\`

The exceptions were granted on ${CREATED} and expire by 2027-02-15; after that date
\`validate\` reports them as expired (which is the point of expiring exceptions), so pass
\`--at\` as above.

## Fleet

${table(['site', 'zone', 'Linux servers', 'Windows servers', 'Windows workstations', 'Linux workstations', 'total'], siteRows)}

Operating systems (inventory \`os\` hints):

${table(['os', 'hosts'], osRows)}

Every host carries the labels \`site\`, \`role\` (web, app, db, sap, mon, dc, file, rds,
workstation), \`env\` (prod, staging, dev), \`platform\` (linux, windows), \`class\` (server,
workstation) and \`owner\`; workstations also carry \`dept\`, and hosts in PCI DSS scope
\`compliance: pci\`. One inventory file per site (\`inventory/\`); Sydney's Linux servers are
reached through a bastion (\`jumpHost\`). Addresses are from the documentation ranges
(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and example.net.

## Groups

${allGroups.length} groups in \`groups/\`: by site (\`site-fra\`...), by platform (\`servers\`,
\`workstations\`, \`linux-servers\`, \`windows-servers\`...), by role (\`role-web\`...), by
environment (\`env-prod\`, \`env-staging\`, \`env-dev\`, \`nonprod-servers\`), by department
(\`finance-workstations\`, \`it-workstations\`), compliance (\`pci\`), the canary groups of the
rollouts, and one group per site and maintenance window (\`fra-linux-prod\`, \`fra-databases\`,
\`fra-nonprod\`, \`fra-windows-servers\`, \`fra-workstations\`...).

## Rollouts

- \`servers\` (${members('servers').size} hosts): \`canary\` (the \`servers-canary\` group: the
  staging and development servers except \`nyc-db-01\`, plus one file server per site), \`pilot\` (10% of the
  other servers, by stable hash), \`early\` (the next 30%), \`broad\` (the rest).
- \`workstations\` (${members('workstations').size} hosts): \`canary\` (IT workstations and one
  finance volunteer per site), \`broad\` (the rest).

## Maintenance windows

Each host is in exactly one window, so no two windows overlap for the same host. Server
windows follow Patch Tuesday in each site's own time zone: Linux production on Thursday,
databases and SAP on Saturday night, Windows servers on Sunday morning. Non-production
servers patch every Tuesday evening, ahead of production.

${table(['window', 'groups', 'hosts', 'when'], windowRows)}

Blackouts (\`windows/blackouts.yaml\`): \`year-end-freeze\` (18 December to 4 January, every
host), \`quarter-end-close\` (ten days from the 25th of each quarter's last month, for
SAP, databases and finance workstations) and \`syd-network-migration\` (9 to 14 December
2026, Sydney's Linux production).

## Policies

When several policies match a host, the higher priority wins.

${table(['priority', 'policy', 'rollout', 'what'], policyRows)}

The security policies put fixes for vulnerabilities listed in \`advisories/kev.json\` (CISA
KEV) on an emergency track. The \`kev.json\` here is a real slice of CISA's catalogue
(see \`advisories/README.md\`).

## Observed state

\`state/hosts/\` holds what a scan of this fleet could have found (written by
\`node scripts/generate-state.mjs\`), so \`patchctl plan -C examples/enterprise --at
2026-12-01T00:00:00Z\` works without any host. It is arranged so the plan shows every skip
reason: held packages, unreachable hosts, pinned and excluded packages, updates too new to
be approved, below a policy's severity or outside its classification, a host none of its
policy's windows covers (\`fra-app-13\`), and Sydney's Linux production frozen by the
one-off \`syd-network-migration\` blackout.

## Exceptions

${table(['exception', 'hosts', 'packages / advisories', 'expires', 'file'], exceptionRows)}
`;
}

main();
