// Loads the captured outputs in __fixtures__ (see its README.md) as CommandResults, for tests.
import { existsSync, readFileSync } from 'node:fs';
import type { CommandResult } from '../../types.js';

const dir = new URL('./', import.meta.url);

export const fixtureText = (name: string): string => readFileSync(new URL(name, dir), 'utf8');
const optional = (name: string): string | undefined =>
  existsSync(new URL(name, dir)) ? fixtureText(name) : undefined;

/**
 * `lab/NAME`: stdout from NAME.stdout (or NAME.xml, NAME.txt, NAME.tsv), stderr from NAME.stderr, the
 * exit status from NAME.rc (0 when there is none: the capture notes in README.md say so).
 */
export function labResult(name: string): CommandResult {
  const base = `lab/${name}`;
  const stdout = ['.stdout', '.xml', '.txt', '.tsv']
    .map((ext) => optional(base + ext))
    .find((t) => t !== undefined);
  if (stdout === undefined) throw new Error(`no fixture ${base}`);
  const rc = optional(`${base}.rc`);
  return {
    exitCode: rc === undefined ? 0 : Number(rc.trim()),
    stdout,
    stderr: optional(`${base}.stderr`) ?? '',
    durationMs: 1,
  };
}

export const result = (stdout: string, exitCode: number | null = 0, stderr = ''): CommandResult => ({
  exitCode,
  stdout,
  stderr,
  durationMs: 1,
});

/**
 * `sle15/NAME`: the driver's own commands captured on the lab's SUSE-like host (README.md,
 * "sle15/"): NAME.stdout, NAME.stderr (absent = empty), NAME.rc, NAME.cmd.json.
 */
export function sle15Result(name: string): CommandResult {
  const base = `sle15/${name}`;
  return {
    exitCode: Number(fixtureText(`${base}.rc`).trim()),
    stdout: fixtureText(`${base}.stdout`),
    stderr: optional(`${base}.stderr`) ?? '',
    durationMs: 1,
  };
}

/** The RemoteCommand a `sle15/` capture ran (as the driver built it then). */
export const sle15Command = (name: string): unknown =>
  JSON.parse(fixtureText(`sle15/${name}.cmd.json`)) as unknown;
