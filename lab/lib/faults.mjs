// Fault helpers for tests: run commands inside a host, hold its dpkg lock, fill its disk,
// change its host key, drop its SSH sessions, deny sudo.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { hostFiles, hostKeyLines, sshdPid, waitReady } from './fleet.mjs';
import { cleanEnv, isAlive, LabError, readPid, run, signal, waitFor } from './util.mjs';

const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function requireSshd(name) {
  const pid = sshdPid(name);
  if (!pid) throw new LabError(`host ${name} is not running`);
  return pid;
}

/**
 * nsenter arguments that put a command inside the host: its mount, UTS, network and PID
 * namespaces, its root (the overlay) and a clean environment, as root (or `user`).
 */
export function nsenterArgs(name, argv, { user } = {}) {
  const pid = requireSshd(name);
  const inner = user ? ['runuser', '-u', user, '--', ...argv] : argv;
  return [
    '--target',
    String(pid),
    '--mount',
    '--uts',
    '--net',
    '--pid',
    '--root',
    '--wd',
    '--',
    '/usr/bin/env',
    '-i',
    `PATH=${HOST_PATH}`,
    `HOME=${user ? `/home/${user}` : '/root'}`,
    'LC_ALL=C',
    ...inner,
  ];
}

/** Runs argv inside the host and returns { status, stdout, stderr }. */
export function execInHost(name, argv, { input, user } = {}) {
  const r = spawnSync('nsenter', nsenterArgs(name, argv, { user }), {
    input,
    env: cleanEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new LabError(`nsenter: ${r.error.message}`);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Like execInHost but with our stdio (the `exec` subcommand); returns the exit status. */
export function execInHostInteractive(name, argv, { user } = {}) {
  const r = spawnSync('nsenter', nsenterArgs(name, argv, { user }), { stdio: 'inherit', env: cleanEnv() });
  return r.status ?? 128;
}

function checked(name, argv, opts) {
  const r = execInHost(name, argv, opts);
  if (r.status !== 0)
    throw new LabError(`${name}: ${argv.join(' ')} exited with ${r.status}\n${r.stderr.trim()}`);
  return r.stdout;
}

// ---------------------------------------------------------------- dpkg lock

// Takes the same fcntl (POSIX) locks apt and dpkg take: flock(1) would not block them. perl is
// in every minbase root. $0 sets the process name apt reports ("held by process N (NAME)").
const LOCK_HOLDER = `
use strict; use Fcntl qw(F_SETLK F_WRLCK SEEK_SET O_RDWR O_CREAT);
my ($name, $seconds, @files) = @ARGV; $0 = $name; my @held;
for my $f (@files) {
  sysopen(my $h, $f, O_RDWR | O_CREAT, 0640) or die "open $f: $!\\n";
  my $lk = pack('s s x4 q q i x4', F_WRLCK, SEEK_SET, 0, 0, 0);
  fcntl($h, F_SETLK, $lk) or die "lock $f: $!\\n";
  push @held, $h;
}
$| = 1; print "locked $$\\n"; close STDOUT;
sleep $seconds;
`;

/** The package-manager locks a lock holder takes: dpkg's, or rpm's (dnf and zypper both go through it). */
export const PM_LOCK_FILES = {
  dpkg: ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock'],
  rpm: ['/var/lib/rpm/.rpm.lock'],
};

/**
 * Holds the package manager's lock files (PM_LOCK_FILES: dpkg's by default) inside the host for
 * `seconds`, from a process named `as`. Returns once the locks are held: { pid (inside the host), name }.
 */
export async function holdDpkgLock(name, seconds, as = 'unattended-upgr', lockFiles = PM_LOCK_FILES.dpkg) {
  if (!/^[A-Za-z0-9._-]{1,15}$/.test(as)) throw new LabError('--as: 1-15 letters, digits, . _ -');
  const script = ['perl', '-e', LOCK_HOLDER, as, String(seconds), ...lockFiles];
  const child = spawn('nsenter', nsenterArgs(name, script), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  const files = hostFiles(name);
  const line = await new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /locked (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      reject(new LabError(`${name}: could not take ${lockFiles.join(', ')} (exit ${code}): ${err.trim()}`)),
    );
  });
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  writeFileSync(path.join(files.dir, 'lock-holder.pid'), `${child.pid}\n`);
  return { pid: line, name: as, seconds };
}

/** Ends the lock holder started by holdDpkgLock, if it still runs. */
export function releaseDpkgLock(name) {
  const nsenterPid = readPid(path.join(hostFiles(name).dir, 'lock-holder.pid'));
  if (!nsenterPid || !isAlive(nsenterPid)) return false;
  for (const pid of childrenOf(nsenterPid)) signal(pid, 'SIGTERM');
  return true;
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------- disk

export const FILLER = '/var/tmp/lab-disk-filler';

/** Fills the host's disk (its upper dir's tmpfs) to the last byte. Returns `df /` inside. */
export function fillDisk(name) {
  // dd stops at ENOSPC with status 1; that is the point.
  execInHost(name, ['dd', 'if=/dev/zero', `of=${FILLER}`, 'bs=1M', 'status=none']);
  execInHost(name, [
    'dd',
    'if=/dev/zero',
    `of=${FILLER}`,
    'bs=4k',
    'oflag=append',
    'conv=notrunc',
    'status=none',
  ]);
  return checked(name, ['df', '-k', '/']);
}

export function freeDisk(name) {
  checked(name, ['rm', '-f', FILLER]);
  return checked(name, ['df', '-k', '/']);
}

// ---------------------------------------------------------------- host key

/**
 * Gives the host new host keys (in its upper dir) and restarts sshd to serve them: SIGHUP
 * makes sshd re-execute itself, keeping its PID, so the host does not reboot. The lab
 * repository's known_hosts is left alone: patchctl must now refuse the host.
 */
export async function changeHostKey(spec) {
  const before = hostKeyLines(spec);
  checked(spec.name, ['sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null']);
  const pid = requireSshd(spec.name);
  signal(pid, 'SIGHUP');
  const after = hostKeyLines(spec);
  // sshd closes its listener while it re-executes: wait until it serves the new key.
  const served = await waitFor(
    () => {
      const r = run('ssh-keyscan', ['-T', '2', '-t', 'ed25519', spec.address], { allowFail: true });
      return r.status === 0 && after.some((l) => r.stdout.includes(l.split(' ').slice(1).join(' ')));
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  if (!served) throw new LabError(`${spec.name}: sshd did not come back with the new key`);
  await waitReady(spec, { timeoutMs: 10_000 });
  return { before, after };
}

// ---------------------------------------------------------------- sessions, sudo

/**
 * Kills every process of the host except sshd's listener (PID 1): SSH sessions drop mid-command.
 * With `sshdOnly`, only sshd's session processes die: the connections drop, the commands they
 * started live on (as when a network drops or sshd is restarted).
 */
export function killSessions(name, { sshdOnly = false } = {}) {
  const pid = requireSshd(name);
  const ns = readlinkSync(`/proc/${pid}/ns/pid`);
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/pid`) !== ns) continue;
    } catch {
      continue;
    }
    if (sshdOnly) {
      let comm;
      try {
        comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
      if (comm !== 'sshd' && comm !== 'sshd-session') continue;
    }
    if (signal(Number(entry), 'SIGKILL')) killed++;
  }
  return killed;
}

const SLOW_APT = '/etc/apt/apt.conf.d/99lab-slow';

/** Makes every dpkg run of apt on the host sleep first (a slow upgrade); 0 turns it off. */
export function slowApt(name, seconds) {
  if (seconds === 0) {
    checked(name, ['rm', '-f', SLOW_APT]);
    return;
  }
  checked(name, ['sh', '-c', `cat > ${SLOW_APT}`], {
    input: `// patchctl lab (lab.mjs slow-apt): a slow upgrade.\nDPkg::Pre-Invoke { "sleep ${seconds}"; };\n`,
  });
}

const SUDOERS_FILE = '/etc/sudoers.d/patchctl';

export function setSudo(name, allowed, baseDir) {
  if (allowed) {
    const text = readFileSync(path.join(baseDir, SUDOERS_FILE.slice(1)), 'utf8');
    checked(
      name,
      [
        'sh',
        '-c',
        `cat > ${SUDOERS_FILE}.tmp && chmod 0440 ${SUDOERS_FILE}.tmp && mv ${SUDOERS_FILE}.tmp ${SUDOERS_FILE}`,
      ],
      {
        input: text,
      },
    );
  } else {
    checked(name, ['rm', '-f', SUDOERS_FILE]);
  }
}
