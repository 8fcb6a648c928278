// Real Debian packages in the lab (lab/README.md, "Real Debian packages"): a `debreal` host is a
// Debian lab host whose root also has a few real packages of the machine's release at an older
// real version, while two suites of the lab's apt repository serve them:
//   real            the older versions (as Debian's point release: Origin Debian, Label Debian)
//   real-security   the newer versions (Origin Debian, Label Debian-Security)
// Nothing is invented: the versions are discovered at build time from the mirror this machine's
// apt uses (its <release>, <release>-updates and <release>-security suites), the .debs are
// Debian's own (content-addressed in .lab/cache/real/debs), and when a package has no version
// older than its newest security one, the build fails saying so.
//
// apt runs on the machine only to read indexes and download (`apt-get update` into a private lists
// folder, `apt-cache`, `apt-get download`): never to install, and never on another root. The
// installing is dpkg's, chrooted into the layer (lab/README.md, "Rules the lab keeps").
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import { hostSuite, machineMirror } from './base.mjs';
import { HOST_APT_MOUNT, RELEASE_VERSION } from './packages.mjs';
import { cleanEnv, elapsed, LAB, LabError, paths, run, runStreaming, say, warn } from './util.mjs';

/**
 * The real packages, by source package, in order of preference. Which of them a build uses
 * depends on the mirror that day: a source qualifies when each of its binaries has a version in
 * <release>-security and an older one in <release> or <release>-updates. After a Debian point
 * release the security fixes of one source are folded into <release> until its next DSA, so one
 * fixed choice would break the lab for weeks; the first MAX_REAL_SOURCES that qualify are taken.
 * Each has a binary named unlike its source (libssl3 of openssl...), so source-package matching
 * (Debian advisories name sources) has something to do. Their older versions install on the lab's
 * minbase root with what is there (they depend on libc6 and libraries minbase has).
 */
export const REAL_CANDIDATES = [
  { source: 'openssl', binaries: ['libssl3', 'openssl'] },
  { source: 'expat', binaries: ['libexpat1'] },
  { source: 'sqlite3', binaries: ['libsqlite3-0'] },
  { source: 'gnutls28', binaries: ['libgnutls30'] },
  { source: 'zlib', binaries: ['zlib1g'] },
  { source: 'libxml2', binaries: ['libxml2'] },
];
/** tzdata joins them when it qualifies: a version that is not a plain number, a debconf postinst. */
export const REAL_EXTRA = { source: 'tzdata', binaries: ['tzdata'] };
const MAX_REAL_SOURCES = 1;

/** The lab repository's suites for them; apt's origin data is what patchctl classifies by. */
export const REAL_SUITES = {
  real: {
    origin: 'Debian',
    label: 'Debian',
    description: 'patchctl lab: real Debian packages at an older version (from the machine mirror)',
  },
  'real-security': {
    origin: 'Debian',
    label: 'Debian-Security',
    description: 'patchctl lab: real Debian security updates (from the machine mirror)',
  },
};

export const realPaths = {
  root: path.join(LAB, 'cache', 'real'),
  lists: path.join(LAB, 'cache', 'real', 'lists'),
  debs: path.join(LAB, 'cache', 'real', 'debs'),
  selection: path.join(LAB, 'cache', 'real', 'selection.json'),
  layers: path.join(LAB, 'layers'),
};

function digest(value) {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

// ---------------------------------------------------------------- the machine's mirror, privately

/**
 * The machine's mirror entries for the release, its -updates and its -security suites, as a
 * sources.list of the lab's own (the -updates suite is optional, -security is not).
 */
function mirrorSources(suite) {
  const lines = [];
  const mirrors = {};
  for (const s of [suite, `${suite}-updates`, `${suite}-security`]) {
    let m;
    try {
      m = machineMirror(s);
    } catch (e) {
      if (s === `${suite}-updates`) continue;
      throw new LabError(
        `${e.message}\n(a real-package host needs the machine's ${s} source: its versions come from there)`,
      );
    }
    mirrors[s] = m.uri;
    const opts = m.keyring && existsSync(m.keyring) ? ` [signed-by=${m.keyring}]` : '';
    lines.push(`deb${opts} ${m.uri} ${s} main`);
  }
  return {
    text: `# written by lab/lib/real.mjs: the machine's mirror, read by the lab only\n${lines.join('\n')}\n`,
    mirrors,
  };
}

/** apt options that keep apt on the lab's own sources, lists and archives (never the machine's). */
function privateAptOptions() {
  return [
    '-o',
    `Dir::Etc::SourceList=${path.join(realPaths.root, 'sources.list')}`,
    '-o',
    'Dir::Etc::SourceParts=/nonexistent',
    '-o',
    `Dir::State::Lists=${realPaths.lists}`,
    '-o',
    `Dir::Cache::Archives=${path.join(realPaths.root, 'archives')}`,
    // apt's binary caches in the lab's folder too: built once, then each apt-cache call is quick.
    '-o',
    `Dir::Cache::pkgcache=${path.join(realPaths.root, 'pkgcache.bin')}`,
    '-o',
    `Dir::Cache::srcpkgcache=${path.join(realPaths.root, 'srcpkgcache.bin')}`,
    '-o',
    'Dir::State::status=/dev/null',
    '-o',
    'Acquire::Languages=none',
    '-o',
    'Acquire::Retries=3',
    // The lab's cache is root's: apt's _apt sandbox could not write to it.
    '-o',
    'APT::Sandbox::User=root',
  ];
}

/**
 * `apt-get update` of the private lists (a few seconds: the indexes are fetched only when they
 * changed). Offline, lists from an earlier build are used with a warning.
 */
function refreshLists(suite, proxy) {
  mkdirSync(path.join(realPaths.lists, 'partial'), { recursive: true });
  mkdirSync(path.join(realPaths.root, 'archives', 'partial'), { recursive: true });
  const sources = mirrorSources(suite);
  writeFileSync(path.join(realPaths.root, 'sources.list'), sources.text);
  const r = run('apt-get', [...privateAptOptions(), '-q', 'update'], {
    allowFail: true,
    env: cleanEnv({ ...proxy, DEBIAN_FRONTEND: 'noninteractive' }),
  });
  const haveLists = readdirSync(realPaths.lists).some((f) => f.endsWith('_Packages'));
  if (r.status !== 0 || /^(W|E): (Failed to fetch|Some index files failed)/m.test(r.stderr)) {
    const why = `${r.stderr}${r.stdout}`.trim().split('\n').slice(-8).join('\n');
    if (!haveLists) {
      throw new LabError(`cannot read the machine mirror's indexes for the real packages:\n${why}`);
    }
    warn(`could not refresh the mirror's indexes; using the lists of an earlier build:\n${why}`);
  }
  return sources.mirrors;
}

/**
 * The rows of `apt-cache madison NAME` output that are NAME's (and of the index of `arch`, when
 * given: a machine with foreign architectures lists each version once per index), as { version, suite }:
 * "   libssl3 | 3.0.22-1~deb12u2 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages".
 */
export function parseMadison(name, text, arch) {
  const rows = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\S+) \| (\S+) \| \S+ ([^/\s]+)\/\S+ (\S+) Packages$/.exec(line);
    if (m && m[1] === name && (arch === undefined || m[4] === arch))
      rows.push({ version: m[2], suite: m[3] });
  }
  return rows;
}

/** Every version of `name` the private lists know for the machine's architecture, with its suite. */
function madison(name, arch) {
  return parseMadison(name, run('apt-cache', [...privateAptOptions(), 'madison', name]), arch);
}

/** dpkg's own ordering on the machine (the patchctl side of it is src/core/versions). */
function dpkgLess(a, b) {
  return run('dpkg', ['--compare-versions', a, 'lt', b], { allowFail: true }).status === 0;
}

/**
 * For one package, from the mirror's rows: `available`, the newest version in <release>-security,
 * and `installed`, the newest version of <release> or <release>-updates that is older than it
 * (`less` is Debian's version ordering). Throws a LabError saying what is missing: the lab never
 * fakes a version.
 */
export function chooseVersions(name, rows, release, less) {
  const newest = (list) =>
    list.reduce((best, r) => (best === undefined || less(best.version, r.version) ? r : best), undefined);
  const security = `${release}-security`;
  const older = [release, `${release}-updates`];
  const seen = rows.map((r) => `${r.version} (${r.suite})`).join(', ') || 'nothing';
  const available = newest(rows.filter((r) => r.suite === security));
  if (available === undefined) {
    throw new LabError(
      `${name}: no version in ${security} on the machine's mirror (it has ${seen}), so there is no real security update to offer: a real-package host cannot be built (the lab never fakes one)`,
    );
  }
  const installed = newest(rows.filter((r) => older.includes(r.suite) && less(r.version, available.version)));
  if (installed === undefined) {
    throw new LabError(
      `${name}: no version in ${older.join(' or ')} is older than ${available.version} (${security}); the mirror has ${seen}: a real-package host needs an older real version to install (the lab never fakes one)`,
    );
  }
  return { installed: { ...installed }, available: { ...available } };
}

/** The first stanza of `apt-cache show NAME=VERSION`: the index's own record of that .deb. */
function indexRecord(name, version, machineArch) {
  const out = run('apt-cache', [...privateAptOptions(), 'show', `${name}=${version}`]);
  // On a machine with foreign architectures there is one stanza per architecture: the native one.
  const stanza =
    out.split(/\n\n/).find((st) => new RegExp(`^Architecture: (${machineArch}|all)$`, 'm').test(st)) ?? '';
  const field = (f) => new RegExp(`^${f}: (.*)$`, 'm').exec(stanza)?.[1]?.trim();
  const sha256 = field('SHA256');
  const arch = field('Architecture');
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256) || !arch) {
    throw new LabError(
      `apt-cache show ${name}=${version}: no ${machineArch} or all record with a SHA256 in the mirror's index`,
    );
  }
  // "Source: openssl" or "Source: openssl (3.0.22-1)" when the source version differs.
  const src = /^(\S+)(?: \((\S+)\))?$/.exec(field('Source') ?? '');
  return {
    arch,
    sha256,
    size: Number(field('Size') ?? '0'),
    source: src?.[1] ?? name,
    sourceVersion: src?.[2] ?? version,
  };
}

/**
 * The real packages of this build: the binaries of the first MAX_REAL_SOURCES candidates that
 * qualify (chooseVersions for each binary), plus tzdata when it does, each version with its index
 * record (digest, arch, source). Throws a LabError with every candidate's reason when none does.
 */
function selectVersions(release, arch) {
  const chosen = [];
  const reasons = [];
  const tryGroup = (group) => {
    try {
      return group.binaries.map((name) => ({
        name,
        ...chooseVersions(name, madison(name, arch), release, dpkgLess),
      }));
    } catch (e) {
      if (!(e instanceof LabError)) throw e;
      reasons.push(`  ${group.source}: ${e.message}`);
      return undefined;
    }
  };
  let sources = 0;
  for (const group of REAL_CANDIDATES) {
    if (sources >= MAX_REAL_SOURCES) break;
    const picked = tryGroup(group);
    if (picked) {
      chosen.push(...picked);
      sources++;
    }
  }
  if (chosen.length === 0) {
    throw new LabError(
      `no candidate source package has a real security update on the machine's mirror today, so a real-package host cannot be built (the lab never fakes one):\n${reasons.join('\n')}`,
    );
  }
  chosen.push(...(tryGroup(REAL_EXTRA) ?? []));
  return chosen.map(({ name, installed, available }) => ({
    name,
    installed: { ...installed, ...indexRecord(name, installed.version, arch) },
    available: { ...available, ...indexRecord(name, available.version, arch) },
  }));
}

function sha256File(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The cached file of one .deb, downloaded with `apt-get download` unless already there. */
function ensureDeb(name, v, proxy) {
  const file = path.join(realPaths.debs, `${v.sha256}.deb`);
  if (existsSync(file)) return file;
  mkdirSync(realPaths.debs, { recursive: true });
  const tmp = path.join(realPaths.root, `download-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    run('apt-get', [...privateAptOptions(), '-q', 'download', `${name}=${v.version}`], {
      cwd: tmp,
      env: cleanEnv({ ...proxy }),
    });
    const got = readdirSync(tmp).filter((f) => f.endsWith('.deb'));
    if (got.length !== 1)
      throw new LabError(`apt-get download ${name}=${v.version} left ${got.length} .deb files`);
    const sum = sha256File(path.join(tmp, got[0]));
    if (sum !== v.sha256) {
      throw new LabError(`${name} ${v.version}: downloaded sha256 ${sum}, the signed index says ${v.sha256}`);
    }
    renameSync(path.join(tmp, got[0]), file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return file;
}

/** Debian's file name of a .deb (the epoch is not part of it). */
export function debFileName(name, version, arch) {
  return `${name}_${version.replace(/^[0-9]+:/, '')}_${arch}.deb`;
}

/**
 * Discovers the versions on the machine's mirror and fetches their .debs into the cache;
 * writes .lab/cache/real/selection.json (what `lab status` and the tests read).
 */
export function ensureRealPackages({ arch, proxy = {} }) {
  const t0 = Date.now();
  const suite = hostSuite();
  mkdirSync(realPaths.root, { recursive: true });
  const mirrors = refreshLists(suite, proxy);
  const packages = selectVersions(suite, arch);
  for (const p of packages) {
    for (const v of [p.installed, p.available]) v.file = ensureDeb(p.name, v, proxy);
  }
  // apt's binary caches (about 70 MB) only served the calls above.
  for (const f of ['pkgcache.bin', 'srcpkgcache.bin']) rmSync(path.join(realPaths.root, f), { force: true });
  const selection = { suite, arch, mirrors, packages };
  writeFileSync(
    realPaths.selection,
    `${JSON.stringify({ ...selection, discoveredAt: new Date().toISOString() }, null, 2)}\n`,
  );
  say(
    `real packages from the machine's mirror (${elapsed(t0)}): ${packages
      .map((p) => `${p.name} ${p.installed.version} -> ${p.available.version}`)
      .join(', ')}`,
  );
  return selection;
}

/** What the last build selected (for `lab status`), or undefined. */
export function readRealSelection() {
  try {
    return JSON.parse(readFileSync(realPaths.selection, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The part of a selection that decides the repository and the layer: names, versions, digests. */
function selectionKey(selection) {
  return selection.packages.map((p) => ({
    name: p.name,
    installed: [p.installed.version, p.installed.arch, p.installed.sha256],
    available: [p.available.version, p.available.arch, p.available.sha256],
  }));
}

// ---------------------------------------------------------------- the lab repository's real suites

/**
 * Adds the `real` and `real-security` suites to .lab/apt (unless its .real-stamp says they are
 * current). They live beside the fleet suites but no plain Debian host lists them, so those hosts
 * see exactly what they saw before; a rebuild of the fleet suites (buildAptRepository replaces
 * .lab/apt) drops them and the next call adds them again.
 */
export function ensureRealSuites(selection, arch) {
  const key = digest({ packages: selectionKey(selection), REAL_SUITES, arch, RELEASE_VERSION, v: 1 });
  const stamp = path.join(paths.apt, '.real-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === key) return key;
  rmSync(stamp, { force: true });
  for (const [suite, meta] of Object.entries(REAL_SUITES)) {
    const pool = path.join(paths.apt, 'pool', suite);
    const dist = path.join(paths.apt, 'dists', suite);
    rmSync(pool, { recursive: true, force: true });
    rmSync(dist, { recursive: true, force: true });
    mkdirSync(pool, { recursive: true });
    for (const p of selection.packages) {
      const v = suite === 'real' ? p.installed : p.available;
      copyFileSync(v.file, path.join(pool, debFileName(p.name, v.version, v.arch)));
    }
    const bin = path.join(dist, 'main', `binary-${arch}`);
    mkdirSync(bin, { recursive: true });
    const packages = run('apt-ftparchive', ['packages', `pool/${suite}`], { cwd: paths.apt });
    if (!packages.includes('Package: '))
      throw new LabError(`apt-ftparchive found no package in pool/${suite}`);
    writeFileSync(path.join(bin, 'Packages'), packages);
    run('gzip', ['-9nkf', path.join(bin, 'Packages')]);
    const release = run(
      'apt-ftparchive',
      [
        '-o',
        `APT::FTPArchive::Release::Origin=${meta.origin}`,
        '-o',
        `APT::FTPArchive::Release::Label=${meta.label}`,
        '-o',
        `APT::FTPArchive::Release::Suite=${suite}`,
        '-o',
        `APT::FTPArchive::Release::Codename=${suite}`,
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
      { cwd: dist },
    );
    writeFileSync(path.join(dist, 'Release'), release);
  }
  writeFileSync(stamp, `${key}\n`);
  return key;
}

/** The extra apt source of a real-package host. */
export function realSourcesList() {
  return [
    '# The patchctl lab repository: real Debian packages (lab/lib/real.mjs), older and security versions.',
    '# Unsigned, so trusted=yes: this is only ever written inside lab hosts.',
    ...Object.keys(REAL_SUITES).map((s) => `deb [trusted=yes] file:${HOST_APT_MOUNT} ${s} main`),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- the debreal layer

/**
 * The real-package hosts' layer: .lab/layers/debreal-<key>/upper over .lab/base, with the older
 * versions installed by a chrooted `dpkg -i` (their real maintainer scripts run), the real suites
 * added to apt's sources and apt's lists fetched. Built once and kept; the key covers the base,
 * the selected .debs and this recipe.
 */
export async function ensureRealLayer({ base, baseKey, selection, arch }) {
  const script = `set -euo pipefail
mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$UP,workdir=$WK" "$R"
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/tmp"
mount -t tmpfs tmpfs "$R/run"
mkdir -p "$R/tmp/real-debs"
mount --bind -o ro "$DEBS" "$R/tmp/real-debs"
mount --bind -o ro "$APT" "$R${HOST_APT_MOUNT}"
chroot "$R" sh -c 'dpkg --force-unsafe-io -i /tmp/real-debs/*.deb'
cat > "$R/etc/apt/sources.list.d/real.list" <<'EOF'
${realSourcesList()}EOF
chroot "$R" apt-get update -q
chroot "$R" dpkg-query -W -f '\${Package} \${Version} \${Status}\\n' ${selection.packages.map((p) => p.name).join(' ')} > "$UP/../installed.txt"
rm -rf "$R"/var/cache/apt/*.bin "$R"/var/cache/debconf/*-old
`;
  const key = digest({ baseKey, packages: selectionKey(selection), script, arch, v: 1 });
  const dir = path.join(realPaths.layers, `debreal-${key}`);
  const upper = path.join(dir, 'upper');
  if (existsSync(path.join(dir, '.done'))) return upper;
  mkdirSync(realPaths.layers, { recursive: true });
  for (const d of readdirSync(realPaths.layers)) {
    if (d.startsWith('debreal-')) rmSync(path.join(realPaths.layers, d), { recursive: true, force: true });
  }
  const t0 = Date.now();
  say(
    `building the debreal layer (dpkg -i ${selection.packages.map((p) => `${p.name} ${p.installed.version}`).join(', ')})`,
  );
  const work = path.join(dir, 'work');
  const root = path.join(dir, 'root');
  const debs = path.join(dir, 'debs');
  for (const d of [upper, work, root, debs]) mkdirSync(d, { recursive: true });
  for (const p of selection.packages) {
    copyFileSync(
      p.installed.file,
      path.join(debs, debFileName(p.name, p.installed.version, p.installed.arch)),
    );
  }
  try {
    await runStreaming(
      'unshare',
      ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', 'bash', '-c', script],
      {
        label: 'debreal',
        env: {
          PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
          HOME: '/root',
          LC_ALL: 'C',
          DEBIAN_FRONTEND: 'noninteractive',
          R: root,
          BASE: base,
          UP: upper,
          WK: work,
          DEBS: debs,
          APT: paths.apt,
        },
      },
    );
    // What dpkg really installed must be what was selected.
    const installed = readFileSync(path.join(dir, 'installed.txt'), 'utf8');
    for (const p of selection.packages) {
      if (!installed.includes(`${p.name} ${p.installed.version} install ok installed\n`)) {
        throw new LabError(
          `the debreal layer has not got ${p.name} ${p.installed.version} installed:\n${installed}`,
        );
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  for (const d of [work, root, debs]) rmSync(d, { recursive: true, force: true });
  writeFileSync(path.join(dir, '.done'), `${key}\n`);
  say(`debreal layer ready in ${path.relative(process.cwd(), dir) || dir} (${elapsed(t0)})`);
  return upper;
}
