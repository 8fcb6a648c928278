// An expired exception: `validate` fails it (exit 3, file:line:col: it comes back for review),
// but plan and apply keep working for the whole fleet, emergency track included. The exception
// is inactive: the updates it waived are due again on its own hosts only, with a warning that
// names it, its owner and where it is.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Plan } from '../core/plan/types.js';
import { captureIo } from '../test-support/capture-io.js';
import { main } from './main.js';

const starter = new URL('../../examples/starter/', import.meta.url);
const EXCEPTION = 'exceptions/fra-db-01-postgresql.yaml';
/** Five days after the starter's exception expired (2027-02-15, end of day in Berlin). */
const AFTER = '2027-02-20T09:00:00Z';
const WARNING =
  /exceptions\/fra-db-01-postgresql\.yaml:\d+:\d+ warning exception-expired: exception "fra-db-01-postgresql" \(owner dba-team@example\.net\) expired on 2027-02-15: it waives nothing now, so the updates it waived are due again on its 1 host\(s\)/;

let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-expired-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function run(args: string[], now = AFTER) {
  const io = captureIo({ cwd: dir, now: () => DateTime.fromISO(now, { setZone: true }) });
  const code = await main(args, io);
  return { code, ...io.text() };
}

async function plan(): Promise<Plan> {
  const r = await run(['plan', '--at', AFTER, '--format', 'json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

const hostsOf = (p: Plan) => new Map(p.rings.flatMap((r) => r.hosts.map((h) => [h.host, h] as const)));

function editException(find: string, replace: string): void {
  const file = path.join(dir, EXCEPTION);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(find);
  writeFileSync(file, text.replace(find, replace));
}

describe('an expired exception', () => {
  it('fails validate, at its expiry, so that it comes back for review', async () => {
    const r = await run(['validate', '--at', AFTER]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/exceptions\/fra-db-01-postgresql\.yaml:\d+:\d+ error exception-expired/);
  });

  it('does not stop plan: the exception is inactive, on its own hosts only, with a warning', async () => {
    const r = await run(['plan', '--at', AFTER]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(WARNING);
    const expired = await plan();
    // Inactive: the same plan as without the exception at all...
    rmSync(path.join(dir, EXCEPTION));
    const without = await plan();
    expect(expired.summary).toEqual(without.summary);
    expect(hostsOf(expired)).toEqual(hostsOf(without));
    // ...and, against the exception renewed, only its host differs.
    cpSync(new URL(`../../examples/starter/${EXCEPTION}`, import.meta.url), path.join(dir, EXCEPTION));
    editException(
      "created: '2026-11-20'\n  expires: '2027-02-15'",
      "created: '2027-02-14'\n  expires: '2027-03-15'",
    );
    const renewed = await plan();
    const a = hostsOf(expired);
    const b = hostsOf(renewed);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    const differing = [...a.keys()].filter((h) => JSON.stringify(a.get(h)) !== JSON.stringify(b.get(h)));
    expect(differing).toEqual(['fra-db-01']);
    const waived = (p: Map<string, Plan['rings'][number]['hosts'][number]>) =>
      JSON.stringify(p.get('fra-db-01')).includes('"reason":"exception"');
    expect(waived(b)).toBe(true);
    expect(waived(a)).toBe(false);
  });

  it('is said on stderr whatever the format (the markdown and JSON stay clean)', async () => {
    for (const format of ['json', 'markdown']) {
      const r = await run(['plan', '--at', AFTER, '--format', format]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(WARNING);
      expect(r.stdout).not.toContain('exception-expired');
    }
  });

  it('does not stop apply before it starts: the warning, then apply goes on', async () => {
    const r = await run(['apply']); // no plan file and nobody to ask: stops before connecting
    expect(r.code).not.toBe(3);
    expect(r.stderr).toMatch(WARNING);
    expect(r.stderr).toMatch(/apply asks before it patches: pass --auto-approve/);
  });

  it('does not stop status, report or exceptions either', async () => {
    for (const args of [['status'], ['report'], ['exceptions']]) {
      const r = await run(args);
      expect(`${args.join(' ')}: ${r.code} ${r.stderr}`).not.toMatch(/: 3 /);
    }
  });

  it('too long stays an error for plan as for validate: that is a review question', async () => {
    editException("expires: '2027-02-15'", "expires: '2027-12-15'");
    for (const args of [
      ['validate', '--at', '2026-12-01T00:00:00Z'],
      ['plan', '--at', '2026-12-01T00:00:00Z'],
    ]) {
      const r = await run(args, '2026-12-01T00:00:00Z');
      expect(r.code).toBe(3);
      expect(`${r.stdout}${r.stderr}`).toMatch(/fra-db-01-postgresql\.yaml:\d+:\d+ error exception-too-long/);
    }
  });
});
