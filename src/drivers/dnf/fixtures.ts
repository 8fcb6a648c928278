// Test helper: read a fixture of __fixtures__/ (README.md says where each came from).
import { readFileSync } from 'node:fs';
import type { CommandResult } from '../types.js';

const dir = new URL('./__fixtures__/', import.meta.url);

export const fixture = (name: string): string => readFileSync(new URL(name, dir), 'utf8');

/** A lab capture (`lab-NAME.stdout`/`.stderr`) as a CommandResult, with its exit status. */
export function capture(name: string, exitCode: number | null): CommandResult {
  return {
    exitCode,
    stdout: fixture(`lab-${name}.stdout`),
    stderr: fixture(`lab-${name}.stderr`),
    durationMs: 1,
  };
}

/** A capture on the lab's EL 9 layer (`el9/NAME.stdout`/`.stderr`/`.rc`), as a CommandResult. */
export function el9(name: string): CommandResult {
  return {
    exitCode: Number(fixture(`el9/${name}.rc`).trim()),
    stdout: fixture(`el9/${name}.stdout`),
    stderr: fixture(`el9/${name}.stderr`),
    durationMs: 1,
  };
}
