// An Io that records what a command printed, with a fixed clock.
import { DateTime } from 'luxon';
import type { Io } from '../cli/io.js';

export interface CapturedIo extends Io {
  out: string[];
  err: string[];
  text(): { stdout: string; stderr: string };
}

export function captureIo(overrides: Partial<Io> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    isTTY: false,
    env: {},
    cwd: process.cwd(),
    now: () => DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true }),
    ...overrides,
    out,
    err,
    text: () => ({ stdout: out.join(''), stderr: err.join('') }),
  };
}
