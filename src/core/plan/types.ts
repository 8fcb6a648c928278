// The plan document (README.md, "The plan"). schemas/plan.schema.json is the precise statement; the
// human and Markdown renderers read this same structure.
import type { Classification, Severity } from '../model/types.js';
import type { PackageManagerId } from '../state/types.js';
import type { RiskTier } from '../vuln/types.js';

export const PLAN_FORMAT_VERSION = 1;

export type SkipReason =
  | 'excluded'
  | 'pinned'
  | 'held'
  | 'exception'
  | 'not-approved-yet'
  | 'below-severity'
  | 'classification'
  | 'no-window'
  | 'blackout'
  | 'host-unreachable'
  /**
   * Per-update ring gating: no earlier ring of the host's rollout ran this version (or a later
   * one) when it completed and baked; `by` names that ring (`ring canary`).
   */
  | 'not-in-earlier-ring';

export interface UpgradeAction {
  type: 'upgrade';
  package: string;
  from: string;
  to: string;
  arch?: string;
  classification: Exclude<Classification, 'all'>;
  severity: Severity | null;
  advisories: string[];
  /** The policy that selected the update. */
  policy: string;
  /** True when the update takes the policy's emergency track (listed in a feed). */
  emergency?: boolean;
  /** Its risk tier (docs/vulnerabilities.md, "Priority"); absent in plans written before it existed. */
  tier?: RiskTier;
}

export interface RebootAction {
  type: 'reboot';
  reason: string;
  /**
   * Set on a reboot planned without upgrades (the host still needs one from earlier patching):
   * the policy whose `reboot` setting, windows and hooks govern it.
   */
  policy?: string;
}

export type PlanAction = UpgradeAction | RebootAction;

export interface PlanSkip {
  package: string;
  to: string;
  reason: SkipReason;
  /** What caused the skip: a policy, exception, window or blackout name, or a host fact. */
  by: string;
  /** When a not-approved-yet update becomes eligible. */
  eligibleAt?: string;
  /** When the exception that skips it expires. */
  expires?: string;
}

export interface PlanWindow {
  name: string;
  start: string;
  end: string;
}

/**
 * How the note of a host whose SSH host key no longer matches known_hosts begins: renderers,
 * `plan` and `apply` single it out (docs/security.md: a changed key may be an interception).
 */
export const HOST_KEY_CHANGED_NOTE = 'host key changed';

export function isHostKeyChangedNote(note: string | undefined): boolean {
  return note !== undefined && note.startsWith(HOST_KEY_CHANGED_NOTE);
}

/**
 * What the plan knows about a host (README.md, "The plan"):
 * - `planned`: scanned, and the plan has actions for it;
 * - `up-to-date`: scanned, nothing pending;
 * - `all-skipped`: scanned, every pending update is skipped (see `skipped`);
 * - `unsupported`: this version cannot drive it (its transport, or its package manager / OS);
 *   the note says what is missing and the OS seen;
 * - `unreachable`: the last scan could not connect (the note says since when it was last reached);
 * - `scan-failed`: the last scan reached it but could not read it (authentication refused,
 *   data patchctl refuses to store, a command failed);
 * - `host-key-changed`: its SSH host key no longer matches known_hosts (see HOST_KEY_CHANGED_NOTE);
 * - `never-scanned`: no state file.
 * The last five are "unknown": the plan knows nothing current about them.
 */
export type PlanHostState =
  | 'planned'
  | 'up-to-date'
  | 'all-skipped'
  | 'unsupported'
  | 'unreachable'
  | 'scan-failed'
  | 'host-key-changed'
  | 'never-scanned';

export const PLAN_HOST_STATES: readonly PlanHostState[] = [
  'planned',
  'up-to-date',
  'all-skipped',
  'unsupported',
  'unreachable',
  'scan-failed',
  'host-key-changed',
  'never-scanned',
];

/** The states of hosts the plan knows nothing current about. */
export const UNKNOWN_HOST_STATES: ReadonlySet<PlanHostState> = new Set<PlanHostState>([
  'unsupported',
  'unreachable',
  'scan-failed',
  'host-key-changed',
  'never-scanned',
]);

export interface PlanHost {
  host: string;
  /**
   * What the plan knows about the host. Always set by buildPlan; absent only in plans written
   * before it existed (hostStateOf derives it then).
   */
  state?: PlanHostState;
  /**
   * Set when the plan knows nothing current about the host (never scanned, unreachable,
   * unsupported, its host key changed: see HOST_KEY_CHANGED_NOTE).
   */
  note?: string;
  window: PlanWindow | null;
  actions: PlanAction[];
  skipped: PlanSkip[];
  /**
   * Set when the host has no planned reboot but may reboot: its policy reboots when the host asks
   * (`ifRequired`) and it gets packages that usually ask on its ecosystem (kernels, the C
   * library, systemd…: core/plan/reboot-policy.ts). Says which packages and which policy.
   */
  mayReboot?: string;
  /** The shard (1-based) that applies the host, in a plan made with `--shards`. */
  shard?: number;
  /**
   * The host's package manager, from its state file: apply opens the host's driver from it
   * (docs/adding-a-driver.md, "Registries"). Absent when no scan named one (never scanned...)
   * and in plans written before it existed.
   */
  packageManager?: PackageManagerId;
  /** The most urgent tier among its upgrades: a ring's hosts are ordered by it. */
  tier?: RiskTier;
}

/** The host's state: its `state`, or for a plan written before that field, derived from the rest. */
export function hostStateOf(h: PlanHost): PlanHostState {
  if (h.state !== undefined) return h.state;
  if (h.actions.length > 0) return 'planned';
  if (isHostKeyChangedNote(h.note)) return 'host-key-changed';
  if (h.note !== undefined) return h.note.startsWith('never scanned') ? 'never-scanned' : 'unreachable';
  return h.skipped.length > 0 ? 'all-skipped' : 'up-to-date';
}

export interface PlanRing {
  name: string;
  rollout: string;
  /** When the first host of this ring may start: window openings, the previous ring's bake time. */
  earliestStart: string | null;
  /** Why the ring cannot start before earliestStart (or at all), for people. */
  gate?: string;
  /**
   * Earlier rings of the rollout that must complete (and bake) first and have not: they have
   * work in this plan, or complete without work (`completesWithoutWork`). Apply starts this ring
   * only after each of them completed in the same run (see README "Apply": ring order).
   */
  waitsFor?: string[];
  /**
   * Hosts of the ring with work that this plan leaves out (`--hosts`): a run of this plan cannot
   * complete the ring, so it is not recorded completed and later rings keep waiting.
   */
  omitted?: number;
  /**
   * The ring has no work left but its recorded progress is not `completed` (in progress, or halted
   * and its failed hosts are now taken out of it): apply records it completed, so the rollout
   * moves on.
   */
  completesWithoutWork?: true;
  hosts: PlanHost[];
}

export interface PlanSummary {
  hosts: number;
  /** Hosts in state `planned`. */
  hostsWithChanges: number;
  updates: number;
  /** Hosts with a planned reboot (policy `always`, or the host or an update already asks). */
  reboots: number;
  skipped: number;
  /** Hosts that may reboot (PlanHost.mayReboot). The optional counts below are set by buildPlan. */
  mayReboot?: number;
  /** Hosts in state `up-to-date`. */
  hostsUpToDate?: number;
  /** Hosts in state `all-skipped`. */
  hostsAllSkipped?: number;
  /** Hosts in state `unsupported`. */
  hostsUnsupported?: number;
  /** Hosts in state `unreachable`. */
  hostsUnreachable?: number;
  /** Hosts in state `scan-failed` or `host-key-changed`. */
  hostsScanFailed?: number;
  /** Hosts in state `never-scanned`. */
  hostsNeverScanned?: number;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  createdAt: string;
  at: string;
  inputsDigest: string;
  /** Every input file (documents, state, advisories) → its sha256, so a stale plan can say what changed. */
  inputs: Record<string, string>;
  gitCommit: string | null;
  summary: PlanSummary;
  rings: PlanRing[];
  /** Set by `plan --shards N`: how the hosts are split for `apply --shard i/N`. */
  shards?: PlanShards;
}

export interface PlanShards {
  count: number;
  summary: (PlanSummary & { shard: number })[];
}
