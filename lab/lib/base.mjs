// The hosts' shared lower layer: one debootstrap minbase Debian root with openssh-server and
// sudo (stage 1, cached as a tarball), plus the lab's own setup (stage 2, cached as a second
// tarball): the test packages at 1.0, a held package, the patchctl user and its sudo rule,
// sshd settings, the lab apt source, and stand-ins for reboot/shutdown.
//
// Everything runs chrooted inside a private mount+PID namespace (`unshare`), so the /proc and
// bind mounts the build needs disappear with it, and with a clean environment: the machine's
// own apt and dpkg are never pointed at this root.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { HOST_APT_MOUNT, hostSourcesList, installedDebs, PACKAGES } from './packages.mjs';
import { elapsed, LabError, paths, run, runStreaming, say, which } from './util.mjs';

/** Debian release of the hosts: the machine's own (bookworm here: docs/architecture.md, "What the lab relies on"). */
export function hostSuite() {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  const codename = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(osRelease)?.[2];
  return codename ?? 'bookworm';
}

// python3 and python3-apt are on every real Debian server, and Ansible's apt module (the
// comparison point of `npm run bench`) needs them on the host.
export const STAGE1_PACKAGES = ['openssh-server', 'sudo', 'python3', 'python3-apt'];
export const PATCHCTL_UID = 2000;

/**
 * The mirror the machine's apt already uses for `suite`: the first `deb` entry naming that
 * suite in /etc/apt/sources.list, /etc/apt/sources.list.d/*.list or *.sources (deb822).
 */
export function machineMirror(suite) {
  const files = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(path.join('/etc/apt/sources.list.d', f));
    }
  }
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const entries = file.endsWith('.sources') ? deb822Entries(text) : oneLineEntries(text);
    for (const e of entries) {
      if (e.types.includes('deb') && e.suites.includes(suite) && e.uris[0]) {
        return { uri: e.uris[0].replace(/\/+$/, ''), keyring: e.signedBy, file };
      }
    }
  }
  throw new LabError(
    `no "deb" source for ${suite} in /etc/apt/sources.list or /etc/apt/sources.list.d/: the lab builds its hosts from the mirror this machine's apt uses`,
  );
}

function deb822Entries(text) {
  const out = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = {};
    let last;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) {
        last = m[1].toLowerCase();
        fields[last] = m[2].trim();
      } else if (/^\s/.test(line) && last) fields[last] += ` ${line.trim()}`;
    }
    if (!fields.uris || (fields.enabled ?? 'yes').toLowerCase() === 'no') continue;
    const words = (v) => (v ?? '').split(/\s+/).filter(Boolean);
    out.push({
      types: words(fields.types),
      uris: words(fields.uris),
      suites: words(fields.suites),
      signedBy: fields['signed-by']?.startsWith('/') ? fields['signed-by'] : undefined,
    });
  }
  return out;
}

function oneLineEntries(text) {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const signedBy = /(?:^|\s)signed-by=(\/\S+)/.exec(m[2] ?? '')?.[1];
    out.push({ types: [m[1]], uris: [m[3]], suites: [m[4]], signedBy });
  }
  return out;
}

export function machineArch() {
  return run('dpkg', ['--print-architecture']).trim();
}

function digest(value) {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

/**
 * Runs a bash script chrooted-build style inside a fresh mount+PID namespace: the script gets
 * R (the root) and may mount freely; everything is unmounted when the namespace ends.
 */
function inBuildNamespace(root, script, label, extraEnv = {}) {
  const full = `set -euo pipefail
mount -t proc proc "$R/proc"
${script}`;
  return runStreaming(
    'unshare',
    ['--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', 'bash', '-c', full],
    { label, env: { ...cleanBuildEnv(), R: root, ...extraEnv } },
  );
}

function cleanBuildEnv() {
  return {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    LC_ALL: 'C',
    DEBIAN_FRONTEND: 'noninteractive',
  };
}

/**
 * The proxy the machine's apt uses (Acquire::http::Proxy), or the caller's http_proxy, for
 * the downloads of debootstrap and of apt in the build chroot. Nothing else passes through.
 */
export function proxyEnv() {
  const out = {};
  const aptProxy = run(
    'apt-config',
    ['shell', 'HTTP', 'Acquire::http::Proxy', 'HTTPS', 'Acquire::https::Proxy'],
    {
      allowFail: true,
    },
  );
  const fromApt = (key) => new RegExp(`^${key}='([^']+)'$`, 'm').exec(aptProxy.stdout ?? '')?.[1];
  const http = fromApt('HTTP') ?? process.env.http_proxy ?? process.env.HTTP_PROXY;
  const https = fromApt('HTTPS') ?? process.env.https_proxy ?? process.env.HTTPS_PROXY;
  const no = process.env.no_proxy ?? process.env.NO_PROXY;
  if (http && /^https?:\/\//.test(http)) out.http_proxy = http;
  if (https && /^https?:\/\//.test(https)) out.https_proxy = https;
  if (no) out.no_proxy = no;
  return out;
}

/** Stage 1: debootstrap minbase + openssh-server + sudo, cached as .lab/cache/stage1-*.tar.zst (or .tar.gz). */
export async function ensureStage1(arch) {
  const suite = hostSuite();
  const mirror = machineMirror(suite);
  const key = digest({ suite, arch, mirror: mirror.uri, packages: STAGE1_PACKAGES, v: 1 });
  const tarball = path.join(paths.cache, `stage1-${suite}-${arch}-${key}.${compression().ext}`);
  if (existsSync(tarball)) return { tarball, key };
  mkdirSync(paths.cache, { recursive: true });
  const build = path.join(paths.cache, `build-stage1-${process.pid}`);
  rmSync(build, { recursive: true, force: true });
  const t0 = Date.now();
  say(`building the base root: debootstrap --variant=minbase ${suite} from ${mirror.uri} (${mirror.file})`);
  const args = ['--variant=minbase', `--arch=${arch}`, '--components=main'];
  if (mirror.keyring && existsSync(mirror.keyring)) args.push(`--keyring=${mirror.keyring}`);
  try {
    const proxy = proxyEnv();
    await runStreaming('debootstrap', [...args, suite, build, mirror.uri], {
      label: 'debootstrap',
      env: { ...cleanBuildEnv(), ...proxy },
    });
    say(`debootstrap done in ${elapsed(t0)}; installing ${STAGE1_PACKAGES.join(', ')}`);
    // No service may start inside the build (or later inside a host): policy-rc.d says 101.
    writeFileSync(
      path.join(build, 'usr/sbin/policy-rc.d'),
      '#!/bin/sh\n# lab: never start services\nexit 101\n',
      {
        mode: 0o755,
      },
    );
    if (!existsSync(path.join(build, 'etc/resolv.conf')) && existsSync('/etc/resolv.conf')) {
      writeFileSync(path.join(build, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
    }
    await inBuildNamespace(
      build,
      `chroot "$R" apt-get update -q
chroot "$R" apt-get install -y -q --no-install-recommends ${STAGE1_PACKAGES.join(' ')}
chroot "$R" apt-get clean`,
      'stage1',
      proxy,
    );
    // Per-host keys are made in each host's upper dir: the base must hold none.
    run(
      'bash',
      ['-c', 'rm -f "$R"/etc/ssh/ssh_host_* && rm -rf "$R"/var/lib/apt/lists/* && : > "$R/etc/resolv.conf"'],
      {
        env: { ...cleanBuildEnv(), R: build },
      },
    );
    await tarDir(build, tarball);
    say(`stage 1 cached in ${path.relative(process.cwd(), tarball) || tarball} (${elapsed(t0)})`);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return { tarball, key };
}

/** zstd when the machine has it (about ten times faster than gzip here), else gzip. */
function compression() {
  return which('zstd') ? { ext: 'tar.zst', flag: '--zstd' } : { ext: 'tar.gz', flag: '--gzip' };
}

async function tarDir(dir, tarball) {
  const tmp = `${tarball}.tmp`;
  await runStreaming('tar', ['--numeric-owner', '--xattrs', compression().flag, '-cf', tmp, '-C', dir, '.'], {
    label: 'tar',
  });
  renameSync(tmp, tarball);
}

function untar(tarball, dir) {
  const flag = tarball.endsWith('.zst') ? '--zstd' : '--gzip';
  run('tar', ['--numeric-owner', '--xattrs', flag, '-xf', tarball, '-C', dir]);
}

const SSHD_CONFIG = `# patchctl lab: sshd of a test host (PID 1 of the host's PID namespace).
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers patchctl
UseDNS no
# Tests open many sessions and connections at once.
MaxSessions 64
MaxStartups 200:30:400
`;

const SUDOERS = `# patchctl lab: the patchctl user runs anything as root without a password (sudo -n).
# Deliberately broad: patchctl runs apt-get, dpkg, apt-mark, flock, its hooks and reboot through
# sudo. \`node lab/lab.mjs sudo deny HOST\` removes this file to test a host where sudo is denied.
patchctl ALL=(ALL:ALL) NOPASSWD: ALL
`;

// No init system in a lab host: sshd is PID 1. These stand-ins ask the host's keeper (outside)
// for a reboot by leaving a flag in the host's own file system and stopping PID 1, which ends
// the host's namespaces like a power cycle; the keeper then starts it again with a new boot id.
const REBOOT_SCRIPT = `#!/bin/sh
# patchctl lab stand-in for reboot/shutdown/poweroff (there is no init system in a lab host).
# reboot, shutdown -r: the host restarts (new boot id, fresh /run). poweroff, halt, shutdown -h/-P: it stays down.
[ "$(id -u)" = 0 ] || { echo "$0: must be root" >&2; exit 1; }
action=reboot
case "$(basename "$0")" in
  poweroff|halt) action=halt ;;
  shutdown)
    action=halt
    for a in "$@"; do case "$a" in -r|--reboot) action=reboot ;; -c) echo "shutdown: nothing scheduled" >&2; exit 1 ;; esac; done ;;
esac
mkdir -p /var/lib/lab
if [ "$action" = reboot ]; then : > /var/lib/lab/reboot-requested; else rm -f /var/lib/lab/reboot-requested; fi
echo "$(basename "$0"): the system is going down for $action NOW" >&2
# Stop PID 1 (sshd) a moment later, so that this command can still report success.
( sleep 1; kill -TERM 1 ) </dev/null >/dev/null 2>&1 &
exit 0
`;

/** Stage 2: the lab's setup on top of stage 1, cached as .lab/cache/base-*.tar.zst (or .tar.gz). */
export async function ensureStage2(stage1, aptDigest) {
  const key = digest({
    stage1: stage1.key,
    aptDigest,
    SSHD_CONFIG,
    SUDOERS,
    REBOOT_SCRIPT,
    sources: hostSourcesList(),
    uid: PATCHCTL_UID,
    v: 3,
  });
  const tarball = path.join(paths.cache, `base-${key}.${compression().ext}`);
  if (existsSync(tarball)) return { tarball, key };
  const t0 = Date.now();
  say('preparing the hosts\u2019 base (test packages, patchctl user, sshd, apt source)');
  const build = path.join(paths.cache, `build-base-${process.pid}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  try {
    untar(stage1.tarball, build);
    const w = (rel, text, mode = 0o644) => {
      mkdirSync(path.dirname(path.join(build, rel)), { recursive: true });
      writeFileSync(path.join(build, rel), text, { mode });
    };
    w('etc/ssh/sshd_config.d/lab.conf', SSHD_CONFIG);
    w('etc/sudoers.d/patchctl', SUDOERS, 0o440);
    for (const name of ['reboot', 'shutdown', 'poweroff', 'halt'])
      w(`usr/sbin/${name}`, REBOOT_SCRIPT, 0o755);
    rmSync(path.join(build, 'etc/apt/sources.list'), { force: true });
    w('etc/apt/sources.list.d/fleet.list', hostSourcesList());
    mkdirSync(path.join(build, HOST_APT_MOUNT.slice(1)), { recursive: true });
    mkdirSync(path.join(build, 'var/lib/lab'), { recursive: true });
    mkdirSync(path.join(build, 'tmp/lab-debs'), { recursive: true });
    for (const deb of installedDebs()) {
      writeFileSync(path.join(build, 'tmp/lab-debs', path.basename(deb)), readFileSync(deb));
    }
    const held = PACKAGES.filter((p) => p.held).map((p) => p.name);
    await inBuildNamespace(
      build,
      `mount --bind -o ro "$APT" "$R${HOST_APT_MOUNT}"
chroot "$R" useradd --uid ${PATCHCTL_UID} --user-group --create-home --shell /bin/bash --comment "patchctl lab" patchctl
# '*': no password, but not a locked account (sshd refuses locked ones).
chroot "$R" usermod -p '*' patchctl
chroot "$R" sh -c 'dpkg -i /tmp/lab-debs/*.deb'
${held.map((h) => `chroot "$R" apt-mark hold ${h}`).join('\n')}
chroot "$R" apt-get update -q
chroot "$R" visudo -c`,
      'base',
      { APT: paths.apt },
    );
    // The kernel-like package asked for a reboot while being installed: not in the base.
    run(
      'bash',
      [
        '-c',
        'rm -rf "$R"/tmp/lab-debs "$R"/run/reboot-required "$R"/run/reboot-required.pkgs "$R"/etc/ssh/ssh_host_* && : > "$R/etc/machine-id" && rm -f "$R/etc/hostname"',
      ],
      { env: { ...cleanBuildEnv(), R: build } },
    );
    await tarDir(build, tarball);
    say(`base cached in ${path.relative(process.cwd(), tarball) || tarball} (${elapsed(t0)})`);
    // The tree just built becomes the hosts' lower layer: no need to unpack the tarball again.
    replaceBaseTree(build, key);
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
  return { tarball, key };
}

/** Unpacks the base into .lab/base (the hosts' lowerdir) unless it already holds this one. */
export function ensureBaseTree(stage2) {
  if (existsSync(paths.baseStamp) && readFileSync(paths.baseStamp, 'utf8').trim() === stage2.key) return;
  const t0 = Date.now();
  const tmp = `${paths.base}.new`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  untar(stage2.tarball, tmp);
  replaceBaseTree(tmp, stage2.key);
  say(`base unpacked in ${paths.base} (${elapsed(t0)})`);
}

function replaceBaseTree(tree, key) {
  rmSync(paths.baseStamp, { force: true });
  rmSync(paths.base, { recursive: true, force: true });
  renameSync(tree, paths.base);
  writeFileSync(paths.baseStamp, `${key}\n`);
}
