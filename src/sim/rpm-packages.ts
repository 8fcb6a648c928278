// The lab's RPM test packages, advisories and repository (lab/lib/rpm.mjs RPM_PACKAGES, ADVISORIES,
// RPM_FAMILIES), as data for the simulated dnf and zypper hosts. Keep in step with rpm.mjs: same
// names, versions, releases, summaries, advisories, the failing %pre, the lock and the kernel.

export interface SimRpmPackageSpec {
  name: string;
  /** `noarch`, or the machine's arch for the kernel-like package (rpmArch(): x86_64 on the lab). */
  arch: string;
  /** [version, release] seeded in every RPM host. */
  old: readonly [string, string];
  /** [version, release] published as the update (both are in the repository). */
  new: readonly [string, string];
  /** installonlypkg(kernel), multiversion(kernel): installed beside the running one; reboot suggested. */
  kernel?: boolean;
  /** The new version's %pre exits 1 on an upgrade: rpm refuses it, the old version stays. */
  failingPre?: boolean;
  /** dnf versionlock / zypper addlock in the family layer. */
  held?: boolean;
  summary: string;
}

const DIST = 'el9';

export const RPM_LAB_PACKAGES: readonly SimRpmPackageSpec[] = [
  {
    name: 'fleet-testpkg',
    arch: 'noarch',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    summary: 'lab package with a critical security update (FLEET-2026:0001)',
  },
  {
    name: 'kernel',
    arch: 'x86_64',
    old: ['5.14.0', `362.8.1.${DIST}`],
    new: ['5.14.0', `427.13.1.${DIST}`],
    kernel: true,
    summary: 'kernel-like lab package: installonly, reboot suggested (FLEET-2026:0002)',
  },
  {
    name: 'fleet-lib',
    arch: 'noarch',
    old: ['2.0', `1.${DIST}`],
    new: ['2.1', `1.${DIST}`],
    summary: 'lab package with a bug-fix update (FLEET-2026:0003)',
  },
  {
    name: 'fleet-broken',
    arch: 'noarch',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    failingPre: true,
    summary: 'lab package whose %pre scriptlet fails (exit 1) on the upgrade to 1.1',
  },
  {
    name: 'fleet-held',
    arch: 'noarch',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    held: true,
    summary: 'lab package locked at 1.0 (dnf versionlock, zypper lock), update available',
  },
];

export interface SimAdvisory {
  id: string;
  type: 'security' | 'bugfix' | 'enhancement';
  severity: 'Critical' | 'Important' | 'Moderate' | 'Low' | 'None';
  title: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  issued: string;
  updated: string;
  cves: readonly string[];
  description: string;
  packages: readonly string[];
  rebootSuggested?: boolean;
}

export const RPM_LAB_ADVISORIES: readonly SimAdvisory[] = [
  {
    id: 'FLEET-2026:0001',
    type: 'security',
    severity: 'Critical',
    title: 'Critical: fleet-testpkg security update',
    issued: '2026-01-15 00:00:00',
    updated: '2026-01-16 00:00:00',
    cves: ['CVE-2021-44228'],
    description: 'fleet-testpkg: remote code execution in message lookup (CVE-2021-44228). Lab advisory.',
    packages: ['fleet-testpkg'],
  },
  {
    id: 'FLEET-2026:0002',
    type: 'security',
    severity: 'Important',
    title: 'Important: kernel security update',
    issued: '2026-02-02 00:00:00',
    updated: '2026-02-03 00:00:00',
    cves: ['CVE-2024-1086', 'CVE-2023-0386'],
    description:
      'kernel: nf_tables use-after-free (CVE-2024-1086); overlayfs setuid copy-up (CVE-2023-0386). Lab advisory.',
    packages: ['kernel'],
    rebootSuggested: true,
  },
  {
    id: 'FLEET-2026:0003',
    type: 'bugfix',
    severity: 'None',
    title: 'fleet-lib bug fix update',
    issued: '2026-02-10 00:00:00',
    updated: '2026-02-10 00:00:00',
    cves: [],
    description: 'fleet-lib: fixes a crash on empty input. Lab advisory.',
    packages: ['fleet-lib'],
  },
];

/** The lab's RPM repository as the hosts see it (rpm.mjs HOST_RPM_MOUNT, repo id `fleet`). */
export const RPM_LAB_REPO = { alias: 'fleet', name: 'patchctl lab (fleet)', url: 'file:/srv/lab-rpm' };

/** The release packages that own /etc/os-release (rpm.mjs RPM_FAMILIES). */
export const RELEASE_PACKAGES = {
  el: { name: 'almalinux-release', version: '9.4', release: `1.${DIST}`, arch: 'noarch' },
  suse: { name: 'sles-release', version: '15.5', release: '1', arch: 'noarch' },
} as const;

export const EL_OS_RELEASE = `NAME="AlmaLinux"
VERSION="9.4 (Seafoam Ocelot)"
ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"
ANSI_COLOR="0;34"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:almalinux:almalinux:9::baseos"
HOME_URL="https://almalinux.org/"
BUG_REPORT_URL="https://bugs.almalinux.org/"
`;

/** The lab's SLES release package (rpm.mjs: 15.5, "15-SP5"). */
export const SUSE_OS_RELEASE = `NAME="SLES"
VERSION="15-SP5"
VERSION_ID="15.5"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
ID="sles"
ID_LIKE="suse"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:suse:sles:15:sp5"
DOCUMENTATION_URL="https://documentation.suse.com/"
`;
