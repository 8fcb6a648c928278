// The commands of the dnf driver (yum hosts: `yum` is dnf on EL 8 and later). Data (package names,
// versions) reaches a command only through `nevraArg`, after strict validation (docs/security.md);
// everything else is constant. Never --nogpgcheck, --skip-broken or --allowerasing: dnf then refuses
// unsigned packages, partial transactions and removals.
import { isValidRpmEvr } from '../../core/versions/rpm.js';
import { InvalidPackageRefError } from '../errors.js';
import { lockTimeoutSeconds } from '../lock-timeout.js';
import type { InstallOptions, PackageRef, RemoteCommand } from '../types.js';
import {
  FACTS_SCRIPT,
  INSTALL_SCRIPT,
  INSTALL_SCRIPT_NAME,
  INSTALLED_SCRIPT,
  LOCK_HOLDERS_SCRIPT,
  PREFLIGHT_SCRIPT,
  REBOOT_SCRIPT,
  UPDATES_SCRIPT,
  UPGRADE_SCRIPT,
  UPGRADE_SCRIPT_NAME,
} from './scripts.js';

/** An RPM package name as rpmbuild accepts it (letters, digits, `-._+`), starting alphanumeric. */
export const RPM_PACKAGE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,199}$/;
/** An RPM architecture (x86_64, noarch, aarch64, i686, ppc64le...). */
export const RPM_ARCH = /^[A-Za-z0-9_]{1,32}$/;
/** `[epoch:]version-release`, rpmbuild's characters; isValidRpmEvr must also accept it. */
export const RPM_EVR = /^(?:[0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,100}-[A-Za-z0-9._+~^]{1,100}$/;

export { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../lock-timeout.js';

/** Environment of every dnf command: UTC dates (dnf prints advisory dates in local time). */
export const DNF_ENV: Readonly<Record<string, string>> = { TZ: 'UTC' };

/** Linux facts, rpm's arch, dnf's version and its reboot decision, in one round trip (FACTS_SCRIPT). */
export function factsCommand(): RemoteCommand {
  return { argv: ['sh', '-c', FACTS_SCRIPT], env: { ...DNF_ENV } };
}

/** rpm -qa, the installonly names and the holds (INSTALLED_SCRIPT). */
export function installedCommand(): RemoteCommand {
  return { argv: ['sh', '-c', INSTALLED_SCRIPT], env: { ...DNF_ENV } };
}

/** Lock holders, an interrupted transaction, dnf check, free space (PREFLIGHT_SCRIPT). */
export function preflightCommand(): RemoteCommand {
  return { argv: ['sh', '-c', PREFLIGHT_SCRIPT], env: { ...DNF_ENV } };
}

/** check-update + updateinfo list + updateinfo info + holds, in one round trip (UPDATES_SCRIPT). */
export function updatesCommand(): RemoteCommand {
  return { argv: ['sh', '-c', UPDATES_SCRIPT] };
}

/** `needs-restarting -r` and the install-time fallback (REBOOT_SCRIPT). */
export function rebootRequiredCommand(): RemoteCommand {
  return { argv: ['sh', '-c', REBOOT_SCRIPT] };
}

export function lockHoldersCommand(): RemoteCommand {
  return { argv: ['sh', '-c', LOCK_HOLDERS_SCRIPT] };
}

/** Refresh the metadata cache (network; root). */
export function refreshCommand(options: InstallOptions = {}): RemoteCommand {
  return {
    argv: wrap(lockTimeoutSeconds(options), ['dnf', '-q', '-y', ...COMMON_OPTIONS, 'makecache']),
    sudo: true,
    env: { ...DNF_ENV },
  };
}

const COMMON_OPTIONS: readonly string[] = ['--setopt=exit_on_lock=True'];

/**
 * `dnf upgrade` of exactly these NEVRAs (`name-[epoch:]version-release.arch`) through UPGRADE_SCRIPT:
 * an installonly package (kernel) is installed beside the running one, the others are upgraded in
 * place, an older version is never installed (a downgrade), nor a package that is not installed;
 * a bounded wait on dnf's lock; a dropped session does not kill rpm.
 */
export function installCommand(pkgs: readonly PackageRef[], options: InstallOptions = {}): RemoteCommand {
  const args = nevraArgs(pkgs);
  const timeout = lockTimeoutSeconds(options);
  return {
    argv: ['sh', '-c', UPGRADE_SCRIPT, UPGRADE_SCRIPT_NAME, String(timeout), ...args],
    sudo: true,
    env: { ...DNF_ENV },
  };
}

/**
 * The same transaction, resolved but not run (`--assumeno`: dnf exits 1 with "Operation aborted.";
 * parseInstall reads the plan's table as what would change).
 */
export function simulateInstallCommand(pkgs: readonly PackageRef[]): RemoteCommand {
  const args = nevraArgs(pkgs);
  return {
    argv: ['dnf', '-q', '-C', '--assumeno', '--setopt=exit_on_lock=True', 'upgrade', '--', ...args],
    env: { ...DNF_ENV },
  };
}

function wrap(timeout: number, argv: readonly string[]): string[] {
  return ['sh', '-c', INSTALL_SCRIPT, INSTALL_SCRIPT_NAME, String(timeout), ...argv];
}

/** Validated NEVRA arguments; throws InvalidPackageRefError on anything else. */
export function nevraArgs(pkgs: readonly PackageRef[]): string[] {
  if (pkgs.length === 0) throw new InvalidPackageRefError('no packages to install');
  const seen = new Set<string>();
  return pkgs.map((p) => {
    const arg = nevraArg(p);
    const key = `${p.name}.${p.arch ?? ''}@${p.version}`;
    if (seen.has(key)) throw new InvalidPackageRefError(`package ${arg} is listed twice`);
    seen.add(key);
    return arg;
  });
}

/**
 * `name-[epoch:]version-release.arch`. The arch is required: without it dnf may pick another
 * architecture of a multilib package. An epoch of 0 is written out as given (dnf accepts both).
 */
export function nevraArg(p: PackageRef): string {
  if (typeof p.name !== 'string' || !RPM_PACKAGE_NAME.test(p.name)) {
    throw new InvalidPackageRefError(`${JSON.stringify(p.name)} is not an RPM package name`);
  }
  if (typeof p.version !== 'string' || !RPM_EVR.test(p.version) || !isValidRpmEvr(p.version)) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.version)} is not an RPM [epoch:]version-release for package ${p.name}`,
    );
  }
  if (typeof p.arch !== 'string' || !RPM_ARCH.test(p.arch)) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.arch)} is not an RPM architecture (package ${p.name})`,
    );
  }
  return `${p.name}-${p.version}.${p.arch}`;
}
