// `patchctl scan` with an inventory address that only the ssh config knows (issue 16, docs/ssh.md):
// over the simulated fleet (real ssh transport), `address: web1` with `Host web1` in the ssh
// config the inventory points at reaches the host; a config patchctl cannot follow fails the host
// naming file:line, and nothing else is tried.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

  // The real command in a child process: os.homedir() reads the process's own HOME, which a
  // test cannot change in jest's sandbox.
  it('reads ~/.ssh/config by default, and not when the Config says configFile: none', async () => {
    fleet = await startSimFleet({ hosts: 1, latencyMs: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sshcfg-home-'));
    const repo = path.join(dir, 'repo');
    fleet.writeRepository(repo);
    const [one] = fleet.hosts;
    if (!one) throw new Error('one host expected');
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    const scan = () => patchctlIn(home, ['scan', '-C', repo, '--no-refresh', '--no-color']);

    // The fleet's own Config says `configFile: none`: a Host * sending every host to port 1 in the
    // user's config must not reach it.
    const configPath = path.join(repo, 'patchctl.yaml');
    expect(readFileSync(configPath, 'utf8')).toContain('    configFile: none\n');
    writeFileSync(path.join(home, '.ssh', 'config'), 'Host *\n    Port 1\n');
    const isolated = await scan();
    expect(isolated.stdout.split('\n')).toContain('✓ lab-01: 6 pending updates, 2 security');
    expect(isolated.code).toBe(0);

    // Without that line, ~/.ssh/config is read as ssh reads it: an alias only it knows works.
    writeFileSync(configPath, readFileSync(configPath, 'utf8').replace('    configFile: none\n', ''));
    const inventory = path.join(repo, 'inventory', 'lab.yaml');
    writeFileSync(
      inventory,
      readFileSync(inventory, 'utf8').replace(
        `      address: ${one.address}\n      port: ${one.port}\n`,
        '      address: web1\n',
      ),
    );
    writeFileSync(
      path.join(home, '.ssh', 'config'),
      `Host web1\n    HostName ${one.address}\n    Port ${one.port}\n`,
    );
    const viaHome = await scan();
    expect(viaHome.stdout.split('\n')).toContain('✓ lab-01: 6 pending updates, 2 security');
    expect(viaHome.code).toBe(0);
  });
});

/** bin/patchctl (built) with HOME set, not blocking: the simulated hosts answer from this process. */
function patchctlIn(home: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  const bin = fileURLToPath(new URL('../../../bin/patchctl', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
