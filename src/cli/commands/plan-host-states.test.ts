// Issue 13: `plan` never says "no changes" or "up to date" about hosts it knows nothing about,
// and `--detailed-exitcode` never exits 0 for them.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const AT = '2026-12-01T00:00:00Z';
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-plan-states-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(['plan', '--at', AT, ...args], io);
  return { code, ...io.text() };
}

const hostsDir = (): string => path.join(dir, 'state', 'hosts');

/** Removes every state file: a repository where nothing was ever scanned. */
function forgetEverything(): void {
  for (const f of readdirSync(hostsDir())) rmSync(path.join(hostsDir(), f));
}

describe('patchctl plan on hosts it knows nothing about (issue 13)', () => {
  it('never says "up to date" about a fleet that was never scanned; --detailed-exitcode exits 1', async () => {
    forgetEverything();
    const r = await run('--detailed-exitcode');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(/up to date/);
    expect(r.stdout).toMatch(
      /\nNo changes known: patchctl knows nothing current about any host \(\d+ never scanned, 4 unsupported\)\.\n$/,
    );
    expect(r.stderr).toMatch(
      /^error unknown-hosts: no changes planned, but patchctl knows nothing current about \d+ hosts of the selection \(\d+ never scanned, 4 unsupported\)/,
    );
    const json = JSON.parse((await run('--format', 'json')).stdout) as {
      summary: Record<string, number>;
    };
    expect(json.summary).toMatchObject({ hostsWithChanges: 0, hostsUpToDate: 0, hostsUnsupported: 4 });
    expect(json.summary.hostsNeverScanned).toBe((json.summary.hosts ?? 0) - 4);
    const md = await run('--format', 'markdown');
    expect(md.stdout).toMatch(/^### patchctl plan: no changes known, \d+ hosts not known\n/);
    expect(md.stdout).not.toMatch(/Up to date/);
  });

  it('calls Windows hosts (transport winrm) unsupported, never unreachable or "run patchctl scan"', async () => {
    const r = await run('--format', 'json');
    const hosts = (
      JSON.parse(r.stdout) as { rings: { hosts: { host: string; state: string; note?: string }[] }[] }
    ).rings.flatMap((x) => x.hosts);
    const windows = hosts.filter((h) => h.host.includes('-ws-0') && h.host !== 'fra-ws-03');
    expect(windows.length).toBe(4);
    for (const h of windows) {
      expect(h.state).toBe('unsupported');
      expect(h.note).toMatch(
        /^unsupported: transport winrm is not supported by this version; OS seen: windows/,
      );
    }
    // An AlmaLinux host is driven since issue 14 (dnf): planned from its state like the others.
    expect(hosts.find((h) => h.host === 'fra-app-01')).toMatchObject({ state: 'planned' });
  });

  it('exits 0 with --detailed-exitcode only when every selected host is known and has no changes', async () => {
    forgetEverything();
    const state = JSON.parse(
      readFileSync(path.join(starter.pathname, 'state/hosts/fra-web-01.json'), 'utf8'),
    ) as {
      updates: unknown[];
    };
    writeFileSync(
      path.join(hostsDir(), 'fra-web-01.json'),
      `${JSON.stringify({ ...state, updates: [] }, null, 2)}\n`,
    );
    const known = await run('--detailed-exitcode', '--hosts', 'fra-web-01');
    expect(known.stderr).toBe('');
    expect(known.stdout).toMatch(/\nNo changes\. 1 host up to date\.\n$/);
    expect(known.code).toBe(0);
    const withUnknown = await run('--detailed-exitcode', '--hosts', 'fra-web-01,fra-web-02');
    expect(withUnknown.code).toBe(1);
    expect(withUnknown.stdout).toMatch(
      /\nNo changes\. 1 host up to date\. Not planned: 1 never scanned\.\n$/,
    );
    expect(withUnknown.stderr).toContain('1 host of the selection (1 never scanned)');
  });
});
