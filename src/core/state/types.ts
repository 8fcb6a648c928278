// What patchctl observed and did (docs/architecture.md, "The flow"): the files under state/. schemas/host-state.schema.json
// and schemas/rollout-state.schema.json are the precise statement.
import type { Classification, Severity } from '../model/types.js';
import type { RingVersions } from './ring-versions.js';
import type { VulnIntel } from '../vuln/types.js';

export type PackageManagerId = 'apt' | 'dnf' | 'yum' | 'zypper' | 'apk' | 'winupdate';
export type Ecosystem = 'deb' | 'rpm' | 'apk' | 'semver';

export interface InstalledPackage {
  name: string;
  version: string;
  arch?: string;
  /** The source package, when its name differs from `name` (Debian advisories name sources). */
  source?: string;
  /** The source package's version, when it differs from `version`. */
  sourceVersion?: string;
}

export interface PendingUpdate {
  name: string;
  from: string;
  to: string;
  arch?: string;
  /** Repository/suite the candidate comes from, e.g. bookworm-security. */
  source?: string;
  classification: Exclude<Classification, 'all'>;
  severity?: Severity;
  /** CVE/DSA/ALSA/KB ids the update fixes. */
  advisories?: string[];
  /** When the update was published: the approval delay runs from here. */
  releasedAt?: string;
  /** The package manager says this update needs a reboot (kernels, glibc...). */
  rebootRequired?: boolean;
}

/** Why a scan could not record a host's current data (HostState.errorKind). */
export type HostErrorKind =
  'unreachable' | 'auth-failed' | 'host-key-mismatch' | 'invalid-host-data' | 'unsupported' | 'failed';

export interface HostState {
  formatVersion: 1;
  host: string;
  scannedAt: string;
  reachable: boolean;
  /** Why the last scan could not reach the host (with reachable: false). */
  error?: string;
  /** What kind of failure `error` describes (with reachable: false). */
  errorKind?: HostErrorKind;
  /** When the host was last reached (kept across unreachable scans). */
  lastReachableAt?: string;
  os?: { family: string; id: string; version: string; kernel?: string };
  packageManager?: PackageManagerId;
  bootId?: string;
  rebootRequired?: boolean;
  installed: InstalledPackage[];
  updates: PendingUpdate[];
  held: string[];
}

export type RingStatus = 'pending' | 'in-progress' | 'completed' | 'halted';

export interface RingProgress {
  status: RingStatus;
  startedAt?: string;
  finishedAt?: string;
  /** Since when the ring has been healthy (bake time counts from here). */
  healthySince?: string;
  failures?: number;
  haltedReason?: string;
  /**
   * The package versions the ring's hosts ran when it last completed (state/ring-versions.ts): a
   * later ring gets an update only when this ring ran that version or a later one.
   */
  versions?: RingVersions;
  /** Hosts of the ring that failed in the run that completed or halted it. */
  failedHosts?: string[];
  /** Set by `patchctl rollout release`: who cleared the ring's halt, when and why. */
  released?: RingRelease;
}

export interface RingRelease {
  at: string;
  /** `user@machine` (or the git user), as apply's journal names who ran it. */
  by: string;
  reason: string;
  /** The halt it cleared, as apply recorded it. */
  haltedReason?: string;
}

export interface RolloutState {
  formatVersion: 1;
  rollout: string;
  /** Digest of the plan the progress belongs to. */
  planDigest?: string;
  updatedAt: string;
  rings: Record<string, RingProgress>;
  /** Set in the progress one shard (`apply --shard i/N`) recorded: state/rollouts/shards/. */
  shard?: { index: number; count: number };
}

/** Everything read from state/ and advisories/ that the planner uses. */
export interface ObservedState {
  hosts: ReadonlyMap<string, HostState>;
  rollouts: ReadonlyMap<string, RolloutState>;
  /** Advisory ids listed by each emergency feed file (e.g. "kev.json" → CVE ids). */
  feeds: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * What the feeds under advisories/ say (KEV, EPSS, OSV records, imported findings), parsed;
   * absent when none was read. Plans and reports join it with `hosts` (core/vuln/observed.ts).
   */
  intel?: VulnIntel;
}
