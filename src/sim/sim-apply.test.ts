// apply end to end on the simulated fleet (over SSH, in this process): a multi-arch package and the
// remote lock across a reboot, as the lab would show them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { main } from '../cli/main.js';
import { batchParts } from '../drivers/linux/index.js';
import { parseCommandLine } from '../transports/command-line.js';
import { captureIo } from '../test-support/capture-io.js';
import { SimAptHost } from './apt-host.js';
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
    if (!(host instanceof SimAptHost)) throw new Error('no Debian host');
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

describe('round trips per host on the simulated fleet (issue 14: at most five, the lock included)', () => {
  let fleet: SimFleet;
  let scratch: string;

  beforeAll(async () => {
    fleet = await startSimFleet({ hosts: 3, seed: 5 });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-trips-'));
  }, 60_000);
  afterAll(async () => {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('apply sends each host four commands after the handshake: the lock, one check, the install, one verify-and-rescan', async () => {
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    // No reboot and no hooks: the case the target is about.
    const policies = path.join(dir, 'policies', 'lab.yaml');
    writeFileSync(policies, readFileSync(policies, 'utf8').replaceAll('reboot: ifRequired', 'reboot: never'));
    const io = captureIo({ cwd: dir });
    expect(await main(['scan', '-C', dir, '--no-refresh', '-q'], io)).toBe(0);
    for (const h of fleet.hosts) h.state.commands.length = 0;
    const applied = captureIo({ cwd: dir });
    expect(await main(['apply', '-C', dir, '--auto-approve', '--no-color'], applied)).toBe(0);
    expect(applied.text().stdout).toMatch(/patched/);
    for (const h of fleet.hosts) {
      const argvs = h.state.commands.map((line) => parseCommandLine(line)?.argv ?? []);
      const shape = argvs.map((argv) => {
        if (argv[3] === 'patchctl-lock') return 'lock';
        const batch = batchParts(argv);
        if (batch !== undefined) return `batch of ${batch.length}`;
        return argv.includes('install') ? 'install' : argv.slice(0, 3).join(' ');
      });
      expect(shape).toEqual(['lock', 'batch of 3', 'install', 'batch of 3']);
    }
  }, 120_000);
});
