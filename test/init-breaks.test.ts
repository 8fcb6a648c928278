// `patchctl init` output is valid as written, and breaking any one rule in it gives exit 3 with
// a diagnostic on the broken line. Positions are computed from where the edit lands, so the
// cases survive changes to the starter's comments.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { main } from '../src/cli/main.js';
import { captureIo } from '../src/test-support/capture-io.js';

const now = () => DateTime.fromISO('2026-12-01T09:00:00Z', { setZone: true });

interface Break {
  name: string;
  file: string;
  find: string;
  replace: string;
  /** Text of the edited file where the diagnostic must be (default: the replacement). */
  marker?: string;
  code: string;
}

// init re-dates the exception to today (2026-12-01) keeping its 87 days.
const BREAKS: Break[] = [
  {
    name: 'duplicate host',
    file: 'inventory/fra.yaml',
    find: '- name: fra-web-02',
    replace: '- name: fra-web-01',
    code: 'duplicate-host',
  },
  {
    name: 'bad IPv4',
    file: 'inventory/fra.yaml',
    find: 'address: 192.0.2.12',
    replace: 'address: 192.0.2.312',
    code: 'invalid-address',
  },
  {
    name: 'shell in address',
    file: 'inventory/fra.yaml',
    find: 'address: 192.0.2.11',
    replace: 'address: "192.0.2.11;reboot"',
    code: 'invalid-value',
  },
  {
    name: 'shell in label',
    file: 'inventory/fra.yaml',
    find: 'owner: team-dba',
    replace: 'owner: "team-dba$(id)"',
    code: 'invalid-value',
  },
  {
    name: 'unknown zone',
    file: 'inventory/fra.yaml',
    find: 'timezone: Europe/Berlin',
    replace: 'timezone: Europe/Frankfurt',
    code: 'unknown-timezone',
  },
  {
    name: 'unknown host in group',
    file: 'groups/rings.yaml',
    find: '- fra-ws-03',
    replace: '- fra-ws-99',
    code: 'unknown-host',
  },
  {
    name: 'group cycle',
    file: 'groups/roles.yaml',
    find: 'description: Every server, whatever its site.\nspec:\n',
    replace: 'description: Every server, whatever its site.\nspec:\n  groups: [servers]\n',
    marker: 'groups: [servers]',
    code: 'group-cycle',
  },
  {
    name: 'percentages under 100',
    file: 'rollouts/standard.yaml',
    find: '      rest: true',
    replace: '      percent: 50',
    code: 'ring-percent-under',
  },
  {
    name: 'host in two rings',
    file: 'rollouts/standard.yaml',
    find: 'percent: 25',
    replace: 'groups: [servers]',
    marker: 'name: pilot',
    code: 'host-in-several-rings',
  },
  {
    name: 'bad rrule',
    file: 'windows/servers.yaml',
    find: 'BYDAY=2TU',
    replace: 'BYDAY=2XX',
    marker: 'rrule: FREQ=MONTHLY;BYDAY=2XX',
    code: 'invalid-recurrence',
  },
  {
    name: 'cutoff too long',
    file: 'windows/servers.yaml',
    find: 'cutoff: 1h',
    replace: 'cutoff: 7h',
    code: 'cutoff-too-long',
  },
  {
    name: 'malformed duration',
    file: 'windows/servers.yaml',
    find: 'duration: 6h',
    replace: 'duration: 6 hours',
    code: 'invalid-value',
  },
  {
    name: 'unknown window group',
    file: 'windows/servers.yaml',
    find: 'groups: [fra-servers]',
    replace: 'groups: [fra-server]',
    code: 'unknown-group',
  },
  {
    name: 'custom tag',
    file: 'windows/servers.yaml',
    find: 'timezone: America/New_York',
    replace: 'timezone: !zone America/New_York',
    marker: 'America/New_York',
    code: 'yaml-custom-tag',
  },
  {
    name: 'duplicate key',
    file: 'windows/servers.yaml',
    find: 'cutoff: 45m',
    replace: 'cutoff: 45m\n  cutoff: 30m',
    marker: 'cutoff: 30m',
    code: 'yaml-duplicate-key',
  },
  {
    name: 'unknown window in policy',
    file: 'policies/security.yaml',
    find: '[fra-servers-monthly,',
    replace: '[fra-servers-montly,',
    code: 'unknown-window',
  },
  {
    name: 'unknown rollout',
    file: 'policies/security.yaml',
    find: 'rollout: standard\n  # Which updates',
    replace: 'rollout: standrad\n  # Which updates',
    marker: 'standrad',
    code: 'unknown-rollout',
  },
  {
    name: 'malformed approval delay',
    file: 'policies/security.yaml',
    find: 'approveAfter: 3d',
    replace: 'approveAfter: 3days',
    code: 'invalid-value',
  },
  {
    name: 'too-long exception',
    file: 'exceptions/fra-db-01-postgresql.yaml',
    find: "expires: '2027-02-26'",
    replace: "expires: '2027-09-01'",
    code: 'exception-too-long',
  },
  {
    name: 'back-dated exception',
    file: 'exceptions/fra-db-01-postgresql.yaml',
    find: "created: '2026-12-01'",
    replace: "created: '2026-06-01'",
    marker: "expires: '2027-02-26'",
    code: 'exception-too-long',
  },
  {
    name: 'expired exception',
    file: 'exceptions/fra-db-01-postgresql.yaml',
    find: "created: '2026-12-01'\n  expires: '2027-02-26'",
    replace: "created: '2026-10-01'\n  expires: '2026-11-30'",
    marker: "expires: '2026-11-30'",
    code: 'exception-expired',
  },
  {
    name: 'exception without owner',
    file: 'exceptions/fra-db-01-postgresql.yaml',
    find: '  owner: dba-team@example.net\n',
    replace: '',
    marker: 'hosts: [fra-db-01]',
    code: 'missing-field',
  },
  {
    name: 'short reason',
    file: 'exceptions/fra-db-01-postgresql.yaml',
    find: 'reason: The billing application',
    replace: 'reason: "n/a"\n  x-reason: The billing application',
    marker: 'n/a',
    code: 'invalid-value',
  },
  {
    name: 'zero concurrency',
    file: 'patchctl.yaml',
    find: 'concurrency: 10',
    replace: 'concurrency: 0',
    code: 'invalid-value',
  },
  {
    name: 'state outside repo',
    file: 'patchctl.yaml',
    find: 'state: state',
    replace: 'state: ../elsewhere',
    code: 'path-outside-repository',
  },
  {
    name: 'blackout duration',
    file: 'windows/freeze.yaml',
    find: 'duration: 15d',
    replace: 'duration: 15x',
    code: 'invalid-value',
  },
  {
    name: 'api version',
    file: 'rollouts/standard.yaml',
    find: 'apiVersion: patchctl/v1',
    replace: 'apiVersion: patchctl/v9',
    code: 'unknown-api-version',
  },
];

let repo: string;
beforeAll(async () => {
  repo = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-breaks-')), 'repo');
  expect(await main(['init', repo, '--quiet'], captureIo({ now }))).toBe(0);
});
afterAll(() => rmSync(path.dirname(repo), { recursive: true, force: true }));

async function validate(): Promise<{
  code: number;
  diagnostics: { file: string; line: number; severity: string; code: string }[];
}> {
  const io = captureIo({ now });
  const code = await main(['validate', '-C', repo, '--format', 'json'], io);
  expect(io.text().stderr).toBe('');
  return { code, diagnostics: JSON.parse(io.text().stdout) };
}

describe('init output', () => {
  it('validates as written, without warnings but the true ones', async () => {
    // The starter's Windows, RHEL and AlmaLinux hosts: this version drives apt over ssh only.
    // Its sample KEV catalogue (2025-08-25) is older than advisories.maxAge: `advisories sync`.
    const r = await validate();
    expect(r.code).toBe(0);
    expect(r.diagnostics.filter((d) => d.code !== 'undriven-hosts' && d.code !== 'feed-too-old')).toEqual([]);
    expect(r.diagnostics.filter((d) => d.code === 'feed-too-old').map((d) => d.file)).toEqual([
      'advisories/kev.json',
    ]);
  });

  it.each(BREAKS)('breaking it ($name) gives exit 3 at the broken line', async (b) => {
    const file = path.join(repo, b.file);
    const original = readFileSync(file, 'utf8');
    const at = original.indexOf(b.find);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(original.indexOf(b.find, at + 1)).toBe(-1);
    const edited = original.slice(0, at) + b.replace + original.slice(at + b.find.length);
    const marker = b.marker ?? b.replace;
    // The marker's first occurrence from the edit on (or before it, for a deleted line).
    const after = edited.indexOf(marker, at);
    const markerAt = after >= 0 ? after : edited.indexOf(marker);
    expect(markerAt).toBeGreaterThanOrEqual(0);
    const line = edited.slice(0, markerAt).split('\n').length;
    writeFileSync(file, edited);
    try {
      const r = await validate();
      expect(r.code).toBe(3);
      expect(r.diagnostics).toContainEqual(
        expect.objectContaining({ file: b.file, line, severity: 'error', code: b.code }),
      );
    } finally {
      writeFileSync(file, original);
    }
  });
});
