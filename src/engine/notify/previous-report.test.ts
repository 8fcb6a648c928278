import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readPreviousReport } from './previous-report.js';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('readPreviousReport', () => {
  it('reads the breaches and exceptions of reports/compliance.json; nothing when absent or unreadable', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-prev-'));
    const reports = path.join(dir, 'reports');
    expect(readPreviousReport(reports)).toBeUndefined();
    mkdirSync(reports);
    writeFileSync(
      path.join(reports, 'compliance.json'),
      JSON.stringify({
        slaBreaches: [{ host: 'a', package: 'openssl', to: '1' }, { bogus: true }],
        exceptions: [{ name: 'pg-pin', expiresAt: '2026-12-06T23:59:59.999Z', daysLeft: 5 }],
      }),
    );
    expect(readPreviousReport(reports)).toEqual({
      slaBreaches: [{ host: 'a', package: 'openssl' }],
      exceptions: [{ name: 'pg-pin', expiresAt: '2026-12-06T23:59:59.999Z', daysLeft: 5 }],
    });
    writeFileSync(path.join(reports, 'compliance.json'), '{"slaBreaches": [], "slaBreaches": []}');
    expect(readPreviousReport(reports)).toBeUndefined();
  });
});
