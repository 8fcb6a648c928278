// Who may reboot a host, and which packages usually make it ask: one rule for plan and apply
// (README "PatchPolicy": reboot precedence).
//
// Each policy's `reboot` mode decides for the updates it governs (policies-for-host.ts), with one
// exception: a policy that governs the whole host (no `include`) and says `reboot: never` wins
// over every other policy that applies to the host, whether or not it has updates there now:
// patchctl never reboots that host, unless the `never` policy names the other policy in
// `allowRebootBy`. A policy narrowed by `include` ("browsers, without reboot") says `never` for
// its own packages only, and vetoes nothing.
import type { RebootMode } from '../model/types.js';
import type { Ecosystem } from '../state/types.js';
import { anyGlobMatches } from './glob.js';
import type { PolicyDoc } from './policies-for-host.js';

/** What the reboot rule needs to know about one policy. */
export interface RebootSay {
  name: string;
  reboot?: RebootMode | undefined;
  allowRebootBy?: readonly string[] | undefined;
  /** The policy has an `include` list: it governs some packages, not the host. */
  narrowed?: boolean;
}

export function rebootSay(p: PolicyDoc): RebootSay {
  return {
    name: p.metadata.name,
    reboot: p.spec.reboot,
    allowRebootBy: p.spec.allowRebootBy,
    narrowed: (p.spec.include ?? []).length > 0,
  };
}

/**
 * The `reboot: never` policy among `governing` (every policy that applies to the host) that
 * forbids `policy` to reboot the host, or undefined when none does.
 */
export function rebootVeto(governing: readonly RebootSay[], policy: string): string | undefined {
  for (const p of governing) {
    if (p.name === policy || p.narrowed === true || (p.reboot ?? 'ifRequired') !== 'never') continue;
    if ((p.allowRebootBy ?? []).includes(policy)) continue;
    return p.name;
  }
  return undefined;
}

export interface RebootDecision {
  /** The strongest mode among the deciding policies that may reboot the host. */
  mode: RebootMode;
  /** A deciding policy would reboot, but this `never` policy forbids it. */
  vetoedBy?: string;
}

/**
 * How the host may reboot after `deciding` (the policies whose updates or pending reboot are
 * being applied) given `governing` (every policy that applies to the host). A deciding policy
 * missing from `governing` counts as `ifRequired`, the default.
 */
export function rebootDecision(governing: readonly RebootSay[], deciding: readonly string[]): RebootDecision {
  let mode: RebootMode = 'never';
  let vetoedBy: string | undefined;
  for (const name of deciding) {
    const own = governing.find((p) => p.name === name)?.reboot ?? 'ifRequired';
    if (own === 'never') continue;
    const veto = rebootVeto(governing, name);
    if (veto !== undefined) {
      vetoedBy ??= veto;
      continue;
    }
    if (own === 'always' || mode === 'never') mode = own;
  }
  return vetoedBy !== undefined && mode === 'never' ? { mode, vetoedBy } : { mode };
}

/**
 * Packages that usually ask for a reboot after an upgrade, per ecosystem: the kernel, the C
 * library, the init system and the system bus. The lists follow what the package managers'
 * own reboot hints use (Debian/Ubuntu `/run/reboot-required` triggers; dnf `needs-restarting
 * -r`). A plan says "may reboot" for them under `reboot: ifRequired`; apply still reboots only
 * when the host asks after the install.
 */
export const USUALLY_ASK_FOR_REBOOT: Readonly<Record<Ecosystem, readonly string[]>> = {
  deb: ['linux-image-*', 'linux-modules-*', 'libc6', 'systemd', 'dbus'],
  rpm: [
    'kernel',
    'kernel-*',
    'glibc',
    'linux-firmware',
    'microcode_ctl',
    'systemd',
    'dbus',
    'dbus-broker',
    'dbus-daemon',
  ],
  apk: ['linux-lts', 'linux-virt', 'linux-edge', 'musl'],
  semver: [],
};

/** Whether upgrading `pkg` usually makes a host of this ecosystem ask for a reboot. */
export function usuallyAsksForReboot(ecosystem: Ecosystem | undefined, pkg: string): boolean {
  return ecosystem !== undefined && anyGlobMatches(USUALLY_ASK_FOR_REBOOT[ecosystem], pkg);
}
