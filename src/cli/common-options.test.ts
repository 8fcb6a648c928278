import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { UsageError } from '../errors.js';
import { captureIo } from '../test-support/capture-io.js';
import { commonOptions, parseAt, useColor } from './common-options.js';
import { main } from './main.js';

describe('colour convention', () => {
  const tty = captureIo({ isTTY: true });
  it('colours text on a terminal', () => expect(useColor(true, 'text', tty)).toBe(true));
  it('never colours when piped', () =>
    expect(useColor(true, 'text', captureIo({ isTTY: false }))).toBe(false));
  it('honours NO_COLOR (any non-empty value)', () => {
    expect(useColor(true, 'text', captureIo({ isTTY: true, env: { NO_COLOR: '1' } }))).toBe(false);
    expect(useColor(true, 'text', captureIo({ isTTY: true, env: { NO_COLOR: '' } }))).toBe(true);
  });
  it('honours --no-color and TERM=dumb', () => {
    expect(useColor(false, 'text', tty)).toBe(false);
    expect(useColor(true, 'text', captureIo({ isTTY: true, env: { TERM: 'dumb' } }))).toBe(false);
  });
  it('never colours machine formats', () => {
    expect(useColor(true, 'json', tty)).toBe(false);
    expect(useColor(true, 'github', tty)).toBe(false);
  });
});

describe('-C and --at', () => {
  it('resolves -C against the working directory', () => {
    const io = captureIo({ cwd: '/srv/ops' });
    expect(commonOptions({ directory: 'patching' }, io).dir).toBe(path.resolve('/srv/ops/patching'));
    expect(commonOptions({}, io).dir).toBe(path.resolve('/srv/ops'));
  });
  it('defaults --at to the clock and accepts ISO 8601 with offsets', () => {
    const io = captureIo();
    expect(parseAt(undefined, io).toISO()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseAt('2026-12-01T09:00:00+01:00', io).toUTC().toISO()).toBe('2026-12-01T08:00:00.000Z');
  });
  it('refuses a malformed --at with a usage error', () => {
    expect(() => parseAt('next tuesday', captureIo())).toThrow(UsageError);
  });
  it('accepts --at from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z', () => {
    expect(parseAt('1970-01-01T00:00:00Z', captureIo()).toISO()).toBe('1970-01-01T00:00:00.000Z');
    expect(parseAt('9999-12-31T23:59:59.999Z', captureIo()).toISO()).toBe('9999-12-31T23:59:59.999Z');
  });
  it.each(['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59Z', '+010000-01-01'])(
    'refuses --at %s with a usage error (exit 1) naming the value and the range',
    (text) => {
      let error: unknown;
      try {
        parseAt(text, captureIo());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(1);
      expect((error as UsageError).message).toBe(
        `--at "${text}": it is outside the range patchctl can judge at: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z`,
      );
    },
  );
  it('refuses a clock outside the range too', () => {
    const io = captureIo({ now: () => DateTime.fromISO('1960-01-01T00:00:00Z', { setZone: true }) });
    expect(() => parseAt(undefined, io)).toThrow(/the clock says 1960-01-01T00:00:00.000Z: it is outside/);
  });
});

describe('--at at the smallest JavaScript date (issue 12: looped for ever)', () => {
  const starter = new URL('../../examples/starter/', import.meta.url);
  it.each(['validate', 'plan', 'status', 'exceptions', 'report'])(
    '%s exits 1 with a usage error and writes nothing',
    async (command) => {
      const dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-at-')), 'repo');
      try {
        cpSync(starter, dir, { recursive: true, dereference: true });
        const io = captureIo({ cwd: dir });
        const code = await main([command, '--at', '-271821-04-20T00:00:00Z'], io);
        expect(code).toBe(1);
        expect(io.text().stderr).toContain('--at "-271821-04-20T00:00:00Z": it is outside the range');
        expect(io.text().stderr).not.toMatch(/internal error|\n\s+at /);
        expect(io.text().stdout).toBe('');
      } finally {
        rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    },
  );
});
