// Loads the captured outputs in __fixtures__ (see its SOURCES.md and captures.tsv) for the parser
// tests: NAME.stdout, NAME.stderr and the exit status from captures.tsv; vuls/ files as text.
import { existsSync, readFileSync } from 'node:fs';
import { DriverOutputError } from '../../errors.js';
import type { CommandResult } from '../../types.js';

const fixtures = new URL('./', import.meta.url);
export const text = (name: string): string => readFileSync(new URL(name, fixtures), 'utf8');
const optional = (name: string): string => (existsSync(new URL(name, fixtures)) ? text(name) : '');
const exitCodes = new Map(
  text('captures.tsv')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([name, exit]) => [name ?? '', Number(exit)] as const),
);

/** A captured command result: NAME.stdout, NAME.stderr and the exit status from captures.tsv. */
export function capture(name: string): CommandResult {
  const exitCode = exitCodes.get(name);
  if (exitCode === undefined) throw new Error(`no capture ${name} in captures.tsv`);
  return { exitCode, stdout: optional(`${name}.stdout`), stderr: optional(`${name}.stderr`), durationMs: 1 };
}
export const vuls = (name: string): string => text(`vuls/${name}`);
export const result = (stdout: string, exitCode: number | null = 0): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
  durationMs: 1,
});
export const driverError = (f: () => unknown): DriverOutputError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DriverOutputError) return e;
    throw e;
  }
  throw new Error('expected a DriverOutputError');
};
