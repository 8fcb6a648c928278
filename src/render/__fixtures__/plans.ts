// Small builders for plan documents, shared by the plan renderers' tests.
import type {
  Plan,
  PlanHost,
  PlanRing,
  PlanSkip,
  PlanSummary,
  RebootAction,
  UpgradeAction,
} from '../../core/plan/types.js';
import { PLAN_FORMAT_VERSION } from '../../core/plan/types.js';

export function anUpgrade(over: Partial<UpgradeAction> = {}): UpgradeAction {
  return {
    type: 'upgrade',
    package: 'openssl',
    from: '3.0.15-1~deb12u1',
    to: '3.0.17-1~deb12u1',
    classification: 'security',
    severity: 'high',
    advisories: ['DSA-5939-1'],
    policy: 'debian-security',
    ...over,
  };
}

export function aReboot(reason = 'linux-image-amd64 requires a reboot'): RebootAction {
  return { type: 'reboot', reason };
}

export function aSkip(over: Partial<PlanSkip> = {}): PlanSkip {
  return {
    package: 'linux-image-amd64',
    to: '6.1.140-1',
    reason: 'excluded',
    by: 'policy linux-security',
    ...over,
  };
}

export function aHost(host: string, over: Partial<Omit<PlanHost, 'host'>> = {}): PlanHost {
  return { host, window: null, actions: [], skipped: [], ...over };
}

export function aRing(
  name: string,
  hosts: PlanHost[],
  over: Partial<Omit<PlanRing, 'name' | 'hosts'>> = {},
): PlanRing {
  return { name, rollout: 'web', earliestStart: null, hosts, ...over };
}

export function summarise(rings: readonly PlanRing[]): PlanSummary {
  const hosts = rings.flatMap((r) => r.hosts);
  return {
    hosts: hosts.length,
    hostsWithChanges: hosts.filter((h) => h.actions.length > 0).length,
    updates: hosts.reduce((n, h) => n + h.actions.filter((a) => a.type === 'upgrade').length, 0),
    reboots: hosts.filter((h) => h.actions.some((a) => a.type === 'reboot')).length,
    skipped: hosts.reduce((n, h) => n + h.skipped.length, 0),
  };
}

export function aPlan(rings: PlanRing[], over: Partial<Omit<Plan, 'rings'>> = {}): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: '2026-12-01T09:00:00Z',
    at: '2026-12-01T09:00:00Z',
    inputsDigest: `sha256:9f8e7d6c5b4a${'0'.repeat(52)}`,
    inputs: {},
    gitCommit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    summary: summarise(rings),
    rings,
    ...over,
  };
}

export const FRA_WINDOW = {
  name: 'fra-servers-monthly',
  start: '2026-12-11T22:00:00Z',
  end: '2026-12-12T04:00:00Z',
};

/** Two rings, a bit of everything: upgrades, an emergency, a reboot, skips, notes, idle hosts. */
export function samplePlan(): Plan {
  return aPlan([
    aRing(
      'canary',
      [
        aHost('fra-web-01', {
          window: FRA_WINDOW,
          actions: [
            anUpgrade(),
            anUpgrade({
              package: 'sudo',
              from: '1.9.13p3-1+deb12u1',
              to: '1.9.13p3-1+deb12u2',
              severity: 'critical',
              advisories: ['DSA-5954-1', 'CVE-2025-32462', 'CVE-2025-32463', 'CVE-2025-32464'],
              emergency: true,
            }),
            aReboot(),
          ],
          skipped: [aSkip()],
        }),
        aHost('fra-web-02', { window: FRA_WINDOW, actions: [anUpgrade()] }),
        aHost('fra-web-03'),
      ],
      { earliestStart: '2026-12-11T22:00:00Z' },
    ),
    aRing(
      'broad',
      [
        aHost('fra-db-01', {
          skipped: [
            aSkip({
              package: 'curl',
              to: '7.88.1-10+deb12u12',
              reason: 'not-approved-yet',
              by: 'policy debian-security',
              eligibleAt: '2026-12-04T00:00:00Z',
            }),
            aSkip({
              package: 'openssl',
              to: '3.0.17-1~deb12u1',
              reason: 'not-approved-yet',
              by: 'policy debian-security',
              eligibleAt: '2026-12-04T00:00:00Z',
            }),
            aSkip({
              package: 'postgresql-15',
              to: '15.13-0+deb12u1',
              reason: 'exception',
              by: 'exception legacy-db',
              expires: '2027-02-15',
            }),
          ],
        }),
        aHost('fra-db-02', {
          note: 'unreachable (last scan 2026-11-30T02:00:00Z: connection timed out)',
          skipped: [
            aSkip({
              package: 'openssl',
              to: '3.0.17-1~deb12u1',
              reason: 'host-unreachable',
              by: 'last scan 2026-11-30T02:00:00Z: connection timed out',
            }),
          ],
        }),
        aHost('fra-db-03', { note: 'never scanned: run patchctl scan' }),
        aHost('fra-web-04'),
        aHost('fra-web-05'),
      ],
      { gate: 'after ring canary completes and bakes 24h' },
    ),
  ]);
}

/** `hosts` hosts in one ring, each with `updates` upgrades (versions differ per host), a reboot and a skip. */
export function bigPlan(hosts: number, updates: number): Plan {
  const list: PlanHost[] = [];
  for (let h = 0; h < hosts; h++) {
    const actions: PlanHost['actions'] = [];
    for (let u = 0; u < updates; u++) {
      actions.push(
        anUpgrade({ package: `lib-${u}`, from: `1.${h}.0-1`, to: `1.${h}.1-1`, advisories: [`DSA-${u}-1`] }),
      );
    }
    actions.push(aReboot());
    list.push(
      aHost(`host-${String(h).padStart(5, '0')}`, { window: FRA_WINDOW, actions, skipped: [aSkip()] }),
    );
  }
  return aPlan([aRing('all', list, { earliestStart: FRA_WINDOW.start })]);
}
