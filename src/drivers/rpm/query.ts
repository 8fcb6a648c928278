// What every RPM-family driver asks rpm itself (readme.md): the `rpm -qa` query format, rpm's own
// lock files, and the names rpm installs side by side (installonly). Constants only: no data is ever
// interpolated into a command (docs/security.md).
import type { RemoteCommand } from '../types.js';

/**
 * `rpm -qa --qf` format: name, epoch, version, release, arch, source rpm, install time, one package a
 * line, tab-separated (`(none)` for an absent epoch or source rpm). The `\t`/`\n` are rpm's escapes.
 */
export const RPM_QUERY_FORMAT =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{INSTALLTIME}\\n';

/**
 * Script lines (section `name`): the installed packages (RPM_QUERY_FORMAT), rpm's `warning:`/`error:`
 * lines with them (parseRpmQueryResult refuses an `error:`), and rpm's exit status.
 */
export function rpmQueryAllBody(name: string): string[] {
  return [`s ${name}`, `rpm -qa --qf '${RPM_QUERY_FORMAT}' 2>&1`, 'r $?'];
}

/** The installed packages, as an argument vector (no shell). */
export function rpmQueryAllCommand(): RemoteCommand {
  return { argv: ['rpm', '-qa', '--qf', RPM_QUERY_FORMAT] };
}

/**
 * rpm's transaction lock (an fcntl lock, seen in /proc/locks while rpm runs a transaction): in the
 * database directory, /var/lib/rpm (EL, SLE 15), /usr/lib/sysimage/rpm (Fedora 36+, openSUSE
 * Tumbleweed; /var/lib/rpm is then a symbolic link to it).
 */
export const RPM_LOCK_FILES: readonly string[] = [
  '/var/lib/rpm/.rpm.lock',
  '/usr/lib/sysimage/rpm/.rpm.lock',
];

/** Where the rpm database lives (its free space matters to a transaction). */
export const RPM_DB_PATHS: readonly string[] = ['/var/lib/rpm'];

/**
 * The virtual provides that make a package installonly (dnf's default `installonlypkgs`, zypper's
 * `multiversion = provides:multiversion(kernel)`): several versions installed side by side are then
 * normal, not the trace of an interrupted transaction.
 */
export const INSTALLONLY_PROVIDES: readonly string[] = [
  'installonlypkg(kernel)',
  'installonlypkg(kernel-module)',
  'installonlypkg(vm)',
  'multiversion(kernel)',
];

/** Names installonly by name in dnf's default `installonlypkgs` (besides the provides above). */
export const INSTALLONLY_NAMES: readonly string[] = ['kernel', 'kernel-PAE'];

/**
 * Script lines (section `installonly`): the names of installed packages with an installonly provide.
 * rpm prints `no package provides X` for the others: parseInstallonly skips those.
 */
export const INSTALLONLY_BODY: readonly string[] = [
  's installonly',
  `rpm -q --qf '%{NAME}\\n' --whatprovides ${INSTALLONLY_PROVIDES.map((p) => `'${p}'`).join(' ')} 2>/dev/null`,
];
