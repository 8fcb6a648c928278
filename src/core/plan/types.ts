// The plan document (DESIGN.md §3). schemas/plan.schema.json is the precise statement; the
// human and Markdown renderers read this same structure.
import type { Classification, Severity } from '../model/types.js';

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
  | 'host-unreachable';

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

export interface PlanHost {
  host: string;
  /**
   * Set when the plan knows nothing current about the host (never scanned, unreachable, its
   * host key changed: see HOST_KEY_CHANGED_NOTE).
   */
  note?: string;
  window: PlanWindow | null;
  actions: PlanAction[];
  skipped: PlanSkip[];
  /** The shard (1-based) that applies the host, in a plan made with `--shards`. */
  shard?: number;
}

export interface PlanRing {
  name: string;
  rollout: string;
  /** When the first host of this ring may start: window openings, the previous ring's bake time. */
  earliestStart: string | null;
  /** Why the ring cannot start before earliestStart (or at all), for people. */
  gate?: string;
  hosts: PlanHost[];
}

export interface PlanSummary {
  hosts: number;
  hostsWithChanges: number;
  updates: number;
  reboots: number;
  skipped: number;
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
