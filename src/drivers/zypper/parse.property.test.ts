// Parsers never crash: on any input they return, or throw a DriverOutputError. The outcome parsers
// never throw at all: a failed command is a result.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DriverOutputError } from '../errors.js';
import { parseRpmQueryResult } from '../rpm/parse-installed.js';
import type { CommandResult } from '../types.js';
import { parseLockHolder, parseNeedsRebooting, parsePatchCheck, parseZypperInstall } from './outcome.js';
import { parseLocks } from './parse-locks.js';
import { parseListPatches, parsePatchInfo } from './parse-patches.js';
import { parseScan } from './parse-scan.js';
import { parseFacts } from './parse-facts.js';
import { parseInventory } from './parse-inventory.js';
import { parsePreflight } from './parse-preflight.js';
import { parseRepos, parseSearch } from './parse-search.js';
import { parseUpdateScan } from './parse-update-scan.js';
import { parseListUpdates } from './parse-updates.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const fixtureTexts = ['lab/', 'salt/', 'vuls/', 'sle15/'].flatMap((sub) =>
  readdirSync(new URL(sub, dir), { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(new URL(`${sub}${e.name}`, dir), 'utf8')),
);
const fixtureLines = [...new Set(fixtureTexts.flatMap((t) => t.split(/(?<=>)|\n/)))];

const outputText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...fixtureLines) },
        { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      ),
      { maxLength: 60 },
    )
    .map((ls) => ls.join('\n')),
  fc
    .tuple(fc.constantFrom(...fixtureTexts), fc.nat(), fc.nat(), fc.string({ maxLength: 40 }))
    .map(([t, a, b, insert]) => {
      const [from, to] = [a % (t.length + 1), b % (t.length + 1)].sort((x, y) => x - y) as [number, number];
      return t.slice(0, from) + insert + t.slice(to);
    }),
);

const commandResult: fc.Arbitrary<CommandResult> = fc.record(
  {
    exitCode: fc.option(fc.constantFrom(0, 1, 4, 7, 8, 100, 101, 102, 103, 104, 106, 107), { nil: null }),
    stdout: outputText,
    stderr: outputText,
    durationMs: fc.nat(),
    timedOut: fc.boolean(),
    truncated: fc.boolean(),
  },
  { requiredKeys: ['exitCode', 'stdout', 'stderr', 'durationMs'] },
);

const onlyDriverErrors = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof DriverOutputError) return true;
    throw e;
  }
};

describe('zypper parsers on odd input', () => {
  it.each([
    ['parseListUpdates', parseListUpdates],
    ['parseListPatches', parseListPatches],
    ['parsePatchInfo', parsePatchInfo],
    ['parseLocks', parseLocks],
    ['parseRpmQueryResult', (out: CommandResult) => parseRpmQueryResult('zypper', out)],
    ['parseScan', parseScan],
    ['parseNeedsRebooting', parseNeedsRebooting],
    ['parsePatchCheck', parsePatchCheck],
    ['parseLockHolder', parseLockHolder],
    ['parseFacts', parseFacts],
    ['parseInventory', parseInventory],
    ['parseUpdateScan', parseUpdateScan],
    ['parsePreflight', parsePreflight],
    ['parseSearch', parseSearch],
    ['parseRepos', parseRepos],
  ] as const)('%s throws only DriverOutputError', (_, parse) => {
    fc.assert(
      fc.property(commandResult, (out) => onlyDriverErrors(() => parse(out))),
      { numRuns: 300 },
    );
  });

  it('parseZypperInstall never throws', () => {
    fc.assert(
      fc.property(commandResult, (out) => {
        const o = parseZypperInstall(out);
        expect(o.ok).toBe(o.failure === undefined);
      }),
      { numRuns: 300 },
    );
  });
});
