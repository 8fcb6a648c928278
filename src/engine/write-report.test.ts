import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { HistoryEntry } from '../core/report/types.js';
import { readHistory } from './write-report.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-history-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (date: string): HistoryEntry => ({
  formatVersion: 1,
  date,
  asOf: `${date}T09:00:00Z`,
  hosts: 2,
  states: {
    compliant: 1,
    missing: 1,
    'pending-reboot': 0,
    failed: 0,
    excepted: 0,
    unreachable: 0,
    unsupported: 0,
    'never-scanned': 0,
    'not-applicable': 0,
  },
  compliancePercent: 50,
  missingUpdates: 3,
  slaBreaches: 0,
  emergencyMissing: 0,
});

describe('readHistory', () => {
  it('reads the entries patchctl wrote, oldest first, and nothing when there is no folder', () => {
    expect(readHistory(path.join(dir, 'none'))).toEqual({ entries: [], warnings: [] });
    for (const date of ['2026-11-30', '2026-11-29'])
      writeFileSync(path.join(dir, `${date}.json`), `${JSON.stringify(entry(date), null, 2)}\n`);
    writeFileSync(path.join(dir, 'notes.md'), 'not history');
    expect(readHistory(dir)).toEqual({ entries: [entry('2026-11-29'), entry('2026-11-30')], warnings: [] });
  });

  it('reads an entry written before the unsupported and never-scanned states as none of them', () => {
    const { unsupported, 'never-scanned': never, ...states } = entry('2026-11-30').states;
    expect([unsupported, never]).toEqual([0, 0]);
    const old = { ...entry('2026-11-30'), states };
    writeFileSync(path.join(dir, '2026-11-30.json'), `${JSON.stringify(old, null, 2)}\n`);
    const r = readHistory(dir);
    expect(r.warnings).toEqual([]);
    expect(r.entries).toEqual([entry('2026-11-30')]);
    expect(Object.keys(r.entries[0]?.states ?? {})).toEqual(Object.keys(entry('2026-11-30').states));
  });

  it('skips, with a warning at file:line:col, a repeated key, a wrong type or a wrong day', () => {
    const file = (date: string): string => path.join(dir, `${date}.json`);
    writeFileSync(
      file('2026-11-27'),
      JSON.stringify(entry('2026-11-27')).replace('"hosts":2,', '"hosts":2,"hosts":200,'),
    );
    writeFileSync(file('2026-11-28'), JSON.stringify({ ...entry('2026-11-28'), hosts: 'two' }));
    writeFileSync(file('2026-11-29'), JSON.stringify(entry('2026-11-01')));
    writeFileSync(file('2026-11-30'), JSON.stringify(entry('2026-11-30')));
    const r = readHistory(dir);
    expect(r.entries).toEqual([entry('2026-11-30')]);
    const dup = JSON.stringify(entry('2026-11-27')).replace('"hosts":2,', '"hosts":2,"hosts":200,');
    expect(r.warnings).toEqual([
      `${file('2026-11-27')}:1:${dup.lastIndexOf('"hosts"') + 1}: duplicate key "hosts": JSON readers disagree on which value counts, so patchctl refuses the file; skipped`,
      expect.stringMatching(/2026-11-28\.json:1:\d+: hosts must be of type integer; skipped$/),
      `${file('2026-11-29')}: not a report history entry for 2026-11-29; skipped`,
    ]);
  });

  it('skips a FIFO (it would block the report for ever), a folder and a link out of the folder', () => {
    expect(spawnSync('mkfifo', [path.join(dir, '2026-11-27.json')]).status).toBe(0);
    mkdirSync(path.join(dir, '2026-11-28.json'));
    symlinkSync('/dev/zero', path.join(dir, '2026-11-29.json'));
    const r = readHistory(dir);
    expect(r.entries).toEqual([]);
    expect(r.warnings).toEqual([
      `${path.join(dir, '2026-11-27.json')} is a named pipe (FIFO), not a regular file; skipped`,
      `${path.join(dir, '2026-11-28.json')} is a directory, not a regular file; skipped`,
      expect.stringMatching(/2026-11-29\.json leads out of .* through a symbolic link.*; skipped$/),
    ]);
  });
});
