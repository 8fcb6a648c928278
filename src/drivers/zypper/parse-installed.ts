// `rpm -qa --qf RPM_QUERY_FORMAT` (commands.ts): one line per installed package, tab-separated name,
// epoch, version, release, arch, source RPM. rpm prints `(none)` for an absent epoch (and for the
// arch and source of `gpg-pubkey` entries, which are keys, not packages).
import { byNameThenArch } from '../../core/state/order.js';
import { compareRpmEvr } from '../../core/versions/rpm.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { DriverOutputError, excerptOf, resultExcerpt } from '../errors.js';
import type { CommandResult } from '../types.js';
import { edition, RPM_ARCH, RPM_NAME } from './nevra.js';
import { DRIVER, unreadable } from './stream.js';

export interface RpmPackage extends InstalledPackage {
  arch: string;
  /** `name-version-release.src.rpm`, when rpm knows it. */
  sourceRpm?: string;
}

export function parseRpmInstalled(out: CommandResult): RpmPackage[] {
  const why = unreadable(out) ?? (out.exitCode !== 0 ? `exit status ${String(out.exitCode)}` : undefined);
  if (why !== undefined) throw new DriverOutputError(DRIVER, `rpm -qa failed (${why})`, resultExcerpt(out));
  const packages: RpmPackage[] = [];
  for (const raw of out.stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const fields = line.split('\t');
    const [name = '', epoch = '', version = '', release = '', arch = '', source = ''] = fields;
    if (name === 'gpg-pubkey' && arch === '(none)') continue;
    const evr = `${epoch === '(none)' ? '' : `${epoch}:`}${version}-${release}`;
    const ed = edition(evr);
    if (
      fields.length !== 6 ||
      !RPM_NAME.test(name) ||
      !RPM_ARCH.test(arch) ||
      !/^(\(none\)|\d{1,10})$/.test(epoch) ||
      ed === undefined
    ) {
      throw new DriverOutputError(
        DRIVER,
        `rpm -qa: unexpected line ${JSON.stringify(line.slice(0, 200))}`,
        excerptOf(line),
      );
    }
    const p: RpmPackage = { name, version: ed, arch };
    if (source !== '(none)' && source !== '') p.sourceRpm = source;
    packages.push(p);
  }
  if (packages.length === 0)
    throw new DriverOutputError(DRIVER, 'rpm -qa listed no packages at all', resultExcerpt(out));
  // Several versions of one name and arch are normal (multiversion kernels): oldest first.
  return packages.sort((a, b) => byNameThenArch(a, b) || compareRpmEvr(a.version, b.version));
}
