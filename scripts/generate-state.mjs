#!/usr/bin/env node
// Writes the observed state of the example fleets: examples/<name>/state/hosts/<host>.json for
// every host of examples/starter and examples/enterprise (what `patchctl scan` would have found
// on 2026-11-30), and examples/enterprise/state/rollouts/<rollout>.json (ring progress).
//
// Rerun it from the repository root after changing it, or after changing an inventory:
//
//   node scripts/generate-state.mjs
//
// It deletes and rewrites the state/hosts/ and state/rollouts/ folders of both examples. The
// output depends on nothing but this file and the inventories: no clock, no environment, and
// randomness only from a generator seeded with each host's name, so two runs write
// byte-identical files (formatted with the repository's prettier settings), and adding a host
// does not change the others.
//
// The advisory feed examples/<name>/advisories/kev.json is a slice of the real CISA KEV
// catalogue that holds (at least) every KEV CVE the state below uses. The script checks that
// the slice holds them; to cut the slice again from a copy of the catalogue, pass its path:
//
//   node scripts/generate-state.mjs --kev path/to/known_exploited_vulnerabilities.json
//
// The fleet is meant to exercise the planner at `--at 2026-12-01T00:00:00Z`: the hosts named in
// SCENARIOS below carry held packages, unreachable scans, updates that exceptions and pins
// name, and updates fixing KEV-listed CVEs; the catalogues carry security, bugfix and
// enhancement updates of every severity, some released after 2026-11-28 so that approval
// delays are not over yet.

import { Buffer } from 'node:buffer';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as prettier from 'prettier';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = ['starter', 'enterprise'];
/** When the (imaginary) nightly scan ran: every scannedAt falls in this hour. */
const SCAN_HOUR = '2026-11-30T22';

// ------------------------------------------------------------------ deterministic randomness

/** FNV-1a: a stable 32-bit hash of a string, to seed each host's generator by its name. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small seeded generator. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width = 2) => String(n).padStart(width, '0');

function uuid(rng) {
  const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rng() * 4)];
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// ------------------------------------------------------------------ CISA KEV

/**
 * The CVEs of the KEV slice in advisories/kev.json: every KEV CVE used below, plus a few
 * neighbours from the same products. Catalogue version 2025.08.25 (cisagov/kev-data at
 * eacf03ec6637cc7be6d3d4ed50785493da5126a2).
 */
const KEV_SLICE = [
  // Linux kernel
  'CVE-2024-53104',
  'CVE-2024-53197',
  'CVE-2024-53150',
  'CVE-2024-50302',
  'CVE-2023-0386',
  'CVE-2024-1086',
  // glibc, git, HTTP/2, Tomcat, Apache HTTP Server
  'CVE-2023-4911',
  'CVE-2025-48384',
  'CVE-2023-44487',
  'CVE-2025-24813',
  'CVE-2024-38475',
  // Chromium, Firefox
  'CVE-2025-6558',
  'CVE-2025-6554',
  'CVE-2025-5419',
  'CVE-2025-2783',
  'CVE-2024-9680',
  // 7-Zip, WinRAR
  'CVE-2025-0411',
  'CVE-2025-8088',
  'CVE-2023-38831',
  // Windows, .NET, Outlook
  'CVE-2025-33053',
  'CVE-2025-32709',
  'CVE-2025-32706',
  'CVE-2025-32701',
  'CVE-2025-30400',
  'CVE-2025-29824',
  'CVE-2025-24983',
  'CVE-2025-24054',
  'CVE-2025-21418',
  'CVE-2025-21333',
  'CVE-2024-49138',
  'CVE-2024-43451',
  'CVE-2024-49039',
  'CVE-2024-38193',
  'CVE-2024-29059',
  'CVE-2024-21413',
];
const KEV = new Set(KEV_SLICE);

// ------------------------------------------------------------------ package catalogues
//
// Each entry is one source package's pending update: its binary packages, the installed
// version(s) it moves from (the second one, when given, is a host that is further behind and
// gets `behindAdvisories` too: the update then also fixes older, KEV-listed CVEs), the
// version it moves to, the repository, classification, severity, advisories and release date.
// `roles` limits it to hosts of these roles (`server` = every role but workstation), `p` is
// the share of those hosts on which it is still pending (the others already run `to`).

const u = (src, bins, from, to, opts) => ({
  src,
  bins,
  from: Array.isArray(from) ? from : [from],
  to,
  roles: ['*'],
  p: 0.65,
  ...opts,
});

const SERVER = ['web', 'app', 'db', 'sap', 'mon', 'dc', 'file', 'rds'];

// Debian 12 (bookworm), apt. DSA ids and their CVEs as in Debian's security tracker.
const DEBIAN = [
  u('openssl', ['openssl', 'libssl3'], ['3.0.15-1~deb12u1', '3.0.14-1~deb12u2'], '3.0.17-1~deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5343-1', 'CVE-2022-4304', 'CVE-2022-4450', 'CVE-2023-0215'],
    rel: '2026-11-10T08:00:00Z',
  }),
  u(
    'openssh',
    ['openssh-client', 'openssh-server', 'openssh-sftp-server'],
    '1:9.2p1-2+deb12u5',
    '1:9.2p1-2+deb12u7',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-26465', 'CVE-2025-32728'],
      rel: '2026-11-29T16:00:00Z',
    },
  ),
  u('linux', ['linux-image-amd64'], ['6.1.140-1', '6.1.129-1'], '6.1.158-1', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5324-1', 'CVE-2022-2873', 'CVE-2022-3545', 'CVE-2022-4696'],
    behindAdvisories: ['CVE-2024-53104', 'CVE-2024-53197', 'CVE-2024-50302'],
    pBehind: 0.3,
    rel: '2026-11-18T12:00:00Z',
    reboot: true,
    p: 0.85,
  }),
  u(
    'glibc',
    ['libc-bin', 'libc-l10n', 'libc6', 'locales'],
    ['2.36-9+deb12u10', '2.36-9+deb12u1'],
    '2.36-9+deb12u13',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-4802'],
      behindAdvisories: ['CVE-2023-4911'],
      pBehind: 0.1,
      rel: '2026-10-28T10:00:00Z',
    },
  ),
  u('curl', ['curl', 'libcurl4'], '7.88.1-10+deb12u12', '7.88.1-10+deb12u14', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5365-1', 'CVE-2023-23916'],
    rel: '2026-10-22T09:00:00Z',
  }),
  u('sudo', ['sudo'], '1.9.13p3-1+deb12u1', '1.9.13p3-1+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5321-1', 'CVE-2023-22809', 'CVE-2025-32462'],
    rel: '2026-10-08T14:00:00Z',
  }),
  u(
    'systemd',
    ['libpam-systemd', 'libsystemd0', 'libudev1', 'systemd', 'systemd-sysv', 'systemd-timesyncd', 'udev'],
    '252.36-1~deb12u1',
    '252.39-1~deb12u1',
    { repo: 'bookworm', cls: 'bugfix', rel: '2026-11-14T10:00:00Z' },
  ),
  u('tzdata', ['tzdata'], '2025b-0+deb12u1', '2026a-0+deb12u1', {
    repo: 'bookworm-updates',
    cls: 'bugfix',
    rel: '2026-10-28T18:00:00Z',
    p: 0.8,
  }),
  u('base-files', ['base-files'], '12.4+deb12u11', '12.4+deb12u12', {
    repo: 'bookworm',
    cls: 'bugfix',
    rel: '2026-11-14T10:00:00Z',
  }),
  u('bash', ['bash'], '5.2.15-2+b7', '5.2.15-2+b8', {
    repo: 'bookworm',
    cls: 'bugfix',
    rel: '2026-11-14T10:00:00Z',
  }),
  u('libxml2', ['libxml2'], '2.9.14+dfsg-1.3~deb12u2', '2.9.14+dfsg-1.3~deb12u4', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5271-1', 'CVE-2022-40303', 'CVE-2022-40304'],
    rel: '2026-10-15T07:00:00Z',
  }),
  u(
    'krb5',
    ['libgssapi-krb5-2', 'libk5crypto3', 'libkrb5-3', 'libkrb5support0'],
    '1.20.1-2+deb12u3',
    '1.20.1-2+deb12u4',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'medium',
      adv: ['DSA-5286-1', 'CVE-2022-42898'],
      rel: '2026-11-04T09:00:00Z',
    },
  ),
  u('expat', ['libexpat1'], '2.5.0-1+deb12u1', '2.5.0-1+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5266-1', 'CVE-2022-43680'],
    rel: '2026-10-02T11:00:00Z',
  }),
  u('zlib', ['zlib1g'], '1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+deb12u1', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5218-1', 'CVE-2022-37434'],
    rel: '2026-10-01T08:00:00Z',
  }),
  u('gnutls28', ['libgnutls30'], '3.7.9-2+deb12u4', '3.7.9-2+deb12u5', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5349-1', 'CVE-2023-0361'],
    rel: '2026-11-06T13:00:00Z',
  }),
  u(
    'python3.11',
    ['libpython3.11-minimal', 'libpython3.11-stdlib', 'python3.11', 'python3.11-minimal'],
    '3.11.2-6+deb12u5',
    '3.11.2-6+deb12u6',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6069', 'CVE-2025-8194'],
      rel: '2026-11-12T10:00:00Z',
    },
  ),
  u('sqlite3', ['libsqlite3-0'], '3.40.1-2+deb12u1', '3.40.1-2+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-6965'],
    rel: '2026-10-20T15:00:00Z',
  }),
  u('less', ['less'], '590-2.1~deb12u2', '590-2.1~deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2024-32487'],
    rel: '2026-10-27T12:00:00Z',
  }),
  u('vim', ['vim-common', 'vim-tiny', 'xxd'], '2:9.0.1378-2+deb12u2', '2:9.0.1378-2+deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-53905', 'CVE-2025-53906'],
    rel: '2026-11-20T09:00:00Z',
  }),
  u('git', ['git', 'git-man'], ['1:2.39.5-0+deb12u2', '1:2.39.2-1.1'], '1:2.39.5-0+deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5357-1', 'CVE-2023-22490', 'CVE-2023-23946'],
    behindAdvisories: ['CVE-2025-48384', 'CVE-2025-48385'],
    pBehind: 0.4,
    roles: ['web', 'app', 'mon'],
    p: 0.5,
    rel: '2026-10-14T16:00:00Z',
  }),
  u('nginx', ['nginx', 'nginx-common'], ['1.22.1-9+deb12u2', '1.22.1-9'], '1.22.1-9+deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5281-1', 'CVE-2022-41741', 'CVE-2022-41742', 'CVE-2025-23419'],
    behindAdvisories: ['CVE-2023-44487'],
    pBehind: 0.15,
    roles: ['web'],
    p: 0.8,
    rel: '2026-11-05T10:00:00Z',
  }),
  u(
    'postgresql-15',
    ['libpq5', 'postgresql-15', 'postgresql-client-15'],
    '15.13-0+deb12u1',
    '15.15-0+deb12u1',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-8714', 'CVE-2025-8715'],
      roles: ['db'],
      p: 0.9,
      rel: '2026-11-16T11:00:00Z',
    },
  ),
  u('openjdk-17', ['openjdk-17-jre-headless'], '17.0.16+8-1~deb12u1', '17.0.17+10-1~deb12u1', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5335-1', 'CVE-2022-21618', 'CVE-2022-21619', 'CVE-2025-53057', 'CVE-2025-53066'],
    roles: ['app', 'mon'],
    p: 0.8,
    rel: '2026-10-24T08:00:00Z',
  }),
  u('intel-microcode', ['intel-microcode'], '3.20250512.1~deb12u1', '3.20251111.1~deb12u1', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5178-1', 'CVE-2022-21123', 'CVE-2022-21125'],
    roles: SERVER,
    p: 0.4,
    reboot: true,
    rel: '2026-11-20T17:00:00Z',
  }),
  u('open-vm-tools', ['open-vm-tools'], '2:12.2.0-1+deb12u2', '2:12.2.0-1+deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['DSA-5215-1', 'CVE-2022-31676', 'CVE-2025-41244'],
    roles: SERVER,
    p: 0.7,
    rel: '2026-10-30T09:00:00Z',
  }),
  u('ca-certificates', ['ca-certificates'], '20230311+deb12u1', '20230311+deb12u2', {
    repo: 'bookworm',
    cls: 'bugfix',
    rel: '2026-11-14T10:00:00Z',
  }),
  u('distro-info-data', ['distro-info-data'], '0.58+deb12u4', '0.58+deb12u5', {
    repo: 'bookworm-updates',
    cls: 'bugfix',
    rel: '2026-11-03T10:00:00Z',
  }),
  u('prometheus-node-exporter', ['prometheus-node-exporter'], '1.5.0-1+b6', '1.8.2-1~bpo12+1', {
    repo: 'bookworm-backports',
    cls: 'enhancement',
    roles: ['mon', 'web'],
    p: 0.5,
    rel: '2026-10-19T20:00:00Z',
  }),
  u('zabbix', ['zabbix-agent', 'zabbix-server-pgsql'], '1:6.0.14+dfsg-1+deb12u1', '1:6.0.14+dfsg-1+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5834-1', 'CVE-2024-22114', 'CVE-2024-36466'],
    roles: ['mon'],
    p: 0.9,
    rel: '2026-11-21T10:00:00Z',
  }),
  u('rsync', ['rsync'], '3.2.7-1+deb12u2', '3.2.7-1+deb12u3', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-12084', 'CVE-2024-12085'],
    rel: '2026-10-11T10:00:00Z',
  }),
  u('wget', ['wget'], '1.21.3-1+deb12u1', '1.21.3-1+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2024-38428'],
    rel: '2026-10-05T10:00:00Z',
  }),
  u('gnupg2', ['dirmngr', 'gnupg', 'gpg', 'gpg-agent', 'gpgv'], '2.2.40-1.1', '2.2.40-1.1+deb12u1', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'low',
    adv: ['DSA-5174-1', 'CVE-2022-34903'],
    rel: '2026-11-25T10:00:00Z',
  }),
  u(
    'util-linux',
    ['bsdutils', 'fdisk', 'libblkid1', 'libmount1', 'libsmartcols1', 'libuuid1', 'mount', 'util-linux'],
    '2.38.1-5+deb12u2',
    '2.38.1-5+deb12u3',
    { repo: 'bookworm', cls: 'bugfix', rel: '2026-11-14T10:00:00Z' },
  ),
  u(
    'e2fsprogs',
    ['e2fsprogs', 'libcom-err2', 'libext2fs2', 'libss2', 'logsave'],
    '1.47.0-2',
    '1.47.0-2+deb12u1',
    { repo: 'bookworm', cls: 'bugfix', rel: '2026-11-14T10:00:00Z' },
  ),
  u(
    'pam',
    ['libpam-modules', 'libpam-modules-bin', 'libpam-runtime', 'libpam0g'],
    '1.5.2-6+deb12u1',
    '1.5.2-6+deb12u2',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6020'],
      rel: '2026-11-27T10:00:00Z',
    },
  ),
  u('apt', ['apt', 'libapt-pkg6.0'], '2.6.1', '2.6.1+deb12u1', {
    repo: 'bookworm',
    cls: 'bugfix',
    rel: '2026-11-14T10:00:00Z',
  }),
  u('rsyslog', ['rsyslog'], '8.2302.0-1+deb12u1', '8.2302.0-1+deb12u2', {
    repo: 'bookworm-security',
    cls: 'security',
    sev: 'medium',
    adv: ['DSA-5150-1', 'CVE-2022-24903'],
    roles: SERVER,
    rel: '2026-10-18T10:00:00Z',
  }),
  u(
    'bind9',
    ['bind9-dnsutils', 'bind9-host', 'bind9-libs', 'dnsutils'],
    '1:9.18.33-1~deb12u2',
    '1:9.18.41-1~deb12u1',
    {
      repo: 'bookworm-security',
      cls: 'security',
      sev: 'high',
      adv: ['DSA-5329-1', 'CVE-2022-3094', 'CVE-2022-3736', 'CVE-2022-3924'],
      rel: '2026-10-23T10:00:00Z',
    },
  ),
  u('procps', ['libproc2-0', 'procps'], '2:4.0.2-3', '2:4.0.2-3+deb12u1', {
    repo: 'bookworm',
    cls: 'bugfix',
    rel: '2026-11-14T10:00:00Z',
  }),
];

const DEBIAN_ALL_ARCH = new Set([
  'ca-certificates',
  'distro-info-data',
  'git-man',
  'gnupg',
  'libc-l10n',
  'libpam-runtime',
  'locales',
  'nginx-common',
  'tzdata',
  'vim-common',
]);

const DEBIAN_BASE = [
  ['adduser', '3.134'],
  ['coreutils', '9.1-1'],
  ['cron', '3.0pl1-162'],
  ['dpkg', '1.21.22'],
  ['findutils', '4.9.0-4'],
  ['grep', '3.8-5'],
  ['gzip', '1.12-1'],
  ['iproute2', '6.1.0-3'],
  ['libcap2', '1:2.66-4'],
  ['libgcrypt20', '1.10.1-3'],
  ['login', '1:4.13+dfsg1-1+b1'],
  ['passwd', '1:4.13+dfsg1-1+b1'],
  ['sed', '4.9-1'],
  ['tar', '1.34+dfsg-1.2+deb12u1'],
  ['xz-utils', '5.4.1-1'],
];

// Ubuntu 22.04 (jammy), apt. Ubuntu's scans give CVE ids.
const UBUNTU = [
  u('openssl', ['libssl3', 'openssl'], ['3.0.2-0ubuntu1.18', '3.0.2-0ubuntu1.15'], '3.0.2-0ubuntu1.20', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-13176', 'CVE-2025-9230', 'CVE-2025-9232'],
    rel: '2026-11-10T10:00:00Z',
  }),
  u(
    'openssh',
    ['openssh-client', 'openssh-server', 'openssh-sftp-server'],
    '1:8.9p1-3ubuntu0.11',
    '1:8.9p1-3ubuntu0.13',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-26465', 'CVE-2025-32728'],
      rel: '2026-11-29T17:00:00Z',
    },
  ),
  u(
    'linux-meta',
    ['linux-generic', 'linux-headers-generic', 'linux-image-generic'],
    ['5.15.0.153.153', '5.15.0.131.129'],
    '5.15.0.163.163',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-38352', 'CVE-2025-38617', 'CVE-2025-39866'],
      behindAdvisories: ['CVE-2024-53104', 'CVE-2024-53197', 'CVE-2023-0386'],
      pBehind: 0.3,
      rel: '2026-11-17T15:00:00Z',
      reboot: true,
      rebootBins: ['linux-generic', 'linux-image-generic'],
      p: 0.85,
    },
  ),
  u('glibc', ['libc-bin', 'libc6', 'locales'], ['2.35-0ubuntu3.10', '2.35-0ubuntu3.4'], '2.35-0ubuntu3.11', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-4802'],
    behindAdvisories: ['CVE-2023-4911'],
    pBehind: 0.1,
    rel: '2026-10-28T11:00:00Z',
    reboot: true,
  }),
  u('curl', ['curl', 'libcurl4'], '7.81.0-1ubuntu1.20', '7.81.0-1ubuntu1.21', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-0167', 'CVE-2025-9086'],
    rel: '2026-10-22T12:00:00Z',
  }),
  u('sudo', ['sudo'], '1.9.9-1ubuntu2.4', '1.9.9-1ubuntu2.5', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-32462'],
    rel: '2026-10-08T15:00:00Z',
  }),
  u(
    'systemd',
    ['libpam-systemd', 'libsystemd0', 'libudev1', 'systemd', 'systemd-sysv', 'systemd-timesyncd', 'udev'],
    '249.11-0ubuntu3.15',
    '249.11-0ubuntu3.16',
    { repo: 'jammy-updates', cls: 'bugfix', rel: '2026-11-06T14:00:00Z' },
  ),
  u('tzdata', ['tzdata'], '2025b-0ubuntu0.22.04.1', '2026a-0ubuntu0.22.04.1', {
    repo: 'jammy-updates',
    cls: 'bugfix',
    rel: '2026-10-29T09:00:00Z',
    p: 0.8,
  }),
  u('libxml2', ['libxml2'], '2.9.13+dfsg-1ubuntu0.7', '2.9.13+dfsg-1ubuntu0.9', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-49794', 'CVE-2025-49796'],
    rel: '2026-10-15T10:00:00Z',
  }),
  u(
    'krb5',
    ['libgssapi-krb5-2', 'libk5crypto3', 'libkrb5-3', 'libkrb5support0'],
    '1.19.2-2ubuntu0.6',
    '1.19.2-2ubuntu0.7',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-3576'],
      rel: '2026-11-04T12:00:00Z',
    },
  ),
  u(
    'python3.10',
    ['libpython3.10-minimal', 'libpython3.10-stdlib', 'python3.10', 'python3.10-minimal'],
    '3.10.12-1~22.04.10',
    '3.10.12-1~22.04.11',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6069', 'CVE-2025-8194'],
      rel: '2026-11-12T12:00:00Z',
    },
  ),
  u('sqlite3', ['libsqlite3-0'], '3.37.2-2ubuntu0.4', '3.37.2-2ubuntu0.5', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-6965'],
    rel: '2026-10-20T16:00:00Z',
  }),
  u('vim', ['vim', 'vim-common', 'vim-runtime', 'xxd'], '2:8.2.3995-1ubuntu2.24', '2:8.2.3995-1ubuntu2.26', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-53905', 'CVE-2025-53906'],
    rel: '2026-11-20T10:00:00Z',
  }),
  u('git', ['git', 'git-man'], ['1:2.34.1-1ubuntu1.12', '1:2.34.1-1ubuntu1.10'], '1:2.34.1-1ubuntu1.15', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-27613', 'CVE-2025-27614'],
    behindAdvisories: ['CVE-2025-48384', 'CVE-2025-48385'],
    pBehind: 0.4,
    roles: ['web', 'app', 'workstation'],
    p: 0.5,
    rel: '2026-10-14T17:00:00Z',
  }),
  u('nginx', ['nginx', 'nginx-common', 'nginx-core'], '1.18.0-6ubuntu14.6', '1.18.0-6ubuntu14.7', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-23419'],
    roles: ['web'],
    p: 0.8,
    rel: '2026-11-05T12:00:00Z',
  }),
  u('openjdk-17', ['openjdk-17-jre-headless'], '17.0.16+8-1~22.04.1', '17.0.17+10-1~22.04.1', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-53057', 'CVE-2025-53066'],
    roles: ['app'],
    p: 0.8,
    rel: '2026-10-24T09:00:00Z',
  }),
  u('intel-microcode', ['intel-microcode'], '3.20250512.0ubuntu0.22.04.1', '3.20251111.0ubuntu0.22.04.1', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'medium',
    roles: SERVER,
    p: 0.4,
    reboot: true,
    rel: '2026-11-20T18:00:00Z',
  }),
  u('open-vm-tools', ['open-vm-tools'], '2:12.3.5-3~ubuntu0.22.04.2', '2:12.3.5-3~ubuntu0.22.04.3', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-41244'],
    roles: SERVER,
    p: 0.7,
    rel: '2026-10-30T11:00:00Z',
  }),
  u(
    'bind9',
    ['bind9-dnsutils', 'bind9-host', 'bind9-libs', 'dnsutils'],
    '1:9.18.30-0ubuntu0.22.04.2',
    '1:9.18.39-0ubuntu0.22.04.1',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-40778', 'CVE-2025-40780'],
      rel: '2026-10-23T12:00:00Z',
    },
  ),
  u(
    'pam',
    ['libpam-modules', 'libpam-modules-bin', 'libpam-runtime', 'libpam0g'],
    '1.4.0-11ubuntu2.5',
    '1.4.0-11ubuntu2.6',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6020'],
      rel: '2026-11-27T11:00:00Z',
    },
  ),
  u('rsync', ['rsync'], '3.2.7-0ubuntu0.22.04.4', '3.2.7-0ubuntu0.22.04.5', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-12084', 'CVE-2024-12085'],
    rel: '2026-10-11T12:00:00Z',
  }),
  u('ca-certificates', ['ca-certificates'], '20240203~22.04.1', '20250419~22.04.1', {
    repo: 'jammy-updates',
    cls: 'bugfix',
    rel: '2026-11-03T12:00:00Z',
  }),
  u(
    'util-linux',
    ['bsdutils', 'fdisk', 'libblkid1', 'libmount1', 'libsmartcols1', 'libuuid1', 'mount', 'util-linux'],
    '2.37.2-4ubuntu3.4',
    '2.37.2-4ubuntu3.5',
    { repo: 'jammy-updates', cls: 'bugfix', rel: '2026-11-06T14:00:00Z' },
  ),
  u('apt', ['apt', 'apt-utils', 'libapt-pkg6.0'], '2.4.13', '2.4.14', {
    repo: 'jammy-updates',
    cls: 'bugfix',
    rel: '2026-11-06T14:00:00Z',
  }),
  u(
    'gnupg2',
    ['dirmngr', 'gnupg', 'gpg', 'gpg-agent', 'gpgsm', 'gpgv'],
    '2.2.27-3ubuntu2.3',
    '2.2.27-3ubuntu2.4',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'low',
      adv: ['CVE-2025-30258'],
      rel: '2026-11-25T12:00:00Z',
    },
  ),
  u('less', ['less'], '590-1ubuntu0.22.04.3', '590-1ubuntu0.22.04.4', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2024-32487'],
    rel: '2026-10-27T14:00:00Z',
  }),
  u('ubuntu-pro-client', ['ubuntu-advantage-tools', 'ubuntu-pro-client'], '36~22.04', '37.1~22.04', {
    repo: 'jammy-updates',
    cls: 'enhancement',
    rel: '2026-11-09T12:00:00Z',
  }),
  u('cloud-init', ['cloud-init'], '25.2-0ubuntu1~22.04.1', '25.3-0ubuntu1~22.04.1', {
    repo: 'jammy-updates',
    cls: 'enhancement',
    roles: SERVER,
    rel: '2026-10-27T13:00:00Z',
  }),
  // Workstations.
  u(
    'google-chrome-stable',
    ['google-chrome-stable'],
    ['142.0.7444.175-1', '137.0.7151.119-1'],
    '143.0.7499.40-1',
    {
      repo: 'stable',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-13223', 'CVE-2025-13224'],
      behindAdvisories: ['CVE-2025-6554', 'CVE-2025-6558'],
      pBehind: 0.15,
      roles: ['workstation'],
      p: 0.9,
      rel: '2026-11-30T06:00:00Z',
    },
  ),
  u(
    'libreoffice',
    ['libreoffice-calc', 'libreoffice-common', 'libreoffice-core', 'libreoffice-writer'],
    '1:7.3.7-0ubuntu0.22.04.10',
    '1:7.3.7-0ubuntu0.22.04.11',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-1080'],
      roles: ['workstation'],
      p: 0.8,
      rel: '2026-10-09T12:00:00Z',
    },
  ),
  u('cups', ['cups', 'cups-daemon', 'libcups2'], '2.4.1op1-1ubuntu4.11', '2.4.1op1-1ubuntu4.12', {
    repo: 'jammy-security',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-58060', 'CVE-2025-58364'],
    roles: ['workstation'],
    p: 0.8,
    rel: '2026-11-19T12:00:00Z',
  }),
  u(
    'thunderbird',
    ['thunderbird'],
    '1:128.14.0+build1-0ubuntu0.22.04.1',
    '1:140.5.0+build1-0ubuntu0.22.04.1',
    {
      repo: 'jammy-security',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-9179', 'CVE-2025-9180'],
      roles: ['workstation'],
      p: 0.6,
      rel: '2026-11-13T12:00:00Z',
    },
  ),
  u('snapd', ['snapd'], '2.67.1+22.04', '2.68.5+22.04', {
    repo: 'jammy-updates',
    cls: 'bugfix',
    roles: ['workstation'],
    rel: '2026-11-11T12:00:00Z',
  }),
  // PostgreSQL from apt.postgresql.org (PGDG): the database servers run PostgreSQL 16.
  u('postgresql-16', ['postgresql-16', 'postgresql-client-16'], '16.4-1.pgdg22.04+1', '16.11-1.pgdg22.04+1', {
    repo: 'jammy-pgdg',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-10979', 'CVE-2025-1094', 'CVE-2025-8714', 'CVE-2025-8715'],
    roles: ['db'],
    p: 1,
    rel: '2026-11-13T14:00:00Z',
  }),
  u('libpq5', ['libpq5'], '17.2-1.pgdg22.04+1', '18.1-1.pgdg22.04+2', {
    repo: 'jammy-pgdg',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-1094'],
    roles: ['db'],
    p: 1,
    rel: '2026-11-13T14:00:00Z',
  }),
];

const UBUNTU_ALL_ARCH = new Set([
  'ca-certificates',
  'git-man',
  'gnupg',
  'libpam-runtime',
  'libreoffice-common',
  'locales',
  'nginx-common',
  'tzdata',
  'ubuntu-advantage-tools',
  'vim-common',
  'vim-runtime',
  'cloud-init',
]);

const UBUNTU_BASE = [
  ['adduser', '3.118ubuntu5'],
  ['coreutils', '8.32-4.1ubuntu1.2'],
  ['dpkg', '1.21.1ubuntu2.6'],
  ['findutils', '4.8.0-1ubuntu3'],
  ['grep', '3.7-1build1'],
  ['gzip', '1.10-4ubuntu4.1'],
  ['login', '1:4.8.1-2ubuntu2.2'],
  ['passwd', '1:4.8.1-2ubuntu2.2'],
  ['sed', '4.8-1ubuntu2'],
  ['tar', '1.34+dfsg-1ubuntu0.1.22.04.2'],
  ['ubuntu-minimal', '1.481.4'],
  ['xz-utils', '5.2.5-2ubuntu1'],
];

// RHEL 9 and AlmaLinux 9, dnf. `adv` holds CVE ids; `erratum` is the advisory number (RHSA on
// RHEL, ALSA on AlmaLinux: AlmaLinux reuses Red Hat's numbers).
const EL = [
  u(
    'kernel',
    ['kernel', 'kernel-core', 'kernel-modules', 'kernel-modules-core', 'kernel-tools', 'kernel-tools-libs'],
    ['5.14.0-687.26.1.el9_8', '5.14.0-570.58.1.el9_6'],
    '5.14.0-687.52.1.el9_8',
    {
      repo: 'baseos',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2026-53202', 'CVE-2026-53264'],
      behindAdvisories: ['CVE-2024-53150', 'CVE-2024-53104', 'CVE-2023-0386'],
      pBehind: 0.25,
      rel: '2026-11-18T14:00:00Z',
      reboot: true,
      rebootBins: ['kernel', 'kernel-core', 'kernel-modules', 'kernel-modules-core'],
      p: 0.85,
    },
  ),
  u('openssl', ['openssl', 'openssl-libs'], '1:3.5.1-3.el9_7', '1:3.5.1-4.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-9230', 'CVE-2025-9232'],
    rel: '2026-11-10T12:00:00Z',
  }),
  u(
    'glibc',
    ['glibc', 'glibc-common', 'glibc-langpack-en', 'glibc-minimal-langpack'],
    ['2.34-231.el9_8.2', '2.34-60.el9_2.3'],
    '2.34-231.el9_8.5',
    {
      repo: 'baseos',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-4802'],
      behindAdvisories: ['CVE-2023-4911'],
      pBehind: 0.1,
      rel: '2026-10-28T12:00:00Z',
    },
  ),
  u('curl', ['curl', 'libcurl'], '7.76.1-40.el9_8.5', '7.76.1-40.el9_8.7', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-9086', 'CVE-2025-10148'],
    rel: '2026-10-22T13:00:00Z',
  }),
  u('sudo', ['sudo'], '1.9.5p2-10.el9_6', '1.9.5p2-11.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-32462'],
    rel: '2026-10-08T16:00:00Z',
  }),
  u(
    'systemd',
    ['systemd', 'systemd-libs', 'systemd-pam', 'systemd-rpm-macros', 'systemd-udev'],
    '252-55.el9_8.2',
    '252-55.el9_8.5',
    { repo: 'baseos', cls: 'bugfix', rel: '2026-11-06T15:00:00Z' },
  ),
  u('tzdata', ['tzdata'], '2025b-1.el9', '2026a-1.el9', {
    repo: 'baseos',
    cls: 'enhancement',
    rel: '2026-10-29T10:00:00Z',
    p: 0.8,
  }),
  u(
    'python3.9',
    ['python-unversioned-command', 'python3', 'python3-libs'],
    '3.9.25-7.el9_8.3',
    '3.9.25-8.el9_8',
    {
      repo: 'baseos',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6069', 'CVE-2025-8194'],
      rel: '2026-11-12T13:00:00Z',
    },
  ),
  u('bind', ['bind-libs', 'bind-license', 'bind-utils'], '32:9.16.23-40.el9_8.8', '32:9.16.23-41.el9_8', {
    repo: 'appstream',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-40778', 'CVE-2025-40780'],
    rel: '2026-10-23T13:00:00Z',
  }),
  u('libxml2', ['libxml2', 'python3-libxml2'], '2.9.13-12.el9_8', '2.9.13-14.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-49794', 'CVE-2025-49796'],
    rel: '2026-10-15T11:00:00Z',
  }),
  u('krb5', ['krb5-libs'], '1.21.1-8.el9_8', '1.21.1-9.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-3576'],
    rel: '2026-11-04T13:00:00Z',
  }),
  u('sqlite', ['sqlite-libs'], '3.34.1-8.el9_8', '3.34.1-9.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-6965'],
    rel: '2026-10-20T17:00:00Z',
  }),
  u(
    'vim',
    ['vim-common', 'vim-enhanced', 'vim-filesystem', 'vim-minimal'],
    '2:8.2.2637-22.el9_8',
    '2:8.2.2637-23.el9_8',
    {
      repo: 'appstream',
      cls: 'security',
      sev: 'low',
      adv: ['CVE-2025-53905', 'CVE-2025-53906'],
      rel: '2026-11-20T11:00:00Z',
    },
  ),
  // git is only pending on hosts that missed ALSA/RHSA-2025:11462 (the fix for KEV-listed
  // CVE-2025-48384): the others already run the current build.
  u('git', ['git', 'git-core', 'git-core-doc', 'perl-Git'], '2.43.5-1.el9_5', '2.47.3-1.el9_6', {
    repo: 'appstream',
    cls: 'security',
    sev: 'high',
    erratum: '2025:11462',
    adv: ['CVE-2024-50349', 'CVE-2024-52006', 'CVE-2025-27613', 'CVE-2025-48384', 'CVE-2025-48385'],
    roles: ['web', 'app'],
    p: 0.2,
    rel: '2025-07-21T00:00:00Z',
  }),
  u(
    'postgresql',
    ['postgresql', 'postgresql-contrib', 'postgresql-private-libs', 'postgresql-server'],
    '16.4-1.module+el9.5.0+22318+1c6f4c5e',
    '16.10-1.module+el9.8.0+23544+7a2d1f3b',
    {
      repo: 'appstream',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2024-10979', 'CVE-2025-1094', 'CVE-2025-8714', 'CVE-2025-8715'],
      roles: ['db'],
      p: 0.9,
      rel: '2026-11-16T12:00:00Z',
    },
  ),
  u('pgbouncer', ['pgbouncer'], '1.23.1-1.el9', '1.24.1-1.el9', {
    repo: 'epel',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-2291'],
    roles: ['db'],
    p: 0,
    rel: '2026-10-26T09:00:00Z',
  }),
  u(
    'java-17-openjdk',
    ['java-17-openjdk', 'java-17-openjdk-headless'],
    '1:17.0.16.0.8-2.el9',
    '1:17.0.17.0.10-1.el9',
    {
      repo: 'appstream',
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-53057', 'CVE-2025-53066'],
      roles: ['app'],
      p: 0.8,
      rel: '2026-10-24T10:00:00Z',
    },
  ),
  u('tomcat', ['tomcat', 'tomcat-el-3.0-api', 'tomcat-lib'], '1:9.0.87-1.el9_4', '1:9.0.87-5.el9_8', {
    repo: 'appstream',
    cls: 'security',
    sev: 'critical',
    adv: ['CVE-2024-50379', 'CVE-2025-24813'],
    roles: ['app'],
    p: 0.25,
    rel: '2026-10-30T10:00:00Z',
  }),
  u('open-vm-tools', ['open-vm-tools'], '13.0.0-1.el9_7.1', '13.0.5-1.el9_8', {
    repo: 'appstream',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-41244'],
    roles: SERVER,
    p: 0.7,
    rel: '2026-10-30T12:00:00Z',
  }),
  u('dnf', ['dnf', 'dnf-data', 'python3-dnf', 'yum'], '4.14.0-25.el9_8', '4.14.0-29.el9_8', {
    repo: 'baseos',
    cls: 'bugfix',
    rel: '2026-11-06T15:00:00Z',
  }),
  u('NetworkManager', ['NetworkManager', 'NetworkManager-libnm'], '1:1.52.0-4.el9_8', '1:1.52.0-7.el9_8', {
    repo: 'baseos',
    cls: 'bugfix',
    rel: '2026-11-06T15:00:00Z',
  }),
  u('selinux-policy', ['selinux-policy', 'selinux-policy-targeted'], '38.1.53-2.el9_8', '38.1.65-1.el9_8', {
    repo: 'baseos',
    cls: 'bugfix',
    rel: '2026-11-06T15:00:00Z',
  }),
  u('microcode_ctl', ['microcode_ctl'], '4:20250211-1.20250512.1.el9_8', '4:20250812-1.20251111.1.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    roles: SERVER,
    p: 0.4,
    reboot: true,
    rel: '2026-11-20T19:00:00Z',
  }),
  u('openssh', ['openssh', 'openssh-clients', 'openssh-server'], '8.7p1-45.el9_8', '8.7p1-46.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-26465', 'CVE-2025-32728'],
    rel: '2026-11-29T20:00:00Z',
  }),
  u('pam', ['pam'], '1.5.1-25.el9_8', '1.5.1-26.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-6020'],
    rel: '2026-11-27T12:00:00Z',
  }),
  u('rsync', ['rsync'], '3.2.5-3.el9_8', '3.2.5-4.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-12084', 'CVE-2024-12085'],
    rel: '2026-10-11T13:00:00Z',
  }),
  u('gnupg2', ['gnupg2'], '2.3.3-4.el9', '2.3.3-5.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-30258'],
    rel: '2026-11-25T13:00:00Z',
  }),
  u('less', ['less'], '590-5.el9', '590-6.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2024-32487'],
    rel: '2026-10-27T15:00:00Z',
  }),
  u('ca-certificates', ['ca-certificates'], '2024.2.69_v8.0.303-91.4.el9_4', '2025.2.80_v9.0.305-91.el9', {
    repo: 'baseos',
    cls: 'enhancement',
    rel: '2026-11-03T13:00:00Z',
  }),
  u(
    'dracut',
    ['dracut', 'dracut-config-rescue', 'dracut-network', 'dracut-squash'],
    '057-120.git20260728.el9_8',
    '057-121.git20261020.el9_8',
    { repo: 'baseos', cls: 'bugfix', rel: '2026-11-06T15:00:00Z' },
  ),
  // Real AlmaLinux advisories (ALSA-2026:57610, ALSA-2026:54484, ALSA-2026:55440): hosts
  // that have not been patched since August.
  u('kbd', ['kbd', 'kbd-legacy', 'kbd-misc'], '2.4.0-11.el9', '2.4.0-12.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    erratum: '2026:57610',
    adv: ['CVE-2026-72693'],
    p: 0.3,
    rel: '2026-08-20T00:00:00Z',
  }),
  u('python-idna', ['python3-idna'], '2.10-7.el9_4.1', '2.10-8.el9_8', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    erratum: '2026:54484',
    adv: ['CVE-2026-45409'],
    p: 0.3,
    rel: '2026-08-13T00:00:00Z',
  }),
  u('glib2', ['glib2'], '2.68.4-19.el9_8.7', '2.68.4-19.el9_8.9', {
    repo: 'baseos',
    cls: 'security',
    sev: 'medium',
    erratum: '2026:55440',
    adv: ['CVE-2026-58010', 'CVE-2026-58011', 'CVE-2026-58012', 'CVE-2026-58013', 'CVE-2026-58014'],
    p: 0.3,
    rel: '2026-08-17T00:00:00Z',
  }),
  u(
    'firewalld',
    ['firewalld', 'firewalld-filesystem', 'python3-firewall'],
    '1.3.4-15.el9_8',
    '1.3.4-16.el9_8',
    {
      repo: 'baseos',
      cls: 'bugfix',
      rel: '2026-11-06T15:00:00Z',
    },
  ),
  u('chrony', ['chrony'], '4.6.1-2.el9_8', '4.6.1-3.el9_8', {
    repo: 'baseos',
    cls: 'bugfix',
    rel: '2026-11-06T15:00:00Z',
  }),
  u('audit', ['audit', 'audit-libs'], '3.1.5-4.el9', '3.1.5-7.el9_8', {
    repo: 'baseos',
    cls: 'bugfix',
    rel: '2026-11-06T15:00:00Z',
  }),
  u('rsyslog', ['rsyslog'], '8.2412.0-1.el9', '8.2412.0-2.el9_8', {
    repo: 'appstream',
    cls: 'bugfix',
    roles: SERVER,
    rel: '2026-11-06T15:00:00Z',
  }),
];

const EL_NOARCH = new Set([
  'bind-license',
  'ca-certificates',
  'dnf',
  'dnf-data',
  'firewalld',
  'firewalld-filesystem',
  'git-core-doc',
  'kbd-legacy',
  'kbd-misc',
  'perl-Git',
  'python-unversioned-command',
  'python3-dnf',
  'python3-firewall',
  'python3-idna',
  'selinux-policy',
  'selinux-policy-targeted',
  'systemd-rpm-macros',
  'tomcat',
  'tomcat-el-3.0-api',
  'tomcat-lib',
  'tzdata',
  'vim-filesystem',
  'yum',
]);

/** Packages the kernel installs side by side: the running one stays installed next to others. */
const INSTALL_ONLY = new Set([
  'kernel',
  'kernel-core',
  'kernel-modules',
  'kernel-modules-core',
  'kernel-default',
]);

const EL_BASE = [
  ['bash', '5.1.8-9.el9'],
  ['coreutils', '8.32-39.el9'],
  ['findutils', '1:4.8.0-7.el9'],
  ['grep', '3.6-5.el9'],
  ['gzip', '1.12-1.el9'],
  ['rpm', '4.16.1.3-39.el9'],
  ['sed', '4.8-9.el9'],
  ['shadow-utils', '2:4.9-12.el9'],
  ['tar', '2:1.34-7.el9'],
  ['util-linux', '2.37.4-21.el9'],
  ['xz', '5.2.5-8.el9_0'],
];

// SUSE Linux Enterprise Server for SAP Applications 15 SP6, zypper.
const SLE_BASE_REPO = 'SLE-Module-Basesystem15-SP6-Updates';
const SLES = [
  u('kernel-default', ['kernel-default'], '6.4.0-150600.23.60.1', '6.4.0-150600.23.73.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-53104', 'CVE-2025-38352', 'CVE-2025-39866'],
    rel: '2026-11-19T10:00:00Z',
    reboot: true,
    p: 1,
  }),
  u('glibc', ['glibc', 'glibc-locale', 'glibc-locale-base'], '2.38-150600.14.32.1', '2.38-150600.14.37.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-4802'],
    rel: '2026-10-28T13:00:00Z',
  }),
  u('openssl-3', ['libopenssl3', 'openssl-3'], '3.1.4-150600.5.33.1', '3.1.4-150600.5.39.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-9230', 'CVE-2025-9232'],
    rel: '2026-11-10T13:00:00Z',
    p: 0.9,
  }),
  u(
    'openssh',
    ['openssh', 'openssh-clients', 'openssh-common', 'openssh-server'],
    '9.6p1-150600.6.29.2',
    '9.6p1-150600.6.34.1',
    {
      repo: SLE_BASE_REPO,
      cls: 'security',
      sev: 'high',
      adv: ['CVE-2025-26465', 'CVE-2025-32728'],
      rel: '2026-11-29T21:00:00Z',
    },
  ),
  u('sudo', ['sudo'], '1.9.15p5-150600.3.9.1', '1.9.15p5-150600.3.12.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'critical',
    adv: ['CVE-2025-32462', 'CVE-2025-32463'],
    rel: '2026-11-05T10:00:00Z',
    p: 1,
  }),
  u('curl', ['curl', 'libcurl4'], '8.6.0-150600.4.24.1', '8.6.0-150600.4.29.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-9086', 'CVE-2025-10148'],
    rel: '2026-10-22T14:00:00Z',
  }),
  u(
    'systemd',
    ['libsystemd0', 'libudev1', 'systemd', 'udev'],
    '254.25-150600.4.40.1',
    '254.27-150600.4.46.1',
    {
      repo: SLE_BASE_REPO,
      cls: 'bugfix',
      rel: '2026-11-06T16:00:00Z',
    },
  ),
  u('timezone', ['timezone'], '2025b-150600.91.6.1', '2026a-150600.91.9.1', {
    repo: SLE_BASE_REPO,
    cls: 'bugfix',
    rel: '2026-10-29T11:00:00Z',
  }),
  u('zypper', ['libzypp', 'zypper'], '1.14.89-150600.10.34.1', '1.14.94-150600.10.42.1', {
    repo: SLE_BASE_REPO,
    cls: 'bugfix',
    rel: '2026-11-12T10:00:00Z',
  }),
  u('saptune', ['saptune'], '3.1.4-150600.3.3.1', '3.2.0-150600.3.6.1', {
    repo: 'SLE-Module-SAP-Applications15-SP6-Updates',
    cls: 'enhancement',
    rel: '2026-10-16T10:00:00Z',
    p: 0.8,
  }),
  u(
    'python311',
    ['libpython3_11-1_0', 'python311', 'python311-base'],
    '3.11.13-150600.3.30.1',
    '3.11.14-150600.3.35.1',
    {
      repo: 'SLE-Module-Python3-15-SP6-Updates',
      cls: 'security',
      sev: 'medium',
      adv: ['CVE-2025-6069', 'CVE-2025-8194'],
      rel: '2026-11-12T14:00:00Z',
    },
  ),
  u('libxml2', ['libxml2-2'], '2.10.3-150500.5.26.1', '2.10.3-150500.5.29.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-49794', 'CVE-2025-49796'],
    rel: '2026-10-15T12:00:00Z',
  }),
  u('krb5', ['krb5'], '1.20.1-150600.11.11.2', '1.20.1-150600.11.14.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-3576'],
    rel: '2026-11-04T14:00:00Z',
  }),
  u('vim', ['vim', 'vim-data-common'], '9.1.1406-150500.20.29.1', '9.1.1629-150500.20.33.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-53905', 'CVE-2025-53906'],
    rel: '2026-11-20T12:00:00Z',
  }),
  u('bash', ['bash'], '4.4-150400.27.3.2', '4.4-150400.27.6.1', {
    repo: SLE_BASE_REPO,
    cls: 'bugfix',
    rel: '2026-11-12T10:00:00Z',
  }),
  u('rsync', ['rsync'], '3.2.7-150600.3.8.1', '3.2.7-150600.3.11.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-12084', 'CVE-2024-12085'],
    rel: '2026-10-11T14:00:00Z',
  }),
  u('bind', ['bind-utils'], '9.18.33-150600.3.12.1', '9.18.41-150600.3.17.1', {
    repo: 'SLE-Module-Server-Applications15-SP6-Updates',
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-40778', 'CVE-2025-40780'],
    rel: '2026-10-23T14:00:00Z',
  }),
  u('ucode-intel', ['ucode-intel'], '20250512-150200.59.1', '20251111-150200.62.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    reboot: true,
    p: 0.5,
    rel: '2026-11-20T20:00:00Z',
  }),
  u('pam', ['pam'], '1.3.0-150000.6.83.1', '1.3.0-150000.6.86.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-6020'],
    rel: '2026-11-27T13:00:00Z',
  }),
  u('sqlite3', ['libsqlite3-0'], '3.44.0-150000.3.23.1', '3.50.2-150000.3.30.1', {
    repo: SLE_BASE_REPO,
    cls: 'security',
    sev: 'low',
    adv: ['CVE-2025-6965'],
    rel: '2026-10-20T18:00:00Z',
  }),
  u(
    'util-linux',
    ['libblkid1', 'libmount1', 'libsmartcols1', 'libuuid1', 'util-linux'],
    '2.39.3-150600.4.12.2',
    '2.39.3-150600.4.15.1',
    { repo: SLE_BASE_REPO, cls: 'bugfix', rel: '2026-11-06T16:00:00Z' },
  ),
];

const SLES_NOARCH = new Set(['vim-data-common', 'saptune']);

const SLES_BASE = [
  ['coreutils', '8.32-150400.9.9.1'],
  ['findutils', '4.8.0-150300.3.3.2'],
  ['grep', '3.11-150600.1.2'],
  ['rpm', '4.14.3-150400.59.16.1'],
  ['sapconf', '5.0.8-150400.3.3.1'],
  ['sed', '4.9-150600.1.4'],
  ['tar', '1.34-150000.3.37.1'],
];

// Windows: Windows Update (cumulative updates by KB number, their version the month they
// bring the system to; Defender and MSRT by their own versions) and winget for applications.
const WU = 'WindowsUpdate';
const CUMULATIVE = {
  // Windows 11 24H2 and Windows Server 2025 (build 26100). The November update fixes the two
  // Windows CVEs CISA listed that month.
  win11: {
    build: '10.0.26100.2033',
    patched: '10.0.26100.2314',
    installed: 'KB5044284',
    kb: 'KB5046617',
    adv: ['CVE-2024-43451', 'CVE-2024-49039', 'CVE-2024-43639', 'CVE-2024-43498'],
  },
  server2025: {
    build: '10.0.26100.2033',
    patched: '10.0.26100.2314',
    installed: 'KB5044284',
    kb: 'KB5046617',
    adv: ['CVE-2024-43451', 'CVE-2024-49039', 'CVE-2024-43639', 'CVE-2024-43498'],
  },
  // Windows Server 2022 (build 20348): the domain controllers.
  server2022: {
    build: '10.0.20348.2762',
    patched: '10.0.20348.2966',
    installed: 'KB5044281',
    kb: 'KB5048685',
    adv: ['CVE-2024-49138', 'CVE-2024-49112', 'CVE-2024-49090'],
  },
  // Windows 10 22H2 (build 19045): the lab instrument PCs and a few old machines.
  win10: {
    build: '10.0.19045.5011',
    patched: '10.0.19045.5131',
    installed: 'KB5044273',
    kb: 'KB5046613',
    adv: ['CVE-2024-43451', 'CVE-2024-49039', 'CVE-2024-43639'],
  },
};

const WINDOWS = [
  u('defender-platform', ['KB4052623'], '4.18.25090.3', '4.18.25100.9', {
    repo: WU,
    cls: 'enhancement',
    rel: '2026-11-04T18:00:00Z',
    p: 0.7,
  }),
  u('defender-definitions', ['KB2267602'], '1.441.123.0', '1.441.587.0', {
    repo: WU,
    cls: 'enhancement',
    rel: '2026-11-30T14:00:00Z',
    p: 0.9,
  }),
  u('msrt', ['KB890830'], '5.130', '5.131', { repo: WU, cls: 'bugfix', rel: '2026-11-10T18:00:00Z', p: 0.8 }),
];

/** winget applications: `who` is the departments that install it (`*` everyone, `servers`). */
const app = (id, from, to, opts) =>
  u(id, [id], from, to, { repo: 'winget', cls: 'enhancement', who: ['*'], p: 0.7, ...opts });
const WINGET = [
  app('Mozilla.Firefox', ['144.0.2', '131.0.3'], '145.0.2', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-4918', 'CVE-2025-4919'],
    behindAdvisories: ['CVE-2024-9680'],
    pBehind: 0.1,
    who: ['engineering', 'it', 'sales', 'hr', 'operations'],
    p: 0.8,
    rel: '2026-11-25T15:00:00Z',
  }),
  app('Mozilla.Firefox.ESR', '128.14.0', '140.5.0', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-4918', 'CVE-2025-4919'],
    who: ['finance'],
    p: 1,
    rel: '2026-11-25T15:00:00Z',
  }),
  app('Google.Chrome', ['142.0.7444.176', '137.0.7151.120'], '143.0.7499.41', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-13223', 'CVE-2025-13224'],
    behindAdvisories: ['CVE-2025-6554', 'CVE-2025-6558'],
    pBehind: 0.1,
    p: 0.9,
    rel: '2026-11-30T06:00:00Z',
  }),
  app('Microsoft.Edge', '142.0.3595.80', '143.0.3650.66', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-13223'],
    p: 0.6,
    rel: '2026-11-28T20:00:00Z',
  }),
  app('7zip.7zip', ['25.00', '24.08'], '25.01', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-55188'],
    behindAdvisories: ['CVE-2025-0411'],
    pBehind: 0.4,
    who: ['*', 'servers'],
    p: 0.5,
    rel: '2026-10-13T10:00:00Z',
  }),
  app('RARLab.WinRAR', '7.11.0', '7.13.0', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-8088', 'CVE-2025-6218'],
    who: ['sales', 'operations'],
    p: 0.4,
    rel: '2026-10-20T10:00:00Z',
  }),
  app('Notepad++.Notepad++', '8.8.1', '8.8.7', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-49144'],
    who: ['engineering', 'it'],
    rel: '2026-11-11T10:00:00Z',
  }),
  app('VideoLAN.VLC', '3.0.21', '3.0.22', { rel: '2026-10-06T10:00:00Z', p: 0.5 }),
  app('Adobe.Acrobat.Reader.64-bit', '25.001.20566', '25.001.20937', {
    cls: 'security',
    sev: 'critical',
    adv: ['APSB25-85'],
    p: 0.8,
    rel: '2026-11-11T17:00:00Z',
  }),
  app('Zoom.Zoom', '6.4.10.5412', '6.6.6.19875', {
    cls: 'security',
    sev: 'medium',
    adv: ['ZSB-25042'],
    rel: '2026-11-17T10:00:00Z',
  }),
  app('SlackTechnologies.Slack', '4.43.51', '4.46.104', {
    who: ['engineering', 'it', 'sales'],
    rel: '2026-11-02T10:00:00Z',
  }),
  app('Microsoft.Teams', '25275.2601.3958.4650', '25290.205.4069.4894', {
    rel: '2026-11-07T10:00:00Z',
    p: 0.8,
  }),
  app('Microsoft.VisualStudioCode', '1.104.3', '1.106.2', {
    who: ['engineering', 'it'],
    p: 0.8,
    rel: '2026-11-20T18:00:00Z',
  }),
  app('Git.Git', '2.51.0', '2.51.2', { who: ['engineering', 'it'], rel: '2026-10-28T10:00:00Z' }),
  app('PuTTY.PuTTY', ['0.81.0.0', '0.80.0.0'], '0.83.0.0', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2024-31497'],
    who: ['it', 'engineering'],
    rel: '2026-10-05T10:00:00Z',
  }),
  app('WinSCP.WinSCP', '6.5.3', '6.5.4', { who: ['it'], rel: '2026-10-21T10:00:00Z' }),
  app('KeePassXCTeam.KeePassXC', '2.7.10', '2.7.11', {
    cls: 'bugfix',
    who: ['it', 'engineering'],
    rel: '2026-11-08T10:00:00Z',
  }),
  app('Microsoft.PowerShell', '7.5.3.0', '7.5.4.0', {
    cls: 'bugfix',
    who: ['it', 'engineering', 'servers'],
    rel: '2026-10-21T18:00:00Z',
  }),
  app('Microsoft.DotNet.DesktopRuntime.8', '8.0.20', '8.0.22', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-55247', 'CVE-2025-55248'],
    p: 0.6,
    rel: '2026-11-11T18:00:00Z',
  }),
  app('Oracle.JavaRuntimeEnvironment', '8.0.461.11', '8.0.471.9', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-53057', 'CVE-2025-53066'],
    who: ['finance', 'operations'],
    p: 0.8,
    rel: '2026-10-21T20:00:00Z',
  }),
  app('TheDocumentFoundation.LibreOffice', '25.2.5.2', '25.8.3.2', {
    who: ['operations', 'hr'],
    rel: '2026-11-13T10:00:00Z',
  }),
  app('Citrix.Workspace', '2409.10.0.5', '2507.1.0.26', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-6759'],
    who: ['finance', 'sales', 'hr'],
    rel: '2026-10-14T10:00:00Z',
  }),
  app('WiresharkFoundation.Wireshark', '4.4.9', '4.6.1', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-11626'],
    who: ['it'],
    rel: '2026-11-19T10:00:00Z',
  }),
  app('Python.Python.3.12', '3.12.10', '3.12.12', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-6069', 'CVE-2025-8194'],
    who: ['engineering', 'it'],
    rel: '2026-10-10T10:00:00Z',
  }),
  app('Microsoft.OneDrive', '25.174.0907.0003', '25.194.1005.0002', { p: 0.8, rel: '2026-11-04T10:00:00Z' }),
  app('Greenshot.Greenshot', '1.3.290', '1.3.301', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-59050'],
    who: ['it', 'engineering', 'operations'],
    rel: '2026-10-09T10:00:00Z',
  }),
  app('TeamViewer.TeamViewer', '15.69.4', '15.71.5', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-44016'],
    who: ['it', 'operations'],
    rel: '2026-11-18T10:00:00Z',
  }),
  app('Microsoft.WindowsTerminal', '1.22.12111.0', '1.23.12811.0', {
    who: ['it', 'engineering'],
    rel: '2026-10-30T10:00:00Z',
  }),
  app('Microsoft.PowerToys', '0.94.2', '0.96.0', { who: ['it', 'engineering'], rel: '2026-11-19T10:00:00Z' }),
  app('Microsoft.AzureCLI', '2.77.0', '2.79.0', { who: ['it', 'engineering'], rel: '2026-11-04T10:00:00Z' }),
  app('Amazon.AWSCLI', '2.30.4', '2.31.39', { who: ['engineering'], rel: '2026-11-20T10:00:00Z' }),
  app('Docker.DockerDesktop', '4.44.0', '4.52.0', {
    cls: 'security',
    sev: 'critical',
    adv: ['CVE-2025-9074'],
    who: ['engineering'],
    p: 0.6,
    rel: '2026-11-18T10:00:00Z',
  }),
  app('Postman.Postman', '11.62.1', '11.72.0', { who: ['engineering'], rel: '2026-11-12T10:00:00Z' }),
  app('Microsoft.SQLServerManagementStudio', '21.4.12', '21.6.17', {
    who: ['finance', 'it'],
    rel: '2026-11-10T10:00:00Z',
  }),
  app('Mozilla.Thunderbird', '144.0.1', '145.0', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-9179', 'CVE-2025-9180'],
    who: ['engineering', 'it'],
    p: 0.5,
    rel: '2026-11-12T10:00:00Z',
  }),
  app('Microsoft.VCRedist.2015+.x64', '14.44.35211.0', '14.50.35719.0', {
    who: ['*', 'servers'],
    rel: '2026-11-12T10:00:00Z',
  }),
  app('Microsoft.EdgeWebView2Runtime', '142.0.3595.80', '143.0.3650.66', {
    cls: 'security',
    sev: 'high',
    adv: ['CVE-2025-13223'],
    p: 0.6,
    rel: '2026-11-28T20:00:00Z',
  }),
  app('Microsoft.RemoteDesktopClient', '1.2.6599.0', '1.2.6676.0', {
    who: ['it'],
    rel: '2026-10-14T10:00:00Z',
  }),
  app('Fortinet.FortiClientVPN', '7.4.3.1790', '7.4.3.1810', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-31366'],
    who: ['sales', 'engineering'],
    rel: '2026-10-14T10:00:00Z',
  }),
  app('Cisco.Webex', '45.6.1.32593', '45.10.0.33111', { who: ['sales', 'hr'], rel: '2026-11-05T10:00:00Z' }),
  app('Yubico.YubikeyManager', '1.2.6', '1.2.7', { cls: 'bugfix', who: ['it'], rel: '2026-10-27T10:00:00Z' }),
  app('Microsoft.AzureDataStudio', '1.51.1', '1.52.0', {
    who: ['finance'],
    p: 0.5,
    rel: '2026-10-15T10:00:00Z',
  }),
  app('Microsoft.PowerBI', '2.147.1085.0', '2.148.878.0', { who: ['finance'], rel: '2026-11-18T10:00:00Z' }),
  app('Grammarly.Grammarly', '1.2.193.1735', '1.2.203.1769', {
    who: ['sales', 'hr'],
    rel: '2026-11-24T10:00:00Z',
  }),
  app('Audacity.Audacity', '3.7.4', '3.7.5', { who: ['sales'], p: 0.4, rel: '2026-10-23T10:00:00Z' }),
  app('GIMP.GIMP.3', '3.0.4', '3.0.6', { who: ['sales'], p: 0.4, rel: '2026-10-07T10:00:00Z' }),
  app('Inkscape.Inkscape', '1.4.1', '1.4.2', { who: ['sales'], p: 0.4, rel: '2026-11-06T10:00:00Z' }),
  app('JetBrains.IntelliJIDEA.Community', '2025.2.1', '2025.2.5', {
    who: ['engineering'],
    rel: '2026-11-20T10:00:00Z',
  }),
  app('OpenJS.NodeJS.LTS', '22.19.0', '22.21.1', {
    cls: 'security',
    sev: 'medium',
    adv: ['CVE-2025-23166'],
    who: ['engineering'],
    rel: '2026-10-29T10:00:00Z',
  }),
  app('Microsoft.Azure.StorageExplorer', '1.39.1', '1.40.1', {
    who: ['engineering'],
    rel: '2026-11-03T10:00:00Z',
  }),
];

// ------------------------------------------------------------------ what happens where
//
// Hosts that carry a deliberately placed case. `force` lists catalogue entries that are pending
// whatever the dice say; `behind` makes the host run the older `from` (so the update also
// fixes KEV-listed CVEs); `skip` leaves entries out.

const SCENARIOS = {
  starter: {
    // held: the kernel metapackage is held with apt-mark, and an update for it is pending.
    'fra-web-01': { held: ['linux-image-amd64'], force: ['linux', 'openssl', 'tzdata'] },
    // not-approved-yet: openssh was released 2026-11-29 (security-servers waits 3d);
    // classification: systemd is a bugfix and security-servers takes security only.
    'fra-web-02': { force: ['openssh', 'systemd', 'curl'] },
    // exception fra-db-01-postgresql: postgresql-16 and postgresql-client-16 are waived.
    'fra-db-01': { force: ['postgresql-16', 'libpq5', 'sudo'] },
    // emergency track: git still lacks the fix for KEV-listed CVE-2025-48384.
    'fra-app-01': { force: ['git', 'kernel', 'dnf'], behind: ['git'] },
    // emergency track (KB5046617 fixes KEV CVE-2024-43451 and CVE-2024-49039, and the
    // workstation policy ignores windows for it); Google.Chrome (released 2026-11-30) is not
    // approved yet under browsers; PowerToys is an enhancement the security policy skips.
    'fra-ws-01': { force: ['cumulative', 'Google.Chrome', 'Microsoft.PowerToys', 'Notepad++.Notepad++'] },
    'fra-ws-02': { force: ['cumulative', 'Mozilla.Firefox', '7zip.7zip'], behind: ['7zip.7zip'] },
    'fra-ws-03': { force: ['google-chrome-stable', 'glibc', 'cups', 'ubuntu-pro-client'] },
    // emergency track: the kernel update also fixes KEV-listed CVE-2024-53104.
    'nyc-web-01': { force: ['linux-meta', 'nginx', 'tzdata'], behind: ['linux-meta'] },
    // open-vm-tools: a security update that a policy excluding `open-vm-tools` (the
    // virtualisation team updates it) skips as `excluded`.
    'nyc-web-02': { force: ['openssl', 'openssh', 'open-vm-tools'] },
    // host-unreachable, with its last good data.
    'nyc-db-01': {
      unreachable: { error: 'connect ETIMEDOUT 198.51.100.21:22', lastReachableAt: '2026-11-20T22:04:11Z' },
      force: ['postgresql', 'kernel', 'openssl'],
    },
    // held: the application vendor certifies one JRE build.
    'nyc-app-01': { held: ['openjdk-17-jre-headless'], force: ['openjdk-17', 'bind9'] },
    'nyc-ws-01': { force: ['cumulative', 'Google.Chrome', 'Adobe.Acrobat.Reader.64-bit'] },
    // host-unreachable: a laptop that is off the network.
    'nyc-ws-02.corp.example.net': {
      unreachable: {
        error: 'getaddrinfo ENOTFOUND nyc-ws-02.corp.example.net',
        lastReachableAt: '2026-11-26T16:42:09Z',
      },
      force: ['cumulative', 'Zoom.Zoom'],
    },
  },
  enterprise: {
    // held.
    'fra-web-04': { held: ['linux-image-amd64'], force: ['linux'] },
    'nyc-app-06': {
      held: ['kernel', 'kernel-core', 'kernel-modules', 'kernel-modules-core'],
      force: ['kernel'],
    },
    'syd-web-03': {
      held: ['linux-generic', 'linux-headers-generic', 'linux-image-generic'],
      force: ['linux-meta'],
    },
    // host-unreachable.
    'fra-web-11': {
      unreachable: { error: 'connect ETIMEDOUT 192.0.2.20:22', lastReachableAt: '2026-11-23T22:17:40Z' },
    },
    'syd-app-09': {
      unreachable: {
        error: 'connect ETIMEDOUT 203.0.113.30:22 (through jump host bastion.syd.example.net)',
        lastReachableAt: '2026-11-27T22:31:02Z',
      },
    },
    'nyc-ws-0042': {
      unreachable: {
        error: 'getaddrinfo ENOTFOUND nyc-ws-0042.nyc.corp.example.net',
        lastReachableAt: '2026-11-18T15:12:55Z',
      },
    },
    // exceptions (exceptions/*.yaml name these packages and advisories).
    'nyc-db-02': { force: ['postgresql'] },
    'nyc-db-05': { force: ['postgresql'] },
    'nyc-app-04': { force: ['git'] },
    'fra-app-10': { force: ['java-17-openjdk'] },
    'fra-app-11': { force: ['java-17-openjdk'] },
    'fra-app-12': { force: ['java-17-openjdk'] },
    'syd-web-05': { force: ['nginx'] },
    'syd-web-06': { force: ['nginx'] },
    'syd-mon-01': { force: ['zabbix'] },
    'nyc-ws-0007': { windows: 'win10', force: ['cumulative'] },
    'nyc-ws-0008': { windows: 'win10', force: ['cumulative'] },
    // pinned: databases-conservative pins pgbouncer to '>=1.21 <1.24'.
    'fra-db-02': { force: ['pgbouncer'] },
    'fra-db-04': { force: ['pgbouncer'] },
    'syd-db-02': { force: ['pgbouncer'] },
    'syd-db-04': { force: ['pgbouncer'] },
    // emergency track on a PCI host: Tomcat fixes KEV-listed CVE-2025-24813.
    'nyc-app-16': { force: ['tomcat', 'kernel'], behind: ['kernel'] },
    // reboot pending after an earlier kernel update.
    'fra-app-05': { rebootRequired: true },
    'nyc-web-07': { rebootRequired: true },
  },
};

/** Every exception and pin target is forced where the documents name it (checked below). */
const FORCED_EVERYWHERE = {
  enterprise: [
    // exception sap-kernel-certification: kernel-default on every SAP host (group role-sap).
    { when: (h) => h.role === 'sap', force: ['kernel-default'] },
    // exceptions fra-print-spooler-kb (KB5046617, group fra-windows-servers) and
    // dc-kerberos-legacy-nas (KB5048685, group role-dc): the November cumulative update.
    { when: (h) => h.os === 'windows' && h.role !== 'workstation', force: ['cumulative'] },
    // exception finance-firefox-esr: finance stays on Firefox ESR 128.
    { when: (h) => h.dept === 'finance', force: ['Mozilla.Firefox.ESR'] },
  ],
  starter: [],
};

// ------------------------------------------------------------------ hosts

function readYamlDocs(file) {
  return parseAllDocuments(readFileSync(file, 'utf8'), { schema: 'core' }).map((d) => d.toJS());
}

function configOf(dir) {
  const config = parseYaml(readFileSync(path.join(dir, 'patchctl.yaml'), 'utf8'), { schema: 'core' });
  const paths = config?.spec?.paths ?? {};
  return {
    inventory: paths.inventory ?? 'inventory',
    state: paths.state ?? 'state',
    advisories: paths.advisories ?? 'advisories',
  };
}

function inventoryHosts(dir, paths) {
  const invDir = path.join(dir, paths.inventory);
  const hosts = [];
  for (const file of readdirSync(invDir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of readYamlDocs(path.join(invDir, file))) {
      if (doc?.kind !== 'Inventory') continue;
      const defaults = doc.spec.defaults ?? {};
      for (const h of doc.spec.hosts) {
        const labels = { ...(defaults.labels ?? {}), ...(h.labels ?? {}) };
        hosts.push({
          name: h.name,
          os: h.os ?? defaults.os,
          role: labels.role ?? 'server',
          env: labels.env,
          dept: labels.dept,
          labels,
        });
      }
    }
  }
  return hosts;
}

// ------------------------------------------------------------------ one host

function roleMatches(entry, host) {
  if (entry.roles.includes('*')) return true;
  return entry.roles.includes(host.role);
}

function appMatches(entry, host) {
  if (host.role !== 'workstation') return entry.who.includes('servers');
  return entry.who.includes('*') || entry.who.includes(host.dept ?? 'engineering');
}

const PROFILES = {
  debian: {
    catalog: DEBIAN,
    allArch: DEBIAN_ALL_ARCH,
    arch: 'amd64',
    indepArch: 'all',
    base: DEBIAN_BASE,
    manager: 'apt',
    os: (kernel) => ({ family: 'debian', id: 'debian', version: '12', kernel }),
  },
  ubuntu: {
    catalog: UBUNTU,
    allArch: UBUNTU_ALL_ARCH,
    arch: 'amd64',
    indepArch: 'all',
    base: UBUNTU_BASE,
    manager: 'apt',
    os: (kernel) => ({ family: 'debian', id: 'ubuntu', version: '22.04', kernel }),
  },
  rhel: {
    catalog: EL,
    allArch: EL_NOARCH,
    arch: 'x86_64',
    indepArch: 'noarch',
    base: EL_BASE,
    manager: 'dnf',
    erratum: 'RHSA',
    repos: { baseos: 'rhel-9-for-x86_64-baseos-rpms', appstream: 'rhel-9-for-x86_64-appstream-rpms' },
    os: (kernel) => ({ family: 'rhel', id: 'rhel', version: '9.8', kernel }),
  },
  almalinux: {
    catalog: EL,
    allArch: EL_NOARCH,
    arch: 'x86_64',
    indepArch: 'noarch',
    base: EL_BASE,
    manager: 'dnf',
    erratum: 'ALSA',
    repos: {},
    os: (kernel) => ({ family: 'rhel', id: 'almalinux', version: '9.8', kernel }),
  },
  sles: {
    catalog: SLES,
    allArch: SLES_NOARCH,
    arch: 'x86_64',
    indepArch: 'noarch',
    base: SLES_BASE,
    manager: 'zypper',
    os: (kernel) => ({ family: 'suse', id: 'sles_sap', version: '15.6', kernel }),
  },
};

/** The running kernel, from the kernel package's installed version. */
function kernelRelease(osName, version) {
  switch (osName) {
    case 'debian':
      return { '6.1.140-1': '6.1.0-37-amd64', '6.1.129-1': '6.1.0-32-amd64', '6.1.158-1': '6.1.0-41-amd64' }[
        version
      ];
    case 'ubuntu': {
      const abi = version.split('.')[3];
      return `5.15.0-${abi}-generic`;
    }
    case 'rhel':
    case 'almalinux':
      return `${version}.x86_64`;
    case 'sles':
      return `${version.replace(/\.1$/, '')}-default`;
    default:
      return undefined;
  }
}

const KERNEL_SOURCE = {
  debian: 'linux',
  ubuntu: 'linux-meta',
  rhel: 'kernel',
  almalinux: 'kernel',
  sles: 'kernel-default',
};

function generateHost(example, host) {
  const rng = seeded(hash(`${example}/${host.name}`));
  const scenario = { ...(SCENARIOS[example][host.name] ?? {}) };
  const force = new Set(scenario.force ?? []);
  for (const rule of FORCED_EVERYWHERE[example]) if (rule.when(host)) rule.force.forEach((f) => force.add(f));
  const behind = new Set(scenario.behind ?? []);
  const minute = Math.floor(rng() * 60);
  const second = Math.floor(rng() * 60);
  const scannedAt = `${SCAN_HOUR}:${pad(minute)}:${pad(second)}Z`;
  const seenUntil = scenario.unreachable?.lastReachableAt ?? scannedAt;

  const windows = host.os === 'windows';
  const profile = windows ? undefined : PROFILES[host.os];
  if (!windows && !profile) throw new Error(`${example}/${host.name}: no profile for os ${host.os}`);

  // Which entries the host has installed, and which of them are pending.
  let entries;
  let cumulative;
  if (windows) {
    const flavour =
      scenario.windows ??
      (host.role === 'dc'
        ? 'server2022'
        : host.role !== 'workstation'
          ? 'server2025'
          : rng() < 0.03
            ? 'win10'
            : 'win11');
    cumulative = CUMULATIVE[flavour];
    const cu = u('cumulative', [cumulative.kb], '2026-10', '2026-11', {
      repo: WU,
      cls: 'security',
      sev: 'critical',
      adv: [cumulative.kb, ...cumulative.adv],
      rel: '2026-11-10T18:00:00Z',
      reboot: true,
      p: 0.9,
    });
    entries = [cu, ...WINDOWS, ...WINGET.filter((e) => appMatches(e, host))];
  } else {
    entries = profile.catalog.filter((e) => roleMatches(e, host) || force.has(e.src));
  }
  for (const f of force) {
    if (!entries.some((e) => e.src === f)) {
      // A forced entry outside the host's usual software (e.g. a browser a department lacks).
      const extra = [...(windows ? WINGET : profile.catalog)].find((e) => e.src === f);
      if (!extra) throw new Error(`${example}/${host.name}: forced "${f}" is not in its catalogue`);
      entries.push(extra);
    }
  }

  const decisions = entries.map((e) => {
    const roll = rng();
    const behindRoll = rng();
    // An update released after the last successful scan is unknown to the state: the host
    // still runs `from`, and no update is listed.
    const unseen = e.rel > seenUntil;
    const pending = !unseen && (force.has(e.src) || roll < e.p);
    const isBehind = e.from.length > 1 && (behind.has(e.src) || behindRoll < (e.pBehind ?? 0));
    return { e, pending, unseen, isBehind };
  });

  // The starter keeps each host small: 5 to 15 pending updates, the forced ones first.
  if (example === 'starter') {
    const target = 5 + Math.floor(rng() * 11);
    const order = decisions
      .map((d) => ({ d, key: force.has(d.e.src) ? -1 : rng() }))
      .sort((a, b) => a.key - b.key);
    let count = 0;
    for (const { d } of order) {
      if (!d.pending) continue;
      const n = d.e.bins.length;
      if (force.has(d.e.src) || count + n <= target) count += n;
      else d.pending = false;
    }
  }

  const installed = [];
  const updates = [];
  const archOf = (bin) => (windows ? undefined : profile.allArch.has(bin) ? profile.indepArch : profile.arch);
  for (const { e, pending, unseen, isBehind } of decisions) {
    const from = isBehind ? e.from[1] : e.from[0];
    const current = pending || unseen ? from : e.to;
    const advisories = [...(e.adv ?? [])];
    if (isBehind) advisories.push(...(e.behindAdvisories ?? []));
    if (e.erratum && profile) advisories.unshift(`${profile.erratum}-${e.erratum}`);
    for (const bin of e.bins) {
      const arch = archOf(bin);
      if (windows && e.src === 'cumulative') {
        // The installed cumulative update is the previous month's KB.
        installed.push({ name: pending || unseen ? cumulative.installed : bin, version: current });
      } else {
        installed.push(withArch({ name: bin, version: current }, arch));
        if (INSTALL_ONLY.has(bin) && pending) {
          // An older kernel stays installed next to the running one.
          installed.push(withArch({ name: bin, version: olderKernel(host.os, from) }, arch));
        }
      }
      if (!pending) continue;
      const update = { name: bin, from, to: e.to };
      if (arch) update.arch = arch;
      update.source = profile?.repos?.[e.repo] ?? e.repo;
      update.classification = e.cls;
      if (e.sev) update.severity = e.sev;
      if (advisories.length > 0) update.advisories = [...new Set(advisories)];
      update.releasedAt = e.rel;
      if (e.reboot && (!e.rebootBins || e.rebootBins.includes(bin))) update.rebootRequired = true;
      updates.push(update);
    }
  }
  if (profile) {
    for (const [name, version] of profile.base) installed.push(withArch({ name, version }, profile.arch));
  }

  let os;
  if (windows) {
    const cu = decisions.find((d) => d.e.src === 'cumulative');
    os = {
      family: 'windows',
      id: 'windows',
      version: cu?.pending || cu?.unseen ? cumulative.build : cumulative.patched,
    };
  } else {
    const kernelEntry = decisions.find((d) => d.e.src === KERNEL_SOURCE[host.os]);
    const kernelVersion = kernelEntry
      ? kernelEntry.pending || kernelEntry.unseen
        ? kernelEntry.isBehind
          ? kernelEntry.e.from[1]
          : kernelEntry.e.from[0]
        : kernelEntry.e.to
      : undefined;
    os = profile.os(kernelVersion ? kernelRelease(host.os, kernelVersion) : undefined);
    if (os.kernel === undefined) delete os.kernel;
    if (host.os === 'debian' && kernelVersion) {
      // The ABI package the metapackage depends on.
      installed.push({ name: `linux-image-${os.kernel}`, version: kernelVersion, arch: 'amd64' });
    }
  }

  const byName = (a, b) =>
    cmp(a.name, b.name) || cmp(a.arch ?? '', b.arch ?? '') || cmp(a.version ?? '', b.version ?? '');
  installed.sort(byName);
  updates.sort(byName);

  const state = { formatVersion: 1, host: host.name, scannedAt };
  if (scenario.unreachable) {
    state.reachable = false;
    state.error = scenario.unreachable.error;
    state.lastReachableAt = scenario.unreachable.lastReachableAt;
  } else {
    state.reachable = true;
  }
  state.os = os;
  state.packageManager = windows ? 'winupdate' : profile.manager;
  if (!windows) state.bootId = uuid(rng);
  state.rebootRequired = Boolean(scenario.rebootRequired);
  state.installed = installed;
  state.updates = updates;
  state.held = [...(scenario.held ?? [])].sort(cmp);
  for (const h of state.held) {
    if (!installed.some((p) => p.name === h))
      throw new Error(`${example}/${host.name}: held ${h} is not installed`);
  }
  return state;
}

function withArch(pkg, arch) {
  return arch ? { ...pkg, arch } : pkg;
}

function olderKernel(osName, version) {
  if (osName === 'sles') return version.replace(/\.(\d+)\.1$/, (_m, n) => `.${Number(n) - 9}.1`);
  return version.replace(/-(\d+)\.(\d+)\.1\./, (_m, a, b) => `-${a}.${Math.max(1, Number(b) - 12)}.1.`);
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ------------------------------------------------------------------ rollouts

/** servers: the canary ring finished on 2026-11-27 and has been healthy since 2026-11-28, so
 *  its 2d bake time is over at 2026-12-01. workstations: one canary laptop failed and was fixed
 *  on 2026-11-30, so the ring's 2d bake time runs until 2026-12-02T09:00Z. */
const ROLLOUTS = {
  enterprise: [
    {
      formatVersion: 1,
      rollout: 'servers',
      updatedAt: '2026-11-28T00:00:00Z',
      rings: {
        canary: {
          status: 'completed',
          startedAt: '2026-11-24T18:00:00Z',
          finishedAt: '2026-11-27T23:12:45Z',
          healthySince: '2026-11-28T00:00:00Z',
          failures: 0,
        },
        pilot: { status: 'pending' },
        early: { status: 'pending' },
        broad: { status: 'pending' },
      },
    },
    {
      formatVersion: 1,
      rollout: 'workstations',
      updatedAt: '2026-11-30T09:00:00Z',
      rings: {
        canary: {
          status: 'completed',
          startedAt: '2026-11-25T11:00:00Z',
          finishedAt: '2026-11-26T18:41:20Z',
          healthySince: '2026-11-30T09:00:00Z',
          failures: 1,
        },
        broad: { status: 'pending' },
      },
    },
  ],
  starter: [],
};

// ------------------------------------------------------------------ checks and output

function stateValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  for (const f of ['common.schema.json', 'host-state.schema.json', 'rollout-state.schema.json']) {
    ajv.addSchema(JSON.parse(readFileSync(path.join(ROOT, 'schemas', f), 'utf8')));
  }
  const get = (f) => ajv.getSchema(`https://patchctl.dev/schemas/v1/${f}`);
  return { host: get('host-state.schema.json'), rollout: get('rollout-state.schema.json'), ajv };
}

/** 2-space JSON with one line per installed package (prettier keeps those on one line), so that
 *  a package changing version is a one-line diff. */
function hostJson(state) {
  const marker = '"__installed__"';
  const text = JSON.stringify({ ...state, installed: '__installed__' }, null, 2);
  const lines = state.installed.map((p) => `    ${JSON.stringify(p)}`).join(',\n');
  return text.replace(marker, state.installed.length > 0 ? `[\n${lines}\n  ]` : '[]');
}

function kevIdsOf(file) {
  const catalogue = JSON.parse(readFileSync(file, 'utf8'));
  return new Set(catalogue.vulnerabilities.map((v) => v.cveID));
}

async function writeKevSlice(source, targets, options) {
  const catalogue = JSON.parse(readFileSync(source, 'utf8'));
  const vulnerabilities = catalogue.vulnerabilities.filter((v) => KEV.has(v.cveID));
  const missing = KEV_SLICE.filter((id) => !vulnerabilities.some((v) => v.cveID === id));
  if (missing.length > 0) throw new Error(`not in ${source}: ${missing.join(', ')}`);
  const slice = { ...catalogue, count: vulnerabilities.length, vulnerabilities };
  const text = await prettier.format(JSON.stringify(slice, null, 2), { ...options, parser: 'json' });
  for (const t of targets) writeFileSync(t, text);
  return vulnerabilities.length;
}

async function main() {
  const args = process.argv.slice(2);
  const kevIndex = args.indexOf('--kev');
  const kevSource = kevIndex >= 0 ? args[kevIndex + 1] : undefined;
  if (kevIndex >= 0 && !kevSource) throw new Error('--kev needs the path of the KEV catalogue');
  const options = (await prettier.resolveConfig(path.join(ROOT, 'examples', 'x.json'))) ?? {};
  const validators = stateValidators();

  const dirs = EXAMPLES.map((name) => ({ name, dir: path.join(ROOT, 'examples', name) }));
  for (const d of dirs) d.paths = configOf(d.dir);
  if (kevSource) {
    const n = await writeKevSlice(
      kevSource,
      dirs.map((d) => path.join(d.dir, d.paths.advisories, 'kev.json')),
      options,
    );
    console.log(`advisories/kev.json: ${n} entries`);
  }

  for (const { name, dir, paths } of dirs) {
    const kevFile = path.join(dir, paths.advisories, 'kev.json');
    const inFeed = existsSync(kevFile) ? kevIdsOf(kevFile) : new Set();
    const missing = KEV_SLICE.filter((id) => !inFeed.has(id));
    if (missing.length > 0) {
      throw new Error(`${kevFile} lacks ${missing.join(', ')}: rerun with --kev <catalogue>`);
    }
    const hosts = inventoryHosts(dir, paths);
    for (const h of Object.keys(SCENARIOS[name])) {
      if (!hosts.some((x) => x.name === h))
        throw new Error(`${name}: scenario host ${h} is not in the inventory`);
    }
    const stateDir = path.join(dir, paths.state);
    rmSync(path.join(stateDir, 'hosts'), { recursive: true, force: true });
    rmSync(path.join(stateDir, 'rollouts'), { recursive: true, force: true });
    mkdirSync(path.join(stateDir, 'hosts'), { recursive: true });

    let bytes = 0;
    let updates = 0;
    const kevUsed = new Set();
    for (const host of hosts) {
      const state = generateHost(name, host);
      if (!validators.host(state)) {
        throw new Error(`${name}/${host.name}: ${validators.ajv.errorsText(validators.host.errors)}`);
      }
      updates += state.updates.length;
      for (const up of state.updates) for (const a of up.advisories ?? []) if (KEV.has(a)) kevUsed.add(a);
      const text = await prettier.format(hostJson(state), { ...options, parser: 'json' });
      writeFileSync(path.join(stateDir, 'hosts', `${host.name}.json`), text);
      bytes += Buffer.byteLength(text);
    }
    const rollouts = ROLLOUTS[name];
    if (rollouts.length > 0) mkdirSync(path.join(stateDir, 'rollouts'), { recursive: true });
    for (const r of rollouts) {
      if (!validators.rollout(r)) throw new Error(`${name}/${r.rollout}: ${validators.ajv.errorsText()}`);
      const text = await prettier.format(JSON.stringify(r, null, 2), { ...options, parser: 'json' });
      writeFileSync(path.join(stateDir, 'rollouts', `${r.rollout}.json`), text);
      bytes += Buffer.byteLength(text);
    }
    console.log(
      `examples/${name}/${paths.state}: ${hosts.length} hosts, ${updates} pending updates, ` +
        `${rollouts.length} rollouts, ${(bytes / 1024 / 1024).toFixed(1)} MB; ` +
        `KEV CVEs in use: ${kevUsed.size}`,
    );
  }
}

await main();
