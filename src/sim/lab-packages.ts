// The lab's test packages and repository (lab/lib/packages.mjs), as data for the simulated hosts.
// Keep in step with packages.mjs: same names, versions, suites, hold, reboot and failing postinst.

export type LabSuite = 'fleet' | 'fleet-security';

export interface SimPackageSpec {
  name: string;
  description: string;
  /** The suite that publishes 1.1; a security package's 1.0 stays in `fleet`. */
  suite11: LabSuite;
  /** `apt-mark hold` in the base. */
  held?: boolean;
  /** Its postinst (1.0 and 1.1) touches /run/reboot-required and appends to .pkgs. */
  requestsReboot?: boolean;
  /** 1.1's postinst exits 1 when configured as an upgrade (`configure` with a previous version). */
  failsOnUpgrade?: boolean;
}

export const LAB_PACKAGES: readonly SimPackageSpec[] = [
  { name: 'fleet-tools', suite11: 'fleet', description: 'lab package with an ordinary (bug-fix) update' },
  { name: 'fleet-utils', suite11: 'fleet', description: 'lab package with an ordinary update' },
  { name: 'fleet-crypto', suite11: 'fleet-security', description: 'lab package with a security update' },
  {
    name: 'fleet-kernel',
    suite11: 'fleet-security',
    description: 'kernel-like lab package: its postinst asks for a reboot (/run/reboot-required)',
    requestsReboot: true,
  },
  {
    name: 'fleet-broken',
    suite11: 'fleet',
    description: 'lab package whose postinst fails (exit 1) on the upgrade to 1.1',
    failsOnUpgrade: true,
  },
  {
    name: 'fleet-held',
    suite11: 'fleet',
    description: 'lab package held with apt-mark hold in the base, update available',
    held: true,
  },
];

export const VERSION_INSTALLED = '1.0';
export const VERSION_UPGRADE = '1.1';

/** Release files: Origin Fleet, Label per suite, Version 12 (packages.mjs RELEASE_VERSION). */
export const LAB_SUITES: Readonly<Record<LabSuite, { label: string }>> = {
  fleet: { label: 'Fleet' },
  'fleet-security': { label: 'Fleet-Security' },
};
export const LAB_ORIGIN = 'Fleet';
export const LAB_RELEASE_VERSION = '12';
/** packages.mjs HOST_APT_MOUNT, as `deb [trusted=yes] file:/srv/lab-apt SUITE main`. */
export const LAB_REPO_URI = 'file:/srv/lab-apt';
/** In sources order (hostSourcesList): apt lists package files in the reverse order. */
export const LAB_SUITE_ORDER: readonly LabSuite[] = ['fleet', 'fleet-security'];

/** Which suites publish which version of a package (suiteContents in packages.mjs). */
export function publishedVersions(p: SimPackageSpec): { version: string; suites: LabSuite[] }[] {
  if (p.suite11 === 'fleet') return [{ version: VERSION_UPGRADE, suites: ['fleet'] }];
  return [
    { version: VERSION_UPGRADE, suites: ['fleet-security'] },
    { version: VERSION_INSTALLED, suites: ['fleet'] },
  ];
}
