import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../errors.js';
import { captureIo } from '../test-support/capture-io.js';
import { commonOptions, parseAt, useColor } from './common-options.js';

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
});
