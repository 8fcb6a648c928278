import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

import { DriverOutputError } from '../errors.js';
import type { CommandResult, RemoteCommand } from '../types.js';
import { BATCH_NAME, batchCommand, batchOutput, batchParts, unbatch } from './batch.js';

/** Runs a command here as the transport would run it (sh), returning its result. */
function runHere(cmd: RemoteCommand): CommandResult {
  const [program, ...args] = cmd.argv;
  const r = spawnSync(program ?? 'false', args, { encoding: 'utf8' });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, durationMs: 1 };
}

const sh = (script: string, env?: Record<string, string>): RemoteCommand => ({
  argv: ['sh', '-c', script],
  ...(env ? { env } : {}),
});

describe('batchCommand / unbatch on a real sh', () => {
  it('runs each part alone and gives back its exit status, stdout and stderr, in order', () => {
    const parts = [
      sh('echo one; echo err1 >&2'),
      sh('exit 3'),
      // A part that prints the drivers' own section markers: they stay inside its output.
      sh("printf '@@patchctl:end@@\\n@@patchctl:part-0@@\\n'"),
      sh('printf "%s" "$GREETING"', { GREETING: "it's 'quoted' $HOME" }),
      { argv: ['no-such-program-patchctl'] },
    ];
    const cmd = batchCommand(parts);
    expect(cmd.argv[3]).toBe(BATCH_NAME);
    const results = unbatch(runHere(cmd), parts.length);
    expect(results.map((r) => r.exitCode)).toEqual([0, 3, 0, 0, 127]);
    expect(results[0]).toMatchObject({ stdout: 'one\n', stderr: 'err1\n' });
    expect(results[2]?.stdout).toBe('@@patchctl:end@@\n@@patchctl:part-0@@\n');
    expect(results[3]?.stdout).toBe("it's 'quoted' $HOME");
    expect(results[4]?.stderr).toMatch(/no-such-program-patchctl/);
  });

  it('a part cannot read the batch stdin (it is closed), and parts do not share shell state', () => {
    const results = unbatch(runHere(batchCommand([sh('x=1; cat'), sh('echo "[$x]"')])), 2);
    expect(results.map((r) => r.stdout)).toEqual(['', '[]\n']);
  });

  it('is root when any part is', () => {
    expect(batchCommand([sh('true'), { argv: ['true'], sudo: true }]).sudo).toBe(true);
    expect(batchCommand([sh('true')]).sudo).toBeUndefined();
  });

  it('refuses parts with stdin and an empty batch', () => {
    expect(() => batchCommand([{ argv: ['cat'], stdin: 'x' }])).toThrow(/standard input/);
    expect(() => batchCommand([])).toThrow(/no parts/);
  });

  it('batchOutput prints what the script prints, so simulated hosts answer like real ones', () => {
    const parts = [sh('echo a; echo b >&2; exit 4'), sh('true'), sh("printf 'x\\ny'")];
    const real = runHere(batchCommand(parts));
    const results = unbatch(real, parts.length);
    expect(unbatch({ ...real, stdout: batchOutput(results) }, parts.length)).toEqual(results);
  });

  it('batchParts reads back the lines of a batch, and nothing else', () => {
    const cmd = batchCommand([sh('true'), { argv: ['dpkg-query', '-W'] }]);
    const lines = batchParts(cmd.argv);
    expect(lines).toHaveLength(2);
    expect(lines?.[1]).toMatch(/'dpkg-query' '-W'$/);
    expect(execFileSync('sh', ['-c', lines?.[0] ?? 'false'], { encoding: 'utf8' })).toBe('');
    expect(batchParts(['sh', '-c', 'true'])).toBeUndefined();
  });
});

describe('unbatch refuses what it cannot trust', () => {
  const ok = batchOutput([{ exitCode: 0, stdout: 'x\n', stderr: '' }]);
  const result = (stdout: string, extra: Partial<CommandResult> = {}): CommandResult => ({
    exitCode: 0,
    stdout,
    stderr: '',
    durationMs: 1,
    ...extra,
  });
  it.each([
    ['a cut-short batch', result(ok.replace('@@patchctl:end@@', ''))],
    ['a failed batch', result(ok, { exitCode: 1 })],
    ['a timed-out batch', result(ok, { timedOut: true })],
    ['a truncated batch', result(ok, { truncated: true })],
    ['a part that is not base64', result(ok.replace('eAo=', 'not base64!'))],
    ['a missing part', result(batchOutput([]))],
    [
      'more parts than asked',
      result(
        batchOutput([
          { exitCode: 0, stdout: '', stderr: '' },
          { exitCode: 0, stdout: '', stderr: '' },
        ]),
      ),
    ],
  ])('%s', (_what, out) => {
    expect(() => unbatch(out, 1)).toThrow(DriverOutputError);
  });
});
