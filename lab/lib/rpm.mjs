// RPM-family hosts of the lab (lab/README.md, "Mixed fleets"): the local RPM repository
// (.lab/rpm, built with rpmbuild, createrepo_c and modifyrepo_c from Debian's packages, with a
// real updateinfo.xml), the fake release packages that make a host say AlmaLinux or SLES, and
// one shared read-only layer per family (.lab/layers/<family>-<key>: an overlay upper directory
// filled by a chrooted apt-get over the Debian base, then set up like an RHEL-like or SUSE-like
// host and seeded with the old versions). A host of the family mounts `<layer>:<base>` as its
// lowerdir, so each host still has its own upper dir and its own copy-on-write rpmdb.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hostSuite, machineMirror } from './base.mjs';
import { cleanEnv, elapsed, LabError, LAB, paths, run, runStreaming, say, which } from './util.mjs';

/** Where the RPM repository is bind-mounted (read-only) in RPM-family hosts. */
export const HOST_RPM_MOUNT = '/srv/lab-rpm';

/** `rpm --eval %_arch` of this machine (x86_64, aarch64...): the kernel-like package's arch. */
export function rpmArch() {
  return run('rpm', ['--eval', '%{_arch}'], { env: cleanEnv({ HOME: '/nonexistent' }) }).trim();
}

const DIST = 'el9';

/**
 * The test packages: `old` is seeded in every RPM host, `new` is published as the update.
 * Both versions are in the repository (as real RPM repositories keep older builds).
 */
export const RPM_PACKAGES = [
  {
    name: 'fleet-testpkg',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    summary: 'lab package with a critical security update (FLEET-2026:0001)',
  },
  {
    name: 'kernel',
    old: ['5.14.0', `362.8.1.${DIST}`],
    new: ['5.14.0', `427.13.1.${DIST}`],
    kernel: true,
    summary: 'kernel-like lab package: installonly, reboot suggested (FLEET-2026:0002)',
  },
  {
    name: 'fleet-lib',
    old: ['2.0', `1.${DIST}`],
    new: ['2.1', `1.${DIST}`],
    summary: 'lab package with a bug-fix update (FLEET-2026:0003)',
  },
  {
    name: 'fleet-broken',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    // %pre of the new version fails on an upgrade: rpm refuses it, the old version stays.
    failingPre: true,
    summary: 'lab package whose %pre scriptlet fails (exit 1) on the upgrade to 1.1',
  },
  {
    name: 'fleet-held',
    old: ['1.0', `1.${DIST}`],
    new: ['1.1', `1.${DIST}`],
    held: true,
    summary: 'lab package locked at 1.0 (dnf versionlock, zypper lock), update available',
  },
];

/** updateinfo.xml advisories (dnf updateinfo, zypper patches). Dates are fixed: tests read them. */
export const ADVISORIES = [
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

/**
 * The RPM families. `layerPackages` go into the family's layer (Debian packages, chrooted
 * apt-get): dnf-plugins-core declares Breaks: zypper, so dnf and zypper never share a layer.
 */
export const RPM_FAMILIES = {
  el: {
    layer: 'el9',
    os: 'almalinux',
    release: {
      name: 'almalinux-release',
      version: '9.4',
      release: `1.${DIST}`,
      provides: ['system-release', 'system-release(releasever) = 9', 'redhat-release = 9.4', '/bin/sh'],
      osRelease: `NAME="AlmaLinux"
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
`,
      files: {
        'etc/almalinux-release': 'AlmaLinux release 9.4 (Seafoam Ocelot)\n',
        'etc/system-release-cpe': 'cpe:/o:almalinux:almalinux:9::baseos\n',
      },
      links: { 'etc/redhat-release': 'almalinux-release', 'etc/system-release': 'almalinux-release' },
    },
    layerPackages: ['rpm', 'dnf', 'dnf-plugins-core'],
  },
  suse: {
    layer: 'sle15',
    os: 'sles',
    release: {
      name: 'sles-release',
      version: '15.5',
      release: '1',
      provides: ['product(SLES) = 15.5', '/bin/sh'],
      osRelease: `NAME="SLES"
VERSION="15-SP5"
VERSION_ID="15.5"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
ID="sles"
ID_LIKE="suse"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:suse:sles:15:sp5"
DOCUMENTATION_URL="https://documentation.suse.com/"
`,
      files: {},
      links: {},
    },
    layerPackages: ['rpm', 'zypper', 'libzypp-config'],
  },
};

export const FAMILIES = ['deb', 'el', 'suse'];

function digest(value) {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

export const rpmPaths = {
  root: path.join(LAB, 'rpm'),
  layers: path.join(LAB, 'layers'),
};

// ---------------------------------------------------------------- the RPM repository

function nevraFile(p, [version, release], arch) {
  return `${p.name}-${version}-${release}.${arch}.rpm`;
}

function packageSpec(p, [version, release], arch) {
  const kver = `${version}-${release}.${arch}`;
  const dir = p.kernel ? `/usr/lib/modules/${kver}` : `/usr/share/fleet/${p.name}`;
  const lines = [
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    `Name: ${p.name}`,
    `Version: ${version}`,
    `Release: ${release}`,
    `Summary: ${p.summary}`,
    'License: Apache-2.0',
    'URL: https://patchctl.invalid/lab',
    // No automatic Requires/Provides: the hosts' rpmdb holds only the lab's packages.
    'AutoReqProv: no',
    ...(p.kernel ? [`BuildArch: ${arch}`] : ['BuildArch: noarch']),
    ...(p.kernel
      ? [
          'Provides: installonlypkg(kernel)',
          'Provides: multiversion(kernel)',
          'Provides: installhint(reboot-needed)',
        ]
      : []),
    '',
    '%description',
    `Test package built by patchctl's lab (lab/lib/rpm.mjs), ${p.name} ${version}-${release}.`,
    '',
  ];
  if (p.failingPre && version === p.new[0]) {
    lines.push(
      '%pre',
      'if [ "$1" -gt 1 ]; then',
      `  echo "${p.name}: %pre failed on purpose (lab test package, upgrade to ${version})" >&2`,
      '  exit 1',
      'fi',
      '',
    );
  }
  lines.push(
    '%install',
    `mkdir -p %{buildroot}${dir}`,
    `echo ${version}-${release} > %{buildroot}${dir}/VERSION`,
    '',
    '%files',
    dir,
    '',
  );
  return lines.join('\n');
}

// The release packages also provide /bin/sh: the hosts' rpmdb has no bash package (the shell is
// Debian's), and scriptlets require their interpreter (Requires(pre): /bin/sh).
function releaseSpec(rel) {
  const files = Object.keys(rel.files);
  const links = Object.entries(rel.links);
  return [
    '%global __os_install_post %{nil}',
    `Name: ${rel.name}`,
    `Version: ${rel.version}`,
    `Release: ${rel.release}`,
    `Summary: Fake ${rel.name} of the patchctl lab: /etc/os-release of an RPM-family test host`,
    'License: Apache-2.0',
    'BuildArch: noarch',
    'AutoReqProv: no',
    ...rel.provides.map((p) => `Provides: ${p}`),
    '',
    '%description',
    `Lab stand-in for ${rel.name} (lab/lib/rpm.mjs): os-release and release files only.`,
    '',
    '%install',
    'mkdir -p %{buildroot}/usr/lib %{buildroot}/etc',
    `cat > %{buildroot}/usr/lib/os-release <<'EOF'\n${rel.osRelease}EOF`,
    'ln -s ../usr/lib/os-release %{buildroot}/etc/os-release',
    ...files.map((f) => `cat > %{buildroot}/${f} <<'EOF'\n${rel.files[f]}EOF`),
    ...links.map(([f, to]) => `ln -s ${to} %{buildroot}/${f}`),
    '',
    '%files',
    '/usr/lib/os-release',
    '/etc/os-release',
    ...files.map((f) => `/${f}`),
    ...links.map(([f]) => `/${f}`),
    '',
  ].join('\n');
}

/** One rpmbuild run for every spec (a process start costs more than a build here). */
function rpmbuildAll(top, specs) {
  const files = Object.entries(specs).map(([name, text]) => {
    const spec = path.join(top, 'SPECS', `${name}.spec`);
    writeFileSync(spec, text);
    return spec;
  });
  run(
    'rpmbuild',
    [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${top}`,
      '--define',
      '_build_id_links none',
      '--define',
      '_binary_payload w9.gzdio',
      ...files,
    ],
    // HOME is the build folder: nothing from root's dot files, and Debian's rpm (whose default
    // dbpath follows $HOME) touches no database outside it.
    { quiet: true, env: cleanEnv({ HOME: top }) },
  );
}

function xml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function updateinfoXml(arch) {
  const byName = new Map(RPM_PACKAGES.map((p) => [p.name, p]));
  const updates = ADVISORIES.map((a) => {
    const refs = [
      ...a.cves.map(
        (c) =>
          `      <reference href="https://www.cve.org/CVERecord?id=${c}" id="${c}" title="${c}" type="cve"/>`,
      ),
      `      <reference href="https://patchctl.invalid/lab/errata/${a.id}" id="${a.id}" title="${a.id}" type="self"/>`,
    ];
    const pkgs = a.packages.map((n) => {
      const p = byName.get(n);
      const a2 = p.kernel ? arch : 'noarch';
      const [version, release] = p.new;
      return [
        `        <package name="${p.name}" version="${version}" release="${release}" epoch="0" arch="${a2}" src="${p.name}-${version}-${release}.src.rpm">`,
        `          <filename>${nevraFile(p, p.new, a2)}</filename>`,
        ...(a.rebootSuggested ? ['          <reboot_suggested>True</reboot_suggested>'] : []),
        '        </package>',
      ].join('\n');
    });
    return [
      `  <update from="lab@patchctl.invalid" status="final" type="${a.type}" version="2">`,
      `    <id>${a.id}</id>`,
      `    <title>${xml(a.title)}</title>`,
      `    <issued date="${a.issued}"/>`,
      `    <updated date="${a.updated}"/>`,
      '    <rights>Copyright 2026 patchctl lab</rights>',
      '    <release>patchctl lab</release>',
      `    <severity>${a.severity}</severity>`,
      `    <summary>${xml(a.title)}</summary>`,
      `    <description>${xml(a.description)}</description>`,
      '    <references>',
      ...refs,
      '    </references>',
      '    <pkglist>',
      '      <collection short="fleet">',
      '        <name>patchctl lab</name>',
      ...pkgs,
      '      </collection>',
      '    </pkglist>',
      '  </update>',
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n${updates.join('\n')}\n</updates>\n`;
}

/** Files of the versions every RPM host is seeded with, relative to the repository. */
export function seededRpms(arch) {
  return RPM_PACKAGES.map((p) => `Packages/${nevraFile(p, p.old, p.kernel ? arch : 'noarch')}`);
}

export function rpmRepositoryDigest(arch) {
  return digest({ RPM_PACKAGES, ADVISORIES, RPM_FAMILIES, arch, v: 1 });
}

/**
 * Builds .lab/rpm (unless its stamp says it is current): repo/ (Packages/ with every version,
 * repodata/ from createrepo_c, updateinfo added with modifyrepo_c) and release/ (the fake
 * release packages, installed in the layers, not published).
 */
export function buildRpmRepository(arch, root = rpmPaths.root) {
  const key = rpmRepositoryDigest(arch);
  const stamp = path.join(root, '.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) return key;
  const t0 = Date.now();
  say(`building the test RPM repository in ${root}`);
  const tmp = `${root}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const top = path.join(tmp, 'rpmbuild');
  for (const d of ['SPECS', 'RPMS', 'BUILD', 'BUILDROOT', 'SOURCES'])
    mkdirSync(path.join(top, d), { recursive: true });
  const specs = {};
  for (const p of RPM_PACKAGES) {
    for (const v of [p.old, p.new]) specs[`${p.name}-${v.join('-')}`] = packageSpec(p, v, arch);
  }
  for (const f of Object.values(RPM_FAMILIES)) specs[f.release.name] = releaseSpec(f.release);
  rpmbuildAll(top, specs);
  const repo = path.join(tmp, 'repo');
  const pkgs = path.join(repo, 'Packages');
  const release = path.join(tmp, 'release');
  mkdirSync(pkgs, { recursive: true });
  mkdirSync(release, { recursive: true });
  const releaseNames = new Set(Object.values(RPM_FAMILIES).map((f) => f.release.name));
  for (const sub of readdirSync(path.join(top, 'RPMS'))) {
    for (const f of readdirSync(path.join(top, 'RPMS', sub))) {
      const name = f.replace(/-[^-]+-[^-]+$/, '');
      renameSync(path.join(top, 'RPMS', sub, f), path.join(releaseNames.has(name) ? release : pkgs, f));
    }
  }
  rmSync(top, { recursive: true, force: true });
  run('createrepo_c', ['-q', '--no-database', repo], { env: cleanEnv({ HOME: tmp }) });
  const info = path.join(tmp, 'updateinfo.xml');
  writeFileSync(info, updateinfoXml(arch));
  run('modifyrepo_c', ['--mdtype=updateinfo', '--no-compress', info, path.join(repo, 'repodata')], {
    quiet: true,
  });
  writeFileSync(path.join(tmp, '.stamp'), `${key}\n`);
  rmSync(root, { recursive: true, force: true });
  renameSync(tmp, root);
  say(`RPM repository built (${elapsed(t0)})`);
  return key;
}

// ---------------------------------------------------------------- the family layers

const RPM_WRAPPER = `#!/bin/sh
# patchctl lab: Debian's rpm refuses to change the rpmdb on a Debian system without
# --force-debian (and warns "use Alien instead"). The real binary keeps the basename rpm, so
# popt aliases (--last...) still work.
exec /usr/lib/rpm-debian/rpm --force-debian "$@"
`;

const FLEET_REPO_DNF = `# patchctl lab: the local RPM repository (read-only bind mount of .lab/rpm/repo).
[fleet]
name=patchctl lab (fleet)
baseurl=file://${HOST_RPM_MOUNT}
enabled=1
gpgcheck=0
repo_gpgcheck=0
metadata_expire=0
skip_if_unavailable=False
`;

const FLEET_REPO_ZYPP = `# patchctl lab: the local RPM repository (read-only bind mount of .lab/rpm/repo).
[fleet]
name=patchctl lab (fleet)
enabled=1
autorefresh=1
baseurl=file://${HOST_RPM_MOUNT}
type=rpm-md
gpgcheck=0
keeppackages=0
`;

/** Shell that sets up the family's host layer inside the mounted root $R (chroot as needed). */
function familySetup(family, arch) {
  const f = RPM_FAMILIES[family];
  const held = RPM_PACKAGES.filter((p) => p.held);
  const seed = seededRpms(arch)
    .map((r) => `/tmp/lab-rpm/repo/${r}`)
    .join(' ');
  const common = `# rpm: the rpmdb in /var/lib/rpm (Debian's default follows $HOME), --force-debian wrapper.
mkdir -p "$R/etc/rpm" "$R/var/lib/rpm" "$R/usr/lib/rpm-debian" "$R${HOST_RPM_MOUNT}"
printf '%s\\n' '%_dbpath /var/lib/rpm' > "$R/etc/rpm/macros.dbpath"
cp -a "$R/usr/bin/rpm" "$R/usr/lib/rpm-debian/rpm"
cat > "$R/usr/bin/rpm" <<'EOF'
${RPM_WRAPPER}EOF
chmod 0755 "$R/usr/bin/rpm"
chroot "$R" rpmdb --initdb
chroot "$R" rpm -i --nodeps /tmp/lab-rpm/release/${f.release.name}-*.rpm
chroot "$R" rpm -i ${seed}
`;
  const el = `mkdir -p "$R/etc/yum.repos.d"
cat > "$R/etc/yum.repos.d/fleet.repo" <<'EOF'
${FLEET_REPO_DNF}EOF
sed -i 's/^skip_if_unavailable=.*/skip_if_unavailable=False/' "$R/etc/dnf/dnf.conf"
grep -q '^skip_if_unavailable=' "$R/etc/dnf/dnf.conf" || echo 'skip_if_unavailable=False' >> "$R/etc/dnf/dnf.conf"
# Debian's dnf plugins that a RHEL host does not run: local (its _dnf_local repo fails GPG
# checks on upgrade), show_leaves/leaves (extra output), post-transaction-actions.
for p in local show_leaves leaves post-transaction-actions; do
  find "$R/usr/lib/python3" -path '*/dnf-plugins/*' -name "$p.py" -delete
  rm -f "$R/etc/dnf/plugins/$p.conf"
done
mkdir -p "$R/etc/dnf/plugins"
printf '[main]\\nenabled = 1\\nlocklist = /etc/dnf/plugins/versionlock.list\\n' > "$R/etc/dnf/plugins/versionlock.conf"
: > "$R/etc/dnf/plugins/versionlock.list"
${held.map((p) => `printf '%s\\n' '${p.name}-0:${p.old[0]}-${p.old[1]}.*' >> "$R/etc/dnf/plugins/versionlock.list"`).join('\n')}
[ -e "$R/usr/bin/yum" ] || ln -s dnf-3 "$R/usr/bin/yum"
`;
  const suse = `mkdir -p "$R/etc/zypp/repos.d"
cat > "$R/etc/zypp/repos.d/fleet.repo" <<'EOF'
${FLEET_REPO_ZYPP}EOF
# Keep kernels side by side (as SLE does), not replaced.
grep -q '^multiversion *= *provides:multiversion(kernel)' "$R/etc/zypp/zypp.conf" ||
  sed -i 's/^\\[main\\]$/[main]\\nmultiversion = provides:multiversion(kernel)/' "$R/etc/zypp/zypp.conf"
grep -q '^multiversion *= *provides:multiversion(kernel)' "$R/etc/zypp/zypp.conf"
# Debian's systemCheck requires glibc, which the lab's partial rpmdb does not have (glibc is a
# Debian package here): every transaction would stop at "nothing provides requested glibc".
sed -i 's/^requires:glibc$/# requires:glibc  (patchctl lab: no glibc RPM in the partial rpmdb)/' "$R/etc/zypp/systemCheck"
${held.map((p) => `chroot "$R" zypper --non-interactive --quiet addlock ${p.name}`).join('\n')}
`;
  const cleanup = `# Not a Debian host any more: no apt, no dpkg, no /etc/debian_version.
rm -f "$R"/usr/bin/apt "$R"/usr/bin/apt-* "$R"/usr/bin/dpkg "$R"/usr/bin/dpkg-* "$R"/usr/sbin/dpkg-* "$R/etc/debian_version"
rm -rf "$R"/var/cache/apt/* "$R"/var/lib/apt/lists/* "$R"/var/cache/dnf/* "$R"/var/cache/zypp/* "$R"/var/log/apt/* "$R"/var/log/dpkg.log
`;
  return `${common}${family === 'el' ? el : suse}${cleanup}`;
}

/**
 * The family's layer: .lab/layers/<layer>-<key>/upper, built once (about 10 s plus the
 * download) and kept across lab:down. The key covers the base, the RPM repository (the seeded
 * versions) and this recipe, so a change to any of them builds a new layer.
 */
export async function ensureFamilyLayer(
  family,
  { base, baseKey, rpmKey, arch, proxy = {}, layersDir = rpmPaths.layers, rpmRoot = rpmPaths.root },
) {
  const f = RPM_FAMILIES[family];
  if (!f) throw new LabError(`unknown RPM family ${family}`);
  const suite = hostSuite();
  const mirror = machineMirror(suite);
  const script = familySetup(family, arch);
  const key = digest({
    baseKey,
    rpmKey,
    family,
    packages: f.layerPackages,
    script,
    mirror: mirror.uri,
    v: 1,
  });
  const dir = path.join(layersDir, `${f.layer}-${key}`);
  const upper = path.join(dir, 'upper');
  if (existsSync(path.join(dir, '.done'))) return upper;
  mkdirSync(layersDir, { recursive: true });
  // Older layers of this family are stale now.
  for (const d of readdirSync(layersDir)) {
    if (d.startsWith(`${f.layer}-`)) rmSync(path.join(layersDir, d), { recursive: true, force: true });
  }
  const t0 = Date.now();
  say(
    `building the ${f.layer} layer (${f.layerPackages.join(' ')} from ${mirror.uri}, then ${f.release.name} and the seeded RPMs)`,
  );
  const work = path.join(dir, 'work');
  const root = path.join(dir, 'root');
  mkdirSync(upper, { recursive: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(root, { recursive: true });
  const full = `set -euo pipefail
mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$UP,workdir=$WK" "$R"
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/tmp"
mkdir -p "$R/tmp/lab-rpm"
mount --bind -o ro "$RPMROOT" "$R/tmp/lab-rpm"
mount -t tmpfs tmpfs "$R/run"
if [ -s /etc/resolv.conf ]; then mount --bind -o ro /etc/resolv.conf "$R/etc/resolv.conf"; fi
mkdir -p "$R/tmp/lists/partial" "$R/tmp/archives/partial"
echo "deb $MIRROR $SUITE main" > "$R/tmp/mirror.list"
A="-o DPkg::Options::=--force-unsafe-io -o Dir::Etc::SourceList=/tmp/mirror.list -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=/tmp/lists -o Dir::Cache::Archives=/tmp/archives -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
chroot "$R" apt-get $A update -q
chroot "$R" apt-get $A install -y -q --no-install-recommends $PKGS
${script}`;
  try {
    await runStreaming(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', 'bash', '-c', full],
      {
        label: f.layer,
        env: {
          PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
          HOME: '/root',
          LC_ALL: 'C',
          DEBIAN_FRONTEND: 'noninteractive',
          ...proxy,
          R: root,
          BASE: base,
          UP: upper,
          WK: work,
          RPMROOT: rpmRoot,
          MIRROR: mirror.uri,
          SUITE: suite,
          PKGS: f.layerPackages.join(' '),
        },
      },
    );
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  rmSync(work, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
  writeFileSync(path.join(dir, '.done'), `${key}\n`);
  say(`${f.layer} layer ready in ${path.relative(process.cwd(), dir) || dir} (${elapsed(t0)})`);
  return upper;
}

/** Machine tools the RPM families need, by the Debian package that has them. */
export const RPM_TOOLS = {
  rpm: 'rpm',
  rpmbuild: 'rpm',
  createrepo_c: 'createrepo-c',
  modifyrepo_c: 'createrepo-c',
};

export function missingRpmTools() {
  return Object.entries(RPM_TOOLS).filter(([cmd]) => !which(cmd));
}

export { paths };
