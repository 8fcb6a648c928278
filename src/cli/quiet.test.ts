// `-q` really quiet (issue 16): errors and the command's result only (common-options.ts QUIET_HELP).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { SimFleet } from '../sim/fleet.js';
import { startSimFleet } from '../sim/fleet.js';
import { captureIo } from '../test-support/capture-io.js';
import { main } from './main.js';

const starter = new URL('../../examples/starter/', import.meta.url);
let scratch = '';
let fleet: SimFleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  scratch = '';
});

function starterRepo(): string {
  scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-quiet-'));
  const dir = path.join(scratch, 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
  return dir;
}

async function run(dir: string, ...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(args, io);
  return { code, ...io.text() };
}

describe('-q (issue 16)', () => {
  it('validate -q -v prints nothing for a valid repository; report -q -v writes its files and prints nothing', async () => {
    const dir = starterRepo();
    const loud = await run(dir, 'validate', '-v', '--at', '2026-12-01T00:00:00Z');
    expect(loud.stdout).not.toBe('');
    const v = await run(dir, 'validate', '-q', '-v', '--at', '2026-12-01T00:00:00Z');
    expect(v).toEqual({ code: 0, stdout: '', stderr: '' });
    const r = await run(dir, 'report', '-q', '-v', '--at', '2026-12-01T00:00:00Z');
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('validate -q --strict shows the warnings that fail it', async () => {
    const dir = starterRepo();
    const strict = await run(dir, 'validate', '--strict', '--at', '2026-12-01T00:00:00Z');
    const quiet = await run(dir, 'validate', '-q', '--strict', '--at', '2026-12-01T00:00:00Z');
    expect(quiet.code).toBe(strict.code);
    if (strict.code !== 0) expect(quiet.stdout).toMatch(/warning/);
  });

  it('scan -q and apply -q --auto-approve print nothing when every host succeeds; without -q they do', async () => {
    fleet = await startSimFleet({ hosts: 2, latencyMs: 1 });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-quiet-'));
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    expect(await run(dir, 'scan', '-q')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await run(dir, 'scan')).stdout).toContain('Scanned 2 of 2 hosts');
    expect((await run(dir, 'plan', '-q', '--detailed-exitcode')).code).toBe(2); // there is work
    const applied = await run(dir, 'apply', '-q', '--auto-approve');
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('');
    expect(applied.code).toBe(0);
    expect((await run(dir, 'plan', '-q', '--detailed-exitcode')).code).toBe(0); // and it was done
  });
});
