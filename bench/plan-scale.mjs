#!/usr/bin/env node
// Planning at scale: generates a repository of N hosts with realistic state (~50 updates
// each, 5 rings, 20 policies, 50 exceptions) and vulnerability feeds (800 OSV records on the
// hosts' packages, a KEV catalogue of 100 CVEs, EPSS scores for 9,000) in a temporary folder,
// then measures, alternating in each run:
//   parse:      reading and parsing every input file (YAML and JSON), nothing else;
//   plan:       the whole of `patchctl plan` in process (load, validate, read state, plan);
//               these two without the feeds (advisories/ moved aside), as before issue 15;
//   plan+feeds: the same plan with the feeds, which it joins to every pending update;
// and prints them, plan/parse and plan+feeds/plan, per size. Run after `npm run build`:
//
//   node bench/plan-scale.mjs [--sizes 1000,10000] [--runs 3] [--json] [--keep]
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { parseAllDocuments } from 'yaml';
import { makePlan } from '../dist/engine/make-plan.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = flag('--sizes', '1000,10000').split(',').map(Number);
const runs = Number(flag('--runs', '3'));
const asJson = args.includes('--json');
/** Keep the generated repositories (for profiling: node --cpu-prof bin/patchctl plan -C DIR). */
const keep = args.includes('--keep');
const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

// A small deterministic PRNG (mulberry32) so every run plans the same repository.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKAGES = Array.from({ length: 400 }, (_, i) => `pkg-${String(i).padStart(3, '0')}`);
const SITES = ['fra', 'nyc', 'syd', 'sgp', 'gru'];
const ROLES = ['web', 'db', 'app', 'cache', 'ws'];

function generate(dir, hosts) {
  const rand = rng(hosts);
  const w = (rel, text) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };
  w(
    'patchctl.yaml',
    'apiVersion: patchctl/v1\nkind: Config\nmetadata: { name: bench }\nspec:\n  timezone: UTC\n',
  );
  const names = [];
  for (const site of SITES) {
    const lines = [
      `apiVersion: patchctl/v1\nkind: Inventory\nmetadata: { name: ${site} }\nspec:\n  defaults: { labels: { site: ${site} } }\n  hosts:`,
    ];
    for (let i = 0; i < hosts / SITES.length; i++) {
      const name = `${site}-${String(i).padStart(5, '0')}`;
      const role = ROLES[i % ROLES.length];
      names.push(name);
      lines.push(`    - { name: ${name}, address: ${name}.example.net, labels: { role: ${role} } }`);
    }
    w(`inventory/${site}.yaml`, `${lines.join('\n')}\n`);
  }
  const doc = (kind, name, spec) =>
    `apiVersion: patchctl/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${spec}\n`;
  const groups = [
    ...ROLES.map((r) => doc('Group', r, `  selector: { matchLabels: { role: ${r} } }`)),
    ...SITES.map((s) => doc('Group', `site-${s}`, `  selector: { matchLabels: { site: ${s} } }`)),
    doc('Group', 'canary', `  hosts: [${names.filter((_, i) => i % 97 === 0).join(', ')}]`),
  ];
  w('groups/groups.yaml', groups.join('---\n'));
  w(
    'rollouts/main.yaml',
    doc(
      'Rollout',
      'main',
      '  rings:\n    - { name: canary, groups: [canary], bakeTime: 1d }\n    - { name: pilot, percent: 10, bakeTime: 1d }\n    - { name: early, percent: 20, bakeTime: 1d }\n    - { name: main, percent: 40 }\n    - { name: late, rest: true }',
    ),
  );
  w(
    'windows/windows.yaml',
    SITES.map((s, i) =>
      doc(
        'MaintenanceWindow',
        `win-${s}`,
        `  timezone: UTC\n  rrule: FREQ=DAILY;BYHOUR=${i * 4}\n  duration: 3h\n  groups: [site-${s}]`,
      ),
    ).join('---\n'),
  );
  const policies = [];
  for (let i = 0; i < 20; i++) {
    const include =
      i < 15
        ? `\n  include: ['pkg-${String(i * 20).padStart(3, '0')}*', 'pkg-${String(i * 20 + 1).padStart(3, '0')}*']`
        : '';
    policies.push(
      doc(
        'PatchPolicy',
        `policy-${i}`,
        `  appliesTo: { groups: [${ROLES[i % ROLES.length]}] }\n  priority: ${i}\n  rollout: main\n  classification: [${i % 3 === 0 ? 'all' : 'security'}]\n  minSeverity: ${['low', 'medium', 'high'][i % 3]}\n  approveAfter: ${i % 4}d\n  windows: [${SITES.map((s) => `win-${s}`).join(', ')}]${include}`,
      ),
    );
  }
  w('policies/policies.yaml', policies.join('---\n'));
  const exceptions = [];
  for (let i = 0; i < 50; i++) {
    exceptions.push(
      doc(
        'PatchException',
        `exception-${i}`,
        `  hosts: [${names[Math.floor(rand() * names.length)]}]\n  packages: [${PACKAGES[Math.floor(rand() * PACKAGES.length)]}]\n  reason: benchmark waiver number ${i}\n  owner: ops\n  created: '2026-11-20'\n  expires: '2027-01-20'`,
      ),
    );
  }
  w('exceptions/exceptions.yaml', exceptions.join('---\n'));
  writeFeeds(w, rand);
  const severities = ['critical', 'high', 'medium', 'low'];
  const classes = ['security', 'security', 'bugfix', 'enhancement'];
  for (const name of names) {
    const updates = [];
    const used = new Set();
    while (updates.length < 50) {
      const pkg = PACKAGES[Math.floor(rand() * PACKAGES.length)];
      if (used.has(pkg)) continue;
      used.add(pkg);
      const minor = Math.floor(rand() * 20);
      updates.push({
        name: pkg,
        from: `1.${minor}.0-1~deb12u1`,
        to: `1.${minor}.${1 + Math.floor(rand() * 5)}-1~deb12u1`,
        arch: 'amd64',
        source: 'bookworm-security',
        classification: classes[Math.floor(rand() * classes.length)],
        severity: severities[Math.floor(rand() * severities.length)],
        advisories: [`CVE-2026-${String(10000 + Math.floor(rand() * 9000))}`],
        releasedAt: `2026-11-${String(1 + Math.floor(rand() * 29)).padStart(2, '0')}T00:00:00Z`,
      });
    }
    updates.sort((a, b) => (a.name < b.name ? -1 : 1));
    const state = {
      formatVersion: 1,
      host: name,
      scannedAt: '2026-11-30T12:00:00Z',
      reachable: true,
      os: { family: 'debian', id: 'debian', version: '12' },
      packageManager: 'apt',
      rebootRequired: false,
      installed: updates.map((u) => ({ name: u.name, version: u.from, arch: 'amd64' })),
      updates,
      held: [],
    };
    w(`state/hosts/${name}.json`, `${JSON.stringify(state, null, 2)}\n`);
  }
}

/**
 * Feeds as `advisories sync` would leave them: two Debian 12 OSV records per package (fixed at
 * 1.5.3 and 1.12.2, so some hosts are below a fix and some updates reach it), CISA KEV listing
 * 100 of the CVEs the states name, EPSS scores for all of them.
 */
function writeFeeds(w, rand) {
  const cve = (n) => `CVE-2026-${String(10000 + n)}`;
  PACKAGES.forEach((pkg, i) => {
    for (const [k, fixed] of [
      [0, '1.5.3-1~deb12u1'],
      [1, '1.12.2-1~deb12u1'],
    ]) {
      const id = `DSA-${9000 + i * 2 + k}-1`;
      const record = {
        schema_version: '1.6.0',
        id,
        modified: '2026-11-20T00:00:00Z',
        published: '2026-11-10T00:00:00Z',
        aliases: [cve(Math.floor(rand() * 9000)), cve(Math.floor(rand() * 9000))],
        affected: [
          {
            package: { ecosystem: 'Debian:12', name: pkg },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
            ecosystem_specific: { urgency: ['low', 'medium', 'high'][i % 3] },
          },
        ],
      };
      w(`advisories/osv/osv-debian/${id}.json`, `${JSON.stringify(record, null, 2)}\n`);
    }
  });
  const kev = Array.from({ length: 100 }, (_, i) => ({
    cveID: cve(i * 90),
    vendorProject: 'Bench',
    product: 'bench',
    vulnerabilityName: `Bench vulnerability ${i}`,
    dateAdded: '2026-11-01',
    shortDescription: 'A generated entry.',
    requiredAction: 'Apply updates.',
    dueDate: '2026-11-22',
    knownRansomwareCampaignUse: i % 10 === 0 ? 'Known' : 'Unknown',
    notes: '',
  }));
  w(
    'advisories/kev.json',
    `${JSON.stringify({ title: 'bench', catalogVersion: '2026.11.30', dateReleased: '2026-11-30T00:00:00.000Z', count: kev.length, vulnerabilities: kev }, null, 2)}\n`,
  );
  const rows = Array.from(
    { length: 9000 },
    (_, n) => `${cve(n)},${(rand() * 0.3).toFixed(5)},${rand().toFixed(5)}`,
  );
  w(
    'advisories/epss.csv',
    `#model_version:v2026.06.15,score_date:2026-11-30T00:00:00Z\ncve,epss,percentile\n${rows.join('\n')}\n`,
  );
}

/** The floor: read and parse every input, nothing else. */
function parseOnly(dir) {
  const walk = (rel) =>
    readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(path.join(rel, e.name)) : [path.join(rel, e.name)],
    );
  let docs = 0;
  for (const f of walk('.')) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    if (f.endsWith('.json')) docs += JSON.parse(text) ? 1 : 0;
    else if (f.endsWith('.csv')) docs += text.split('\n').map((l) => l.split(',')).length > 0 ? 1 : 0;
    else docs += parseAllDocuments(text).length;
  }
  return docs;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const t = performance.now();
  fn();
  return (performance.now() - t) / 1000;
}

const results = {};
for (const size of sizes) {
  const dir = mkdtempSync(path.join(tmpdir(), `patchctl-bench-${size}-`));
  try {
    generate(dir, size);
    const parse = [];
    const plan = [];
    const withFeeds = [];
    let summary;
    const feeds = path.join(dir, 'advisories');
    const aside = `${dir}-advisories`;
    for (let r = 0; r < runs; r++) {
      renameSync(feeds, aside);
      try {
        parse.push(time(() => parseOnly(dir)));
        plan.push(time(() => (summary = makePlan(dir, AT).plan.summary)));
      } finally {
        renameSync(aside, feeds);
      }
      withFeeds.push(time(() => makePlan(dir, AT)));
    }
    results[size] = {
      hosts: size,
      parseSeconds: median(parse),
      planSeconds: median(plan),
      planVsParse: median(plan) / median(parse),
      planWithFeedsSeconds: median(withFeeds),
      feedsOverhead: median(withFeeds) / median(plan),
      summary,
    };
  } finally {
    if (keep) console.error(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
const [small, large] = sizes.map((s) => results[s]);
const out = {
  cores: (await import('node:os')).cpus().length,
  runs,
  sizes: results,
  ...(small && large ? { scaling: large.planSeconds / small.planSeconds } : {}),
};
if (asJson) console.log(JSON.stringify(out));
else {
  for (const r of Object.values(results)) {
    console.log(
      `${r.hosts} hosts: plan ${r.planSeconds.toFixed(2)} s, parse only ${r.parseSeconds.toFixed(2)} s, ratio ${r.planVsParse.toFixed(2)} (${r.summary.updates} updates, ${r.summary.skipped} skipped); with the feeds ${r.planWithFeedsSeconds.toFixed(2)} s, ratio ${r.feedsOverhead.toFixed(2)}`,
    );
  }
  if (out.scaling)
    console.log(
      `${sizes[1]}/${sizes[0]} plan time: ${out.scaling.toFixed(2)} (median of ${runs}, ${out.cores} cores)`,
    );
}
