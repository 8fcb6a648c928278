// The commands of the apt driver. Data (package names, versions) reaches a command only through
// `packageArg`, after strict validation (docs/adding-a-driver.md, "Guarantees"); everything else is constant.
import { isValidDebVersion } from '../../core/versions/deb.js';
import { InvalidPackageRefError } from '../errors.js';
import { lockTimeoutSeconds } from '../lock-timeout.js';
import type { InstallOptions, PackageRef, RemoteCommand } from '../types.js';
import {
  FACTS_SCRIPT,
  INSTALL_WRAPPER_SCRIPT,
  PREFLIGHT_SCRIPT,
  REBOOT_REQUIRED_SCRIPT,
  UPDATES_SCRIPT,
} from './scripts.js';

/** Debian policy §5.6.1: lower-case letters, digits, + - . ; at least two characters, starting alphanumeric. */
export const DEB_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]{1,199}$/;
/** A dpkg architecture name (amd64, i386, arm64, all, musl-linux-amd64...). */
export const DEB_ARCH = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** [epoch:]upstream[-revision] with policy's characters, starting with a digit; dpkg must also accept it. */
export const DEB_VERSION = /^(?:[0-9]{1,9}:)?[0-9][A-Za-z0-9.+~:-]{0,199}$/;

export { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../lock-timeout.js';

/** Environment of commands that change the system: never ask a question, never page. */
export const NONINTERACTIVE_ENV: Readonly<Record<string, string>> = {
  DEBIAN_FRONTEND: 'noninteractive',
  APT_LISTCHANGES_FRONTEND: 'none',
};

/**
 * The dpkg-query format: name, architecture, version, dpkg's three status words, source package and
 * source version, tab-separated (none of them can hold a tab).
 */
export const DPKG_QUERY_FORMAT =
  '${Package}\\t${Architecture}\\t${Version}\\t${Status}\\t${source:Package}\\t${source:Version}\\n';

export function factsCommand(): RemoteCommand {
  return { argv: ['sh', '-c', FACTS_SCRIPT] };
}

export function rebootRequiredCommand(): RemoteCommand {
  return { argv: ['sh', '-c', REBOOT_REQUIRED_SCRIPT] };
}

export function installedCommand(): RemoteCommand {
  return { argv: ['dpkg-query', '-W', '-f', DPKG_QUERY_FORMAT] };
}

export function updatesCommand(): RemoteCommand {
  return { argv: ['sh', '-c', UPDATES_SCRIPT] };
}

export function preflightCommand(): RemoteCommand {
  return { argv: ['sh', '-c', PREFLIGHT_SCRIPT] };
}

/** `$0` of INSTALL_WRAPPER_SCRIPT: the name its own messages carry. */
export const INSTALL_WRAPPER_NAME = 'patchctl-apt';

/**
 * `argv` run through INSTALL_WRAPPER_SCRIPT, so that a dropped SSH session does not kill it half-way
 * (see scripts.ts): `sh -c SCRIPT patchctl-apt argv…`, the arguments only ever positional parameters.
 */
function wrapInstall(argv: readonly string[]): string[] {
  return ['sh', '-c', INSTALL_WRAPPER_SCRIPT, INSTALL_WRAPPER_NAME, ...argv];
}

/**
 * `apt-get update`, retrying each download 3 times, waiting for the lock at most the timeout; through
 * the install wrapper, as it takes apt's lists lock.
 */
export function refreshCommand(options: InstallOptions = {}): RemoteCommand {
  const timeout = lockTimeoutSeconds(options);
  return {
    argv: wrapInstall([
      'apt-get',
      'update',
      '-q',
      '-o',
      'Acquire::Retries=3',
      '-o',
      `DPkg::Lock::Timeout=${timeout}`,
    ]),
    sudo: true,
    env: { ...NONINTERACTIVE_ENV },
  };
}

/**
 * `apt-get install` of exactly `pkgs` (name=version), upgrading only: --only-upgrade (never installs a
 * package that is not there), --no-remove (fails rather than removing anything), no new Recommends,
 * keep changed configuration files (confdef/confold), no pty. Never --allow-unauthenticated,
 * --allow-change-held-packages or --allow-downgrades: apt then refuses those cases under -y. Runs
 * through the install wrapper: a dropped session must not kill dpkg half-way.
 */
export function installCommand(pkgs: readonly PackageRef[], options: InstallOptions = {}): RemoteCommand {
  const args = packageArgs(pkgs);
  return {
    argv: wrapInstall([
      'apt-get',
      'install',
      ...INSTALL_OPTIONS,
      '-o',
      `DPkg::Lock::Timeout=${lockTimeoutSeconds(options)}`,
      '--',
      ...args,
    ]),
    sudo: true,
    env: { ...NONINTERACTIVE_ENV },
  };
}

/** The install transaction simulated (-s) without taking the lock: what would change, or why it cannot. */
export function simulateInstallCommand(pkgs: readonly PackageRef[]): RemoteCommand {
  const args = packageArgs(pkgs);
  return {
    argv: ['apt-get', 'install', '-s', '-o', 'Debug::NoLocking=1', ...INSTALL_OPTIONS, '--', ...args],
    env: { ...NONINTERACTIVE_ENV },
  };
}

const INSTALL_OPTIONS: readonly string[] = [
  '-y',
  '-q',
  '--only-upgrade',
  '--no-remove',
  '--no-install-recommends',
  '-o',
  'Acquire::Retries=3',
  '-o',
  'Dpkg::Use-Pty=0',
  '-o',
  'Dpkg::Options::=--force-confdef',
  '-o',
  'Dpkg::Options::=--force-confold',
  '-o',
  'APT::Get::Always-Include-Phased-Updates=true',
];

/** Validated `name[:arch]=version` arguments; throws InvalidPackageRefError on anything else. */
export function packageArgs(pkgs: readonly PackageRef[]): string[] {
  if (pkgs.length === 0) throw new InvalidPackageRefError('no packages to install');
  const seen = new Set<string>();
  return pkgs.map((p) => {
    const arg = packageArg(p);
    const key = arg.slice(0, arg.indexOf('='));
    if (seen.has(key)) throw new InvalidPackageRefError(`package ${key} is listed twice`);
    seen.add(key);
    return arg;
  });
}

export function packageArg(p: PackageRef): string {
  if (typeof p.name !== 'string' || !DEB_PACKAGE_NAME.test(p.name)) {
    throw new InvalidPackageRefError(`${JSON.stringify(p.name)} is not a Debian package name`);
  }
  if (typeof p.version !== 'string' || !DEB_VERSION.test(p.version) || !isValidDebVersion(p.version)) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.version)} is not a valid version for package ${p.name}`,
    );
  }
  if (p.arch !== undefined && (typeof p.arch !== 'string' || !DEB_ARCH.test(p.arch))) {
    throw new InvalidPackageRefError(
      `${JSON.stringify(p.arch)} is not a Debian architecture (package ${p.name})`,
    );
  }
  const qualified = p.arch === undefined || p.arch === 'all' ? p.name : `${p.name}:${p.arch}`;
  return `${qualified}=${p.version}`;
}

/** checkrestart (debian-goodies) lists processes still using files an upgrade replaced. */
export function restartCheckCommand(): RemoteCommand {
  return { argv: ['checkrestart'], sudo: true };
}
