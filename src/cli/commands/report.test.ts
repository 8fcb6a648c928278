import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { PatchctlError } from '../../errors.js';
import { captureIo } from '../../test-support/capture-io.js';
import { reportCommand } from './report.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'patchctl-report-'));
  dir = path.join(root, 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** git with no user or system configuration, so that the machine's settings do not leak in. */
function git(...args: string[]): { status: number; stdout: string; stderr: string } {
  const global = path.join(root, 'gitconfig');
  if (!existsSync(global)) writeFileSync(global, '');
  const r = spawnSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: global, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function initRepo(): void {
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.net', 'commit', '-qm', 'init');
}

async function run(env: Record<string, string> = {}, ...args: string[]) {
  const global = path.join(root, 'gitconfig');
  if (!existsSync(global)) writeFileSync(global, '');
  const saved = { ...process.env };
  // commitFiles passes process.env on to git.
  Object.assign(process.env, { GIT_CONFIG_GLOBAL: global, GIT_CONFIG_NOSYSTEM: '1' });
  const io = captureIo({ cwd: dir, env });
  let code = 0;
  const program = new Command('patchctl').exitOverride();
  program.addCommand(
    reportCommand(io, (c) => {
      code = c;
    })
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr }),
  );
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof PatchctlError)) throw err;
    io.stderr(`patchctl: ${err.message}\n`);
    code = err.exitCode;
  } finally {
    process.env = saved;
  }
  return { code, ...io.text() };
}

const reportFiles = () => readdirSync(path.join(dir, 'reports')).sort();

describe('patchctl report', () => {
  it('writes the four formats and the day of history, and says what it found', async () => {
    const r = await run({}, '--at', '2026-12-01T10:00:00Z');
    expect(r.code).toBe(0);
    expect(reportFiles()).toEqual([
      'compliance.csv',
      'compliance.json',
      'compliance.md',
      'compliance.xml',
      'history',
    ]);
    expect(readdirSync(path.join(dir, 'reports', 'history'))).toEqual(['2026-12-01.json']);
    expect(r.stdout).toMatch(/^Compliance 2026-12-01: [\d.]+% of hosts in compliance/);
    expect(r.stdout).toContain('Wrote reports/compliance.csv, reports/compliance.json');
    const json = JSON.parse(readFileSync(path.join(dir, 'reports', 'compliance.json'), 'utf8'));
    expect(json.formatVersion).toBe(1);
    expect(json.date).toBe('2026-12-01');
    const md = readFileSync(path.join(dir, 'reports', 'compliance.md'), 'utf8');
    expect(md).toContain('# Patch compliance report — 2026-12-01');
    // The pie's slices, largest first, coloured by state (missing is red).
    expect(md).toMatch(
      /```mermaid\n%%\{init: \{"themeVariables": \{"pie1":"#cf222e",.*\}\}\}%%\npie showData title Hosts by compliance state\n {4}"missing" : \d+\n/,
    );
  });

  it('writes only the formats asked for (plus history), and refuses an unknown one naming the known ones', async () => {
    expect((await run({}, '--format', 'md,junit')).code).toBe(0);
    expect(reportFiles()).toEqual(['compliance.md', 'compliance.xml', 'history']);
    const bad = await run({}, '--format', 'md,pdf');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      '"pdf" is not a report format; use a comma-separated list of md, json, junit, csv',
    );
  });

  it('draws the trend from earlier days and skips a history file someone broke', async () => {
    await run({}, '--at', '2026-11-29T10:00:00Z');
    await run({}, '--at', '2026-11-30T10:00:00Z');
    writeFileSync(path.join(dir, 'reports', 'history', '2026-11-28.json'), '{ not json');
    const r = await run({}, '--at', '2026-12-01T10:00:00Z', '--verbose');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*2026-11-28\.json:1:3: invalid JSON: .*; skipped/);
    const md = readFileSync(path.join(dir, 'reports', 'compliance.md'), 'utf8');
    expect(md).toContain('x-axis ["11-29", "11-30", "12-01"]');
  });

  it('lists an expired exception instead of refusing to run', async () => {
    mkdirSync(path.join(dir, 'exceptions'), { recursive: true });
    writeFileSync(
      path.join(dir, 'exceptions', 'old.yaml'),
      'apiVersion: patchctl/v1\nkind: PatchException\nmetadata:\n  name: old-waiver\nspec:\n  hosts: [fra-web-01]\n' +
        '  packages: [curl]\n  reason: vendor fix never came\n  owner: ops@example.net\n  expires: "2026-11-01"\n',
    );
    const r = await run({}, '--at', '2026-12-01T10:00:00Z');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(dir, 'reports', 'compliance.json'), 'utf8'));
    expect(json.exceptions.find((e: { name: string }) => e.name === 'old-waiver')?.status).toBe('expired');
    expect(json.summary.exceptions.expired).toBe(1);
  });

  it('appends the headline to the GitHub Actions job summary', async () => {
    const summary = path.join(root, 'summary.md');
    await run({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    const text = readFileSync(summary, 'utf8');
    expect(text).toContain('# Patch compliance report');
    expect(text).toContain('## SLA breaches');
    expect(text).not.toContain('## Evidence');
  });

  describe('--commit', () => {
    it('commits only the report files, as the configured author; a second run commits nothing', async () => {
      initRepo();
      writeFileSync(path.join(dir, 'notes.txt'), 'untracked and unrelated\n');
      const first = await run({}, '--commit', '--at', '2026-12-01T10:00:00Z');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/Committed 5 files in [0-9a-f]{12}/);
      expect(git('rev-list', '--count', 'HEAD').stdout.trim()).toBe('2');
      expect(git('show', '--name-only', '--format=', 'HEAD').stdout.trim().split('\n')).toEqual([
        'reports/compliance.csv',
        'reports/compliance.json',
        'reports/compliance.md',
        'reports/compliance.xml',
        'reports/history/2026-12-01.json',
      ]);
      const subject = git('log', '-1', '--format=%s|%an <%ae>').stdout.trim();
      expect(subject).toMatch(/^patchctl report 2026-12-01: [\d.]+% in compliance \(no apply run yet\)\|/);
      expect(subject.split('|')[1]).toBe('patchctl <patchctl@example.net>');

      const second = await run({}, '--commit', '--at', '2026-12-01T16:00:00Z');
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('Nothing to commit: the report files are unchanged.');
      expect(git('rev-list', '--count', 'HEAD').stdout.trim()).toBe('2');
      expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
    });

    it('refuses before writing anything when a document has uncommitted changes', async () => {
      initRepo();
      const policy = readdirSync(path.join(dir, 'policies'))[0] ?? '';
      writeFileSync(
        path.join(dir, 'policies', policy),
        `${readFileSync(path.join(dir, 'policies', policy), 'utf8')}\n`,
      );
      const r = await run({}, '--commit');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`policies/${policy}`);
      expect(existsSync(path.join(dir, 'reports'))).toBe(false);
    });

    it('refuses outside a git work tree, writing nothing', async () => {
      const r = await run({}, '--push');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/not .*git work tree/);
      expect(existsSync(path.join(dir, 'reports'))).toBe(false);
    });
  });
});
