// Parsers never crash: on any input they return, or throw a DriverOutputError. The outcome parsers
// (install, refresh, failure) never throw at all: a failed command is a result.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DriverOutputError } from '../errors.js';
import { splitSections } from '../sections.js';
import type { CommandResult } from '../types.js';
import { parseFacts, parseOsRelease, parseRebootRequired } from './parse-facts.js';
import { parseAptFailure } from './parse-failure.js';
import { parseInstall, parseRefresh } from './parse-install.js';
import { parseInstalled } from './parse-installed.js';
import { parseAptCachePolicy, parsePackageFiles } from './parse-policy.js';
import { parsePreflight } from './parse-preflight.js';
import { parseCheckRestart } from './parse-restart.js';
import { checkedSimulation, parseSimulation } from './parse-simulation.js';
import { parseUpdateScan } from './parse-updates.js';
import { checkPreflight } from './preflight.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const fixtureTexts = [
  ...readdirSync(dir)
    .filter((n) => n.endsWith('.stdout') || n.endsWith('.stderr'))
    .map((n) => readFileSync(new URL(n, dir), 'utf8')),
  ...readdirSync(new URL('vuls/', dir)).map((n) => readFileSync(new URL(`vuls/${n}`, dir), 'utf8')),
];
const fixtureLines = [...new Set(fixtureTexts.flatMap((t) => t.split('\n')))];

/** Text that looks like the real thing: real lines, pieces of them, random lines; or a real output mutated. */
const outputText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...fixtureLines) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(...fixtureLines)
            .chain((l) => fc.nat(l.length).map((i) => l.slice(0, i))),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
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
    exitCode: fc.option(fc.integer({ min: -1, max: 255 }), { nil: null }),
    signal: fc.constantFrom('SIGKILL', 'SIGTERM'),
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

const RUNS = { numRuns: 400 };

describe('parsers on arbitrary input', () => {
  const resultParsers: [string, (out: CommandResult) => unknown][] = [
    ['parseFacts', parseFacts],
    ['parseRebootRequired', parseRebootRequired],
    ['parseInstalled', parseInstalled],
    ['parseUpdateScan', parseUpdateScan],
    ['parsePreflight', (out) => checkPreflight(parsePreflight(out))],
    ['parseCheckRestart', parseCheckRestart],
  ];
  it.each(resultParsers)('%s returns or throws a DriverOutputError', (_name, parse) => {
    fc.assert(
      fc.property(commandResult, (out) => onlyDriverErrors(() => parse(out))),
      RUNS,
    );
  });

  const textParsers: [string, (text: string) => unknown][] = [
    ['parseAptCachePolicy', parseAptCachePolicy],
    ['parsePackageFiles', parsePackageFiles],
    ['parseSimulation', parseSimulation],
    ['checkedSimulation', checkedSimulation],
    ['parseOsRelease', parseOsRelease],
  ];
  it.each(textParsers)('%s returns or throws a DriverOutputError', (_name, parse) => {
    fc.assert(
      fc.property(outputText, (text) => onlyDriverErrors(() => parse(text))),
      RUNS,
    );
  });

  it('section splitting never throws', () => {
    fc.assert(
      fc.property(outputText, (text) => {
        splitSections(text);
        return true;
      }),
      RUNS,
    );
  });

  it('install, refresh and failure parsers never throw, and never call a failed command ok', () => {
    fc.assert(
      fc.property(commandResult, (out) => {
        const install = parseInstall(out);
        const refresh = parseRefresh(out);
        const failure = parseAptFailure(out);
        if (out.exitCode !== 0 || out.timedOut === true) {
          expect(install.ok).toBe(false);
          expect(refresh.ok).toBe(false);
          expect(failure).toBeDefined();
        }
        return true;
      }),
      RUNS,
    );
  });
});
