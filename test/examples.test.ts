// End-to-end: the real launcher, as a user runs it, over the shipped examples and presets.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AT = '2026-12-01T00:00:00Z';
const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-e2e-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function patchctl(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'patchctl'), ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What the examples are warned about, truly: Windows hosts, and a KEV snapshot from 2025. */
const TRUE_WARNINGS = new Set(['undriven-hosts', 'feed-too-old']);

describe('shipped examples', () => {
  // Their Windows hosts are true warnings (undriven-hosts), and so is the age of the CISA KEV
  // snapshot they ship (feed-too-old: `patchctl advisories sync` refreshes it). Nothing else.
  it.each(['starter', 'enterprise'])('examples/%s validates with no warning but undriven hosts', (name) => {
    const r = patchctl(['validate', '-C', `examples/${name}`, '--at', AT, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const codes = (JSON.parse(r.stdout) as { code: string }[]).map((d) => d.code);
    expect(codes.filter((c) => !TRUE_WARNINGS.has(c))).toEqual([]);
    expect(codes).toContain('feed-too-old');
  });

  it('the enterprise example is a fleet of hundreds of hosts across three sites, Linux and Windows', () => {
    const r = patchctl(['validate', '-C', 'examples/enterprise', '--at', AT]);
    const hosts = Number(/valid(?: with \d+ warnings?)?: (\d+) hosts/.exec(r.stdout)?.[1]);
    expect(hosts).toBeGreaterThanOrEqual(300);
    const inventories = readdirSync(path.join(root, 'examples/enterprise/inventory'));
    expect(inventories).toHaveLength(3);
  });

  it.each(readdirSync(path.join(root, 'policies')).filter((f) => f.endsWith('.yaml')))(
    'preset policies/%s validates when dropped into the starter',
    (preset) => {
      const repo = path.join(scratch, `preset-${preset}`);
      cpSync(path.join(root, 'examples/starter'), repo, { recursive: true, dereference: true });
      cpSync(path.join(root, 'policies', preset), path.join(repo, 'policies', `preset-${preset}`));
      const r = patchctl(['validate', '-C', repo, '--at', AT, '--format', 'json']);
      expect(r.status).toBe(0);
      // Besides the starter's undriven hosts, only the starter policies the preset replaces:
      // a policy it takes over on every host decides nothing any more (policy-shadowed).
      const name = /^ {2}name: (\S+)$/m.exec(readFileSync(path.join(root, 'policies', preset), 'utf8'))?.[1];
      const others = (JSON.parse(r.stdout) as { code: string; message: string }[]).filter(
        (d) =>
          !TRUE_WARNINGS.has(d.code) &&
          !(d.code === 'policy-shadowed' && d.message.includes(`: policy "${name}" (priority`)),
      );
      expect(others).toEqual([]);
    },
  );
});

describe('planning the shipped examples', () => {
  it('plans the enterprise example byte-identically twice, showing every skip reason', () => {
    const args = ['plan', '-C', 'examples/enterprise', '--at', AT, '--format', 'json'];
    const a = patchctl(args);
    const b = patchctl(args);
    expect(a.status).toBe(0);
    expect(a.stderr).toBe('');
    expect(a.stdout).toBe(b.stdout);
    const plan = JSON.parse(a.stdout) as { rings: { hosts: { skipped: { reason: string }[] }[] }[] };
    const reasons = new Set(
      plan.rings.flatMap((r) => r.hosts.flatMap((h) => h.skipped.map((s) => s.reason))),
    );
    expect([...reasons].sort()).toEqual(
      [
        'blackout',
        'below-severity',
        'classification',
        'exception',
        'excluded',
        'held',
        'host-unreachable',
        'no-window',
        'not-approved-yet',
        // The example pins only RHEL and SUSE packages: back since issue 14 drives those hosts.
        'pinned',
      ].sort(),
    );
  });

  it('plans the starter example as text a reviewer can read', () => {
    const r = patchctl(['plan', '-C', 'examples/starter', '--at', AT]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Plan at 2026-12-01 00:00 UTC/);
    expect(r.stdout).toMatch(/\n\s+~ \S+ \S+ → \S+ \(security/);
    expect(r.stdout).toMatch(/\nPlan: \d+ updates on \d+ hosts/);
    expect(patchctl(['plan', '-C', 'examples/starter', '--at', AT, '--detailed-exitcode']).status).toBe(2);
  });
});

describe('the command line', () => {
  it('exits 3 with annotations relative to the workspace, and no stack trace', () => {
    const repo = path.join(scratch, 'broken');
    cpSync(path.join(root, 'examples/starter'), repo, { recursive: true, dereference: true });
    cpSync(path.join(root, 'test/fixtures/unknown-group-policy.yaml'), path.join(repo, 'policies/bad.yaml'));
    const r = patchctl(['validate', '-C', 'broken', '--at', AT, '--format', 'github', '--quiet'], scratch);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe(
      '::error file=broken/policies/bad.yaml,line=8,col=14,title=patchctl unknown-group::group "serverz" is not defined (did you mean "servers"?)\n',
    );
    expect(r.stderr).toBe('');
  });

  it.each(['init', 'validate', 'plan'])('%s --help shows an example', (cmd) => {
    const r = patchctl([cmd, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n\s+\$ patchctl /);
  });

  it('an unknown command or option is a usage error, not a crash', () => {
    const r = patchctl(['frobnicate']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the package entry exports the library API', async () => {
    const api = (await import(path.join(root, 'dist/index.js'))) as Record<string, unknown>;
    expect(typeof api.loadRepository).toBe('function');
    expect(typeof api.validateRepository).toBe('function');
    expect(typeof api.buildPlan).toBe('function');
    const compare = api.compareVersions as (e: string, a: string, b: string) => number;
    expect(compare('deb', '1.0~rc1-1', '1.0-1')).toBe(-1);
    expect(compare('rpm', '1.0^post', '1.0')).toBe(1);
    const result = (api.validateRepository as (d: string, o: object) => { ok: boolean })(
      path.join(root, 'examples/starter'),
      {},
    );
    expect(result.ok).toBe(true);
  });
});
