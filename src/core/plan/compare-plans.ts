// What a change to the repository does to the plan: two plans (the base branch's and this
// one) → per host and package, what became skipped, unblocked or otherwise different. Pull-request
// reviewers judge an exception by this effect, not by the YAML alone.
import type { Plan, PlanHost, PlanSkip, UpgradeAction } from './types.js';

export type PlanChangeKind =
  | 'now-skipped'
  | 'unblocked'
  | 'skip-reason-changed'
  | 'version-changed'
  | 'update-added'
  | 'update-removed'
  | 'reboot-added'
  | 'reboot-removed'
  | 'ring-changed'
  | 'package-manager-changed'
  | 'host-added'
  | 'host-removed';

/** Every kind, in the order the summary lists them. */
export const PLAN_CHANGE_KINDS: readonly PlanChangeKind[] = [
  'now-skipped',
  'unblocked',
  'skip-reason-changed',
  'version-changed',
  'update-added',
  'update-removed',
  'reboot-added',
  'reboot-removed',
  'ring-changed',
  'package-manager-changed',
  'host-added',
  'host-removed',
];

interface OnHost {
  host: string;
  /** The host's ring in the head plan (in the base plan for host-removed). */
  ring: string;
}

/** An upgrade in base that head skips. `to` is the version base would have installed. */
export interface NowSkipped extends OnHost {
  kind: 'now-skipped';
  package: string;
  to: string;
  skip: PlanSkip;
}

/** Skipped in base, an upgrade in head. */
export interface Unblocked extends OnHost {
  kind: 'unblocked';
  package: string;
  to: string;
  was: PlanSkip;
}

/** Skipped in both, for a different reason, cause, expiry or eligibility. */
export interface SkipReasonChanged extends OnHost {
  kind: 'skip-reason-changed';
  package: string;
  was: PlanSkip;
  skip: PlanSkip;
}

/** An upgrade in both, to different versions. */
export interface VersionChanged extends OnHost {
  kind: 'version-changed';
  package: string;
  wasTo: string;
  to: string;
}

/** A pending update only one plan knows of (the state files differ between the branches). */
export interface UpdateAdded extends OnHost {
  kind: 'update-added';
  package: string;
  to: string;
  /** Set when head skips it. */
  skip?: PlanSkip;
}

export interface UpdateRemoved extends OnHost {
  kind: 'update-removed';
  package: string;
  to: string;
}

export interface RebootChanged extends OnHost {
  kind: 'reboot-added' | 'reboot-removed';
  reason: string;
}

export interface RingChanged extends OnHost {
  kind: 'ring-changed';
  wasRing: string;
}

/** The host's package manager changed (a reinstalled host): apply would drive it with another driver. */
export interface PackageManagerChanged extends OnHost {
  kind: 'package-manager-changed';
  /** Absent when a plan did not record one. */
  was?: string;
  now?: string;
}

export interface HostChanged extends OnHost {
  kind: 'host-added' | 'host-removed';
  updates: number;
  reboot: boolean;
  skipped: number;
}

export type PlanChange =
  | NowSkipped
  | Unblocked
  | SkipReasonChanged
  | VersionChanged
  | UpdateAdded
  | UpdateRemoved
  | RebootChanged
  | RingChanged
  | PackageManagerChanged
  | HostChanged;

export interface ComparedPlan {
  at: string;
  gitCommit: string | null;
  inputsDigest: string;
}

export interface PlanComparison {
  base: ComparedPlan;
  head: ComparedPlan;
  /** The plans are for different points in time: the changes then include the effect of time. */
  atDiffers: boolean;
  /** Sorted by host, then host-level entries, packages by name, reboots. */
  changes: PlanChange[];
  summary: {
    counts: Record<PlanChangeKind, number>;
    hosts: number;
    /** Distinct `by` of now-skipped and unblocked entries (the exceptions and policies at work), sorted. */
    causes: string[];
  };
}

export function comparePlans(base: Plan, head: Plan): PlanComparison {
  const before = hostsOf(base);
  const after = hostsOf(head);
  const changes: PlanChange[] = [];
  for (const [name, b] of before) {
    if (!after.has(name)) changes.push(hostEntry('host-removed', b));
  }
  for (const [name, h] of after) {
    const b = before.get(name);
    if (!b) changes.push(hostEntry('host-added', h));
    else changes.push(...compareHost(b, h));
  }
  changes.sort(byPosition);

  const counts = Object.fromEntries(PLAN_CHANGE_KINDS.map((k) => [k, 0])) as Record<PlanChangeKind, number>;
  for (const c of changes) counts[c.kind]++;
  const causes = new Set<string>();
  for (const c of changes) {
    // An unreachable host's "cause" is its last scan, not a document anyone approves.
    if (c.kind === 'now-skipped' && c.skip.reason !== 'host-unreachable') causes.add(c.skip.by);
    if (c.kind === 'unblocked' && c.was.reason !== 'host-unreachable') causes.add(c.was.by);
  }
  return {
    base: described(base),
    head: described(head),
    atDiffers: !sameInstant(base.at, head.at),
    changes,
    summary: {
      counts,
      hosts: new Set(changes.map((c) => c.host)).size,
      causes: [...causes].sort(cmp),
    },
  };
}

interface Located {
  ring: string;
  host: PlanHost;
}

function hostsOf(plan: Plan): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const r of plan.rings)
    for (const h of r.hosts) if (!out.has(h.host)) out.set(h.host, { ring: r.name, host: h });
  return out;
}

function hostEntry(kind: HostChanged['kind'], { ring, host }: Located): HostChanged {
  return {
    kind,
    host: host.host,
    ring,
    updates: host.actions.filter((a) => a.type === 'upgrade').length,
    reboot: host.actions.some((a) => a.type === 'reboot'),
    skipped: host.skipped.length,
  };
}

interface PackageSide {
  upgrades: UpgradeAction[];
  skips: PlanSkip[];
}

function packagesOf(h: PlanHost): Map<string, PackageSide> {
  const out = new Map<string, PackageSide>();
  const side = (name: string): PackageSide => {
    let s = out.get(name);
    if (!s) {
      s = { upgrades: [], skips: [] };
      out.set(name, s);
    }
    return s;
  };
  for (const a of h.actions) if (a.type === 'upgrade') side(a.package).upgrades.push(a);
  for (const s of h.skipped) side(s.package).skips.push(s);
  return out;
}

function compareHost(b: Located, h: Located): PlanChange[] {
  const at: OnHost = { host: h.host.host, ring: h.ring };
  const out: PlanChange[] = [];
  if (b.ring !== h.ring) out.push({ kind: 'ring-changed', ...at, wasRing: b.ring });
  // A plan written before packageManager existed records none: not a change of driver.
  const [wasPm, nowPm] = [b.host.packageManager, h.host.packageManager];
  if (wasPm !== undefined && nowPm !== undefined && wasPm !== nowPm)
    out.push({ kind: 'package-manager-changed', ...at, was: wasPm, now: nowPm });

  const before = packagesOf(b.host);
  const after = packagesOf(h.host);
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const change = comparePackage(at, name, before.get(name), after.get(name));
    if (change) out.push(change);
  }

  const rebootOf = (x: PlanHost) => x.actions.find((a) => a.type === 'reboot');
  const rb = rebootOf(b.host);
  const rh = rebootOf(h.host);
  if (!rb && rh) out.push({ kind: 'reboot-added', ...at, reason: rh.reason });
  if (rb && !rh) out.push({ kind: 'reboot-removed', ...at, reason: rb.reason });
  return out;
}

/**
 * A package counts as planned when any of its updates (arches) is: the plan names skips by
 * package alone, so a package is the finest level both sides share.
 */
function comparePackage(
  at: OnHost,
  name: string,
  b: PackageSide | undefined,
  h: PackageSide | undefined,
): PlanChange | undefined {
  const bUp = b?.upgrades[0];
  const hUp = h?.upgrades[0];
  const bSkip = b?.skips[0];
  const hSkip = h?.skips[0];
  const pkg = { ...at, package: name };
  if (bUp && hUp) {
    const wasTo = versions(b.upgrades);
    const to = versions(h.upgrades);
    if (wasTo !== to) return { kind: 'version-changed', ...pkg, wasTo, to };
    // Planned on both sides; a skip of another arch is too fine to report.
    return undefined;
  }
  if (bUp && hSkip) return { kind: 'now-skipped', ...pkg, to: bUp.to, skip: hSkip };
  if (bSkip && hUp) return { kind: 'unblocked', ...pkg, to: hUp.to, was: bSkip };
  if (bSkip && hSkip) {
    if (b.skips.map(cause).join('\n') === h.skips.map(cause).join('\n')) return undefined;
    return { kind: 'skip-reason-changed', ...pkg, was: bSkip, skip: hSkip };
  }
  if (hUp) return { kind: 'update-added', ...pkg, to: hUp.to };
  if (hSkip) return { kind: 'update-added', ...pkg, to: hSkip.to, skip: hSkip };
  const gone = bUp?.to ?? bSkip?.to;
  return gone === undefined ? undefined : { kind: 'update-removed', ...pkg, to: gone };
}

function versions(upgrades: readonly UpgradeAction[]): string {
  return [...new Set(upgrades.map((a) => a.to))].sort(cmp).join(', ');
}

/** What a reviewer would call the reason for a skip (not its version, which is state). */
function cause(s: PlanSkip): string {
  return [s.reason, s.by, s.expires ?? '', s.eligibleAt ?? ''].join('\u0000');
}

function described(p: Plan): ComparedPlan {
  return { at: p.at, gitCommit: p.gitCommit, inputsDigest: p.inputsDigest };
}

function sameInstant(a: string, b: string): boolean {
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}

const HOST_LEVEL: ReadonlySet<PlanChangeKind> = new Set([
  'host-added',
  'host-removed',
  'ring-changed',
  'package-manager-changed',
]);

function byPosition(a: PlanChange, b: PlanChange): number {
  const rank = (c: PlanChange): number => (HOST_LEVEL.has(c.kind) ? 0 : 'package' in c ? 1 : 2);
  const pkg = (c: PlanChange): string => ('package' in c ? c.package : '');
  return cmp(a.host, b.host) || rank(a) - rank(b) || cmp(pkg(a), pkg(b)) || cmp(a.kind, b.kind);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
