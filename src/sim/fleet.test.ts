// The real engine (scan → plan → apply, over the real ssh transport and apt driver) against three
// simulated hosts: the first scenario of test/lab/apply.lab.ts, checked on the hosts' state.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { sshConnector } from '../cli/ssh-connector.js';
import { apt } from '../drivers/apt/index.js';
import { acquireRemoteLock } from '../engine/apply/remote-lock.js';
import { runApply } from '../engine/apply/run-apply.js';
import { loadRepository } from '../engine/load-repo.js';
import { makePlan } from '../engine/make-plan.js';
import { scanFleet } from '../engine/scan.js';
import { KnownHostsStore, SshTransport } from '../transports/ssh/index.js';
import type { SimFleet } from './fleet.js';
import { SIM_CLIENT_KEY_FILE, startSimFleet } from './fleet.js';

/** What the lab's policies upgrade (apply.lab.ts expectedAfter). */
const expectedAfter = (index: number): Record<string, string> => ({
  'fleet-broken': '1.0',
  'fleet-crypto': '1.1',
  'fleet-held': '1.0',
  'fleet-kernel': '1.1',
  'fleet-tools': index % 2 === 1 ? '1.1' : '1.0',
  'fleet-utils': index % 2 === 1 ? '1.1' : '1.0',
});

let fleet: SimFleet | undefined;
let dir = '';

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

const now = (): DateTime => DateTime.now().toUTC();

describe('the simulated fleet', () => {
  it('is patched by the real engine ring by ring, with reboots proven by boot id', async () => {
    fleet = await startSimFleet({ hosts: 3, latencyMs: 2, rebootDelayMs: 20, rebootDowntimeMs: 50 });
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-'));
    fleet.writeRepository(dir);
    const { repository } = loadRepository(dir, { at: now() });
    const connect = await sshConnector(dir, repository, {}, { acceptNewHostKeys: false });

    const scanned = await scanFleet(dir, repository, { concurrency: 10, now, connect });
    expect(scanned.map((r) => [r.host, r.status, r.updates, r.security])).toEqual([
      ['lab-01', 'scanned', 6, 2],
      ['lab-02', 'scanned', 6, 2],
      ['lab-03', 'scanned', 6, 2],
    ]);

    const { plan } = makePlan(dir, now());
    const bootBefore = Object.fromEntries(fleet.hosts.map((h) => [h.name, h.state.bootId]));
    const started: string[] = [];
    const run = await runApply({
      dir,
      repository,
      plan,
      now,
      connect,
      env: {},
      rebootPollMs: 50,
      observer: { hostStarted: (host) => started.push(host) },
    });
    expect(run.result.halted).toBe(false);
    expect(started[0]).toBe('lab-01'); // the canary ring first
    const byHost = Object.fromEntries(run.result.hosts.map((h) => [h.host, h]));
    for (const h of fleet.hosts) {
      const r = byHost[h.name];
      expect(r?.status).toBe('patched');
      expect(r?.error).toBeUndefined();
      expect(r?.verification).toEqual({ ok: true, mismatches: [] });
      expect(h.state.versions()).toEqual(expectedAfter(h.index));
      // fleet-kernel asked for a reboot: the host rebooted once, and the engine saw its new boot id.
      expect(h.state.bootId).not.toBe(bootBefore[h.name]);
      expect(h.state.bootCount).toBe(1);
      expect(r?.rebooted).toEqual({ bootIdBefore: bootBefore[h.name], bootIdAfter: h.state.bootId });
      expect(h.state.rebootRequired).toBe(false);
      // The remote lock was released.
      expect(h.state.remoteLockOwner).toBeUndefined();
    }
    const state = JSON.parse(readFileSync(path.join(dir, 'state/hosts/lab-01.json'), 'utf8')) as {
      updates: { name: string }[];
    };
    expect(state.updates.map((u) => u.name).sort()).toEqual(['fleet-broken', 'fleet-held']);
    const rollout = JSON.parse(readFileSync(path.join(dir, 'state/rollouts/lab.json'), 'utf8')) as {
      rings: Record<string, { status: string }>;
    };
    expect(rollout.rings.canary?.status).toBe('completed');
    expect(rollout.rings.rest?.status).toBe('completed');

    // Nothing left to do.
    const again = makePlan(dir, now()).plan;
    expect(again.rings.flatMap((r) => r.hosts).flatMap((h) => h.actions)).toEqual([]);
  }, 30_000);

  it('accepts only its client key for patchctl, keeps a held command open, and refuses a host that is down', async () => {
    fleet = await startSimFleet({ hosts: 2, faults: { 'lab-02': { down: true } } });
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-'));
    fleet.writeRepository(dir);
    const [one, two] = fleet.hosts;
    if (!one || !two) throw new Error('two hosts expected');
    const knownHosts = await KnownHostsStore.load({ repoFile: path.join(dir, 'known_hosts') });
    const transport = (host: typeof one, user = 'patchctl'): SshTransport =>
      new SshTransport({
        host: host.name,
        address: host.address,
        port: host.port,
        user,
        identityFile: path.join(dir, SIM_CLIENT_KEY_FILE),
        knownHosts,
        env: {},
        sudo: true,
        connectTimeoutMs: 5_000,
        keepaliveIntervalMs: 20,
      });
    const t = transport(one);
    const other = transport(one, 'root');
    const off = transport(two);
    try {
      const facts = apt.parseFacts(await t.run(apt.facts()));
      expect(facts.bootId).toBe(one.state.bootId);
      // Keep-alives every 20 ms are answered: the same connection outlives several intervals.
      const connections = one.connections();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(apt.parseFacts(await t.run(apt.facts())).bootId).toBe(one.state.bootId);
      expect(one.connections()).toBe(connections);
      // The remote lock: held over one channel until released, refused to a second controller.
      const lock = await acquireRemoteLock(t, 'run A');
      expect(lock.ok).toBe(true);
      expect(one.state.remoteLockOwner).toBe('run A');
      const second = transport(one);
      try {
        expect(await acquireRemoteLock(second, 'run B')).toEqual({
          ok: false,
          reason: 'host is locked by another patchctl run: run A',
        });
        if (lock.ok) await lock.release();
        expect(one.state.remoteLockOwner).toBeUndefined();
        const again = await acquireRemoteLock(second, 'run B');
        expect(again.ok).toBe(true);
        if (again.ok) await again.release();
      } finally {
        await second.close();
      }
      const unknown = await t.run({ argv: ['true'] });
      expect(unknown.exitCode).toBe(127);
      expect(unknown.stderr).toContain("'true'");
      await expect(other.run(apt.facts())).rejects.toMatchObject({ kind: 'auth-failed' });
      await expect(off.run(apt.facts())).rejects.toMatchObject({ kind: 'unreachable' });
    } finally {
      await Promise.all([t.close(), other.close(), off.close()]);
    }
  }, 30_000);
});
