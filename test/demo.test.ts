// `npm run demo` on the simulated fleet (issue 6): what a newcomer sees. The simulated fleet is
// the default, whoever runs it (issue 16: root on an admin box gets no namespaces unasked); the
// lab only with --fleet=lab. CI runs as root: this run proves the default stays in process.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('npm run demo', () => {
  it('by default (even as root) validates, scans, plans and applies on simulated hosts, says which fleet it used, and cleans up', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'demo.mjs')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^demo: using the simulated fleet \(.*the default; `npm run demo -- --fleet=lab` runs it on the lab.*\)\./,
    );
    // A mixed fleet: two Debian hosts, one RHEL-like, one SUSE-like, each with its own driver.
    expect(r.stdout).toMatch(/Scanned 4 of 4 hosts\./);
    expect(r.stdout).toMatch(/✓ lab-01: patched: fleet-crypto 1\.0 → 1\.1.*; rebooted/);
    expect(r.stdout).toMatch(
      /✓ el-01: patched: .*kernel 5\.14\.0-362\.8\.1\.el9 → 5\.14\.0-427\.13\.1\.el9.*; rebooted/,
    );
    expect(r.stdout).toMatch(/✓ suse-01: patched: .*fleet-testpkg 1\.0-1\.el9 → 1\.1-1\.el9/);
    expect(r.stdout).toMatch(/Apply \S+: 4 patched\./);
    expect(r.stdout).toMatch(/ {2}fleet-kernel 1\.1\n/);
    // Kernels side by side on the RPM hosts, as rpm keeps them.
    expect(r.stdout).toMatch(/ {2}kernel 5\.14\.0-362\.8\.1\.el9, 5\.14\.0-427\.13\.1\.el9\n/);
    expect(r.stdout).toContain('✓ rest    done');
    const scratch = /Results were written to (\S+)\/repo\/state\//.exec(r.stdout)?.[1];
    expect(scratch).toBeDefined();
    expect(spawnSync('test', ['-e', scratch ?? '/nonexistent']).status).toBe(1);
  }, 150_000);

  it('refuses an unknown fleet', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'demo.mjs'), '--fleet=cloud'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('use --fleet=lab or --fleet=sim');
  });
});
