// Parsers never crash: on any input they return, or throw a DriverOutputError. The outcome parsers
// (install, refresh, failure) never throw at all: a failed command is a result.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { parseApkFailure } from './parse-failure.js';
import { parseInstall, parseRefresh } from './parse-install.js';
import { parseApkList, parseInstalled, parseInstalledDb } from './parse-installed.js';
import { parseLockHolders } from './parse-lock.js';
import { parseRebootDecision } from './parse-reboot.js';
import { parseUpdateScan } from './parse-updates.js';
import { parseWorld } from './parse-world.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const texts = ['vuls/', 'written/', 'derived/'].flatMap((sub) =>
  readdirSync(new URL(sub, dir)).map((n) => readFileSync(new URL(`${sub}${n}`, dir), 'utf8')),
);
const lines = [...new Set(texts.flatMap((t) => t.split('\n')))];
const markers = [
  'installed-db',
  'world',
  'upgradable',
  'kernel-packages',
  'kernel',
  'lock-file',
  'lock-holders',
  'check',
  'simulate',
  'add',
  'del',
  'end',
].map((n) => `@@patchctl:${n}@@`);
const line = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...lines) },
  { weight: 2, arbitrary: fc.constantFrom(...markers, '@@patchctl:rc=0@@', '@@patchctl:rc=1@@') },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
);
const output = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.array(line, { maxLength: 60 }).map((ls) => ls.join('\n')),
);
const result = fc.record({
  exitCode: fc.constantFrom<number | null>(0, 1, 99, null),
  stdout: output,
  stderr: output,
  durationMs: fc.constant(1),
  timedOut: fc.boolean(),
}) as fc.Arbitrary<CommandResult>;

const onlyDriverErrors = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DriverOutputError);
  }
};

describe('apk parsers never crash', () => {
  it('readers throw only DriverOutputError', () => {
    fc.assert(
      fc.property(result, (out) => {
        for (const parse of [parseInstalled, parseUpdateScan, parseRebootDecision, parseLockHolders]) {
          onlyDriverErrors(() => parse(out));
        }
        onlyDriverErrors(() => parseInstalledDb(out.stdout));
        onlyDriverErrors(() => parseApkList(out.stdout));
        parseWorld(out.stdout);
      }),
      { numRuns: 300 },
    );
  });

  it('outcome parsers never throw', () => {
    fc.assert(
      fc.property(result, (out) => {
        parseInstall(out);
        parseRefresh(out);
        parseApkFailure(out);
      }),
      { numRuns: 300 },
    );
  });
});
