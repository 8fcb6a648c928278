// The commands of the zypper driver (readme.md, "Commands"). Data (package and patch names,
// editions) reaches a command only as separate, validated arguments after `--`; everything else is
// constant. Never `--no-gpg-checks`, `--force-resolution`, `--oldpackage` or `--allow-downgrade`.
import { isValidRpmEvr } from '../../core/versions/rpm.js';
import { InvalidPackageRefError } from '../errors.js';
import { lockTimeoutSeconds } from '../lock-timeout.js';
import { rpmQueryAllCommand } from '../rpm/query.js';
import type { InstallOptions, PackageRef, RemoteCommand } from '../types.js';
import { ZYPPER_ARCH, ZYPPER_PACKAGE_NAME } from './names.js';
import { PATCH_NAME } from './parse-patches.js';
import {
  FACTS_SCRIPT,
  INVENTORY_SCRIPT,
  LOCK_HOLDER_SCRIPT,
  PREFLIGHT_SCRIPT,
  SCAN_SCRIPT,
} from './scripts.js';

export { ZYPPER_ARCH, ZYPPER_PACKAGE_NAME } from './names.js';
/** `[epoch:]version-release`: a release is required, so that the version is exact. */
export const ZYPPER_EDITION = /^(?:[0-9]{1,9}:)?[A-Za-z0-9._+~^]{1,128}-[A-Za-z0-9._+~^]{1,128}$/;

export { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../lock-timeout.js';

export { RPM_QUERY_FORMAT } from '../rpm/query.js';

/** Read-only zypper: no lock taken (a scan never waits for or blocks a running zypper), no refresh. */
const READ_ONLY_ENV: Readonly<Record<string, string>> = { ZYPP_READONLY_HACK: '1' };
const READ_ONLY = ['zypper', '--non-interactive', '--no-refresh'] as const;

/** The Linux facts and zypper's own (rpm arch, zypper version, needs-rebooting): FACTS_SCRIPT. */
export function factsCommand(): RemoteCommand {
  return { argv: ['sh', '-c', FACTS_SCRIPT] };
}

/** Installed packages and zypper's locks, in one round trip (INVENTORY_SCRIPT). */
export function inventoryCommand(): RemoteCommand {
  return { argv: ['sh', '-c', INVENTORY_SCRIPT] };
}

/** Lock holders, interrupted rpm transactions, `zypper verify`, free space (PREFLIGHT_SCRIPT). */
/** As root: `zypper verify` refuses to run otherwise (exit 5, "Root privileges are required"; lab). */
export function preflightCommand(): RemoteCommand {
  return { argv: ['sh', '-c', PREFLIGHT_SCRIPT], sudo: true };
}

/** `rpm -qa --qf RPM_QUERY_FORMAT` alone (../rpm/query.ts); read with parseRpmQueryResult. */
export function installedCommand(): RemoteCommand {
  return rpmQueryAllCommand();
}

/** Updates, patches, locks and the applicable patches' contents, in one round trip (SCAN_SCRIPT). */
export function scanCommand(): RemoteCommand {
  return { argv: ['sh', '-c', SCAN_SCRIPT] };
}

export function listUpdatesCommand(): RemoteCommand {
  return { argv: [...READ_ONLY, '--xmlout', 'list-updates'], env: { ...READ_ONLY_ENV } };
}

/** All applicable patches: the XML ignores --category and --severity, so none is passed. */
export function listPatchesCommand(): RemoteCommand {
  return { argv: [...READ_ONLY, '--xmlout', 'list-patches'], env: { ...READ_ONLY_ENV } };
}

export function locksCommand(): RemoteCommand {
  return { argv: [...READ_ONLY, '--xmlout', 'locks'], env: { ...READ_ONLY_ENV } };
}

/** `zypper info -t patch NAME…`: which packages each patch carries (its Conflicts). */
export function patchInfoCommand(names: readonly string[]): RemoteCommand {
  return {
    argv: [...READ_ONLY, 'info', '-t', 'patch', '--', ...patchArgs(names)],
    env: { ...READ_ONLY_ENV },
  };
}

/** Exit 102: a reboot is needed (libzypp's /run/reboot-needed); 0: not. */
export function needsRebootingCommand(): RemoteCommand {
  return { argv: [...READ_ONLY, 'needs-rebooting'], env: { ...READ_ONLY_ENV } };
}

export function patchCheckCommand(): RemoteCommand {
  return { argv: [...READ_ONLY, 'patch-check'], env: { ...READ_ONLY_ENV } };
}

export function lockHolderCommand(): RemoteCommand {
  return { argv: ['sh', '-c', LOCK_HOLDER_SCRIPT] };
}

/** `zypper refresh` (network; root), waiting for the lock at most the timeout. */
export function refreshCommand(options: InstallOptions = {}): RemoteCommand {
  return { argv: ['zypper', '--non-interactive', 'refresh'], sudo: true, env: lockEnv(options) };
}

/** What every change asks: no recommended extras, nothing resolved by force. */
const CHANGE_OPTIONS = ['--no-recommends', '--no-force-resolution'] as const;
const UPDATE_OPTIONS = [...CHANGE_OPTIONS, '--no-allow-downgrade'] as const;

/**
 * `zypper update` of exactly `pkgs` (`name[.arch]=edition`), upgrading only: `update` never
 * installs a package that is not there ("Package 'X' is not installed.", exit 0: parseZypperInstall
 * reports it), never downgrades ("has lower version than the installed one", exit 0: reported),
 * never removes a lock (the solver's problem is cancelled, exit 4: reported as held), and resolves
 * nothing by force. Multiversion packages (kernels) are installed beside the running one.
 */
export function installCommand(pkgs: readonly PackageRef[], options: InstallOptions = {}): RemoteCommand {
  return {
    argv: ['zypper', '--non-interactive', 'update', ...UPDATE_OPTIONS, '--', ...packageArgs(pkgs)],
    sudo: true,
    env: lockEnv(options),
  };
}

/**
 * The same transaction, `--dry-run`, read-only (`ZYPP_READONLY_HACK=1`: no lock, so it neither
 * waits for nor blocks a running zypper; verified on the lab's SUSE-like host): nothing changes.
 * zypper still wants root to resolve an install.
 */
export function simulateInstallCommand(pkgs: readonly PackageRef[]): RemoteCommand {
  return {
    argv: [...READ_ONLY, 'update', '--dry-run', ...UPDATE_OPTIONS, '--', ...packageArgs(pkgs)],
    sudo: true,
    env: { ...READ_ONLY_ENV },
  };
}

/**
 * `zypper install -t patch NAME…`: exactly these patches. Asked by name, zypper installs an
 * interactive (reboot) patch under --non-interactive too (captured, exit 102): which patches may be
 * installed is decided before, by planPatchInstall (patch-plan.ts).
 */
export function installPatchesCommand(names: readonly string[], options: InstallOptions = {}): RemoteCommand {
  return {
    argv: [
      'zypper',
      '--non-interactive',
      'install',
      ...CHANGE_OPTIONS,
      '-t',
      'patch',
      '--',
      ...patchArgs(names),
    ],
    sudo: true,
    env: lockEnv(options),
  };
}

function lockEnv(options: InstallOptions): Record<string, string> {
  const t = lockTimeoutSeconds(options);
  // libzypp waits this many seconds for /run/zypp.pid, then fails with exit 7 naming the holder.
  return { ZYPP_LOCK_TIMEOUT: String(t) };
}

/**
 * `args`, checked: at least one, none listed twice (the same `key`). `what` names them in the
 * error: "no packages to install", "package fleet-lib is listed twice".
 */
function distinct(
  args: readonly string[],
  keyOf: (arg: string) => string,
  what: string,
  none: string,
): string[] {
  if (args.length === 0) throw new InvalidPackageRefError(none);
  const seen = new Set<string>();
  for (const arg of args) {
    const key = keyOf(arg);
    if (seen.has(key)) throw new InvalidPackageRefError(`${what} ${key} is listed twice`);
    seen.add(key);
  }
  return [...args];
}

/** Validated `name[.arch]=edition` arguments; throws InvalidPackageRefError on anything else. */
export function packageArgs(pkgs: readonly PackageRef[]): string[] {
  const args = pkgs.map(packageArg);
  return distinct(args, (arg) => arg.slice(0, arg.indexOf('=')), 'package', 'no packages to install');
}

export function packageArg(p: PackageRef): string {
  if (typeof p.name !== 'string' || !ZYPPER_PACKAGE_NAME.test(p.name)) {
    throw new InvalidPackageRefError(`${JSON.stringify(p.name)} is not an RPM package name`);
  }
  if (
    typeof p.version !== 'string' ||
    !ZYPPER_EDITION.test(p.version) ||
    !isValidRpmEvr(p.version) ||
    p.version.includes('..')
  ) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.version)} is not an exact RPM version-release for package ${p.name}`,
    );
  }
  if (p.arch !== undefined && (typeof p.arch !== 'string' || !ZYPPER_ARCH.test(p.arch))) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.arch)} is not an RPM architecture (package ${p.name})`,
    );
  }
  return `${p.arch === undefined ? p.name : `${p.name}.${p.arch}`}=${p.version}`;
}

export function patchArgs(names: readonly string[]): string[] {
  for (const n of names) {
    if (typeof n !== 'string' || !PATCH_NAME.test(n))
      throw new InvalidPackageRefError(`${JSON.stringify(n)} is not a patch name`);
  }
  return distinct(names, (n) => n, 'patch', 'no patches');
}
