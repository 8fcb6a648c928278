// The commands of the apk driver (Alpine). Data (package names, versions) reaches a command only
// through `packageArgs`, after strict validation (docs/security.md); everything else is constant.
// apk never gets --allow-untrusted, --force-* or --upgrade (see scripts.ts INSTALL_SCRIPT).
import { isValidApkVersion } from '../../core/versions/apk.js';
import { InvalidPackageRefError } from '../errors.js';
import { lockTimeoutSeconds } from '../lock-timeout.js';
import type { InstallOptions, PackageRef, RemoteCommand } from '../types.js';
import { INSTALL_SCRIPT, INSTALLED_SCRIPT, LOCK_SCRIPT, REBOOT_SCRIPT, UPDATES_SCRIPT } from './scripts.js';

/**
 * An Alpine package name patchctl puts on a command line: what abuild accepts for pkgname, starting
 * with a letter or digit (never `-`, never `.`: virtual packages are not patchctl's), without the
 * dependency operators `<>=~!@:` or spaces.
 */
export const APK_PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,199}$/;
/** An apk version's characters (digits, letters, `.`, `_`, `~`, one `-rN`), starting with a digit. */
export const APK_VERSION = /^[0-9][0-9A-Za-z._~]{0,190}(?:-r[0-9]{1,9})?$/;
/** An architecture name (x86_64, aarch64, armv7, noarch…). apk installs one per host: never passed. */
export const APK_ARCH_NAME = /^[a-z0-9][a-z0-9_]{0,31}$/;

export { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../lock-timeout.js';

/** `$0` of INSTALL_SCRIPT. */
export const INSTALL_SCRIPT_NAME = 'patchctl-apk';

/** The installed database (name, version, arch, origin, broken flags) and the world file. */
export function installedCommand(): RemoteCommand {
  return { argv: ['sh', '-c', INSTALLED_SCRIPT] };
}

/** `apk list --upgradable` from the local index copies, and the world file; no lock, no network. */
export function updatesCommand(): RemoteCommand {
  return { argv: ['sh', '-c', UPDATES_SCRIPT] };
}

/** The running kernel and the installed kernel packages (apk has no reboot-required flag). */
export function rebootRequiredCommand(): RemoteCommand {
  return { argv: ['sh', '-c', REBOOT_SCRIPT] };
}

/** Who holds /lib/apk/db/lock (from /proc/locks). */
export function lockHoldersCommand(): RemoteCommand {
  return { argv: ['sh', '-c', LOCK_SCRIPT] };
}

/**
 * `apk update`: fetch every repository's index (network, root, the database lock with a bounded
 * wait). Exits non-zero when a repository is unavailable or stale (its count).
 */
export function refreshCommand(options: InstallOptions = {}): RemoteCommand {
  return {
    argv: ['apk', 'update', '--no-interactive', '--wait', String(lockTimeoutSeconds(options))],
    sudo: true,
  };
}

/** Install exactly `pkgs` (name=version), upgrading only: INSTALL_SCRIPT (root). */
export function installCommand(pkgs: readonly PackageRef[], options: InstallOptions = {}): RemoteCommand {
  const args = packageArgs(pkgs);
  return {
    argv: [
      'sh',
      '-c',
      INSTALL_SCRIPT,
      INSTALL_SCRIPT_NAME,
      String(lockTimeoutSeconds(options)),
      '0',
      ...args,
    ],
    sudo: true,
  };
}

/**
 * The same transaction with `apk add --simulate`: what would change, nothing written. Root, as
 * apk 2.x takes the database lock even to simulate.
 */
export function simulateInstallCommand(pkgs: readonly PackageRef[]): RemoteCommand {
  const args = packageArgs(pkgs);
  return {
    argv: ['sh', '-c', INSTALL_SCRIPT, INSTALL_SCRIPT_NAME, '0', '1', ...args],
    sudo: true,
  };
}

/** Validated `name=version` arguments; throws InvalidPackageRefError on anything else. */
export function packageArgs(pkgs: readonly PackageRef[]): string[] {
  if (pkgs.length === 0) throw new InvalidPackageRefError('no packages to install');
  const seen = new Set<string>();
  return pkgs.map((p) => {
    const arg = packageArg(p);
    const name = arg.slice(0, arg.indexOf('='));
    if (seen.has(name)) throw new InvalidPackageRefError(`package ${name} is listed twice`);
    seen.add(name);
    return arg;
  });
}

export function packageArg(p: PackageRef): string {
  if (typeof p.name !== 'string' || !APK_PACKAGE_NAME.test(p.name)) {
    throw new InvalidPackageRefError(`${JSON.stringify(p.name)} is not an Alpine package name`);
  }
  if (typeof p.version !== 'string' || !APK_VERSION.test(p.version) || !isValidApkVersion(p.version)) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.version)} is not a valid apk version for package ${p.name}`,
    );
  }
  if (p.arch !== undefined && (typeof p.arch !== 'string' || !APK_ARCH_NAME.test(p.arch))) {
    throw new InvalidPackageRefError(`${JSON.stringify(p.arch)} is not an architecture (package ${p.name})`);
  }
  return `${p.name}=${p.version}`;
}
