// Package-manager drivers (docs/adding-a-driver.md): a driver builds RemoteCommands and parses
// CommandResults. It never does I/O: the engine runs the commands over a transport.
import type { OsHint } from '../core/model/types.js';
import type { Ecosystem, InstalledPackage, PackageManagerId, PendingUpdate } from '../core/state/types.js';
import type { CommandResult, RemoteCommand } from '../transports/types.js';

export type { CommandResult, RemoteCommand };

export type DriverId = Extract<PackageManagerId, 'apt' | 'dnf' | 'zypper'>;

/** An exact package version to install. `arch` qualifies the name (`libc6:i386=…`) unless it is `all`. */
export interface PackageRef {
  name: string;
  version: string;
  arch?: string;
}

/**
 * What any Linux host tells, whatever its package manager (drivers/linux: os-release, kernel, boot
 * id, the OS's reboot signal). scan reads these first to pick the host's driver.
 */
export interface LinuxFacts {
  os: OsFacts;
  kernel: string;
  bootId: string;
  rebootRequired: boolean;
}

/** What one round trip tells about a host: the Linux facts and the package manager's own. */
export interface HostFacts extends LinuxFacts {
  /** Packages that asked for the reboot (/run/reboot-required.pkgs), sorted, without duplicates. */
  rebootRequiredPackages: string[];
  /** The package manager's native architecture (`dpkg --print-architecture`). */
  nativeArch?: string;
  /** Version of the package manager itself (the `apt` package), when known. */
  packageManagerVersion?: string;
}

export interface OsFacts {
  /** `debian`, `rhel`, `suse` or `alpine` from ID and ID_LIKE (drivers/linux/facts.ts familyOf), else ID_LIKE's last entry or ID. */
  family: string;
  id: string;
  /** VERSION_ID, or a fallback that the host state accepts (drivers/linux/facts.ts osVersionFrom), never "". */
  version: string;
  idLike: string[];
  codename?: string;
  prettyName?: string;
}

/** The package database: what is installed, what is held, what is half-way. */
export interface Inventory {
  /** Fully installed packages (dpkg status `installed`), sorted by name then arch. */
  installed: InstalledPackage[];
  /** Packages on hold (dpkg selection `hold`), sorted, without duplicates. */
  held: string[];
  /** Packages dpkg lists in any state between not-installed and installed (a failed or interrupted run). */
  notFullyInstalled: PackageState[];
  /**
   * Names the package manager installs beside the versions already there instead of over them
   * (rpm's installonly and zypper's multiversion packages: kernels), sorted. Several installed
   * versions of these are normal: apply counts an upgrade done when its version is among them.
   */
  sideBySide?: string[];
}

export interface PackageState {
  name: string;
  arch: string;
  version: string;
  /** dpkg's three status words, e.g. `install ok half-configured`. */
  status: string;
}

/** Pending updates plus what the scan saw around them. */
export interface UpdateScan {
  /** Sorted by name then arch. Includes held packages' candidates (the planner reports them as held). */
  updates: PendingUpdate[];
  held: string[];
  /** Packages the package manager would not upgrade on its own, held or not. */
  keptBack: string[];
}

export interface LockHolder {
  /** The lock file. */
  path: string;
  /** In the host's PID namespace; null when the kernel did not say (an OFD lock, or a process outside). */
  pid: number | null;
  /** The holder's command name (/proc/PID/comm), when it could be read. */
  command?: string;
}

export interface FreeSpace {
  /** The path that was asked about. */
  path: string;
  filesystem: string;
  mountedOn: string;
  totalKb: number;
  availableKb: number;
}

/** The package manager's state before an install (README.md, "Apply": pre-flight). */
export interface Preflight {
  lockHolders: LockHolder[];
  /** The package manager's journal holds entries from a run that did not finish. */
  interrupted: boolean;
  /** What the package manager's own audit reports (half-configured packages...); [] when clean. */
  audit: string[];
  freeSpace: FreeSpace[];
}

export type PreflightProblem =
  | { kind: 'lock-held'; message: string; holder: LockHolder }
  | { kind: 'interrupted'; message: string }
  | { kind: 'audit'; message: string; details: string[] }
  | { kind: 'low-space'; message: string; path: string; availableKb: number; requiredKb: number };

export type FailureKind =
  | 'lock-held'
  | 'interrupted'
  | 'no-space'
  | 'maintainer-script'
  | 'file-conflict'
  | 'held'
  | 'downgrade'
  | 'removal-required'
  | 'version-not-found'
  | 'package-not-found'
  | 'not-installed'
  | 'unauthenticated'
  | 'fetch-failed'
  | 'unresolvable'
  | 'package-manager-error'
  | 'timeout'
  | 'killed'
  | 'unknown';

/** Why a package-manager command failed, in words an operator can act on. */
export interface FailureReason {
  kind: FailureKind;
  message: string;
  /** Packages the failure names (the failing maintainer script's package, held ones...). */
  packages?: string[];
  /** For `lock-held`. */
  holder?: LockHolder;
  /** The output lines the reason was read from (at most a few hundred characters). */
  excerpt: string;
}

export interface PackageChange {
  name: string;
  from?: string;
  to: string;
}

export interface InstallOutcome {
  ok: boolean;
  /** What the package manager reported unpacking or setting up (for a simulation: would), in its order. */
  changed: PackageChange[];
  failure?: FailureReason;
  warnings: string[];
}

export interface RefreshOutcome {
  ok: boolean;
  failure?: FailureReason;
  warnings: string[];
}

export interface InstallOptions {
  /** How long the package manager waits for its lock before failing (seconds, 0–86400). */
  lockTimeoutSeconds?: number;
}

/**
 * Which hosts a driver serves (docs/adding-a-driver.md, "Registries"): scan picks the driver of a
 * host from its os-release ID, then ID_LIKE in order; validate and plan read the inventory's `os`
 * hint. Two registered drivers never claim the same ID or hint (drivers/api.test.ts).
 */
export interface DriverServes {
  /** os-release ID or ID_LIKE values (lower case) of the hosts it drives. */
  osIds: readonly string[];
  /** The inventory `os` hints of the hosts it drives. */
  osHints: readonly OsHint[];
}

/**
 * The remote per-host lock's commands (docs/security.md, "Locks"): the engine holds `take`
 * open over the transport until it releases the lock (drivers/linux/remote-lock.ts).
 */
export interface RemoteLockSteps {
  /** Takes the lock for `owner` and run `runId`, prints `ready` once held, holds it while stdin is open (root). */
  take(owner: string, runId: string): RemoteCommand;
  readonly ready: string;
  /** Leaves run `runId`'s reservation of the host for `seconds` by its clock, across a reboot (root). */
  reserve(owner: string, runId: string, seconds: number): RemoteCommand;
  /** Whether reserve's result says the reservation was written. */
  reserved(out: CommandResult): boolean;
  /** Why take or reserve failed, in the operator's words. */
  failure(out: CommandResult, timeoutMs: number): string;
}

/**
 * The OS-level steps apply runs on a host, whatever its package manager (docs/adding-a-driver.md,
 * "Registries"): the Linux drivers share one implementation (drivers/linux, `linuxOs`).
 */
export interface OsSteps {
  /** Restarts the host (root); the engine proves the reboot by a new boot id in the driver's facts. */
  reboot(): RemoteCommand;
  /** The remote per-host lock. */
  readonly lock: RemoteLockSteps;
  /**
   * Several of the driver's commands in one round trip (docs/architecture.md, "Round trips"),
   * each run as the transport would run it alone; as root when any part needs root.
   */
  batch(parts: readonly RemoteCommand[]): RemoteCommand;
  /** The results of batch's `count` parts, in order; DriverOutputError when the batch's output cannot be read. */
  unbatch(out: CommandResult, count: number): CommandResult[];
}

/**
 * A package-manager plug-in: only what the engine calls (a driver's other builders, such as a
 * simulated install, stay in its own modules). Builders return commands with no I/O; parsers turn their results into
 * data and throw only DriverOutputError (output they cannot read), never on a non-zero exit that
 * they can explain: install/refresh failures are results.
 */
export interface PackageDriver {
  readonly id: DriverId;
  readonly shell: 'sh' | 'powershell';
  /** How versions of this package manager compare (core/versions). */
  readonly ecosystem: Ecosystem;
  /** The hosts it drives. */
  readonly serves: DriverServes;
  /** The OS-level steps of its hosts (reboot, remote lock): drivers/linux for Linux hosts. */
  readonly os: OsSteps;

  /** OS, kernel, boot id and reboot-required in one round trip. */
  facts(): RemoteCommand;
  parseFacts(out: CommandResult): HostFacts;

  listInstalled(): RemoteCommand;
  parseInstalled(out: CommandResult): Inventory;

  /** Pending updates with their repository of origin, from the local package index (no network). */
  listUpdates(): RemoteCommand;
  parseUpdateScan(out: CommandResult): UpdateScan;

  /** Refresh the package index from the repositories (network; root). */
  refresh(options?: InstallOptions): RemoteCommand;
  parseRefresh(out: CommandResult): RefreshOutcome;

  preflight(): RemoteCommand;
  parsePreflight(out: CommandResult): Preflight;
  checkPreflight(preflight: Preflight, minFreeKb?: Readonly<Record<string, number>>): PreflightProblem[];
  /**
   * The free space (KiB by path) installing these packages needs, when more than checkPreflight's
   * defaults (apt: /boot for a kernel). apply judges the pre-flight it read with it once it knows
   * what it will install.
   */
  minFreeKbFor?(pkgs: readonly PackageRef[]): Readonly<Record<string, number>>;

  /** Install exactly these versions, upgrading only, non-interactively (root). */
  install(pkgs: readonly PackageRef[], options?: InstallOptions): RemoteCommand;
  parseInstall(out: CommandResult): InstallOutcome;
}

export interface RestartCheck {
  /** Processes using old files, as the tool counts them. */
  processes: number;
  /** Packages whose services can be restarted, with the processes concerned. */
  restartable: PackageProcesses[];
  /** systemd units to restart. */
  services: string[];
  /** Init scripts to restart (`service NAME restart`). */
  initScripts: string[];
  /** Packages whose processes no service restarts (a reboot or a new login does). */
  other: PackageProcesses[];
}

export interface PackageProcesses {
  name: string;
  processes: { pid: number; path: string }[];
}
