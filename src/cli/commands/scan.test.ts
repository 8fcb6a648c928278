// `patchctl scan` end to end over the simulated fleet (real ssh transport, real apt driver): what a
// host reports that the state schema refuses, a changed host key and a state/ this machine cannot
// write (issue 12).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { HostState } from '../../core/state/types.js';
import type { SimFleet } from '../../sim/fleet.js';
import { startSimFleet } from '../../sim/fleet.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

let fleet: SimFleet | undefined;
let dir = '';

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function simulated(hosts: number): Promise<SimFleet> {
  fleet = await startSimFleet({ hosts, latencyMs: 1 });
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-scan-cli-'));
  fleet.writeRepository(dir);
  return fleet;
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ cwd: dir });
  const code = await main(args, io);
  return { code, ...io.text() };
}

const stateOf = (host: string) =>
  JSON.parse(readFileSync(path.join(dir, 'state', 'hosts', `${host}.json`), 'utf8')) as HostState;

describe('patchctl scan (issue 12)', () => {
  it('records a host with invalid data and a changed key per host, fails naming them, and the repository stays valid', async () => {
    const f = await simulated(3);
    const [lab1, lab2, lab3] = f.hosts;
    if (!lab1 || !lab2 || !lab3) throw new Error('three hosts expected');
    // lab-02 reports a 300-character kernel release (one word for the parser; at most 128 stored).
    lab2.state.kernel = `6.1.0-${'x'.repeat(294)}`;
    // lab-03 answers with another key than the one pinned for it.
    const knownHosts = path.join(dir, 'known_hosts');
    const pinned = readFileSync(knownHosts, 'utf8');
    writeFileSync(
      knownHosts,
      pinned.replace(
        `[${lab3.address}]:${lab3.port} ${lab3.hostKey}`,
        `[${lab3.address}]:${lab3.port} ${lab1.hostKey}`,
      ),
    );

    const scan = await run(['scan', '-C', dir, '--no-refresh']);
    expect(scan.code).toBe(1);
    const lines = scan.stdout.split('\n');
    expect(lines).toContain('✓ lab-01: 6 pending updates, 2 security');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^✗ lab-02: invalid-host-data: lab-02: the host reported data patchctl refuses to store: os\.kernel "6\.1\.0-x+…" \(300 characters\) must be/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^✗ lab-03: host-key-mismatch: lab-03: /));
    expect(scan.stdout).toContain('Scanned 1 of 3 hosts, 2 failed.');
    expect(scan.stderr).toMatch(
      /^error host-key-changed: lab-03: its host key changed .*possible interception/m,
    );
    expect(stateOf('lab-02')).toMatchObject({ reachable: false, errorKind: 'invalid-host-data' });
    expect(stateOf('lab-03')).toMatchObject({ reachable: false, errorKind: 'host-key-mismatch' });

    // What scan stored never makes the repository invalid for the others.
    const plan = await run(['plan', '-C', dir]);
    expect(plan.stderr).not.toMatch(/invalid-state|error invalid/);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('lab-01');
    const status = await run(['status', '-C', dir]);
    expect(status.code).not.toBe(3);
  });

  it('a state/ it cannot write is a local error naming the path, not the host’s failure', async () => {
    const f = await simulated(2);
    rmSync(path.join(dir, 'state', 'hosts'), { recursive: true, force: true });
    mkdirSync(path.join(dir, 'state'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'hosts'), 'a file where a folder belongs\n');

    // One host at a time: the first local error stops the scan before the second starts.
    const scan = await run(['scan', '-C', dir, '--no-refresh', '--concurrency', '1']);
    expect(scan.code).toBe(1);
    expect(scan.stderr).toContain(
      'patchctl: cannot read state/hosts/lab-01.json: a part of the path is not a directory (ENOTDIR)\n',
    );
    expect(scan.stderr).toMatch(
      /could not be recorded on this machine, and 1 host was not scanned; their state files were left as they were/,
    );
    expect(scan.stdout).toMatch(
      /^✗ lab-01: not recorded \(a problem on this machine, not on the host\): cannot read/m,
    );
    expect(scan.stdout).toMatch(/^- lab-02: not scanned: the scan stopped after a local error/m);
    expect(`${scan.stdout}${scan.stderr}`).not.toMatch(/internal error|unreachable|failed:|\n\s+at /);
    // No host was contacted, nothing was written.
    expect(f.hosts.map((h) => h.connections())).toEqual([0, 0]);
    expect(readFileSync(path.join(dir, 'state', 'hosts'), 'utf8')).toBe('a file where a folder belongs\n');
  });
});
