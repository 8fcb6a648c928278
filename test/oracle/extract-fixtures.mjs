#!/usr/bin/env node
// Regenerates test/oracle/__fixtures__/{deb,rpm,apk}.*.txt: every version string found in the team's
// shared copy of real third-party data (see __fixtures__/SOURCES.md). The oracle test reads only the
// lists written here, never the shared data.
//
//   node test/oracle/extract-fixtures.mjs /work/shared/data     (LIST_INPUTS=1 also lists the input files)
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? '/work/shared/data';
const out = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');

const files = (dir) =>
  readdirSync(join(root, dir))
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(join(root, path)).isDirectory() ? files(path) : [path];
    })
    .sort();
const read = (path) => readFileSync(join(root, path), 'utf8');

// Loose shape checks only: the oracle test itself checks each version against the real tools.
const DEB = /^(\d+:)?\d[A-Za-z0-9.+~:-]*$/;
const RPM = /^(\d+:)?[A-Za-z0-9._+~^]+(-[A-Za-z0-9._+~^]+)?$/;
const APK = /^\d[a-z0-9._~-]*$/;
const ARCH = '(?:x86_64|noarch|i686|i386|aarch64|ppc64le|ppc64|s390x|src|armv7hl|x84_64)';
const F = '[A-Za-z0-9._+~^]+'; // one rpm version or release field
const V = '\\d[A-Za-z0-9._+~^]*'; // a version field in name-V-R, where a name could look like one

/** Collects versions per output file, remembering which input files gave each list its entries. */
const lists = new Map();
function add(list, shape, version, from) {
  if (typeof version !== 'string' || !shape.test(version)) return;
  if (!lists.has(list)) lists.set(list, { versions: new Set(), from: new Set() });
  const entry = lists.get(list);
  entry.versions.add(version);
  entry.from.add(from);
}

// ---------------------------------------------------------------- deb
for (const path of files('debian-security-tracker')) {
  const text = read(path);
  if (path.endsWith('.json')) {
    for (const cves of Object.values(JSON.parse(text))) {
      for (const cve of Object.values(cves)) {
        for (const release of Object.values(cve.releases ?? {})) {
          add('deb.debian-security-tracker', DEB, release.fixed_version, path);
          for (const v of Object.values(release.repositories ?? {}))
            add('deb.debian-security-tracker', DEB, v, path);
        }
      }
    }
  } else {
    // "\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6"
    for (const m of text.matchAll(/^\s+\[[^\]]+\]\s+-\s+\S+\s+(\S+)/gm))
      add('deb.debian-security-tracker', DEB, m[1], path);
  }
}

function osvVersions(record) {
  const found = [];
  for (const affected of record.affected ?? []) {
    for (const range of affected.ranges ?? []) {
      if (range.type !== 'ECOSYSTEM') continue;
      for (const event of range.events ?? []) found.push(...Object.values(event));
    }
    found.push(...(affected.versions ?? []));
    for (const binary of affected.ecosystem_specific?.binaries ?? []) found.push(binary.binary_version);
  }
  return found;
}

for (const path of [...files('osv/debian'), ...files('osv/ubuntu')]) {
  for (const v of osvVersions(JSON.parse(read(path)))) add('deb.osv', DEB, v, path);
}

for (const path of files('pkgmgr-outputs/vuls/debian')) {
  const text = read(path);
  const found = [
    ...[...text.matchAll(/^\s*(?:Installed|Candidate):\s+(\S+)/gm)].map((m) => m[1]), // apt-cache policy
    ...[...text.matchAll(/^\s+(?:\*\*\*\s+)?(\S+)\s+\d+$/gm)].map((m) => m[1]), // its version table
    ...[...text.matchAll(/^[^,\s]+,[^,]*,([^,]+),[^,]*,([^,\s]+)$/gm)].flatMap((m) => [m[1], m[2]]), // dpkg-query
    ...[...text.matchAll(/^\S+ \(([^)\s]+)\) [^;]+;/gm)].map((m) => m[1]), // changelog entries
  ];
  for (const v of found) add('deb.vuls', DEB, v, path);
}

// ---------------------------------------------------------------- rpm
const evr = (epoch, version, release) =>
  `${epoch && epoch !== '0' && epoch !== '(none)' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;

function rpmVersions(text) {
  const found = [];
  // name-[E:]V-R.arch, also E:name-V-R.arch
  const nvra = new RegExp(
    `(?:^|[\\s("'])(?:(\\d+):)?[A-Za-z0-9_.+-]+?-(?:(\\d+):)?(${V})-(${F})\\.${ARCH}\\b`,
    'gm',
  );
  for (const m of text.matchAll(nvra)) found.push(evr(m[1] ?? m[2], m[3], m[4]));
  // rpm -qa: a whole line name-V-R without the arch
  for (const m of text.matchAll(new RegExp(`^\\s*[A-Za-z0-9_.+-]+?-(${V})-(${F})\\s*$`, 'gm'))) {
    if (!new RegExp(`\\.${ARCH}$`).test(m[2])) found.push(evr(undefined, m[1], m[2]));
  }
  // rpm -qa --queryformat '%{NAME} %{EPOCH} %{VERSION} %{RELEASE} ...' (plain or quoted)
  for (const m of text.matchAll(
    new RegExp(`^\\s*[A-Za-z0-9_.+-]+\\s+(\\d+|\\(none\\))\\s+(${F})\\s+(${F})(?:\\s|$)`, 'gm'),
  )) {
    found.push(evr(m[1], m[2], m[3]));
  }
  for (const m of text.matchAll(
    new RegExp(`"[^"\\s]+"\\s+"(\\d+|\\(none\\))"\\s+"(${F})"\\s+"(${F})"`, 'g'),
  )) {
    found.push(evr(m[1], m[2], m[3]));
  }
  // yum list: name.arch  [E:]V-R  repo
  for (const m of text.matchAll(new RegExp(`^\\S+\\.${ARCH}\\s+((?:\\d+:)?${F}-${F})\\s+\\S+`, 'gm')))
    found.push(m[1]);
  // yum ps: "... Upgrade 2.7.5-48.el7.x86_64"
  for (const m of text.matchAll(new RegExp(`\\bUpgrade\\s+((?:\\d+:)?${F}-${F})\\.${ARCH}\\b`, 'g')))
    found.push(m[1]);
  // rpm changelog headers "* Mon Apr 24 2017 Name <mail> - 1:1.4.0-20" and Oracle's "[32:9.9.4-38.2]"
  for (const m of text.matchAll(new RegExp(`^\\*.* - ((?:\\d+:)?${F}-${F})\\s*$`, 'gm'))) found.push(m[1]);
  for (const m of text.matchAll(new RegExp(`\\[((?:\\d+:)?${F}-${F})\\]`, 'g'))) found.push(m[1]);
  // installed_rpms JSON lines
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const o = JSON.parse(line);
      if (typeof o.version === 'string' && typeof o.release === 'string')
        found.push(evr(o.epoch, o.version, o.release));
    } catch {
      // not a JSON line
    }
  }
  // zypper lu: S | Repository | Name | Current Version | Available Version | Arch
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length === 6 && cells[0] !== 'S') found.push(cells[3], cells[4]);
  }
  // zypper --xmlout: edition="..."
  for (const m of text.matchAll(/\bedition="([^"]+)"/g)) found.push(m[1]);
  return found;
}

const RPM_INPUTS = [
  ['rpm.insights-core', /\/(installed_rpms|yum_list_available|yumlog|yum_updates|yum_updateinfo)__/],
  ['rpm.vuls', /\/vuls\/(redhatbase|redhatbase-2019|suse)\//],
  ['rpm.salt-zypper', /\/salt-zypper\//],
];
for (const path of files('pkgmgr-outputs')) {
  const input = RPM_INPUTS.find(([, pattern]) => pattern.test(`/${path}`));
  if (!input) continue;
  if (input[0] === 'rpm.vuls' && /suse__TestParseOSRelease/.test(path)) continue;
  for (const v of rpmVersions(read(path))) add(input[0], RPM, v, path);
}
for (const path of files('osv/almalinux')) {
  for (const v of osvVersions(JSON.parse(read(path)))) add('rpm.osv-almalinux', RPM, v, path);
}

// ---------------------------------------------------------------- apk
for (const path of files('pkgmgr-outputs/vuls/alpine')) {
  const text = read(path);
  const found = [
    ...[...text.matchAll(/^V:(\S+)$/gm)].map((m) => m[1]), // APKINDEX
    ...[...text.matchAll(/-(\d[^\s\]-]*-r\d+)(?=[\s\]]|$)/gm)].map((m) => m[1]), // name-version-rN
    ...[...text.matchAll(/[<>=]\s+(\d\S*)$/gm)].map((m) => m[1]), // apk version: "< 1.0.2m-r0"
  ];
  for (const v of found) add('apk.vuls', APK, v, path);
}
for (const path of files('osv/osv-linter-testdata')) {
  const record = JSON.parse(read(path));
  if (!(record.affected ?? []).some((a) => a.package?.ecosystem?.startsWith('Alpine'))) continue;
  for (const v of osvVersions(record)) add('apk.osv', APK, v, path);
}

// ---------------------------------------------------------------- write
const collator = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
for (const [list, { versions, from }] of [...lists].sort(([a], [b]) => collator(a, b))) {
  writeFileSync(join(out, `${list}.txt`), [...versions].sort(collator).join('\n') + '\n');
  const inputs = [...from].map((p) => relative('.', p));
  console.log(
    `${list}.txt: ${versions.size} versions from ${inputs.length} files (${[...new Set(inputs.map((p) => basename(dirname(p))))].join(', ')})`,
  );
  if (process.env.LIST_INPUTS) console.log(inputs.map((p) => `  ${p}`).join('\n'));
}
