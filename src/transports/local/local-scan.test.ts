// `patchctl scan` of a `transport: local` host reaches this machine through the registry, reads its
// facts and says what it is. So that no package-manager command can run here, whatever this
// machine is, the test empties the driver registry (of this test file's module instance only):
// every OS is then one patchctl has no driver for, and the scan stops after the neutral Linux
// facts (sh, cat, uname). apply is never run against this machine.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { hostConnector } from '../../cli/ssh-connector.js';
import { main } from '../../cli/main.js';
import type { HostState } from '../../core/state/types.js';
import { drivers } from '../../drivers/api.js';
import type { DriverId, PackageDriver } from '../../drivers/types.js';
import { parseOsRelease } from '../../drivers/linux/facts.js';
import { loadRepository } from '../../engine/load-repo.js';
import { captureIo } from '../../test-support/capture-io.js';

const doc = (kind: string, body: string): string =>
  `apiVersion: patchctl/v1\nkind: ${kind}\nmetadata:\n  name: here\nspec:\n${body}`;

let dir = '';
const saved = new Map<DriverId, PackageDriver>();

beforeAll(() => {
  const registry = drivers as Map<DriverId, PackageDriver>;
  for (const [id, d] of registry) saved.set(id, d);
  registry.clear();
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-local-scan-'));
  writeFileSync(path.join(dir, 'patchctl.yaml'), doc('Config', '  timezone: UTC\n'));
  mkdirSync(path.join(dir, 'inventory'));
  writeFileSync(
    path.join(dir, 'inventory', 'here.yaml'),
    doc('Inventory', '  hosts:\n    - name: controller\n      transport: local\n'),
  );
});
afterAll(() => {
  for (const [id, d] of saved) (drivers as Map<DriverId, PackageDriver>).set(id, d);
  rmSync(dir, { recursive: true, force: true });
});

/** What this machine says about itself, read here directly. */
function thisMachine(): { id: string; bootId: string } {
  const text = (() => {
    try {
      return readFileSync('/etc/os-release', 'utf8');
    } catch {
      return readFileSync('/usr/lib/os-release', 'utf8');
    }
  })();
  return {
    id: parseOsRelease(text).get('ID') ?? 'linux',
    bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  };
}

describe('a transport: local host', () => {
  it('validate does not call it undriven', async () => {
    const io = captureIo({ cwd: dir });
    await main(['validate', '-C', dir], io);
    expect(io.text().stdout + io.text().stderr).not.toContain('undriven-hosts');
  });

  it('scan reaches this machine, reads its facts and says what it is (no driver: no package-manager command)', async () => {
    expect(drivers.size).toBe(0);
    const io = captureIo({ cwd: dir });
    const code = await main(['scan', '-C', dir, '--no-refresh'], io);
    const { stdout, stderr } = io.text();
    const me = thisMachine();
    expect(stdout + stderr).not.toMatch(/transport local|no registered plug-in|unreachable/);
    expect(stdout).toMatch(
      new RegExp(
        `^\\? controller: unsupported: controller runs ${me.id} \\S+ \\(\\S+ family\\): patchctl has no package-manager driver for it`,
        'm',
      ),
    );
    expect(stdout).toContain('Scanned 0 of 1 hosts, 1 unsupported.');
    expect(code).toBe(0); // unsupported is what the host is, not a failure of the scan
    const state = JSON.parse(
      readFileSync(path.join(dir, 'state', 'hosts', 'controller.json'), 'utf8'),
    ) as HostState & { os?: { id: string } };
    expect(state).toMatchObject({ reachable: false, errorKind: 'unsupported' });
    expect(state.os?.id).toBe(me.id);
  });

  it('its transport keeps canReboot: false through the redacting wrapper the CLI puts around it', async () => {
    const loaded = loadRepository(dir);
    const open = await hostConnector(dir, loaded.repository, {}, { acceptNewHostKeys: false });
    const host = loaded.repository.hosts.find((h) => h.name === 'controller');
    if (host === undefined) throw new Error('no host');
    const t = open(host);
    expect([t.id, t.canReboot]).toEqual(['local', false]);
    const boot = await t.run({ argv: ['cat', '/proc/sys/kernel/random/boot_id'] });
    expect(boot.stdout.trim()).toBe(thisMachine().bootId);
    await t.close();
  });
});
