// The observed state as the vulnerability feeds see it (docs/vulnerabilities.md): each pending
// update joined to the advisories it fixes, and its risk. Pure: the feeds are part of ObservedState.
import type { ConfigSpec, Severity } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import { CONFIG_DEFAULTS } from '../model/repository.js';
import type { HostState, ObservedState, PendingUpdate } from '../state/types.js';
import { indexIntel } from './index.js';
import { updateIntelOf } from './match.js';
import { riskOf } from './priority.js';
import type { EpssScore, KevEntry, Risk, UpdateIntel } from './types.js';

const NO_KEV: ReadonlyMap<string, KevEntry> = new Map();
const NO_EPSS: ReadonlyMap<string, EpssScore> = new Map();

/** Config `advisories.epssThreshold`, or the default. */
export function epssThresholdOf(config: ConfigSpec): number {
  return config.advisories?.epssThreshold ?? CONFIG_DEFAULTS.epssThreshold;
}

/** Upper-case CVE ids among an update's advisories (DSA and ALSA ids are not looked up in KEV or EPSS). */
export function cvesOf(advisories: readonly string[] | undefined): string[] {
  return (advisories ?? []).filter((a) => /^CVE-\d{4}-\d+$/i.test(a)).map((a) => a.toUpperCase());
}

/**
 * An update's risk from its CVEs and severity against the KEV catalogues and EPSS scores read
 * this run (riskOf ignores the ids neither feed knows). Without either feed the risk follows from
 * the severity alone: one shared Risk per severity.
 */
export function updateRiskOf(
  state: Pick<ObservedState, 'intel'>,
  threshold: number,
): (u: PendingUpdate) => Risk {
  const kev = state.intel?.kev ?? NO_KEV;
  const epss = state.intel?.epss ?? NO_EPSS;
  const bySeverity = new Map<Severity | undefined, Risk>();
  const severityOnly = (severity: Severity | undefined): Risk => {
    let risk = bySeverity.get(severity);
    if (risk === undefined) {
      risk = riskOf([], severity ?? null, kev, epss, threshold);
      bySeverity.set(severity, risk);
    }
    return risk;
  };
  return (u) => {
    const advisories = u.advisories;
    if (advisories === undefined || advisories.length === 0 || (kev.size === 0 && epss.size === 0))
      return severityOnly(u.severity);
    return riskOf(advisories, u.severity ?? null, kev, epss, threshold);
  };
}

const enriched = new WeakMap<ObservedState, ObservedState>();

/**
 * The observed state with each pending update joined to the feeds (match.ts, updateIntelOf): the
 * advisories and CVEs it fixes added after the ones the host gave, the higher severity of the two,
 * and the earliest advisory's publication as its release when the package manager gave none
 * (apt gives none: without this, `approveAfter` would count from the first scan and no SLA clock
 * would start). The state files are never changed: this is what plans and reports read. Worked
 * out once per state object.
 */
export function withVulnIntel(state: ObservedState): ObservedState {
  const intel = state.intel;
  if (intel === undefined || (intel.advisories.length === 0 && intel.findings.size === 0)) return state;
  const done = enriched.get(state);
  if (done) return done;
  const index = indexIntel(intel);
  const hosts = new Map<string, HostState>();
  for (const [name, host] of state.hosts) {
    if (host.updates.length === 0) {
      hosts.set(name, host);
      continue;
    }
    const findings = intel.findings.get(name);
    const joined = updateIntelOf({ host, index, ...(findings ? { findings } : {}) });
    hosts.set(
      name,
      joined.size === 0
        ? host
        : { ...host, updates: host.updates.map((u) => joinedUpdate(u, joined.get(u))) },
    );
  }
  const out: ObservedState = { ...state, hosts };
  enriched.set(state, out);
  enriched.set(out, out);
  return out;
}

function joinedUpdate(u: PendingUpdate, intel: UpdateIntel | undefined): PendingUpdate {
  if (intel === undefined) return u;
  const joined: PendingUpdate = { ...u };
  if (intel.advisories.length > 0) joined.advisories = [...(u.advisories ?? []), ...intel.advisories];
  const severity = higherSeverity(u.severity, intel.severity ?? undefined);
  if (severity !== undefined) joined.severity = severity;
  if (u.releasedAt === undefined && intel.releasedAt !== null) joined.releasedAt = intel.releasedAt;
  return joined;
}

function higherSeverity(a: Severity | undefined, b: Severity | undefined): Severity | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}
