// Parsers never crash: on any input they return, or throw a DriverOutputError. The outcome parsers
// (install, failure) never throw at all, and never call a failed command ok.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { parseNevra } from './nevra.js';
import { parseCheckUpdateText } from './parse-check-update.js';
import { parseExcludes, parseVersionlockList } from './parse-holds.js';
import { parseFacts } from './parse-facts.js';
import { parseDnfFailure, parseInstall, parseLockHolders, parseRefresh } from './parse-install.js';
import { parseInventory } from './parse-inventory.js';
import { parsePreflight } from './parse-preflight.js';
import { parseInstalled, parseInstalledText } from './parse-installed.js';
import { parseRebootRequired } from './parse-reboot.js';
import { parseUpdateinfoInfo, parseUpdateinfoList } from './parse-updateinfo.js';
import { parseUpdateScan } from './parse-updates.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const read = (sub: string) =>
  readdirSync(new URL(sub, dir))
    .filter((n) => /\.(stdout|stderr|txt)$/.test(n))
    .map((n) => readFileSync(new URL(`${sub}${n}`, dir), 'utf8'));
const fixtureTexts = [
  ...read(''),
  ...read('el9/'),
  ...read('insights-core/'),
  ...read('vuls/'),
  ...read('rpm-hosts/'),
];
const fixtureLines = [...new Set(fixtureTexts.flatMap((t) => t.split('\n')))];

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
const installed = parseInstalledText(readFileSync(new URL('lab-scan-rpm-qa.stdout', dir), 'utf8')).packages;

describe('dnf parsers on arbitrary input', () => {
  const resultParsers: [string, (out: CommandResult) => unknown][] = [
    ['parseInstalled', parseInstalled],
    ['parseUpdateScan', (out) => parseUpdateScan(out, installed)],
    ['parseRebootRequired', parseRebootRequired],
    ['parseLockHolders', parseLockHolders],
    ['parseFacts', parseFacts],
    ['parseInventory', parseInventory],
    ['parsePreflight', parsePreflight],
    ['parseUpdateScan (own rpm-qa section)', (out) => parseUpdateScan(out)],
  ];
  it.each(resultParsers)('%s returns or throws a DriverOutputError', (_name, parse) => {
    fc.assert(
      fc.property(commandResult, (out) => onlyDriverErrors(() => parse(out))),
      RUNS,
    );
  });

  const textParsers: [string, (text: string) => unknown][] = [
    ['parseInstalledText', parseInstalledText],
    ['parseCheckUpdateText', parseCheckUpdateText],
    ['parseUpdateinfoList', parseUpdateinfoList],
    ['parseUpdateinfoInfo', parseUpdateinfoInfo],
    ['parseVersionlockList', parseVersionlockList],
    ['parseExcludes', parseExcludes],
    ['parseNevra', parseNevra],
  ];
  it.each(textParsers)('%s returns or throws a DriverOutputError', (_name, parse) => {
    fc.assert(
      fc.property(outputText, (text) => onlyDriverErrors(() => parse(text))),
      RUNS,
    );
  });

  it('install and failure parsers never throw, and never call a failed command ok', () => {
    fc.assert(
      fc.property(commandResult, (out) => {
        const install = parseInstall(out);
        const failure = parseDnfFailure(out);
        const refresh = parseRefresh(out);
        if (out.exitCode !== 0) expect(refresh.ok).toBe(false);
        if (out.exitCode !== 0 || out.timedOut === true) {
          expect(install.ok).toBe(false);
          expect(failure).toBeDefined();
        }
        return true;
      }),
      RUNS,
    );
  });
});
