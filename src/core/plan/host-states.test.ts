// Issue 13: the plan says what is true about each host (host states), and about reboots.
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import type { HostState } from '../state/types.js';
import { buildPlan } from './build-plan.js';
import type { Plan, PlanHost } from './types.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const INVENTORY = doc(
  'Inventory',
  'inv',
  `hosts:
  - { name: deb-1, labels: { role: web } }
  - { name: deb-2, labels: { role: web } }
  - { name: rocky-1, os: rocky, labels: { role: web } }
  - { name: win-1, transport: winrm, os: windows, labels: { role: web } }`,
);
const GROUPS = doc('Group', 'web', 'selector:\n  matchLabels: { role: web }');
const BASE = doc(
  'PatchPolicy',
  'base',
  'appliesTo: { groups: [web] }\nclassification: [all]\nreboot: ifRequired',
);

function plan(hosts: HostState[], policies: string = BASE): Plan {
  const r = check({ 'inventory/i.yaml': INVENTORY, 'groups/g.yaml': GROUPS, 'policies/p.yaml': policies });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return buildPlan({
    repository: r.repository,
    state: observed(hosts),
    at: AT,
    inputsDigest: 'sha256:test',
    inputs: {},
    gitCommit: null,
  });
}

const hostIn = (p: Plan, name: string): PlanHost => {
  const h = p.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no ${name}`);
  return h;
};

describe('host states in the plan (issue 13)', () => {
  it('calls a host whose transport this version cannot drive unsupported, never "run patchctl scan"', () => {
    const h = hostIn(plan([]), 'win-1');
    expect(h.state).toBe('unsupported');
    expect(h.note).toBe(
      'unsupported: transport winrm is not supported by this version; OS seen: none (not contacted; the inventory says os: windows)',
    );
    expect(h.note).not.toMatch(/scan|unreachable/);
  });

  it('keeps a winrm host unsupported whatever its state file says (a crafted file cannot make it plannable)', () => {
    const crafted = aHostState('win-1', [anUpdate('openssl')], {
      os: { family: 'debian', id: 'debian', version: '12' },
    });
    const h = hostIn(plan([crafted]), 'win-1');
    expect(h).toMatchObject({ state: 'unsupported', actions: [], skipped: [] });
    expect(h.note).toContain('transport winrm is not supported');
  });

  it('calls a reached host without a driver for its OS unsupported, naming the OS seen', () => {
    const rocky = aHostState('rocky-1', [], {
      reachable: false,
      errorKind: 'unsupported',
      error: 'rocky-1 runs rocky 9.4 (rhel family): patchctl has no package-manager driver for it yet',
      os: { family: 'rhel', id: 'rocky', version: '9.4' },
      lastReachableAt: '2026-11-30T12:00:00Z',
    });
    delete rocky.packageManager;
    const p = plan([rocky]);
    const h = hostIn(p, 'rocky-1');
    expect(h.state).toBe('unsupported');
    expect(h.note).toContain(
      'no package-manager driver for its OS in this version; OS seen: rocky 9.4 (rhel family)',
    );
    expect(h.note).not.toMatch(/unreachable|run patchctl scan/);
    expect(h.skipped).toEqual([]);
    expect(p.summary).toMatchObject({ hostsUnsupported: 2, hostsUnreachable: 0, hostsNeverScanned: 2 });
  });

  it('calls a host whose package manager has no driver unsupported', () => {
    const h = hostIn(plan([aHostState('deb-1', [anUpdate('bash')], { packageManager: 'apk' })]), 'deb-1');
    expect(h.state).toBe('unsupported');
    expect(h.note).toMatch(/^unsupported: package manager apk is not supported by this version/);
  });

  it('says since when an unreachable host was last reached', () => {
    const p = plan([
      aHostState('deb-1', [anUpdate('bash')], {
        reachable: false,
        errorKind: 'unreachable',
        error: 'connect ETIMEDOUT',
        lastReachableAt: '2026-11-20T09:00:00Z',
      }),
    ]);
    expect(hostIn(p, 'deb-1')).toMatchObject({
      state: 'unreachable',
      note: 'unreachable since 2026-11-20T09:00:00Z (last scan 2026-11-30T12:00:00Z: connect ETIMEDOUT)',
    });
    expect(hostIn(p, 'deb-2')).toMatchObject({
      state: 'never-scanned',
      note: 'never scanned: run patchctl scan',
    });
  });

  it('never counts a host it knows nothing about as up to date', () => {
    const never = plan([]);
    expect(never.summary).toMatchObject({
      hosts: 4,
      hostsWithChanges: 0,
      hostsUpToDate: 0,
      hostsNeverScanned: 3,
      hostsUnsupported: 1,
    });
    const mixed = plan([
      aHostState('deb-1', []),
      aHostState('deb-2', [anUpdate('bash')]),
      aHostState('rocky-1', [], { reachable: false, errorKind: 'auth-failed', error: 'permission denied' }),
    ]);
    expect(mixed.summary).toMatchObject({
      hosts: 4,
      hostsWithChanges: 1,
      hostsUpToDate: 1,
      hostsScanFailed: 1,
      hostsUnsupported: 1,
      hostsNeverScanned: 0,
    });
    expect(hostIn(mixed, 'deb-1').state).toBe('up-to-date');
    expect(hostIn(mixed, 'deb-2').state).toBe('planned');
    expect(hostIn(mixed, 'rocky-1')).toMatchObject({
      state: 'scan-failed',
      note: 'refused authentication, last reached never (last scan 2026-11-30T12:00:00Z: permission denied)',
    });
  });
});

describe('reboots in the plan (issue 13)', () => {
  it('says "may reboot" for a kernel under ifRequired, and counts it apart from planned reboots', () => {
    const p = plan([
      aHostState('deb-1', [anUpdate('linux-image-amd64'), anUpdate('bash')]),
      aHostState('deb-2', [anUpdate('bash')]),
    ]);
    const h = hostIn(p, 'deb-1');
    expect(h.actions.map((a) => a.type)).toEqual(['upgrade', 'upgrade']);
    expect(h.mayReboot).toBe(
      'linux-image-amd64 usually asks for a reboot; policy base reboots if the host asks',
    );
    expect(hostIn(p, 'deb-2').mayReboot).toBeUndefined();
    expect(p.summary).toMatchObject({ reboots: 0, mayReboot: 1 });
  });

  it('plans a reboot (not "may") under `always`, and neither under `never`', () => {
    const always = plan(
      [aHostState('deb-1', [anUpdate('bash')])],
      doc('PatchPolicy', 'base', 'appliesTo: { groups: [web] }\nclassification: [all]\nreboot: always'),
    );
    expect(hostIn(always, 'deb-1').actions[1]).toEqual({
      type: 'reboot',
      reason: 'policy base reboots after every patch run',
    });
    expect(always.summary).toMatchObject({ reboots: 1, mayReboot: 0 });
    const never = plan(
      [aHostState('deb-1', [anUpdate('linux-image-amd64', { rebootRequired: true })])],
      doc('PatchPolicy', 'base', 'appliesTo: { groups: [web] }\nclassification: [all]\nreboot: never'),
    );
    expect(hostIn(never, 'deb-1').actions.map((a) => a.type)).toEqual(['upgrade']);
    expect(never.summary).toMatchObject({ reboots: 0, mayReboot: 0 });
  });
});

describe('`reboot: never` wins (issue 13)', () => {
  const kernel = doc(
    'PatchPolicy',
    'kernel',
    'appliesTo: { groups: [web] }\npriority: 40\ninclude: [linux-image-*]\nclassification: [all]\nreboot: always',
  );
  const dbNever = (extra = ''): string =>
    doc(
      'PatchPolicy',
      'db',
      `appliesTo: { groups: [web] }\nclassification: [security]\nreboot: never${extra}`,
    );
  const host = aHostState('deb-1', [anUpdate('linux-image-amd64', { rebootRequired: true })]);

  it('a whole-host `never` policy forbids another policy to reboot, even without updates of its own', () => {
    const p = plan([host], [kernel, dbNever()].join('---\n'));
    const h = hostIn(p, 'deb-1');
    expect(h.actions).toEqual([expect.objectContaining({ type: 'upgrade', policy: 'kernel' })]);
    expect(h.mayReboot).toBeUndefined();
    expect(p.summary.reboots).toBe(0);
    // A reboot the host still needs is not planned either.
    const pending = plan(
      [aHostState('deb-1', [], { rebootRequired: true })],
      [BASE, dbNever()].join('---\n'),
    );
    expect(hostIn(pending, 'deb-1').actions).toEqual([]);
  });

  it('unless the `never` policy allows it explicitly (allowRebootBy)', () => {
    const p = plan([host], [kernel, dbNever('\nallowRebootBy: [kernel]')].join('---\n'));
    expect(hostIn(p, 'deb-1').actions.map((a) => a.type)).toEqual(['upgrade', 'reboot']);
  });

  it('a `never` policy narrowed by include says never for its own packages only', () => {
    const browsers = doc(
      'PatchPolicy',
      'browsers',
      'appliesTo: { groups: [web] }\npriority: 60\ninclude: [firefox*]\nclassification: [all]\nreboot: never',
    );
    const p = plan([host], [kernel, browsers].join('---\n'));
    expect(hostIn(p, 'deb-1').actions.map((a) => a.type)).toEqual(['upgrade', 'reboot']);
  });
});

describe('what this version drives', () => {
  it('comes from the registries, as data: core keeps no list of its own', async () => {
    const { drivers, whatIsDriven } = await import('../../drivers/api.js');
    const { transports } = await import('../../transports/registry.js');
    const driven = whatIsDriven();
    expect(driven.drivers.map((d) => d.id).sort()).toEqual([...drivers.keys()].sort());
    expect(driven.transports).toEqual([...transports.keys()]);
    // The same hosts, with other registries: winrm and dnf driven, apt not.
    const r = check({ 'inventory/i.yaml': INVENTORY, 'groups/g.yaml': GROUPS, 'policies/p.yaml': BASE });
    const other = {
      transports: ['ssh', 'winrm'],
      drivers: [{ id: 'dnf', osHints: ['rocky' as const] }],
    };
    const p = buildPlan({
      repository: { ...r.repository, driven: other },
      state: observed([
        aHostState('deb-1', [anUpdate('openssl')]),
        aHostState('rocky-1', [anUpdate('openssl')], { packageManager: 'dnf' }),
      ]),
      at: AT,
      inputsDigest: 'sha256:test',
      inputs: {},
      gitCommit: null,
    });
    expect(hostIn(p, 'deb-1')).toMatchObject({ state: 'unsupported' });
    expect(hostIn(p, 'deb-1').note).toMatch(/^unsupported: package manager apt is not supported/);
    expect(hostIn(p, 'rocky-1').state).toBe('planned');
    expect(hostIn(p, 'win-1').state).toBe('never-scanned');
  });
});
