// The compliance report (README.md, "Reports"): what `patchctl report` writes as reports/compliance.json
// and renders as Markdown, JUnit XML and CSV. schemas/compliance.schema.json is the precise
// statement. Nothing in it depends on the wall clock beyond the day it is evaluated on, so the
// same inputs on the same day give the same bytes (and `report --commit` no new commit).
import type { Classification, Severity } from '../model/types.js';
import type { RiskTier } from '../vuln/types.js';
import type { ExceptionEntry } from './exceptions.js';
import type { RunSummary } from './last-run.js';
import type { RolloutStatusReport } from './rollout-status.js';

export const COMPLIANCE_FORMAT_VERSION = 1;

/**
 * The industry vocabulary, plus the two states of hosts patchctl knows nothing current about
 * (README.md, "Reports"): `unsupported` (its transport or package manager cannot be driven yet) and
 * `never-scanned`. A host is in exactly one.
 */
export type ComplianceState =
  | 'compliant'
  | 'missing'
  | 'pending-reboot'
  | 'failed'
  | 'excepted'
  | 'unreachable'
  | 'unsupported'
  | 'never-scanned'
  | 'not-applicable';

export const COMPLIANCE_STATES: readonly ComplianceState[] = [
  'compliant',
  'missing',
  'pending-reboot',
  'failed',
  'excepted',
  'unreachable',
  'unsupported',
  'never-scanned',
  'not-applicable',
];

/** States a history entry written before they existed may lack (read as 0). */
export const LATER_STATES: ReadonlySet<ComplianceState> = new Set(['unsupported', 'never-scanned']);

/** States that count as in compliance (an approved exception is a reviewed decision). */
export const IN_COMPLIANCE: ReadonlySet<ComplianceState> = new Set(['compliant', 'excepted']);

/**
 * Where a missing update stands against its schedule (README "Reports"):
 * - `overdue`: past its SLA (the report's day is after its due date), or its schedule already
 *   gave it a chance: a window of its governing policy opened after it became installable
 *   (approval delay over, its ring's gate open) and closed before the report's day, and it is
 *   still missing;
 * - `on-track`: neither, and the schedule installs it without anyone acting: it waits for its
 *   approval delay, for its window (or ring's bake time) with a start the plan knows, or for a
 *   blackout to end;
 * - `blocked`: neither, and it waits on something the schedule does not resolve by itself: a
 *   hold on the host, no window, the host unreachable, a halted rollout, a ring whose start
 *   the plan cannot tell.
 */
export type UpdateTrack = 'on-track' | 'overdue' | 'blocked';

/**
 * Where a host stands against its schedule, beside its strict compliance state; the first that
 * holds wins:
 * - `not-applicable`: no policy applies to it;
 * - `in-compliance`: compliant or excepted;
 * - `overdue`: at least one missing update is overdue (whatever the host's state);
 * - `unknown`: unsupported or never scanned: patchctl cannot tell what it misses;
 * - `on-track`: every missing update is on track (a pending reboot counts as one when the plan
 *   schedules it), and its latest apply did not fail;
 * - `needs-attention`: everything else (failed, unreachable, a hold, no window, a halted
 *   rollout, a reboot nothing schedules).
 */
export type HostTrack =
  'in-compliance' | 'on-track' | 'overdue' | 'needs-attention' | 'unknown' | 'not-applicable';

export const HOST_TRACKS: readonly HostTrack[] = [
  'in-compliance',
  'on-track',
  'overdue',
  'needs-attention',
  'unknown',
  'not-applicable',
];

export type TrackCounts = Record<HostTrack, number>;

/**
 * Why a required update is not installed yet: it is in the plan (`planned`), or the plan skips
 * it for a reason that does not make it optional.
 */
export type MissingWhy =
  | 'planned'
  | 'not-approved-yet'
  | 'not-in-earlier-ring'
  | 'held'
  | 'no-window'
  | 'blackout'
  | 'host-unreachable';

/**
 * Which clock sets a missing update's due date (docs/vulnerabilities.md, "Priority"):
 * `severity` (the Config SLA of its severity), `unknown` (Config `sla.unknown`, for a security
 * update whose severity nobody states), `kev` (the CISA KEV dueDate of a CVE it fixes, when
 * that is earlier than the SLA's due date or no SLA applies).
 */
export type SlaSource = 'severity' | 'unknown' | 'kev';

/** What CISA KEV says about the CVE that made an update or vulnerability `kev`. */
export interface KevFacts {
  cve: string;
  /** The earliest KEV dueDate among the CVEs (YYYY-MM-DD); null when KEV gives none. */
  dueDate: string | null;
  /** Known ransomware campaign use. */
  ransomware: boolean;
}

/** The risk fields shared by updates and vulnerabilities (docs/vulnerabilities.md, "Priority"). */
export interface RiskFields {
  tier: RiskTier;
  /** Present when a CVE it covers is in CISA KEV. */
  kev?: KevFacts;
  /** The highest EPSS score among its CVEs, when any is scored. */
  epss?: number;
}

export interface MissingUpdate extends RiskFields {
  package: string;
  arch?: string;
  from: string;
  to: string;
  classification: Exclude<Classification, 'all'>;
  severity: Severity | null;
  advisories: string[];
  /** Fixes an advisory listed in an emergency feed (CISA KEV). */
  emergency: boolean;
  releasedAt: string | null;
  /** Calendar days (Config time zone) from the release to the report's date; null without a release date. */
  ageDays: number | null;
  /**
   * The Config SLA for its severity (`7d`); for a security update of unknown severity Config
   * `sla.unknown`; null when neither applies.
   */
  sla: string | null;
  /**
   * The day (Config time zone) it must be installed by: release + SLA, or the KEV dueDate when
   * earlier (slaSource says which); null when no clock applies.
   */
  dueDate: string | null;
  /** Which clock set `dueDate`; null when none applies (see SlaSource). */
  slaSource: SlaSource | null;
  /** The report's date is after `dueDate`: SLA clocks count whole days, so a report is the same all day. */
  breached: boolean;
  /** Days past `dueDate` when breached, else null. */
  overdueDays: number | null;
  why: MissingWhy;
  /** The same, for people: ring and window, approval date, what blocks it. */
  detail: string;
  /** Where it stands against its schedule (UpdateTrack). */
  track: UpdateTrack;
  /** The window opening that could have installed it and closed before the report's day. */
  missedWindow?: { name: string; start: string; end: string };
}

export interface ExceptedUpdate {
  package: string;
  to: string;
  severity: Severity | null;
  /** Its risk tier: what the waiver leaves open. */
  tier: RiskTier;
  advisories: string[];
  exception: string;
  expires?: string;
}

export interface ApplyOutcome {
  runId: string;
  planDigest: string | null;
  at: string;
  status: string;
  /** Excerpt of the error, secrets redacted. */
  error?: string;
}

export interface HostOutcome extends ApplyOutcome {
  host: string;
}

export interface HostCompliance {
  host: string;
  state: ComplianceState;
  /** One line: why the host is in this state. */
  reason: string;
  /** Where it stands against its schedule (HostTrack). */
  track: HostTrack;
  rollout: string | null;
  ring: string;
  site: string | null;
  /** Group documents the host belongs to, sorted. */
  groups: string[];
  /** Policies that apply to it, in precedence order. */
  policies: string[];
  os: string | null;
  scannedAt: string | null;
  lastReachableAt: string | null;
  needsReboot: boolean;
  missing: MissingUpdate[];
  excepted: ExceptedUpdate[];
  /** The host's latest apply result, from the run journals. */
  lastApply: ApplyOutcome | null;
  /**
   * Its open vulnerabilities (docs/vulnerabilities.md, "Matching"): installed packages an OSV
   * record or an imported finding says are affected, most urgent first. Empty without feeds.
   */
  vulnerabilities: HostVulnerability[];
  /** Its open risk, from the vulnerabilities and the missing updates. */
  risk: HostRisk;
}

/** One vulnerability open on a host (core/vuln OpenVulnerability, as the report writes it). */
export interface HostVulnerability extends RiskFields {
  /** The OSV record id or the scanner's finding id. */
  advisory: string;
  cves: string[];
  package: string;
  arch?: string;
  installed: string;
  /** The first version that fixes it; null: no fix published yet. */
  fixedIn: string | null;
  /** The pending update that reaches fixedIn; null when none is offered yet. */
  fixedBy: { to: string } | null;
  severity: Severity | null;
  from: 'feed' | 'findings';
}

export type TierCounts = Record<RiskTier, number>;

/** A host's open risk (docs/vulnerabilities.md, "Priority"). */
export interface HostRisk {
  /** The most urgent tier among its open vulnerabilities and missing updates; null: neither. */
  tier: RiskTier | null;
  /** Open vulnerabilities by tier. */
  vulnerabilities: TierCounts;
  /** Missing updates by tier. */
  missing: TierCounts;
  /** Open vulnerabilities with no fix published yet. */
  noFix: number;
  /** Age (days) of its oldest missing security update with a release date; null: none. */
  oldestMissingDays: number | null;
}

/** One host in the top-level ranking by open risk. */
export interface RankedHost extends HostRisk {
  host: string;
  tier: RiskTier;
}

/** A CVE in CISA KEV that is open somewhere in the fleet. */
export interface OpenKevCve {
  cve: string;
  dueDate: string | null;
  ransomware: boolean;
  /** The report's date is after dueDate. */
  overdue: boolean;
  /** Hosts it is open on (as a vulnerability, or fixed by a missing update). */
  hosts: number;
  /** The installed packages it affects, sorted. */
  packages: string[];
  /** The updates offered that fix it (package and version), sorted. */
  fixes: { package: string; to: string }[];
  /** Hosts where it is open with no fix published yet. */
  noFixHosts: number;
}

/** The active exceptions that waive updates fixing one advisory or CVE. */
export interface ExceptionByAdvisory {
  advisory: string;
  /** The most urgent tier among the waived updates. */
  tier: RiskTier;
  exceptions: { name: string; expires?: string }[];
  /** Hosts on which an update fixing it is waived. */
  hosts: number;
  /** The waived packages, sorted. */
  packages: string[];
}

/** Time to remediate one tier (remediation.ts states the rule). */
export interface RemediationRow {
  tier: RiskTier;
  /** Updates verified installed by apply (host × update). */
  remediated: number;
  /** Of those, the ones whose release date is known: the days below count only these. */
  measured: number;
  /** Release date not known from the journals, state or feeds: not measured. */
  unknown: number;
  /** Median calendar days from release to verified install; null when none was measured. */
  medianDays: number | null;
  worstDays: number | null;
  /** Measured ones installed on or before their due date. */
  withinSla: number;
  /** Measured ones installed after their due date. */
  pastSla: number;
  /** Measured ones no SLA clock applies to. */
  noSla: number;
}

/** What imported scanner findings say beyond the hosts' vulnerabilities. */
export interface FindingsFacts {
  /** Per host: findings the scanner knows no fix for. */
  noFix: { host: string; findings: number; packages: string[] }[];
  /** Findings files for names that are not inventory hosts: read, matched to nothing. */
  unknownHosts: {
    host: string;
    /** The findings file, relative to the repository (advisories/findings/<host>.json). */
    file: string;
    importedFrom: string;
    scanner: string;
    scannedAt: string;
    findings: number;
  }[];
}

/** The feeds the risk was judged against. */
export interface IntelRead {
  kevVersions: string[];
  kevEntries: number;
  epssDates: string[];
  epssScores: number;
  /** Config advisories.epssThreshold. */
  epssThreshold: number;
  /** OSV records read. */
  advisories: number;
  /** Hosts (inventory or not) with imported findings. */
  findingsHosts: number;
}

export interface SlaBreach {
  host: string;
  package: string;
  to: string;
  severity: Severity | null;
  tier: RiskTier;
  advisories: string[];
  emergency: boolean;
  /** Null only when the KEV clock applies to an update without a release date. */
  releasedAt: string | null;
  ageDays: number | null;
  /** The Config SLA; null only when the KEV clock applies and no SLA does. */
  sla: string | null;
  dueDate: string;
  slaSource: SlaSource;
  overdueDays: number;
}

export interface Evidence {
  runId: string;
  planDigest: string | null;
  host: string;
  ring: string;
  status: string;
  startedAt: string | null;
  finishedAt: string;
  changes: { package: string; from: string; to: string }[];
  verification: 'passed' | 'failed' | 'not-run';
  mismatches: string[];
  rebooted: { bootIdBefore: string; bootIdAfter: string } | null;
  error?: string;
}

export interface PendingReboot {
  host: string;
  state: ComplianceState;
  /** `scan` (the host says so) or the run that left it pending. */
  source: string;
}

export interface UnreachableHost {
  host: string;
  /** When it last answered; null when it never did. */
  lastSeen: string | null;
  /** The latest failed attempt (scan or apply). */
  lastAttempt: string | null;
  error: string | null;
}

export interface ProductRisk {
  package: string;
  /** Missing security updates (host × update) it accounts for across the fleet. */
  missingSecurityUpdates: number;
  hosts: number;
  emergency: number;
  breached: number;
  worstSeverity: Severity | null;
  oldestReleasedAt: string | null;
  /** The most urgent tier among its missing security updates. */
  tier: RiskTier;
  /** Its missing security updates by tier. */
  tiers: TierCounts;
  /** The highest EPSS score among them; null when none is scored. */
  epss: number | null;
  /** Open vulnerabilities (host × vulnerability) of this package. */
  openVulnerabilities: number;
}

export type StateCounts = Record<ComplianceState, number>;

export interface BreakdownRow {
  name: string;
  /** With rings: the rollout the ring belongs to ('' for hosts no rollout covers). */
  rollout?: string;
  hosts: number;
  states: StateCounts;
  compliancePercent: number | null;
}

export interface ComplianceSummary {
  hosts: number;
  states: StateCounts;
  /** (compliant + excepted) / (hosts − not-applicable), one decimal; null when no host is in scope. */
  compliancePercent: number | null;
  /** Hosts on each track (HostTrack): `on-track` and `overdue` are the schedule's figures. */
  tracks: TrackCounts;
  /** (in-compliance + on-track) / (hosts − not-applicable), one decimal; null when no host is in scope. */
  onTrackPercent: number | null;
  missingUpdates: number;
  missingSecurityUpdates: number;
  emergencyMissing: number;
  slaBreaches: number;
  hostsPendingReboot: number;
  exceptions: { active: number; expiring: number; expired: number };
  /** Hosts by their most urgent open tier (hosts with no open risk are in none). */
  hostsByTier: TierCounts;
  /** Open vulnerabilities across all hosts (host × vulnerability). */
  openVulnerabilities: number;
}

/** One day's figures, kept as reports/history/<date>.json so that trends can be drawn. */
export interface HistoryEntry {
  formatVersion: 1;
  date: string;
  asOf: string | null;
  hosts: number;
  states: StateCounts;
  compliancePercent: number | null;
  missingUpdates: number;
  slaBreaches: number;
  emergencyMissing: number;
  /** Hosts on track and overdue (absent in entries written before the schedule figures). */
  onTrack?: number;
  overdue?: number;
}

export interface ComplianceReport {
  formatVersion: typeof COMPLIANCE_FORMAT_VERSION;
  /** The day the report was evaluated on, in the Config time zone (YYYY-MM-DD). */
  date: string;
  timezone: string;
  /** The newest observation it rests on (scan, apply event, rollout progress); null without any. */
  asOf: string | null;
  /** sha256 over the documents and state files it was computed from (as in the plan). */
  inputsDigest: string;
  /** The Config SLA per severity, and `unknown` when Config sets one. */
  sla: Record<Severity, string> & { unknown?: string };
  summary: ComplianceSummary;
  hosts: HostCompliance[];
  /** Emergency first, then oldest release first. */
  slaBreaches: SlaBreach[];
  pendingReboot: PendingReboot[];
  /** Hosts whose last apply rebooted them and they did not come back in time. */
  didNotComeBack: HostOutcome[];
  unreachable: UnreachableHost[];
  /** Each host whose latest apply result is a failure. */
  failures: HostOutcome[];
  exceptions: ExceptionEntry[];
  /** Ranked by open risk: tier, KEV, emergency, EPSS, severity, age, then how many. */
  products: ProductRisk[];
  /** Hosts with open risk, most urgent first (vuln-exposure.ts states the order). */
  riskRanking: RankedHost[];
  /** KEV CVEs open in the fleet, ransomware use and earliest dueDate first. */
  openKev: OpenKevCve[];
  /** Which active exceptions waive updates fixing which advisories. */
  exceptionsByAdvisory: ExceptionByAdvisory[];
  /** Time to remediate per tier, against its SLA (remediation.ts). */
  remediation: RemediationRow[];
  findings: FindingsFacts;
  /** The feeds read; null when advisories/ holds none. */
  intel: IntelRead | null;
  rollouts: RolloutStatusReport[];
  lastRun: RunSummary | null;
  breakdowns: { rings: BreakdownRow[]; sites: BreakdownRow[]; groups: BreakdownRow[] };
  /** Every applied change from the run journals, oldest first. */
  evidence: Evidence[];
  /** Earlier days and this one, oldest first. */
  history: HistoryEntry[];
}
