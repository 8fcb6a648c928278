// Names given on the command line (issue 13): `--hosts` (names, globs, groups, !exclusions; one
// selector, core/model/host-selector.ts) and `--ring`, checked the same way in plan, apply, scan
// and report. An unknown name is an error naming the closest match, never "No changes".
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Plan } from '../../core/plan/types.js';
import type { SimFleet } from '../../sim/fleet.js';
import { startSimFleet } from '../../sim/fleet.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const AT = '2026-12-01T00:00:00Z';
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-hosts-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(args, io);
  return { code, ...io.text() };
}

const plan = (...args: string[]) => run('plan', '--at', AT, ...args);

async function plannedHosts(...args: string[]): Promise<string[]> {
  const r = await plan('--format', 'json', ...args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as Plan).rings.flatMap((x) => x.hosts.map((h) => h.host)).sort();
}

describe('plan: --hosts and --ring are checked (issue 13)', () => {
  it('an unknown host is an error (exit 1), not "No changes", with --detailed-exitcode too; nothing is saved', async () => {
    const r = await plan('--hosts', 'nosuchhost', '--detailed-exitcode', '--out', 'p.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'patchctl: --hosts "nosuchhost": no host or group named "nosuchhost" (hosts: fra-web-01, fra-web-02, fra-db-01, fra-app-01, fra-ws-01, … 13 in all; groups: canary, databases, fra-servers, fra-workstations, linux-servers, … 10 in all)\n',
    );
    expect(existsSync(path.join(dir, 'p.json'))).toBe(false);
  });

  it('names the closest host or group', async () => {
    const host = await plan('--hosts', 'fra-web-1');
    expect(host.code).toBe(1);
    expect(host.stderr).toBe(
      'patchctl: --hosts "fra-web-1": no host or group named "fra-web-1"; did you mean "fra-web-01"?\n',
    );
    const group = await plan('--hosts', 'fra-web-01,datbases');
    expect(group.stderr).toBe(
      'patchctl: --hosts "fra-web-01,datbases": no host or group named "datbases"; did you mean "databases"?\n',
    );
  });

  it('a glob that matches no host is an error, suggesting the glob that would', async () => {
    const r = await plan('--hosts', 'web-*');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: --hosts "web-*": no host matches "web-*"; did you mean "*web-*" (it matches 4 hosts)?\n',
    );
  });

  it('an unknown ring is an error naming the closest one', async () => {
    const r = await plan('--ring', 'canry', '--detailed-exitcode');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'patchctl: --ring: no ring named "canry"; did you mean "canary"? (rings: canary, pilot, broad, unassigned)\n',
    );
  });

  it('a ring with none of the selected hosts is an error', async () => {
    const r = await plan('--ring', 'canary', '--hosts', 'fra-db-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: --ring canary --hosts "fra-db-01": none of the selected hosts is in ring canary\n',
    );
  });

  it('takes globs, group names and !exclusions', async () => {
    expect(await plannedHosts('--hosts', 'fra-web-*')).toEqual(['fra-web-01', 'fra-web-02']);
    expect(await plannedHosts('--hosts', 'databases')).toEqual(['fra-db-01', 'nyc-db-01']);
    expect(await plannedHosts('--hosts', 'fra-*,!fra-ws-*,!databases')).toEqual([
      'fra-app-01',
      'fra-web-01',
      'fra-web-02',
    ]);
    expect((await plannedHosts('--hosts', '!servers')).every((h) => h.includes('-ws-'))).toBe(true);
    expect(await plannedHosts('--hosts', 'canary', '--ring', 'canary')).toEqual(
      await plannedHosts('--ring', 'canary'),
    );
  });

  it('an unknown name in an exclusion is an error too', async () => {
    const r = await plan('--hosts', 'fra-*,!fra-db01');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: --hosts "fra-*,!fra-db01": no host or group named "fra-db01"; did you mean "fra-db-01"? (in "!fra-db01")\n',
    );
  });
});

describe('apply: --hosts and --ring are checked (issue 13)', () => {
  const noRun = (): void => {
    expect(existsSync(path.join(dir, 'state', 'runs'))).toBe(false);
    expect(existsSync(path.join(dir, 'state', 'apply.lock'))).toBe(false);
  };

  it('refuses an unknown host or ring before planning anything', async () => {
    const host = await run('apply', '--auto-approve', '--hosts', 'fra-web-1');
    expect(host.code).toBe(1);
    expect(host.stdout).toBe('');
    expect(host.stderr).toBe(
      'patchctl: --hosts "fra-web-1": no host or group named "fra-web-1"; did you mean "fra-web-01"?\n',
    );
    const ring = await run('apply', '--auto-approve', '--ring', 'canry');
    expect(ring.code).toBe(1);
    expect(ring.stderr).toMatch(/^patchctl: --ring: no ring named "canry"; did you mean "canary"\?/);
    noRun();
  });

  it('plans only the selected hosts (globs, groups, exclusions) and asks about those', async () => {
    const r = await run('apply', '--hosts', 'fra-web-*,!fra-web-02');
    expect(r.code).toBe(1); // nobody to ask
    expect(r.stderr).toMatch(/^patchctl: apply asks before it patches/);
    expect(r.stdout).toContain('fra-web-01');
    expect(r.stdout).not.toContain('fra-web-02');
    expect(r.stdout).not.toContain('nyc-web-01');
    noRun();
  });

  it('refuses --hosts with a saved plan or --resume: the plan already says its hosts', async () => {
    expect((await run('plan', '--out', 'plan.json')).code).toBe(0);
    const saved = await run('apply', 'plan.json', '--hosts', 'fra-web-01');
    expect(saved.code).toBe(1);
    expect(saved.stderr).toMatch(
      /^patchctl: --hosts selects the hosts of a plan made now: plan.json is a saved plan/,
    );
    const resume = await run('apply', '--resume', '--hosts', 'fra-web-01');
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(
      /^patchctl: --hosts selects the hosts of a plan made now: --resume continues/,
    );
    noRun();
  });
});

describe('report --hosts (issue 13)', () => {
  it('refuses an unknown name before writing anything', async () => {
    const r = await run('report', '--at', AT, '--hosts', 'web-*');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^patchctl: --hosts "web-\*": no host matches "web-\*"; did you mean "\*web-\*"/,
    );
    expect(existsSync(path.join(dir, 'reports'))).toBe(false);
  });

  it('prints the selected hosts after the summary; the files stay the whole fleet', async () => {
    const r = await run(
      'report',
      '--at',
      AT,
      '--format',
      'json',
      '--hosts',
      'databases,fra-web-0?,!nyc-db-01',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('Selected hosts'));
    expect(section).toMatch(/^Selected hosts \(--hosts "databases,fra-web-0\?,!nyc-db-01"\): 3 of 13; /);
    expect(
      section
        .split('\n')
        .filter((l) => l.startsWith('  '))
        .map((l) => l.trim().split(/\s+/)[0]),
    ).toEqual(['fra-db-01', 'fra-web-01', 'fra-web-02']);
    const report = JSON.parse(readFileSync(path.join(dir, 'reports', 'compliance.json'), 'utf8')) as {
      hosts: unknown[];
    };
    expect(report.hosts).toHaveLength(13);
  });
});

describe('scan --hosts (issue 13)', () => {
  let fleet: SimFleet | undefined;
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  it('refuses an unknown host naming the closest one, before connecting', async () => {
    const r = await run('scan', '--hosts', 'fra-web-01,nyc-wb-01');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'patchctl: --hosts "fra-web-01,nyc-wb-01": no host or group named "nyc-wb-01"; did you mean "nyc-web-01"?\n',
    );
  });

  it('scans the hosts a glob and an exclusion select, and only those', async () => {
    fleet = await startSimFleet({ hosts: 3, latencyMs: 1 });
    rmSync(dir, { recursive: true, force: true });
    fleet.writeRepository(dir);
    const r = await run('scan', '--no-refresh', '--hosts', 'lab-*,!lab-02');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Scanned 2 of 2 hosts.');
    expect(readdirSync(path.join(dir, 'state', 'hosts')).sort()).toEqual(['lab-01.json', 'lab-03.json']);
  });
});
