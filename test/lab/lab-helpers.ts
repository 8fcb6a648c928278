// Helpers for tests that run against the real lab fleet (lab/lab.mjs): bring it up and down,
// run its fault helpers, and reach its hosts with the system ssh client pinned to the lab's
// known_hosts. Everything shells out, so tests see the lab exactly as a user does.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LAB_CLI = path.join(PROJECT, 'lab', 'lab.mjs');
export const LAB_REPO = path.join(PROJECT, '.lab', 'repo');
export const LAB_KNOWN_HOSTS = path.join(LAB_REPO, 'known_hosts');
export const LAB_CLIENT_KEY = path.join(PROJECT, '.lab', 'client', 'id_ed25519');

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Why the lab cannot run here (not Linux, not root, tools missing), or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `the lab needs Linux (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the lab needs root';
  for (const tool of ['/usr/sbin/debootstrap', '/usr/bin/apt-ftparchive', '/usr/bin/ssh']) {
    if (!existsSync(tool)) {
      return `${path.basename(tool)} is missing (apt-get install debootstrap apt-utils openssh-client iproute2)`;
    }
  }
  return undefined;
}

function run(cmd: string, args: string[], timeoutMs: number, input?: string): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: PROJECT,
    encoding: 'utf8',
    input,
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    // A minimal environment: nothing from the test runner's (APT_CONFIG, DPKG_ROOT...) reaches the lab.
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LC_ALL: 'C' },
  });
  if (r.error) return { status: 127, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error.message}` };
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** `node lab/lab.mjs ARGS...` (up, down, reboot HOST, hold-dpkg-lock HOST 30, ...). */
export function lab(args: string[], timeoutMs = 600_000): RunResult {
  return run(process.execPath, [LAB_CLI, ...args], timeoutMs);
}

export interface LabHost {
  name: string;
  address: string;
  /** deb, debreal, el or suse (lab:up --mix); deb for plain lab:up. */
  family: string;
  /** The inventory `os` hint: debian, almalinux, sles. */
  os: string;
  up: boolean;
  sshdPid: number | null;
  bootId: string | null;
  upperDir: string;
}

/** A real Debian package of a debreal host (lab/lib/real.mjs): versions found on the machine's mirror. */
export interface LabRealPackage {
  name: string;
  /** Its source package, from the mirror's index (openssl for libssl3). */
  source: string;
  /** The older version installed on debreal hosts, and the suite it came from (bookworm, bookworm-updates). */
  installed: string;
  installedSuite: string;
  /** The newest version in the release's security suite, served by the lab's real-security suite. */
  available: string;
  availableSuite: string;
  /** The source package's version of `available` (what a Debian advisory's `fixed` names). */
  availableSourceVersion: string;
  arch: string;
}

export interface LabStatus {
  up: boolean;
  repo: string | null;
  clientKey: string | null;
  knownHosts: string | null;
  subnet: string;
  suites: string[];
  packages: { name: string; upgradeSuite: string; held: boolean }[];
  /** The last build's real Debian packages (lab:up --mix …,debreal:N), null before any. */
  realPackages: LabRealPackage[] | null;
  hosts: LabHost[];
}

export function labStatus(): LabStatus {
  const r = lab(['status', '--json'], 30_000);
  if (r.status !== 0) throw new Error(`lab status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as LabStatus;
}

/** The system ssh client as patchctl: pinned to .lab/repo/known_hosts, no agent, no sharing. */
export function sshArgs(address: string, knownHosts = LAB_KNOWN_HOSTS): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    LAB_CLIENT_KEY,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    '-o',
    'ConnectTimeout=5',
    `patchctl@${address}`,
  ];
}

/** Runs a shell command line on a lab host over ssh. */
export function ssh(
  address: string,
  command: string,
  opts: { knownHosts?: string; timeoutMs?: number } = {},
) {
  return run('ssh', [...sshArgs(address, opts.knownHosts), command], opts.timeoutMs ?? 60_000);
}

/** Runs argv inside a host as root through the lab (nsenter), not through ssh. */
export function hostExec(host: string, argv: string[], user?: string): RunResult {
  const r = lab(['host-exec-json', host, ...(user ? ['--user', user] : []), '--', ...argv], 60_000);
  if (r.status !== 0) throw new Error(`lab host-exec-json failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as RunResult;
}

export function patchctl(args: string[]): RunResult {
  return run(process.execPath, [path.join(PROJECT, 'bin', 'patchctl'), ...args], 120_000);
}

const CLEAN_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LC_ALL: 'C',
};

/** `patchctl ARGS` with extra environment variables (on top of a minimal one). */
export function patchctlWithEnv(args: string[], env: Record<string, string>, timeoutMs = 300_000): RunResult {
  const r = spawnSync(process.execPath, [path.join(PROJECT, 'bin', 'patchctl'), ...args], {
    cwd: PROJECT,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...CLEAN_ENV, ...env },
  });
  if (r.error) return { status: 127, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error.message}` };
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

export interface Background {
  child: ChildProcess;
  /** Resolves when the process has ended. */
  done: Promise<RunResult>;
}

/** `patchctl ARGS` started in the background (for faults injected while it runs). */
export function patchctlInBackground(args: string[], env: Record<string, string> = {}): Background {
  const child = spawn(process.execPath, [path.join(PROJECT, 'bin', 'patchctl'), ...args], {
    cwd: PROJECT,
    env: { ...CLEAN_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
  return { child, done };
}

/** Polls `condition` every 100 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface JournalLine {
  type: string;
  runId: string;
  host?: string;
  step?: string;
  status?: string;
  ring?: string;
  error?: string;
  reason?: string;
  actions?: { package: string; from: string; to: string }[];
  [key: string]: unknown;
}

/** Every event of every journal in REPO/state/runs, oldest run first. */
export function journalEvents(repo: string): JournalLine[] {
  const dir = path.join(repo, 'state', 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as JournalLine),
    );
}

/** Installed version of each package on a host, read over ssh with dpkg-query. */
export function versionsOn(address: string, packages: string[]): Record<string, string> {
  const r = ssh(address, `dpkg-query -W -f='\${Package} \${Version}\\n' ${packages.join(' ')}`);
  if (r.status !== 0) throw new Error(`dpkg-query on ${address} failed: ${r.stderr}`);
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}
