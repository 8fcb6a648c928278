// `dpkg-query -W -f DPKG_QUERY_FORMAT`: the installed packages, the holds, and the packages dpkg left
// in between (half-configured, unpacked...). Throws DriverOutputError on output it cannot read.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { DriverOutputError, resultExcerpt } from '../errors.js';
import type { CommandResult, Inventory, PackageState } from '../types.js';
import { ARCH, DRIVER, fail, PKG_NAME, sortedUnique, splitLines, VERSION } from './common.js';

const DPKG_STATUS =
  /^(unknown|install|hold|deinstall|purge) (ok|reinstreq) (not-installed|config-files|half-installed|unpacked|half-configured|triggers-awaited|triggers-pending|installed)$/;

export function parseInstalled(out: CommandResult): Inventory {
  if (out.timedOut === true || out.truncated === true || out.exitCode !== 0) {
    const why =
      out.timedOut === true
        ? 'timed out'
        : out.truncated === true
          ? 'output truncated'
          : `exit status ${String(out.exitCode)}`;
    throw new DriverOutputError(DRIVER, `dpkg-query failed (${why})`, resultExcerpt(out));
  }
  const installed: InstalledPackage[] = [];
  const held: string[] = [];
  const notFullyInstalled: PackageState[] = [];
  let entries = 0;
  for (const line of splitLines(out.stdout)) {
    if (line === '') continue;
    const fields = line.split('\t');
    const [name = '', arch = '', version = '', status = '', source = '', sourceVersion = ''] = fields;
    const m = DPKG_STATUS.exec(status);
    if (fields.length !== 6 || !PKG_NAME.test(name) || m === null || (arch !== '' && !ARCH.test(arch))) {
      throw fail(`dpkg-query: unexpected line ${JSON.stringify(line.slice(0, 200))}`, line);
    }
    entries++;
    const [, want, , state] = m;
    if (state === 'not-installed' || state === 'config-files') continue;
    if (version === '' || !VERSION.test(version)) {
      throw fail(`dpkg-query: package ${name} has no valid version (${JSON.stringify(version)})`, line);
    }
    if (want === 'hold') held.push(name);
    if (state === 'installed') {
      installed.push(installedPackage(name, arch, version, source, sourceVersion));
    } else {
      notFullyInstalled.push({ name, arch, version, status });
    }
  }
  if (entries === 0)
    throw new DriverOutputError(DRIVER, 'dpkg-query listed no packages at all', resultExcerpt(out));
  return {
    installed: installed.sort(byNameThenArch),
    held: sortedUnique(held),
    notFullyInstalled: notFullyInstalled.sort(byNameThenArch),
  };
}

/**
 * One installed package; its source package and version only where they differ from the binary's
 * (Debian and Ubuntu advisories name source packages: docs/vulnerabilities.md). dpkg prints the
 * binary's own name and version when a package has no Source field.
 */
function installedPackage(
  name: string,
  arch: string,
  version: string,
  source: string,
  sourceVersion: string,
): InstalledPackage {
  const p: InstalledPackage = arch === '' ? { name, version } : { name, version, arch };
  if (source !== '' && source !== name && PKG_NAME.test(source)) p.source = source;
  if (sourceVersion !== '' && sourceVersion !== version && VERSION.test(sourceVersion)) {
    p.sourceVersion = sourceVersion;
  }
  return p;
}
