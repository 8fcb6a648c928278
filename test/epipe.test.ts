// `patchctl plan | head`: the reader closes the pipe early. patchctl drops the rest of its output
// quietly (no EPIPE stack trace) and ends with its own exit code (issue 16, "CLI habits").
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs patchctl, reads the first chunk of stdout, then closes the pipe as `head -1` would. */
function firstChunkThenClose(
  args: string[],
): Promise<{ code: number | null; first: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'patchctl'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let stderr = '';
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, first, stderr }));
  });
}

describe('a closed output pipe', () => {
  it('ends plan quietly, with its own exit code, when the reader stops after the first line', async () => {
    // The enterprise example's plan is hundreds of kilobytes: far more than one pipe buffer.
    const r = await firstChunkThenClose([
      'plan',
      '-C',
      'examples/enterprise',
      '--at',
      '2026-12-01T00:00:00Z',
    ]);
    expect(r.first).toMatch(/^Plan at 2026-12-01 00:00 UTC/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);
});
