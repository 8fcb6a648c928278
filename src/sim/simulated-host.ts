// The one interface of a simulated host (docs/architecture.md, "Two fleets"): whatever its package
// manager, the fleet (fleet.ts) hands it each command line and carries out the effects of its
// reply; tests and the demo read its state through it. SimAptHost (apt-host.ts), SimDnfHost
// (dnf-host.ts) and SimZypperHost (zypper-host.ts) implement it; what they share (the remote lock,
// the Linux facts, batches, reboot, the sudo check) is SimLinuxHost (linux-host.ts).

/** The lab's families (lab/lab.mjs --mix): Debian (apt), RHEL-like (dnf), SUSE-like (zypper). */
export type SimFamily = 'deb' | 'el' | 'suse';

export const SIM_FAMILIES: readonly SimFamily[] = ['deb', 'el', 'suse'];

/** What the fleet must do besides sending the reply. */
export type SimEffect =
  /** The host goes down (its sshd ends) shortly after the reply, and boots again. */
  | { kind: 'reboot' }
  /** The command keeps running after its output until its standard input ends (or the channel closes). */
  | { kind: 'hold'; release(): SimReply }
  /** The command takes this long before its reply (a package manager waiting for a lock). */
  | { kind: 'wait'; ms: number };

export interface SimReply {
  exitCode: number;
  stdout: string;
  stderr: string;
  effects: SimEffect[];
}

/** Rewrites a reply before it is sent (SimFleetOptions.tamper): gets the command line it answers. */
export type ReplyRewrite = (line: string, reply: SimReply) => SimReply;

/** The remote lock's reservation across a reboot (drivers/linux/remote-lock.ts), as the host keeps it. */
export interface SimReservation {
  runId: string;
  owner: string;
  /** Seconds since the epoch, by the host's clock. */
  expires: number;
  ttl: number;
  /** The boot it was written in. */
  bootId: string;
}

/** A process holding the package manager's locks until the next boot (a fault). */
export interface SimLockHolder {
  pid: number;
  command: string;
}

export interface SimulatedHost {
  readonly family: SimFamily;
  readonly hostname: string;
  /** The os-release ID the host reports (debian, almalinux, sles). */
  readonly osId: string;
  kernel: string;
  bootId: string;
  bootCount: number;
  /** The OS's own reboot signal (apt: /run/reboot-required; dnf: needs-restarting; zypper: /run/reboot-needed). */
  rebootRequired: boolean;
  /** The user that logs in may run `sudo -n`. */
  sudoAllowed: boolean;
  diskFreeKb: number;
  /** The package manager's lock, held by another process until the next boot (a fault). */
  packageLock: SimLockHolder | undefined;
  /** The owner text of the remote per-host lock (/run/lock/patchctl.lock), while held. */
  remoteLockOwner: string | undefined;
  /** /var/lib/patchctl/lock.reserved: a run's reservation across a reboot (persistent). */
  reservation: SimReservation | undefined;
  /** Every command line received, in order (for tests and demos). */
  readonly commands: string[];
  /**
   * The reply to a command line as the transport sends it; every line is recorded in `commands`.
   * `rewrite` sees each reply before it is sent, those of a batch's commands included.
   */
  respond(line: string, stdin?: string, rewrite?: ReplyRewrite): SimReply;
  /** Power cycle: new boot id, a fresh /run (reboot flag, locks and their holders gone). */
  boot(): void;
  /** The installed version of each lab test package (the newest, for an installonly kernel). */
  versions(): Record<string, string>;
  /** Every installed version of a package, oldest first (a kernel is installed beside the old one). */
  installedVersions(name: string): string[];
}
