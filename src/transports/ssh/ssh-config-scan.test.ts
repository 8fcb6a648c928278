// `patchctl scan` with an inventory address that only the ssh config knows (issue 16, docs/ssh.md):
// over the simulated fleet (real ssh transport), `address: web1` with `Host web1` in the ssh
// config the inventory points at reaches the host; a config patchctl cannot follow fails the host
// naming file:line, and nothing else is tried.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { main } from '../../cli/main.js';
import type { SimFleet } from '../../sim/fleet.js';
import { startSimFleet } from '../../sim/fleet.js';
import { captureIo } from '../../test-support/capture-io.js';

let fleet: SimFleet | undefined;
let dir = '';

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ cwd: dir });
  const code = await main(args, io);
  return { code, ...io.text() };
}

describe('patchctl scan with an ssh config (issue 16)', () => {
  it('reaches a host known only by its ssh config alias, and fails one the config sends through Match', async () => {
    fleet = await startSimFleet({ hosts: 2, latencyMs: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sshcfg-cli-'));
    fleet.writeRepository(dir);
    const [one, two] = fleet.hosts;
    if (!one || !two) throw new Error('two hosts expected');
    const inventory = path.join(dir, 'inventory', 'lab.yaml');
    const text = readFileSync(inventory, 'utf8');
    const hostBlock = `    - name: lab-01\n      address: ${one.address}\n      port: ${one.port}\n`;
    expect(text).toContain(hostBlock);
    writeFileSync(
      inventory,
      text
        .replace(hostBlock, '    - name: lab-01\n      address: web1\n')
        .replace('  defaults:\n', '  defaults:\n    sshConfig: ssh/config\n'),
    );
    mkdirSync(path.join(dir, 'ssh'));
    const config = path.join(dir, 'ssh', 'config');
    writeFileSync(
      config,
      `Host web1\n    HostName ${one.address}\n    Port ${one.port}\n\n` +
        `Match originalhost ${two.address} exec "touch ${path.join(dir, 'exec-ran')}"\n    User nobody\n`,
    );

    const v = await run(['validate', '-C', dir]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const scan = await run(['scan', '-C', dir, '--no-refresh', '--no-color']);
    const lines = scan.stdout.split('\n');
    expect(lines).toContain('✓ lab-01: 6 pending updates, 2 security');
    expect(lines).toContain(
      `✗ lab-02: unreachable: lab-02: ssh config ${config}:5: Match blocks are not supported, and this one may apply to ${two.address}; use Host blocks, or point patchctl at another file (ssh.configFile or the inventory's sshConfig)`,
    );
    expect(scan.code).toBe(1);
    expect(two.connections()).toBe(0);
    expect(() => readFileSync(path.join(dir, 'exec-ran'))).toThrow();
  });
});
