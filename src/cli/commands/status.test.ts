import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import type { HostStatus, JournalEvent } from '../../engine/apply/journal.js';
import { acquireRepoLock } from '../../engine/repo-lock.js';
import { PatchctlError } from '../../errors.js';
import { captureIo } from '../../test-support/capture-io.js';
import { statusCommand } from './status.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const DIGEST = `sha256:${'ab12'.repeat(16)}`;
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-status-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

/** Runs `patchctl status` the way main does, mapping errors to their exit codes. */
async function run(...args: string[]) {
  return runIn(dir, ...args);
}

async function runIn(cwd: string, ...args: string[]) {
  const io = captureIo({ cwd });
  let code = 0;
  const program = new Command('patchctl').exitOverride();
  program.addCommand(
    statusCommand(io, (c) => {
      code = c;
    })
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr }),
  );
  try {
    await program.parseAsync(['status', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof PatchctlError)) throw err;
    io.stderr(`patchctl: ${err.message}\n`);
    code = err.exitCode;
  }
  return { code, ...io.text() };
}

function writeRollout(rings: Record<string, unknown>, updatedAt = '2026-11-30T12:00:00Z'): void {
  const file = path.join(dir, 'state', 'rollouts', 'standard.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const body = { formatVersion: 1, rollout: 'standard', planDigest: DIGEST, updatedAt, rings };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}

/** A journal event without its run id (writeJournal adds it). */
type EventOfRun = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, 'runId'> : never) : never;

function writeJournal(runId: string, events: EventOfRun[]): void {
  const file = path.join(dir, 'state', 'runs', `${runId}.jsonl`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, events.map((e) => `${JSON.stringify({ ...e, runId })}\n`).join(''));
}

const RUN = '20261130T020000Z-3fa29c01';
const started: EventOfRun = {
  type: 'run-started',
  at: '2026-11-30T02:00:00Z',
  planDigest: DIGEST,
  who: 'ops@ci',
};
const hostDone = (host: string, status: HostStatus, at = '2026-11-30T02:10:00Z'): EventOfRun => ({
  type: 'host-finished',
  at,
  planDigest: DIGEST,
  host,
  ring: 'canary',
  status,
  actions: [],
});

describe('patchctl status', () => {
  it('shows a baking canary, pending rings waiting for it, and the last finished run (exit 0)', async () => {
    writeRollout({
      canary: {
        status: 'completed',
        startedAt: '2026-11-30T02:00:00Z',
        finishedAt: '2026-11-30T02:20:00Z',
        healthySince: '2026-11-30T02:20:00Z',
        failures: 0,
      },
    });
    writeJournal(RUN, [
      started,
      hostDone('fra-web-01', 'patched'),
      hostDone('nyc-web-01', 'patched'),
      {
        type: 'ring-finished',
        at: '2026-11-30T02:20:00Z',
        ring: 'canary',
        rollout: 'standard',
        status: 'completed',
        failures: 0,
      },
      { type: 'run-finished', at: '2026-11-30T02:21:00Z', halted: false },
    ]);
    const r = await run('--at', '2026-11-30T12:00:00Z');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'Rollout standard (updated 2026-11-30T12:00:00Z, plan sha256:ab12ab12ab12)',
        '  … canary  baking until 2026-12-01T02:20:00Z (finished 2026-11-30T02:20:00Z, 0 failed, bake time 24h)',
        '  · pilot   pending: waits for ring canary to bake until 2026-12-01T02:20:00Z',
        '  · broad   pending: waits for ring pilot to complete',
        '',
        // The same host states as the plan (issue 13): never "unreachable" for what cannot be driven.
        'Hosts: 13 in the inventory: 8 scanned, 4 unsupported, 1 unreachable',
        '  ? fra-ws-01                   unsupported: transport winrm is not supported by this version; OS seen: windows 10.0.26100.2033 (windows family)',
        '  ? fra-ws-02                   unsupported: transport winrm is not supported by this version; OS seen: windows 10.0.26100.2033 (windows family)',
        '  ? nyc-db-01                   unreachable since 2026-11-20T22:04:11Z (last scan 2026-11-30T22:01:39Z: connect ETIMEDOUT 198.51.100.21:22)',
        '  ? nyc-ws-01                   unsupported: transport winrm is not supported by this version; OS seen: windows 10.0.26100.2033 (windows family)',
        '  ? nyc-ws-02.corp.example.net  unsupported: transport winrm is not supported by this version; OS seen: windows 10.0.26100.2033 (windows family)',
        '',
        `Last apply: run ${RUN} (plan sha256:ab12ab12ab12) by ops@ci, started 2026-11-30T02:00:00Z, finished 2026-11-30T02:21:00Z: 2 patched; not halted`,
        '',
      ].join('\n'),
    );
  });

  it('shows the canary done once baked (default --at is now), with JSON data', async () => {
    writeRollout({
      canary: {
        status: 'completed',
        finishedAt: '2026-11-29T00:00:00Z',
        healthySince: '2026-11-29T00:00:00Z',
        failures: 1,
      },
      pilot: { status: 'in-progress', startedAt: '2026-11-30T22:00:00Z', failures: 0 },
    });
    const text = await run();
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('  ✓ canary  done (finished 2026-11-29T00:00:00Z, 1 failed)\n');
    expect(text.stdout).toContain(
      '  ▸ pilot   in progress (started 2026-11-30T22:00:00Z, 0 failed so far)\n',
    );
    expect(text.stdout).toContain('Last apply: none (no journal under state/runs/)\n');
    const json = await run('--format', 'json');
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(data).toMatchObject({
      at: '2026-12-01T00:00:00Z',
      halted: false,
      lastRun: null,
      lock: null,
      rollouts: [
        {
          rollout: 'standard',
          planDigest: DIGEST,
          halted: false,
          rings: [
            { ring: 'canary', status: 'done', failures: 1, bakeTime: '24h' },
            { ring: 'pilot', status: 'in-progress', startedAt: '2026-11-30T22:00:00Z' },
            { ring: 'broad', status: 'pending', waitingFor: 'ring pilot to complete' },
          ],
        },
      ],
    });
  });

  it('exits 1 when a rollout is halted and says why', async () => {
    writeRollout({
      canary: {
        status: 'halted',
        startedAt: '2026-11-30T02:00:00Z',
        finishedAt: '2026-11-30T02:20:00Z',
        failures: 1,
        haltedReason: '1 of 2 hosts failed; the failure budget allows 0',
      },
    });
    writeJournal(RUN, [
      started,
      hostDone('fra-web-01', 'failed'),
      hostDone('nyc-web-01', 'patched'),
      {
        type: 'ring-finished',
        at: '2026-11-30T02:20:00Z',
        ring: 'canary',
        rollout: 'standard',
        status: 'halted',
        failures: 1,
      },
      { type: 'run-finished', at: '2026-11-30T02:21:00Z', halted: true },
    ]);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '  ✗ canary  halted: 1 of 2 hosts failed; the failure budget allows 0 (at 2026-11-30T02:20:00Z, 1 failed)\n',
    );
    expect(r.stdout).toContain('  · pilot   pending: waits for ring canary, which is halted\n');
    expect(r.stdout).toContain(': 1 failed, 1 patched; halted\n');
    const json = await run('--format', 'json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      halted: true,
      lastRun: { halted: true, finished: true },
    });
  });

  it('says a killed run did not finish and suggests apply --resume', async () => {
    writeJournal(RUN, [started, hostDone('fra-web-01', 'patched')]);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Last apply: run ${RUN} (plan sha256:ab12ab12ab12) by ops@ci, started 2026-11-30T02:00:00Z, did not finish (killed?): 1 patched; continue it with: patchctl apply --resume\n`,
    );
    expect(r.stdout).not.toContain('Lock:');
  });

  it('shows the lock and its force-unlock id; a run holding it is still running', async () => {
    writeJournal(RUN, [started, hostDone('fra-web-01', 'patched')]);
    const lock = acquireRepoLock(
      path.join(dir, 'state'),
      { operation: 'apply', runId: RUN, planDigest: DIGEST },
      () => new Date('2026-11-30T02:00:00Z'),
    );
    try {
      const r = await run();
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`, still running (it holds the lock): 1 patched so far\n`);
      expect(r.stdout).toContain(
        `Lock: held by apply run ${RUN} (id ${lock.id}, ${lock.info.who}, pid ${process.pid}, since 2026-11-30T02:00:00.000Z) (if that run is gone: patchctl force-unlock ${lock.id})\n`,
      );
      const json = await run('--format', 'json');
      expect(JSON.parse(json.stdout)).toMatchObject({
        lock: { id: lock.id, runId: RUN },
        lastRun: { running: true },
      });
    } finally {
      lock.release();
    }
  });

  it('exits 3 on an invalid rollout state file or repository', async () => {
    writeRollout({ canary: { status: 'done' } });
    const r = await run();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/state\/rollouts\/standard\.json/);
    rmSync(path.join(dir, 'state', 'rollouts'), { recursive: true });
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'apiVersion: nonsense\n');
    expect((await run()).code).toBe(3);
  });

  it('follows -C and rejects an invalid --at', async () => {
    writeJournal(RUN, [started]);
    const r = await runIn(path.dirname(dir), '-C', 'repo', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ lastRun: { runId: RUN, finished: false, running: false } });
    const bad = await run('--at', 'yesterday');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--at "yesterday" is not an ISO 8601 time/);
  });
});
