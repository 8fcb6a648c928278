// The lab's test packages and the local apt repository that serves them (.lab/apt).
//
// Every package is installed at 1.0 in the base root; 1.1 comes from one of two suites, so
// that patchctl classifies updates from real repository metadata:
//   fleet           ordinary updates (Origin Fleet, Label Fleet)
//   fleet-security  security updates (Origin Fleet, Label Fleet-Security)
// The security packages' 1.0 stays in `fleet` (as Debian keeps the point release in `bookworm`
// and the fix in `bookworm-security`), so their installed version has an origin too.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { LabError, paths, run, say } from './util.mjs';

const ARCH_ALL = 'all';
const VERSION_INSTALLED_ = '1.0';
const VERSION_UPGRADE_ = '1.1';

const REBOOT_POSTINST = `#!/bin/sh
# Like Debian's kernel packages through update-notifier: ask for a reboot.
set -e
if [ "$1" = configure ]; then
  touch /run/reboot-required
  echo "\${DPKG_MAINTSCRIPT_PACKAGE:-fleet-kernel}" >> /run/reboot-required.pkgs
fi
exit 0
`;

// Only 1.1 has it: installing 1.0 again (dpkg -i …/debs/fleet-broken_1.0_all.deb) repairs a host.
const FAILING_POSTINST = `#!/bin/sh
# Fails on the upgrade (configure with a previous version), like a broken maintainer script.
set -e
if [ "$1" = configure ] && [ -n "$2" ]; then
  echo "fleet-broken: postinst failed on purpose (lab test package, upgrade from $2)" >&2
  exit 1
fi
exit 0
`;

/**
 * The test packages. `suite11` is where 1.1 is published; `postinst` maps versions to their
 * maintainer script; `held` packages are marked with `apt-mark hold` in the base.
 */
export const PACKAGES = [
  {
    name: 'fleet-tools',
    suite11: 'fleet',
    description: 'lab package with an ordinary (bug-fix) update',
  },
  {
    name: 'fleet-utils',
    suite11: 'fleet',
    description: 'lab package with an ordinary update',
  },
  {
    name: 'fleet-crypto',
    suite11: 'fleet-security',
    description: 'lab package with a security update',
  },
  {
    name: 'fleet-kernel',
    suite11: 'fleet-security',
    description: 'kernel-like lab package: its postinst asks for a reboot (/run/reboot-required)',
    postinst: { [VERSION_INSTALLED_]: REBOOT_POSTINST, [VERSION_UPGRADE_]: REBOOT_POSTINST },
  },
  {
    name: 'fleet-broken',
    suite11: 'fleet',
    description: 'lab package whose postinst fails (exit 1) on the upgrade to 1.1',
    postinst: { [VERSION_UPGRADE_]: FAILING_POSTINST },
  },
  {
    name: 'fleet-held',
    suite11: 'fleet',
    description: 'lab package held with apt-mark hold in the base, update available',
    held: true,
  },
];

export const SUITES = {
  fleet: { label: 'Fleet', description: 'patchctl lab: ordinary updates' },
  'fleet-security': { label: 'Fleet-Security', description: 'patchctl lab: security updates' },
};

export const VERSION_INSTALLED = VERSION_INSTALLED_;
/** The Release files' Version (Debian's is its major release, 12 for bookworm). */
export const RELEASE_VERSION = '12';
export const VERSION_UPGRADE = VERSION_UPGRADE_;

/** A digest of everything that goes into the repository (and into the base's installed set). */
export function packagesDigest(arch) {
  return createHash('sha256')
    .update(JSON.stringify({ PACKAGES, SUITES, arch, RELEASE_VERSION, v: 2 }))
    .digest('hex')
    .slice(0, 12);
}

function debFile(name, version) {
  return `${name}_${version}_${ARCH_ALL}.deb`;
}

function buildDeb(workDir, outDir, pkg, version) {
  const root = path.join(workDir, `${pkg.name}-${version}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  const share = path.join(root, 'usr', 'share', 'fleet', pkg.name);
  mkdirSync(share, { recursive: true });
  // The installed version is readable on the host, so tests can check what dpkg really did.
  writeFileSync(path.join(share, 'VERSION'), `${version}\n`);
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${version}`,
    `Architecture: ${ARCH_ALL}`,
    'Maintainer: patchctl lab <lab@patchctl.invalid>',
    'Section: misc',
    'Priority: optional',
    'Installed-Size: 1',
    `Description: ${pkg.description}`,
    ` Test package built by patchctl's lab (lab/lib/packages.mjs), version ${version}.`,
    '',
  ].join('\n');
  writeFileSync(path.join(root, 'DEBIAN', 'control'), control);
  const postinst = pkg.postinst?.[version];
  if (postinst) {
    writeFileSync(path.join(root, 'DEBIAN', 'postinst'), postinst);
    chmodSync(path.join(root, 'DEBIAN', 'postinst'), 0o755);
  }
  const out = path.join(outDir, debFile(pkg.name, version));
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, out], { quiet: true });
  rmSync(root, { recursive: true, force: true });
  return out;
}

/** Which suite publishes which versions of which package. */
function suiteContents() {
  const fleet = [];
  const security = [];
  for (const p of PACKAGES) {
    if (p.suite11 === 'fleet') fleet.push([p, VERSION_UPGRADE]);
    else {
      fleet.push([p, VERSION_INSTALLED]);
      security.push([p, VERSION_UPGRADE]);
    }
  }
  return { fleet, 'fleet-security': security };
}

/**
 * Builds .lab/apt (unless its stamp says it is current): .lab/apt/debs holds every version
 * (the base installs the 1.0 ones from there), pool/<suite>/ the published ones, and
 * dists/<suite>/ the indexes and Release files made by apt-ftparchive.
 */
export function buildAptRepository(arch) {
  const digest = packagesDigest(arch);
  const stamp = path.join(paths.apt, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return digest;
  say(`building the test apt repository in ${paths.apt}`);
  const tmp = `${paths.apt}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const debs = path.join(tmp, 'debs');
  const work = path.join(tmp, 'work');
  mkdirSync(debs, { recursive: true });
  mkdirSync(work, { recursive: true });
  for (const p of PACKAGES) {
    buildDeb(work, debs, p, VERSION_INSTALLED);
    buildDeb(work, debs, p, VERSION_UPGRADE);
  }
  rmSync(work, { recursive: true, force: true });
  for (const [suite, list] of Object.entries(suiteContents())) {
    const pool = path.join(tmp, 'pool', suite);
    mkdirSync(pool, { recursive: true });
    for (const [p, v] of list) {
      writeFileSync(path.join(pool, debFile(p.name, v)), readFileSync(path.join(debs, debFile(p.name, v))));
    }
    const bin = path.join(tmp, 'dists', suite, 'main', `binary-${arch}`);
    mkdirSync(bin, { recursive: true });
    // Paths in Packages are relative to the repository root, so run from there.
    const packages = run('apt-ftparchive', ['packages', `pool/${suite}`], { cwd: tmp });
    if (!packages.includes('Package: '))
      throw new LabError(`apt-ftparchive found no package in pool/${suite}`);
    writeFileSync(path.join(bin, 'Packages'), packages);
    run('gzip', ['-9nk', path.join(bin, 'Packages')]);
    const meta = SUITES[suite];
    // Written outside dists/<suite> first: apt-ftparchive would otherwise index its own output.
    const release = run(
      'apt-ftparchive',
      [
        '-o',
        `APT::FTPArchive::Release::Origin=Fleet`,
        '-o',
        `APT::FTPArchive::Release::Label=${meta.label}`,
        '-o',
        `APT::FTPArchive::Release::Suite=${suite}`,
        '-o',
        `APT::FTPArchive::Release::Codename=${suite}`,
        // Like Debian's "Version: 12": apt prints it ("Inst fleet-crypto [1.0] (1.1 Fleet-Security:12/fleet-security [all])").
        '-o',
        `APT::FTPArchive::Release::Version=${RELEASE_VERSION}`,
        '-o',
        `APT::FTPArchive::Release::Architectures=${arch} all`,
        '-o',
        'APT::FTPArchive::Release::Components=main',
        '-o',
        `APT::FTPArchive::Release::Description=${meta.description}`,
        'release',
        '.',
      ],
      { cwd: path.join(tmp, 'dists', suite) },
    );
    writeFileSync(path.join(tmp, 'dists', suite, 'Release'), release);
  }
  writeFileSync(path.join(tmp, '.stamp'), `${digest}\n`);
  rmSync(paths.apt, { recursive: true, force: true });
  renameSync(tmp, paths.apt);
  return digest;
}

/** The .deb files of the versions the base installs (1.0 of everything). */
export function installedDebs() {
  return PACKAGES.map((p) => path.join(paths.apt, 'debs', debFile(p.name, VERSION_INSTALLED)));
}

/** The apt sources entry of the hosts (trusted only there: the lab repository is unsigned). */
export const HOST_APT_MOUNT = '/srv/lab-apt';
export function hostSourcesList() {
  return [
    '# The patchctl lab repository (read-only bind mount of .lab/apt on the test machine).',
    '# Unsigned, so trusted=yes: this is only ever written inside lab hosts.',
    ...Object.keys(SUITES).map((s) => `deb [trusted=yes] file:${HOST_APT_MOUNT} ${s} main`),
    '',
  ].join('\n');
}
