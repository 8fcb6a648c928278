import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RepoLockInfo } from './repo-lock.js';
import {
  RepoLockedError,
  acquireRepoLock,
  forceUnlock,
  processStartTime,
  readRepoLock,
  readRepoLocks,
  repoLockPath,
  splitDigestOf,
  stateDirOf,
} from './repo-lock.js';

const now = () => new Date('2026-11-23T09:00:00Z');
let root: string;
let stateDir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'patchctl-repo-lock-'));
  stateDir = path.join(root, 'state');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeLock(overrides: Partial<RepoLockInfo>, file = repoLockPath(stateDir)): RepoLockInfo {
  const info: RepoLockInfo = {
    formatVersion: 1,
    id: '1b2c3d4e-0000-4000-8000-000000000001',
    operation: 'apply',
    who: 'root@ci-7',
    hostname: 'ci-7',
    pid: 4242,
    pidStartTime: null,
    createdAt: '2026-11-22T09:00:00.000Z',
    runId: 'run-17',
    ...overrides,
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid;
}

/** A live process on this machine that is not this one, for locks "held" by another apply. */
const children: ChildProcess[] = [];
function liveOtherPid(): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A lock file of another live apply on this machine (or `hostname`), at `file`. */
function heldElsewhere(overrides: Partial<RepoLockInfo>, file = repoLockPath(stateDir)): RepoLockInfo {
  const pid = liveOtherPid();
  return writeLock(
    {
      hostname: os.hostname(),
      pid,
      pidStartTime: processStartTime(pid),
      planDigest: 'sha256:aa',
      ...overrides,
    },
    file,
  );
}

const shard = (index: number, count: number) => ({ index, count });

function refusal(fn: () => unknown): RepoLockedError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RepoLockedError) return err;
    throw err;
  }
  throw new Error('expected a RepoLockedError');
}

/** The lock files in the state folder, by name. */
function lockNames(): string[] {
  return readdirSync(stateDir)
    .filter((n) => n.endsWith('.lock'))
    .sort();
}

describe('acquireRepoLock', () => {
  it('creates the state folder and a lock naming its holder, and release removes it', () => {
    const lock = acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:ab', runId: 'r1' }, now);
    expect(lock.path).toBe(path.join(stateDir, 'apply.lock'));
    const onDisk = JSON.parse(readFileSync(lock.path, 'utf8')) as RepoLockInfo;
    expect(onDisk).toEqual(lock.info);
    expect(onDisk).toEqual({
      formatVersion: 1,
      id: lock.id,
      operation: 'apply',
      who: `${os.userInfo().username}@${os.hostname()}`,
      hostname: os.hostname(),
      pid: process.pid,
      pidStartTime: processStartTime(process.pid),
      createdAt: '2026-11-23T09:00:00.000Z',
      planDigest: 'sha256:ab',
      runId: 'r1',
    });
    expect(lock.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lock.takenOverFrom).toBeUndefined();
    expect(readRepoLock(stateDir)).toEqual(lock.info);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    expect(readRepoLock(stateDir)).toBeUndefined();
    lock.release(); // idempotent
    const again = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    expect(again.id).not.toBe(lock.id);
    expect(again.info).not.toHaveProperty('planDigest');
    again.release();
  });

  it('refuses a second apply while the first holds the lock, naming the holder and the way out', () => {
    const first = acquireRepoLock(stateDir, { operation: 'apply', runId: 'run-1' }, now);
    let caught: unknown;
    try {
      acquireRepoLock(stateDir, { operation: 'apply' }, now);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RepoLockedError);
    const err = caught as RepoLockedError;
    expect(err.exitCode).toBe(1);
    expect(err.holder).toEqual(first.info);
    expect(err.message).toBe(
      `the repository is locked by apply run run-1 (id ${first.id}, ${first.info.who}, pid ${process.pid}, ` +
        `since 2026-11-23T09:00:00.000Z); if that run is gone, remove the lock with: patchctl force-unlock ${first.id}`,
    );
    expect(readRepoLock(stateDir)?.id).toBe(first.id);
    first.release();
  });

  it('takes over a lock left on this host by a process that is gone', () => {
    const stale = writeLock({ hostname: os.hostname(), pid: deadPid() });
    const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    expect(lock.takenOverFrom).toEqual(stale);
    expect(readRepoLock(stateDir)?.id).toBe(lock.id);
    lock.release();
  });

  it('never takes over a lock from another host, even if its pid is unused here', () => {
    const foreign = writeLock({ hostname: 'elsewhere.example', pid: deadPid() });
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(
      /locked by apply run run-17 \(id 1b2c3d4e-0000-4000-8000-000000000001, root@ci-7, pid \d+, since 2026-11-22T09:00:00.000Z\)/,
    );
    expect(readRepoLock(stateDir)).toEqual(foreign);
  });

  const startTime = processStartTime(process.pid);
  (startTime === null ? it.skip : it)(
    'treats a live pid with another start time as reused (stale), the same start time as held',
    () => {
      writeLock({ hostname: os.hostname(), pid: process.pid, pidStartTime: (startTime ?? 0) + 1 });
      const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
      expect(lock.takenOverFrom?.pid).toBe(process.pid);
      lock.release();
      const held = writeLock({ hostname: os.hostname(), pid: process.pid, pidStartTime: startTime });
      expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(RepoLockedError);
      expect(readRepoLock(stateDir)).toEqual(held);
    },
  );

  it('is blocked by a lock file it cannot read, and names the file', () => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(repoLockPath(stateDir), '{ half a lo');
    // Old enough not to be a lock its creator is still writing: refused at once.
    utimesSync(repoLockPath(stateDir), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(
      `the repository lock ${repoLockPath(stateDir)} is unreadable (it is not valid JSON); check that no patchctl apply is running on this repository, then delete the file by hand`,
    );
    expect(readFileSync(repoLockPath(stateDir), 'utf8')).toBe('{ half a lo');
    writeFileSync(repoLockPath(stateDir), '{"hello": 1}');
    expect(() => readRepoLock(stateDir)).toThrow(/unreadable \(it is not a patchctl lock\)/);
  });

  it('waits a moment for a lock file its creator is still writing, then names that holder', () => {
    mkdirSync(stateDir, { recursive: true });
    const file = repoLockPath(stateDir);
    writeFileSync(file, '{\n  "formatVersion": 1,');
    const pid = liveOtherPid();
    const info: RepoLockInfo = {
      formatVersion: 1,
      id: 'being-written',
      operation: 'apply',
      who: 'root@ci-7',
      hostname: os.hostname(),
      pid,
      pidStartTime: processStartTime(pid),
      createdAt: '2026-11-22T09:00:00.000Z',
    };
    // Another process finishes the file 200 ms later, while acquireRepoLock blocks.
    spawn(
      process.execPath,
      [
        '-e',
        `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(file)}, process.argv[1]), 200)`,
        JSON.stringify(info),
      ],
      { stdio: 'ignore' },
    );
    expect(refusal(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).holder).toEqual(info);
  });

  it('release leaves alone a lock that is no longer ours', () => {
    const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    forceUnlock(stateDir, lock.id, { force: true });
    const next = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    lock.release();
    expect(readRepoLock(stateDir)?.id).toBe(next.id);
    next.release();
    expect(readRepoLock(stateDir)).toBeUndefined();
  });
});

describe('one lock namespace for the repository, whatever the shard (issue 12)', () => {
  it('an apply that holds the repository keeps every shard out, and leaves no file of theirs behind', () => {
    const apply = heldElsewhere({ runId: 'run-whole' });
    for (const s of [shard(1, 2), shard(2, 2), shard(1, 1)]) {
      const err = refusal(() =>
        acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:aa', shard: s }, now),
      );
      expect(err.holder).toEqual(apply);
      expect(err.message).toMatch(/^the repository is locked by apply run run-whole \(id /);
      expect(err.lockPath).toBe(repoLockPath(stateDir));
    }
    expect(lockNames()).toEqual(['apply.lock']);
  });

  it('a shard keeps an apply of the whole plan out', () => {
    const running = heldElsewhere({ runId: 'run-s2', shard: '2/2' }, repoLockPath(stateDir, shard(2, 2)));
    const err = refusal(() =>
      acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:aa' }, now),
    );
    expect(err.holder).toEqual(running);
    expect(err.message).toMatch(/locked by apply run run-s2 of shard 2\/2 \(id /);
    expect(lockNames()).toEqual(['apply.shard-2-of-2.lock']);
  });

  it('the shards of one split and plan run side by side, each index once', () => {
    const request = (index: number) =>
      ({ operation: 'apply', planDigest: 'sha256:aa', shard: shard(index, 3) }) as const;
    heldElsewhere({ shard: '1/3' }, repoLockPath(stateDir, shard(1, 3)));
    const two = acquireRepoLock(stateDir, request(2), now);
    const three = acquireRepoLock(stateDir, request(3), now);
    expect(lockNames()).toEqual([
      'apply.shard-1-of-3.lock',
      'apply.shard-2-of-3.lock',
      'apply.shard-3-of-3.lock',
    ]);
    // The same index twice: never.
    expect(refusal(() => acquireRepoLock(stateDir, request(2), now)).holder?.id).toBe(two.id);
    two.release();
    three.release();
    expect(lockNames()).toEqual(['apply.shard-1-of-3.lock']);
  });

  it('keeps out the shards of another split or another plan', () => {
    heldElsewhere({ shard: '1/3', runId: 'r1' }, repoLockPath(stateDir, shard(1, 3)));
    // Another number of shards: the hosts are dealt differently.
    expect(
      refusal(() =>
        acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:aa', shard: shard(2, 4) }, now),
      ).holder?.runId,
    ).toBe('r1');
    // Another plan.
    expect(
      refusal(() =>
        acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:bb', shard: shard(2, 3) }, now),
      ).holder?.runId,
    ).toBe('r1');
    // No plan digest at all cannot be shown to be the same plan.
    expect(
      refusal(() => acquireRepoLock(stateDir, { operation: 'apply', shard: shard(2, 3) }, now)).holder?.runId,
    ).toBe('r1');
    expect(lockNames()).toEqual(['apply.shard-1-of-3.lock']);
  });

  it('with split digests, shards of one split coexist even when their plans were made at different moments', () => {
    heldElsewhere(
      { shard: '1/2', planDigest: 'sha256:made-first', splitDigest: 'sha256:docs' },
      repoLockPath(stateDir, shard(1, 2)),
    );
    const other = acquireRepoLock(
      stateDir,
      { operation: 'apply', planDigest: 'sha256:made-later', splitDigest: 'sha256:docs', shard: shard(2, 2) },
      now,
    );
    expect(other.info.splitDigest).toBe('sha256:docs');
    other.release();
    // Other documents: another split, even with an equal plan digest.
    expect(() =>
      acquireRepoLock(
        stateDir,
        {
          operation: 'apply',
          planDigest: 'sha256:made-first',
          splitDigest: 'sha256:other-docs',
          shard: shard(2, 2),
        },
        now,
      ),
    ).toThrow(RepoLockedError);
  });

  it('an apply of the whole plan takes over the stale locks of dead shards on this machine', () => {
    const dead = writeLock(
      { hostname: os.hostname(), pid: deadPid(), shard: '2/3' },
      repoLockPath(stateDir, shard(2, 3)),
    );
    const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    expect(lock.takenOverFrom).toEqual(dead);
    expect(lockNames()).toEqual(['apply.lock']);
    lock.release();
  });

  it("never takes over another machine's shard lock", () => {
    writeLock(
      { hostname: 'elsewhere.example', pid: deadPid(), shard: '1/2' },
      repoLockPath(stateDir, shard(1, 2)),
    );
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(/of shard 1\/2/);
    expect(lockNames()).toEqual(['apply.shard-1-of-2.lock']);
  });

  it('splitDigestOf hashes the documents, not the state shards rewrite', () => {
    const docs = { 'inventory/a.yaml': 'h1', 'rollouts/r.yaml': 'h2' };
    const a = splitDigestOf({ ...docs, 'state/hosts/a.json': 'x' }, 'state');
    const b = splitDigestOf(
      { ...docs, 'state/hosts/a.json': 'y', 'state/rollouts/shards/r.1-of-2.json': 'z' },
      'state',
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(splitDigestOf({ ...docs, 'inventory/a.yaml': 'h3' }, 'state')).not.toBe(a);
    expect(splitDigestOf({ ...docs, 'var/st/x.json': 'x' }, 'var/st/')).toBe(splitDigestOf(docs, 'var/st'));
  });

  it('readRepoLocks lists every lock, shards included', () => {
    const whole = writeLock({});
    writeFileSync(repoLockPath(stateDir, shard(1, 2)), 'not json');
    expect(readRepoLocks(stateDir)).toEqual([
      { file: repoLockPath(stateDir), info: whole },
      { file: repoLockPath(stateDir, shard(1, 2)), problem: expect.stringMatching(/not valid JSON/) },
    ]);
  });
});

/**
 * Runs `kinds.length` patchctl-like processes at once on one state folder, each taking and
 * releasing the lock `iterations` times; while it holds the lock, each marks itself in a
 * critical-section folder and checks that no one it may not run beside is there.
 */
function race(
  kinds: readonly string[],
  iterations: number,
): Promise<{ held: number; refused: number; violations: string[] }[]> {
  const tools = path.join(root, 'tools');
  const cs = path.join(root, 'cs');
  mkdirSync(tools, { recursive: true });
  mkdirSync(cs, { recursive: true });
  const projectRoot = new URL('../../', import.meta.url);
  // TypeScript sources straight from src/ through @swc/core, as jest does.
  writeFileSync(
    path.join(tools, 'loader.mjs'),
    `import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
const { transformSync } = createRequire(${JSON.stringify(new URL('package.json', projectRoot).href)})('@swc/core');
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const ts = new URL(specifier.replace(/\\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const { code } = transformSync(readFileSync(file, 'utf8'), {
    filename: file, jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
`,
  );
  writeFileSync(
    path.join(tools, 'register.mjs'),
    `import { register } from 'node:module';\nregister(new URL('./loader.mjs', import.meta.url).href);\n`,
  );
  writeFileSync(
    path.join(tools, 'worker.mjs'),
    `import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [modUrl, stateDir, cs, kind, iterations] = process.argv.slice(2);
const { acquireRepoLock, RepoLockedError } = await import(modUrl);
const parse = (k) => {
  const m = /^([A-Z])_(\\d+)_(\\d+)$/.exec(k);
  return m ? { plan: m[1], index: Number(m[2]), count: Number(m[3]) } : undefined;
};
const beside = (a, b) => {
  const x = parse(a), y = parse(b);
  return !!x && !!y && x.plan === y.plan && x.count === y.count && x.index !== y.index;
};
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const mine = parse(kind);
const request = { operation: 'apply', planDigest: mine ? 'sha256:' + mine.plan : 'sha256:W',
  ...(mine ? { shard: { index: mine.index, count: mine.count } } : {}) };
let held = 0, refused = 0;
const violations = [];
for (let i = 0; i < Number(iterations); i++) {
  let lock;
  try {
    lock = acquireRepoLock(stateDir, request, () => new Date());
  } catch (err) {
    if (!(err instanceof RepoLockedError)) throw err;
    refused++;
    sleep(Math.random() * 3);
    continue;
  }
  held++;
  const me = process.pid + '-' + i + '.' + kind;
  writeFileSync(join(cs, me), '');
  for (const other of readdirSync(cs)) {
    if (other !== me && !beside(kind, other.slice(other.indexOf('.') + 1))) violations.push(kind + ' beside ' + other);
  }
  sleep(1 + Math.random() * 3);
  unlinkSync(join(cs, me));
  lock.release();
  sleep(Math.random() * 2);
}
process.stdout.write(JSON.stringify({ held, refused, violations }));
`,
  );
  const modUrl = new URL('./repo-lock.ts', import.meta.url).href;
  return Promise.all(
    kinds.map(
      (kind) =>
        new Promise<{ held: number; refused: number; violations: string[] }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            [
              '--import',
              path.join(tools, 'register.mjs'),
              path.join(tools, 'worker.mjs'),
              modUrl,
              stateDir,
              cs,
              kind,
              String(iterations),
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.on('close', (code) => {
            if (code !== 0) reject(new Error(`worker ${kind} exited ${code}: ${err}`));
            else resolve(JSON.parse(out) as { held: number; refused: number; violations: string[] });
          });
        }),
    ),
  );
}

describe('taking the lock from several processes at once', () => {
  it('never lets an apply, or shards of different splits or plans, or one index twice, hold it together', async () => {
    // W: whole-plan applies; A_i_2: shards of plan A split in 2 (index 1 twice); B_i_3: plan B in 3.
    const kinds = ['W', 'W', 'A_1_2', 'A_2_2', 'A_1_2', 'B_1_3', 'B_2_3', 'B_3_3'];
    const results = await race(kinds, 40);
    expect(results.flatMap((r) => r.violations)).toEqual([]);
    // The lock was taken, and contended (who gets it when is up to the scheduler).
    expect(results.reduce((n, r) => n + r.held, 0)).toBeGreaterThan(0);
    expect(results.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
    expect(readdirSync(stateDir).filter((n) => n.endsWith('.lock'))).toEqual([]);
  }, 60_000);
});

describe('lock files that are not what they seem (issue 12)', () => {
  const mkfifo = (file: string) => {
    mkdirSync(path.dirname(file), { recursive: true });
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
  };

  it('a FIFO as state/apply.lock is refused with a clear error, never waited on', () => {
    mkfifo(repoLockPath(stateDir));
    const message = new RegExp(
      `^the repository lock ${repoLockPath(stateDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is unreadable \\(it is a named pipe \\(FIFO\\), not a regular file\\); check that no patchctl apply is running`,
    );
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(message);
    expect(() => readRepoLock(stateDir)).toThrow(message);
    expect(() => forceUnlock(stateDir, 'any')).toThrow(message);
    // A shard checks every other lock file, and leaves none of its own behind when it refuses.
    expect(() =>
      acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:aa', shard: shard(1, 2) }, now),
    ).toThrow(/named pipe \(FIFO\)/);
    expect(lockNames()).toEqual(['apply.lock']);
  });

  it('a FIFO as a shard lock keeps an apply out the same way', () => {
    mkfifo(repoLockPath(stateDir, shard(2, 2)));
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(/named pipe \(FIFO\)/);
    expect(() => acquireRepoLock(stateDir, { operation: 'apply', shard: shard(2, 2) }, now)).toThrow(
      /named pipe \(FIFO\)/,
    );
    expect(lockNames()).toEqual(['apply.shard-2-of-2.lock']);
  });

  it('does not follow a symbolic link, nor read a directory or a duplicate key', () => {
    mkdirSync(stateDir, { recursive: true });
    symlinkSync('/etc/passwd', repoLockPath(stateDir));
    expect(() => readRepoLock(stateDir)).toThrow(/it is a symbolic link, not a regular file/);
    rmSync(repoLockPath(stateDir));
    mkdirSync(repoLockPath(stateDir));
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(/it is a directory/);
    rmSync(repoLockPath(stateDir), { recursive: true });
    const info = writeLock({});
    writeFileSync(
      repoLockPath(stateDir),
      JSON.stringify(info, null, 2).replace('"id":', '"id": "other-id",\n  "id":'),
    );
    expect(() => readRepoLock(stateDir)).toThrow(/it is not a patchctl lock: duplicate key "id"/);
  });
});

describe('forceUnlock', () => {
  it('refuses the lock of an apply that is running on this machine, unless forced twice', () => {
    const live = heldElsewhere({ runId: 'run-live' });
    expect(() => forceUnlock(stateDir, live.id)).toThrow(
      `the repository lock ${live.id} is held by apply run run-live, root@ci-7, pid ${live.pid}, since 2026-11-22T09:00:00.000Z, ` +
        `and that process is running on this machine; nothing was removed. Stop that apply (Ctrl-C, or kill ${live.pid}) ` +
        `and its lock goes with it; to remove the lock anyway, while it runs: patchctl force-unlock ${live.id} --force`,
    );
    expect(readRepoLock(stateDir)).toEqual(live);
    expect(forceUnlock(stateDir, live.id, { force: true })).toEqual(live);
    expect(existsSync(repoLockPath(stateDir))).toBe(false);
  });

  it("refuses a live shard's lock too, and this process's own", () => {
    const s = heldElsewhere({ shard: '1/2' }, repoLockPath(stateDir, shard(1, 2)));
    expect(() => forceUnlock(stateDir, s.id)).toThrow(/running on this machine/);
    const own = acquireRepoLock(
      stateDir,
      { operation: 'apply', planDigest: 'sha256:aa', shard: shard(2, 2) },
      now,
    );
    expect(() => forceUnlock(stateDir, own.id)).toThrow(/running on this machine/);
    expect(lockNames()).toEqual(['apply.shard-1-of-2.lock', 'apply.shard-2-of-2.lock']);
  });

  it('removes without --force the lock of a dead process here, of a reused pid, or of another machine', () => {
    const dead = writeLock({ hostname: os.hostname(), pid: deadPid() });
    expect(forceUnlock(stateDir, dead.id)).toEqual(dead);
    const start = processStartTime(process.pid);
    if (start !== null) {
      const reused = writeLock({ hostname: os.hostname(), pid: process.pid, pidStartTime: start + 1 });
      expect(forceUnlock(stateDir, reused.id)).toEqual(reused);
    }
    // Another machine: patchctl cannot tell from here; the operator checked (as before).
    const foreign = writeLock({ hostname: 'elsewhere.example', pid: process.pid });
    expect(forceUnlock(stateDir, foreign.id)).toEqual(foreign);
    expect(lockNames()).toEqual([]);
  });

  it('removes the lock only when given its id', () => {
    const held = writeLock({});
    expect(() => forceUnlock(stateDir, 'wrong-id')).toThrow(
      `the repository lock is not wrong-id: it is held by apply run run-17 (id ${held.id}, root@ci-7, pid 4242, since 2026-11-22T09:00:00.000Z); nothing was removed`,
    );
    expect(readRepoLock(stateDir)).toEqual(held);
    expect(forceUnlock(stateDir, held.id)).toEqual(held);
    expect(existsSync(repoLockPath(stateDir))).toBe(false);
  });

  it("finds a shard's lock by its id, next to the repository lock", () => {
    const held = writeLock({});
    const shardFile = repoLockPath(stateDir, { index: 2, count: 3 });
    expect(path.basename(shardFile)).toBe('apply.shard-2-of-3.lock');
    const shard = writeLock({ id: 'shard-lock-id', runId: 'r2', shard: '2/3', hostname: 'ci-8' }, shardFile);
    expect(() => forceUnlock(stateDir, 'wrong-id')).toThrow(
      /no repository lock is wrong-id: they are held by apply run run-17 .*; apply run r2 of shard 2\/3 /,
    );
    expect(forceUnlock(stateDir, shard.id).shard).toBe('2/3');
    expect(existsSync(shardFile)).toBe(false);
    expect(readRepoLock(stateDir)).toEqual(held);
  });

  it('says so when there is no lock', () => {
    let caught: unknown;
    try {
      forceUnlock(stateDir, 'any');
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).toMatch(/^there is no repository lock/);
    expect((caught as { exitCode: number }).exitCode).toBe(1);
  });
});

describe('stateDirOf', () => {
  it('follows paths.state and defaults to state/', () => {
    expect(stateDirOf('/r', { config: undefined })).toBe('/r/state');
    const config = { doc: { spec: { paths: { state: 'var/patch-state' } } } };
    expect(stateDirOf('/r', { config } as unknown as Parameters<typeof stateDirOf>[1])).toBe(
      '/r/var/patch-state',
    );
  });
});
