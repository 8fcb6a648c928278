// Small helpers shared by the lab scripts: paths, running commands with a clean environment,
// processes by PID, waiting.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export { sleep };

/** The patchctl checkout this lab belongs to. */
export const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything the lab creates lives here (git-ignored). */
export const LAB = path.join(PROJECT, '.lab');
export const LAB_SCRIPTS = path.join(PROJECT, 'lab');

export const paths = {
  cache: path.join(LAB, 'cache'),
  base: path.join(LAB, 'base'),
  baseStamp: path.join(LAB, 'base.stamp'),
  apt: path.join(LAB, 'apt'),
  client: path.join(LAB, 'client'),
  clientKey: path.join(LAB, 'client', 'id_ed25519'),
  hosts: path.join(LAB, 'hosts'),
  repo: path.join(LAB, 'repo'),
  fleet: path.join(LAB, 'fleet.json'),
  hostDir: (name) => path.join(LAB, 'hosts', name),
};

/**
 * The only environment child processes get. Nothing from the caller's environment passes
 * through: a stray APT_CONFIG or DPKG_ROOT must never reach an apt or dpkg run (lab/README.md, "Rules the lab keeps").
 */
export function cleanEnv(extra = {}) {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    LC_ALL: 'C',
    ...extra,
  };
}

export class LabError extends Error {}

export function say(line) {
  process.stdout.write(`lab: ${line}\n`);
}

export function warn(line) {
  process.stderr.write(`lab: ${line}\n`);
}

/**
 * Runs a command to completion and returns its stdout. Throws a LabError naming the command,
 * its exit status and the end of its stderr when it fails (unless `allowFail`).
 */
export function run(cmd, args, { input, allowFail = false, env, cwd, quiet = false } = {}) {
  const r = spawnSync(cmd, args, {
    input,
    cwd,
    env: env ?? cleanEnv(),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new LabError(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) {
    const tail = `${r.stderr ?? ''}${quiet ? '' : (r.stdout ?? '')}`.trim().split('\n').slice(-25).join('\n');
    throw new LabError(`${[cmd, ...args].join(' ')} exited with ${r.status ?? r.signal}\n${tail}`);
  }
  return allowFail ? r : r.stdout;
}

/** Like run, but streams the command's output to ours (long builds), prefixed. */
export function runStreaming(cmd, args, { env, cwd, label } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? cleanEnv(), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const onData = (chunk) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (process.env.LAB_VERBOSE) process.stdout.write(`  ${label ?? cmd}| ${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new LabError(`cannot run ${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(new LabError(`${[cmd, ...args].join(' ')} exited with ${code ?? signal}\n${tail.join('\n')}`));
    });
  });
}

/** Finds an executable on the clean PATH. */
export function which(cmd) {
  for (const dir of cleanEnv().PATH.split(':')) {
    if (existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

/**
 * State of a process by PID: 'running', 'zombie' (exited, not reaped yet: docs/architecture.md, "What the lab relies on":
 * orphans are reaped late here, so a zombie counts as gone) or 'gone'.
 */
export function processState(pid) {
  if (!Number.isInteger(pid) || pid <= 1) return 'gone';
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 'gone';
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X' ? 'zombie' : 'running';
}

export function isAlive(pid) {
  return processState(pid) === 'running';
}

/** The command line of a live process ('' when gone), to check a PID file before signalling. */
export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function signal(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then returns undefined). */
export async function waitFor(check, { timeoutMs = 10_000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() >= deadline) return undefined;
    await sleep(intervalMs);
  }
}

export async function waitGone(pid, timeoutMs) {
  return Boolean(await waitFor(() => !isAlive(pid), { timeoutMs }));
}

/** Resolves with the SSH banner of addr:port, or undefined if none arrives within timeoutMs. */
export function sshBanner(address, port = 22, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: address, port });
    let buf = '';
    const done = (v) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(undefined));
    sock.on('error', () => done(undefined));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.startsWith('SSH-') ? buf.slice(0, nl).trim() : undefined);
    });
    sock.on('close', () => done(undefined));
  });
}

export function elapsed(start) {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}
