// Which OSV records speak about a host (docs/vulnerabilities.md, "Matching"): the host's OS
// (os-release ID and VERSION_ID, HostState.os) → the OSV ecosystems its distribution publishes
// under, the version ordering to compare with, and whether the records name source or binary
// packages. An OS not listed here has no ecosystem: matching then says nothing, never guesses.
import type { HostState } from '../state/types.js';

/** The version ordering of src/core/versions used for a distribution's packages. */
export type VersionOrdering = 'deb' | 'rpm' | 'apk';

/**
 * What an OSV record's `affected[].package.name` names:
 * - `source`: the source package (Debian, Ubuntu: dpkg's `Source`; Alpine: the apk origin);
 *   installed packages are looked up by `source ?? name` at `sourceVersion ?? version`.
 * - `binary`: the binary RPM (AlmaLinux, Rocky Linux, Red Hat, as their records are written);
 *   the source RPM name is tried as well, since the OSV ecosystem list says "source package".
 * - `source-rpm`: the source RPM, with the binary RPMs it built in `ecosystem_specific.binaries`
 *   (SUSE, openSUSE); when the record lists binaries, the installed package must be one of them.
 */
export type FeedNaming = 'source' | 'binary' | 'source-rpm';

export interface HostEcosystem {
  /** Keys (ecosystemKeyOf) of the records that apply to the host, most specific first. */
  keys: string[];
  /** Full OSV ecosystem names the host's records are published under, e.g. `Ubuntu:22.04:LTS`. */
  osv: string[];
  /** The OSV ecosystem without its release, e.g. `Ubuntu`, `Rocky Linux`, `Red Hat`. */
  osvBase: string;
  ordering: VersionOrdering;
  naming: FeedNaming;
}

type HostOs = NonNullable<HostState['os']>;

/**
 * The OSV ecosystem(s) of a host's OS, from os-release ID and VERSION_ID (HostState.os.id and
 * .version); undefined for an OS without one (CentOS, Fedora, Amazon Linux, Windows, …) or a
 * version that names no release (Debian testing's codename, Alpine edge):
 * - debian 12 → `Debian:12` (sid → `Debian:sid`);
 * - ubuntu 22.04 → `Ubuntu:22.04:LTS` and `Ubuntu:Pro:22.04:LTS` (Ubuntu Pro/ESM fixes) for an
 *   LTS (YY.04, YY even), `Ubuntu:23.10` otherwise; a record's plain `Ubuntu:22.04` counts too;
 * - almalinux 9.4 → `AlmaLinux:9`; rocky 9.3 → `Rocky Linux:9`;
 * - rhel 9.4 → `Red Hat:enterprise_linux:9::…` (every `Red Hat:enterprise_linux:9` stream:
 *   baseos, appstream, …; the EUS/AUS streams are not matched: a host cannot tell it runs them);
 * - sles 15.5 → `SUSE:Linux Enterprise Server 15 SP5` and its modules (`SUSE:Linux Enterprise
 *   Module for Basesystem 15 SP5`, …); VERSION_ID 15 → `… 15`;
 * - opensuse-leap 15.5 → `openSUSE:Leap 15.5`;
 * - alpine 3.19.1 → `Alpine:v3.19`.
 */
export function hostEcosystemOf(os: HostOs | undefined): HostEcosystem | undefined {
  if (os === undefined) return undefined;
  const id = os.id.toLowerCase();
  const version = os.version;
  const major = /^(\d+)(?:\.\d+)*$/.exec(version)?.[1];
  const majorMinor = /^(\d+)\.(\d+)(?:\.\d+)*$/.exec(version);
  switch (id) {
    case 'debian': {
      const release = major ?? (version === 'sid' ? 'sid' : undefined);
      if (release === undefined) return undefined;
      const e = `Debian:${release}`;
      return { keys: [e], osv: [e], osvBase: 'Debian', ordering: 'deb', naming: 'source' };
    }
    case 'ubuntu': {
      const m = /^(\d\d)\.(\d\d)$/.exec(version);
      if (m === null) return undefined;
      const lts = m[2] === '04' && Number(m[1]) % 2 === 0;
      const osv = lts ? [`Ubuntu:${version}:LTS`, `Ubuntu:Pro:${version}:LTS`] : [`Ubuntu:${version}`];
      const keys = lts ? [`Ubuntu:${version}`, `Ubuntu:Pro:${version}`] : [`Ubuntu:${version}`];
      return { keys, osv, osvBase: 'Ubuntu', ordering: 'deb', naming: 'source' };
    }
    case 'almalinux':
      return major === undefined ? undefined : rpmBinary('AlmaLinux', `AlmaLinux:${major}`);
    case 'rocky':
      return major === undefined ? undefined : rpmBinary('Rocky Linux', `Rocky Linux:${major}`);
    case 'rhel':
      if (major === undefined) return undefined;
      return {
        keys: [`Red Hat:${major}`],
        osv: [`Red Hat:enterprise_linux:${major}`],
        osvBase: 'Red Hat',
        ordering: 'rpm',
        naming: 'binary',
      };
    case 'sles':
    case 'sled': {
      if (major === undefined) return undefined;
      const release = majorMinor !== null && majorMinor[2] !== '0' ? `${major} SP${majorMinor[2]}` : major;
      const product = id === 'sles' ? 'Server' : 'Desktop';
      return {
        keys: [`SUSE:Linux Enterprise ${product} ${release}`, `SUSE:Linux Enterprise Module ${release}`],
        osv: [`SUSE:Linux Enterprise ${product} ${release}`],
        osvBase: 'SUSE',
        ordering: 'rpm',
        naming: 'source-rpm',
      };
    }
    case 'opensuse-leap': {
      if (majorMinor === null) return undefined;
      const e = `openSUSE:Leap ${majorMinor[1]}.${majorMinor[2]}`;
      return { keys: [e], osv: [e], osvBase: 'openSUSE', ordering: 'rpm', naming: 'source-rpm' };
    }
    case 'alpine': {
      if (majorMinor === null) return undefined;
      const e = `Alpine:v${majorMinor[1]}.${majorMinor[2]}`;
      return { keys: [e], osv: [e], osvBase: 'Alpine', ordering: 'apk', naming: 'source' };
    }
    default:
      return undefined;
  }
}

function rpmBinary(base: string, ecosystem: string): HostEcosystem {
  return { keys: [ecosystem], osv: [ecosystem], osvBase: base, ordering: 'rpm', naming: 'binary' };
}

/**
 * The key a record's `affected[].package.ecosystem` is indexed under, so that the spellings of
 * one release meet (hostEcosystemOf gives a host's keys); undefined for an ecosystem no host
 * matches (language ecosystems, Ubuntu FIPS streams, Red Hat EUS/AUS, …).
 */
export function ecosystemKeyOf(ecosystem: string): string | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^Debian:(\d+|sid)$/.exec(ecosystem)) !== null) return `Debian:${m[1]}`;
  if ((m = /^Ubuntu:(\d\d\.\d\d)(?::LTS)?$/.exec(ecosystem)) !== null) return `Ubuntu:${m[1]}`;
  if ((m = /^Ubuntu:Pro:(\d\d\.\d\d):LTS$/.exec(ecosystem)) !== null) return `Ubuntu:Pro:${m[1]}`;
  if ((m = /^(AlmaLinux|Rocky Linux):(\d+)$/.exec(ecosystem)) !== null) return `${m[1]}:${m[2]}`;
  if ((m = /^Red Hat:enterprise_linux:(\d+)(?:::.*)?$/.exec(ecosystem)) !== null) return `Red Hat:${m[1]}`;
  if ((m = /^SUSE:Linux Enterprise (Server|Desktop) (\d+(?: SP\d+)?)$/.exec(ecosystem)) !== null)
    return `SUSE:Linux Enterprise ${m[1]} ${m[2]}`;
  if ((m = /^SUSE:Linux Enterprise Module for .+ (\d+(?: SP\d+)?)$/.exec(ecosystem)) !== null)
    return `SUSE:Linux Enterprise Module ${m[1]}`;
  if ((m = /^openSUSE:Leap (\d+\.\d+)$/.exec(ecosystem)) !== null) return `openSUSE:Leap ${m[1]}`;
  if ((m = /^Alpine:v(\d+\.\d+)$/.exec(ecosystem)) !== null) return `Alpine:v${m[1]}`;
  return undefined;
}

/**
 * The version ordering for a host: its ecosystem's, else its package manager's (apt → deb;
 * dnf, yum, zypper → rpm; apk → apk), for scanner findings on an OS without an OSV ecosystem;
 * undefined when neither says (Windows).
 */
export function orderingOf(host: Pick<HostState, 'os' | 'packageManager'>): VersionOrdering | undefined {
  const eco = hostEcosystemOf(host.os);
  if (eco !== undefined) return eco.ordering;
  switch (host.packageManager) {
    case 'apt':
      return 'deb';
    case 'dnf':
    case 'yum':
    case 'zypper':
      return 'rpm';
    case 'apk':
      return 'apk';
    default:
      return undefined;
  }
}
