// apply end to end on the simulated fleet (over SSH, in this process): a multi-arch package and the
// remote lock across a reboot, as the lab would show them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { main } from '../cli/main.js';
import { captureIo } from '../test-support/capture-io.js';
import type { SimFleet } from './fleet.js';
import { startSimFleet } from './fleet.js';

describe('apply on the simulated fleet', () => {
  let fleet: SimFleet;
  let scratch: string;

  beforeAll(async () => {
    fleet = await startSimFleet({ hosts: 1, seed: 11, rebootDelayMs: 20, rebootDowntimeMs: 50 });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-apply-'));
  }, 60_000);
  afterAll(async () => {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function patchctl(
    dir: string,
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = captureIo({ cwd: dir });
    const code = await main([...args, '-C', dir], io);
    return { code, ...io.text() };
  }

  it('patches the i386 package that is behind, not the amd64 one that is not; the reboot keeps the host locked for the run', async () => {
    const host = fleet.hosts[0]?.state;
    if (!host) throw new Error('no host');
    host.addPackage({ name: 'fleet-multi', suite11: 'fleet-security', description: 'a multi-arch library' }, [
      { arch: 'amd64', version: '1.1' },
      { arch: 'i386', version: '1.0' },
    ]);
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    expect((await patchctl(dir, ['scan'])).code).toBe(0);
    const planned = await patchctl(dir, ['plan', '--no-color']);
    expect(planned.stdout).toMatch(/fleet-multi/);

    const r = await patchctl(dir, ['apply', '--auto-approve', '--no-color']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ lab-01: patched: .*fleet-multi 1\.0 → 1\.1.*; rebooted/);
    expect(host.installed.get('fleet-multi')?.version).toBe('1.1');
    expect(host.installed.get('fleet-multi:i386')?.version).toBe('1.1');
    expect(host.bootCount).toBe(1);
    // The lock was taken again after the reboot and released at the end; no reservation is left.
    expect(host.remoteLockOwner).toBeUndefined();
    expect(host.reservation).toBeUndefined();
    const reserve = host.commands.findIndex((c) => c.includes("'patchctl-lock' 'reserve'"));
    const reboot = host.commands.findIndex((c) => c.endsWith("'reboot'"));
    expect(reserve).toBeGreaterThan(-1);
    expect(reboot).toBeGreaterThan(reserve);

    // Nothing is left to do: a later apply does not claim the upgrade again.
    const again = await patchctl(dir, ['apply', '--auto-approve', '--no-color']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes: nothing to apply.');
  }, 120_000);
});
