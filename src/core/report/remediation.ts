// Time to remediate per risk tier, against its SLA (docs/vulnerabilities.md, "Reports"), from
// the apply journals the report already reads. Pure.
//
// The rule:
// - An update is remediated on a host when a `host-finished` event of an apply journal lists it
//   in `actions` and its verification passed (`verification.ok`: apply read the installed
//   version back from the host). The earliest such event counts, per host, package,
//   architecture and version.
// - Journals carry no release date, severity or advisories. They are looked up, never guessed:
//   first a pending update with the same package, architecture and version in the observed
//   state of any host (with the feeds joined, core/vuln/observed.ts; the earliest release date
//   among them), else the OSV feeds for the host's ecosystem (core/vuln/match.ts updateIntelOf,
//   judged from the journal's `from` version). An update neither knows gets no release date: it
//   counts as `unknown` in its tier (the tier of an update nobody describes is `routine`).
// - Days to remediate: calendar days (Config zone) from the release day to the day of the
//   verified install. Its due date is the one a missing update would have (sla-clock.ts dueOf:
//   severity SLA, `sla.unknown`, or the KEV dueDate when earlier): within SLA when installed on
//   or before that day, past it after; `noSla` when no clock applies.
// - Per tier: how many were remediated, measured (release date known) and unknown, the median
//   (the mean of the two middle values for an even count) and the worst days among the measured.
import type { Severity } from '../model/types.js';
import type { HostState, ObservedState, PendingUpdate } from '../state/types.js';
import type { VulnIndex } from '../vuln/index.js';
import { updateIntelOf } from '../vuln/match.js';
import type { Risk, RiskTier } from '../vuln/types.js';
import { RISK_TIERS } from '../vuln/types.js';
import type { RunJournal } from './last-run.js';
import type { SlaClock } from './sla-clock.js';
import { dayOf, daysBetween, dueOf } from './sla-clock.js';
import type { RemediationRow } from './types.js';

export interface RemediationInputs {
  journals: readonly RunJournal[];
  /** The observed state with the feeds joined (withVulnIntel). */
  state: ObservedState;
  clock: SlaClock;
  risk: (u: PendingUpdate) => Risk;
  /** The report's OSV index, when feeds were read. */
  index?: VulnIndex;
}

interface Remediated {
  host: string;
  package: string;
  arch?: string;
  from: string;
  to: string;
  at: string;
}

/** One row per tier, kev first; every tier is listed (zeros when nothing was remediated). */
export function remediationByTier(inputs: RemediationInputs): RemediationRow[] {
  const done = remediatedUpdates(inputs.journals);
  const acc = new Map<
    RiskTier,
    { days: number[]; unknown: number; within: number; past: number; noSla: number }
  >(RISK_TIERS.map((t) => [t, { days: [], unknown: 0, within: 0, past: 0, noSla: 0 }]));
  if (done.length > 0) {
    const known = knownUpdates(inputs.state, done);
    for (const r of done) {
      const u = known.get(keyOf(r)) ?? fromFeeds(inputs, r);
      const risk = inputs.risk(u);
      const a = acc.get(risk.tier)!;
      const releaseDay = dayOf(inputs.clock, u.releasedAt ?? null);
      const installDay = dayOf(inputs.clock, r.at);
      if (releaseDay === undefined || installDay === undefined) {
        a.unknown += 1;
        continue;
      }
      a.days.push(Math.max(0, daysBetween(releaseDay, installDay)));
      const due = dueOf(inputs.clock, {
        severity: u.severity ?? null,
        classification: u.classification,
        releasedAt: u.releasedAt ?? null,
        risk,
      });
      if (due.dueDate === null) a.noSla += 1;
      else if ((installDay.toISODate() ?? '') <= due.dueDate) a.within += 1;
      else a.past += 1;
    }
  }
  return RISK_TIERS.map((tier): RemediationRow => {
    const a = acc.get(tier)!;
    const days = [...a.days].sort((x, y) => x - y);
    return {
      tier,
      remediated: days.length + a.unknown,
      measured: days.length,
      unknown: a.unknown,
      medianDays: median(days),
      worstDays: days.length === 0 ? null : days[days.length - 1]!,
      withinSla: a.within,
      pastSla: a.past,
      noSla: a.noSla,
    };
  });
}

/** Each verified install once (the earliest), in host, package, arch, version order. */
function remediatedUpdates(journals: readonly RunJournal[]): Remediated[] {
  const earliest = new Map<string, Remediated>();
  for (const j of journals)
    for (const e of j.events) {
      if (e.type !== 'host-finished' || e.host === undefined || e.verification?.ok !== true) continue;
      for (const a of e.actions ?? []) {
        const arch = a.arch;
        const r: Remediated = {
          host: e.host,
          package: a.package,
          ...(arch !== undefined ? { arch } : {}),
          from: a.from,
          to: a.to,
          at: e.at,
        };
        const key = `${e.host}\u0000${keyOf(r)}`;
        const seen = earliest.get(key);
        if (seen === undefined || Date.parse(e.at) < Date.parse(seen.at)) earliest.set(key, r);
      }
    }
  return [...earliest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

function keyOf(r: { package: string; arch?: string; to: string }): string {
  return `${r.package}\u0000${r.arch ?? ''}\u0000${r.to}`;
}

/**
 * The pending updates of the observed state that describe a remediated one (same package,
 * architecture and version; an update without an architecture matches any), one per key:
 * the one with the earliest release date, else the first by host name.
 */
function knownUpdates(state: ObservedState, done: readonly Remediated[]): Map<string, PendingUpdate> {
  const wanted = new Set<string>();
  for (const r of done) {
    wanted.add(keyOf(r));
    wanted.add(keyOf({ package: r.package, to: r.to }));
  }
  const out = new Map<string, PendingUpdate>();
  const names = [...state.hosts.keys()].sort();
  for (const name of names) {
    for (const u of state.hosts.get(name)!.updates) {
      for (const key of new Set([
        keyOf({ package: u.name, arch: u.arch, to: u.to }),
        keyOf({ package: u.name, to: u.to }),
      ])) {
        if (!wanted.has(key)) continue;
        const seen = out.get(key);
        if (seen === undefined || earlier(u.releasedAt, seen.releasedAt)) out.set(key, u);
      }
    }
  }
  // An action without an architecture is described by an update of any architecture.
  for (const r of done) {
    const key = keyOf(r);
    if (!out.has(key)) {
      const any = out.get(keyOf({ package: r.package, to: r.to }));
      if (any !== undefined) out.set(key, any);
    }
  }
  return out;
}

function earlier(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  return Date.parse(a) < Date.parse(b);
}

/**
 * What the OSV feeds say about a remediated update: judged as a pending update `from` → `to` of
 * the host's ecosystem (its last scan names the OS; the installed package's source name is
 * taken from it). Nothing known: an update with no severity, advisories or release date.
 */
function fromFeeds(inputs: RemediationInputs, r: Remediated): PendingUpdate {
  const bare: PendingUpdate = {
    name: r.package,
    from: r.from,
    to: r.to,
    ...(r.arch !== undefined ? { arch: r.arch } : {}),
    classification: 'security',
  };
  const host: HostState | undefined = inputs.state.hosts.get(r.host);
  if (inputs.index === undefined || host === undefined || host.os === undefined) return bare;
  const source = host.installed.find((p) => p.name === r.package)?.source;
  const intel = updateIntelOf({
    host: {
      os: host.os,
      ...(host.packageManager !== undefined ? { packageManager: host.packageManager } : {}),
      installed: [
        {
          name: r.package,
          version: r.from,
          ...(r.arch !== undefined ? { arch: r.arch } : {}),
          ...(source !== undefined ? { source } : {}),
        },
      ],
      updates: [bare],
    },
    index: inputs.index,
  }).get(bare);
  if (intel === undefined) return bare;
  const severity: Severity | null = intel.severity;
  return {
    ...bare,
    advisories: intel.advisories,
    ...(severity !== null ? { severity } : {}),
    ...(intel.releasedAt !== null ? { releasedAt: intel.releasedAt } : {}),
  };
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
