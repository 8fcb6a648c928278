import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import type { CapturedIo } from '../../test-support/capture-io.js';
import { captureIo } from '../../test-support/capture-io.js';
import { doc } from '../../test-support/repo-builder.js';
import { exceptionsCommand } from './exceptions.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const AT = '2026-12-01T00:00:00Z';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-exceptions-'));
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `patchctl exceptions ARGS` the way main() does; resolves to the exit code. */
async function run(args: string[], io: CapturedIo = captureIo()): Promise<number> {
  let code = 0;
  const program = new Command('patchctl').exitOverride().configureOutput({
    writeOut: io.stdout,
    writeErr: io.stderr,
  });
  program.addCommand(
    exceptionsCommand(io, (c) => {
      code = c;
    })
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr }),
  );
  await program.parseAsync(['exceptions', '-C', dir, ...args], { from: 'user' });
  return code;
}

const exception = (name: string, spec: string) =>
  doc(
    'PatchException',
    name,
    `reason: the vendor has not certified the new version\nowner: ${name}@example.net\n${spec}`,
  );

/** Adds an expired, an expiring and a second active exception next to the starter's one. */
function addExceptions(): void {
  writeFileSync(
    path.join(dir, 'exceptions/more.yaml'),
    [
      exception(
        'old-openssl',
        'hosts: [fra-web-01]\npackages: [openssl]\nticket: CHG-7\nexpires: "2026-11-20"',
      ),
      exception('web-nginx', 'groups: [fra-servers]\npackages: [nginx]\nexpires: "2026-12-20"'),
      exception('nyc-kernel', 'hosts: [nyc-app-01]\nadvisories: [CVE-2026-1234]\nexpires: "2027-01-31"'),
    ].join('---\n'),
  );
}

describe('patchctl exceptions', () => {
  it('lists the starter exception as active and exits 0', async () => {
    const io = captureIo();
    expect(await run(['--at', AT], io)).toBe(0);
    expect(io.text().stdout).toBe(
      [
        'Exceptions at 2026-12-01T00:00:00.000Z; expiring means within 30d.',
        '',
        'Active (1)',
        '  fra-db-01-postgresql  dba-team@example.net  CHG-1042  2027-02-15  76 days left  fra-db-01  exceptions/fra-db-01-postgresql.yaml:12',
        '',
        '1 exception: 0 expired, 0 expiring within 30d, 1 active',
        '',
      ].join('\n'),
    );
  });

  it('groups expired, expiring and active ones, and exits 1 when one has expired', async () => {
    addExceptions();
    const io = captureIo();
    expect(await run(['--at', AT], io)).toBe(1);
    const lines = io.text().stdout.split('\n');
    expect(lines.filter((l) => !l.startsWith('  '))).toEqual([
      'Exceptions at 2026-12-01T00:00:00.000Z; expiring means within 30d.',
      '',
      'Expired (1)',
      'Expiring within 30d (1)',
      'Active (2)',
      '',
      '4 exceptions: 1 expired, 1 expiring within 30d, 2 active',
      '',
    ]);
    expect(lines.filter((l) => l.startsWith('  ')).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      [
        'old-openssl',
        'old-openssl@example.net',
        'CHG-7',
        '2026-11-20',
        'expired 11 days ago',
        'fra-web-01',
        'exceptions/more.yaml:4',
      ],
      [
        'web-nginx',
        'web-nginx@example.net',
        '-',
        '2026-12-20',
        '19 days left',
        expect.stringMatching(/^fra-/),
        'exceptions/more.yaml:16',
      ],
      [
        'nyc-kernel',
        'nyc-kernel@example.net',
        '-',
        '2027-01-31',
        '61 days left',
        'nyc-app-01',
        'exceptions/more.yaml:27',
      ],
      [
        'fra-db-01-postgresql',
        'dba-team@example.net',
        'CHG-1042',
        '2027-02-15',
        '76 days left',
        'fra-db-01',
        'exceptions/fra-db-01-postgresql.yaml:12',
      ],
    ]);
  });

  it('moves exceptions into "expiring" with a wider --expiring, and lists only those with --only-expiring', async () => {
    addExceptions();
    const io = captureIo();
    expect(await run(['--at', AT, '--expiring', '9w', '--only-expiring', '--quiet'], io)).toBe(1);
    expect(
      io
        .text()
        .stdout.split('\n')
        .filter((l) => !l.startsWith('  ')),
    ).toEqual([
      'Expired (1)',
      'Expiring within 9w (2)',
      '',
      '3 of 4 exceptions: 1 expired, 2 expiring within 9w',
      '',
    ]);
  });

  it('exits 0 with --only-expiring when nothing is due', async () => {
    const io = captureIo();
    expect(await run(['--at', AT, '--only-expiring', '--quiet'], io)).toBe(0);
    expect(io.text().stdout).toBe('0 of 1 exceptions: 0 expired, 0 expiring within 30d\n');
  });

  it('prints { at, expiringWithin, exceptions } with --format json', async () => {
    addExceptions();
    const io = captureIo();
    expect(await run(['--at', AT, '--format', 'json', '--expiring', '14d'], io)).toBe(1);
    const out = JSON.parse(io.text().stdout) as {
      at: string;
      expiringWithin: string;
      exceptions: { name: string; status: string; daysLeft: number; hosts: string[] }[];
    };
    expect(out.at).toBe('2026-12-01T00:00:00.000Z');
    expect(out.expiringWithin).toBe('14d');
    expect(out.exceptions.map((e) => [e.name, e.status, e.daysLeft])).toEqual([
      ['old-openssl', 'expired', -11],
      ['web-nginx', 'active', 19],
      ['nyc-kernel', 'active', 61],
      ['fra-db-01-postgresql', 'active', 76],
    ]);
    expect(out.exceptions[1]?.hosts.length).toBeGreaterThan(1);
    expect(out.exceptions[1]?.hosts.every((h) => h.startsWith('fra-'))).toBe(true);
  });

  it('prints a GitHub table with --format markdown', async () => {
    addExceptions();
    const io = captureIo();
    expect(await run(['--at', AT, '--format', 'markdown', '--only-expiring'], io)).toBe(1);
    const md = io.text().stdout;
    expect(md).toContain('| Status | Exception | Owner | Ticket | Covers | Waives | Expires | Days left |');
    expect(md).toContain(
      '| 🔴 expired | `old-openssl` (exceptions/more.yaml:4) | old-openssl@example.net | CHG-7 | fra-web-01 | `openssl` | 2026-11-20 | -11 |',
    );
    expect(md).toContain('**2 of 4 exceptions**: 1 expired, 1 expiring within 30d');
    expect(md).not.toContain('fra-db-01-postgresql');
  });

  it('refuses a bad --expiring (exit 1) and an invalid repository (exit 3)', async () => {
    await expect(run(['--at', AT, '--expiring', '30'])).rejects.toMatchObject({
      name: 'UsageError',
      exitCode: 1,
      message: '--expiring: duration "30" has no unit: write e.g. 30m or 30s',
    });
    writeFileSync(
      path.join(dir, 'exceptions/bad.yaml'),
      exception('bad', 'hosts: [fra-db-01]\nexpires: "2027-01-01"'),
    );
    await expect(run(['--at', AT])).rejects.toMatchObject({ name: 'ConfigError', exitCode: 3 });
  });
});
