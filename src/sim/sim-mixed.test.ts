// A mixed simulated fleet (issue 14: one Debian, one RHEL-like, one SUSE-like host, as the lab's
// `--mix deb:1,el:1,suse:1`) driven through the real CLI over SSH: scan → plan → apply, each host
// with its own driver, then the hosts' state read back. The RPM hosts answer from the drivers'
// captures on the lab's EL 9 and SLE 15 layers (rpm-hosts.test.ts checks that).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { main } from '../cli/main.js';
import { batchParts } from '../drivers/linux/index.js';
import { parseCommandLine } from '../transports/command-line.js';
import { captureIo } from '../test-support/capture-io.js';
import type { SimFleet } from './fleet.js';
import { parseSimMix, simMixHosts, startSimFleet } from './fleet.js';

async function patchctl(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ cwd: dir });
  const code = await main([...args, '-C', dir], io);
  return { code, ...io.text() };
}

const byName = (fleet: SimFleet, name: string) => {
  const h = fleet.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no host ${name}`);
  return h.state;
};

describe('a mixed simulated fleet (deb:1, el:1, suse:1)', () => {
  let fleet: SimFleet;
  let scratch: string;
  let dir: string;

  beforeAll(async () => {
    fleet = await startSimFleet({
      mix: { deb: 1, el: 1, suse: 1 },
      seed: 7,
      rebootDelayMs: 20,
      rebootDowntimeMs: 50,
    });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-mixed-'));
    dir = fleet.writeRepository(path.join(scratch, 'repo'));
  }, 60_000);
  afterAll(async () => {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('names hosts as the mixed lab does, with os hints and a canary ring that mixes families', () => {
    expect(fleet.hosts.map((h) => [h.name, h.index, h.family, h.os, h.state.osId])).toEqual([
      ['lab-01', 1, 'deb', 'debian', 'debian'],
      ['el-01', 2, 'el', 'almalinux', 'almalinux'],
      ['suse-01', 3, 'suse', 'sles', 'sles'],
    ]);
    const inventory = readFileSync(path.join(dir, 'inventory', 'lab.yaml'), 'utf8');
    expect(inventory).toMatch(/- name: el-01\n\s+address: 127\.0\.0\.1\n\s+port: \d+\n\s+os: almalinux\n/);
    expect(inventory).toMatch(/- name: suse-01\n\s+address: 127\.0\.0\.1\n\s+port: \d+\n\s+os: sles\n/);
    expect(readFileSync(path.join(dir, 'groups', 'lab.yaml'), 'utf8')).toContain('hosts: [lab-01, el-01]');
    expect(simMixHosts(parseSimMix('deb:2,el:1,suse:1')).map((h) => h.name)).toEqual([
      'lab-01',
      'lab-02',
      'el-01',
      'suse-01',
    ]);
    expect(() => parseSimMix('rpm:1')).toThrow(/FAMILY:COUNT/);
  });

  it('scans, plans and patches each host with its own driver: the kernel beside the old one, fleet-held held', async () => {
    const scanned = await patchctl(dir, ['scan']);
    expect(scanned.stderr).toBe('');
    expect(scanned.code).toBe(0);
    const state = (host: string): { packageManager?: string; held?: string[]; updates: { name: string }[] } =>
      JSON.parse(readFileSync(path.join(dir, 'state', 'hosts', `${host}.json`), 'utf8')) as {
        packageManager?: string;
        held?: string[];
        updates: { name: string }[];
      };
    expect(['lab-01', 'el-01', 'suse-01'].map((h) => state(h).packageManager)).toEqual([
      'apt',
      'dnf',
      'zypper',
    ]);
    for (const h of ['el-01', 'suse-01']) {
      expect(state(h).held).toEqual(['fleet-held']);
      expect(
        state(h)
          .updates.map((u) => u.name)
          .sort(),
      ).toEqual(expect.arrayContaining(['fleet-broken', 'fleet-lib', 'fleet-testpkg', 'kernel']));
    }

    const planned = await patchctl(dir, ['plan', '--no-color']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/el-01/);
    expect(planned.stdout).toMatch(/suse-01/);
    for (const h of ['el-01', 'suse-01'])
      expect(planned.stdout).toMatch(
        new RegExp(`${h}[\\s\\S]*skipped fleet-held 1\\.1-1\\.el9: held \\(package manager hold`),
      );

    const bootBefore = Object.fromEntries(fleet.hosts.map((h) => [h.name, h.state.bootId]));
    const applied = await patchctl(dir, ['apply', '--auto-approve', '--no-color']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    for (const h of ['lab-01', 'el-01', 'suse-01'])
      expect(applied.stdout).toMatch(new RegExp(`✓ ${h}: patched`));

    // lab-01 (odd: every update), el-01 (even: security only), suse-01 (odd: every update).
    expect(byName(fleet, 'lab-01').versions()).toMatchObject({
      'fleet-crypto': '1.1',
      'fleet-kernel': '1.1',
      'fleet-broken': '1.0',
      'fleet-held': '1.0',
    });
    expect(byName(fleet, 'el-01').versions()).toEqual({
      'fleet-broken': '1.0-1.el9',
      'fleet-held': '1.0-1.el9',
      'fleet-lib': '2.0-1.el9',
      'fleet-testpkg': '1.1-1.el9',
      kernel: '5.14.0-427.13.1.el9',
    });
    expect(byName(fleet, 'suse-01').versions()).toEqual({
      'fleet-broken': '1.0-1.el9',
      'fleet-held': '1.0-1.el9',
      'fleet-lib': '2.1-1.el9',
      'fleet-testpkg': '1.1-1.el9',
      kernel: '5.14.0-427.13.1.el9',
    });
    for (const h of ['el-01', 'suse-01']) {
      const host = byName(fleet, h);
      expect(host.installedVersions('kernel')).toEqual(['5.14.0-362.8.1.el9', '5.14.0-427.13.1.el9']);
      // The kernel asked for a reboot: each host rebooted once, proven by a new boot id.
      expect(host.bootCount).toBe(1);
      expect(host.bootId).not.toBe(bootBefore[h]);
      expect(host.remoteLockOwner).toBeUndefined();
    }
    expect(state('el-01').held).toEqual(['fleet-held']);
    expect(
      state('suse-01')
        .updates.map((u) => u.name)
        .sort(),
    ).toEqual(['fleet-broken', 'fleet-held']);
  }, 120_000);

  it('fails fleet-broken with its scriptlet on every host, and leaves it at 1.0', async () => {
    // Every host in the canary ring takes every update, fleet-broken included, and the budget
    // lets each host fail on its own (the per-update gate would otherwise hold later rings back).
    const edit = (rel: string, f: (t: string) => string): void =>
      writeFileSync(path.join(dir, rel), f(readFileSync(path.join(dir, rel), 'utf8')));
    edit('policies/lab.yaml', (t) =>
      t
        .replaceAll('exclude: [fleet-broken]', 'exclude: []')
        .replaceAll('classification: [security]', 'classification: [all]'),
    );
    edit('groups/lab.yaml', (t) => t.replace('hosts: [lab-01, el-01]', 'hosts: [lab-01, el-01, suse-01]'));
    edit('rollouts/lab.yaml', (t) => t.replace('maxFailed: 0', 'maxFailed: 3'));
    expect((await patchctl(dir, ['scan', '--no-refresh', '-q'])).code).toBe(0);
    const r = await patchctl(dir, ['apply', '--auto-approve', '--no-color']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ lab-01: failed: .*fleet-broken/);
    expect(r.stdout).toMatch(/✗ el-01: failed: .*fleet-broken/);
    expect(r.stdout).toMatch(/✗ suse-01: failed: .*fleet-broken/);
    expect(byName(fleet, 'el-01').installedVersions('fleet-broken')).toEqual(['1.0-1.el9']);
    expect(byName(fleet, 'suse-01').installedVersions('fleet-broken')).toEqual(['1.0-1.el9']);
    // dnf ran the rest of the transaction: el-01's bug fix (security-only before) is in.
    expect(byName(fleet, 'el-01').installedVersions('fleet-lib')).toEqual(['2.1-1.el9']);
  }, 120_000);
});

describe('round trips per host on a mixed simulated fleet (issue 14: at most five, the lock included)', () => {
  let fleet: SimFleet;
  let scratch: string;

  beforeAll(async () => {
    fleet = await startSimFleet({ mix: { deb: 1, el: 1, suse: 1 }, seed: 9 });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-mixed-trips-'));
  }, 60_000);
  afterAll(async () => {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('apply sends every host, whatever its driver, four commands: the lock, one check, the install, one verify-and-rescan', async () => {
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    const policies = path.join(dir, 'policies', 'lab.yaml');
    writeFileSync(policies, readFileSync(policies, 'utf8').replaceAll('reboot: ifRequired', 'reboot: never'));
    expect(await main(['scan', '-C', dir, '--no-refresh', '-q'], captureIo({ cwd: dir }))).toBe(0);
    for (const h of fleet.hosts) h.state.commands.length = 0;
    const applied = captureIo({ cwd: dir });
    expect(await main(['apply', '-C', dir, '--auto-approve', '--no-color'], applied)).toBe(0);
    for (const h of fleet.hosts) {
      const shape = h.state.commands.map((line) => {
        const argv = parseCommandLine(line)?.argv ?? [];
        if (argv[3] === 'patchctl-lock') return 'lock';
        const batch = batchParts(argv);
        if (batch !== undefined) return `batch of ${batch.length}`;
        return 'install';
      });
      expect([h.name, shape]).toEqual([h.name, ['lock', 'batch of 3', 'install', 'batch of 3']]);
    }
  }, 120_000);
});
