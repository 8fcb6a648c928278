// The simulated dnf and zypper hosts against the drivers' real captures on the lab's EL 9 and SLE 15
// layers (src/drivers/dnf/__fixtures__/el9, src/drivers/zypper/__fixtures__/sle15): the same
// session replayed on a simulated host gives the same bytes, but for what differs by nature (boot
// id, kernel, install and boot times, free space, inode numbers); the drivers' parsers read both
// the same way.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { dnf } from '../drivers/dnf/driver.js';
import { zypper } from '../drivers/zypper/driver.js';
import type { CommandResult, PackageDriver, PackageRef } from '../drivers/types.js';
import { commandLine } from '../transports/quote.js';
import type { RemoteCommand } from '../transports/types.js';
import { SimDnfHost } from './dnf-host.js';
import { SimZypperHost } from './zypper-host.js';
import type { SimulatedHost } from './simulated-host.js';

const EL9 = path.join('src', 'drivers', 'dnf', '__fixtures__', 'el9');
const SLE15 = path.join('src', 'drivers', 'zypper', '__fixtures__', 'sle15');

function capture(dir: string, name: string): CommandResult {
  const read = (ext: string): string => {
    try {
      return readFileSync(path.join(dir, `${name}.${ext}`), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    exitCode: Number(read('rc').trim() || '0'),
    stdout: read('stdout'),
    stderr: read('stderr'),
    durationMs: 1,
  };
}

function run(host: SimulatedHost, cmd: RemoteCommand): CommandResult {
  const r = host.respond(commandLine(cmd));
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, durationMs: 1 };
}

/** What differs by nature between two hosts or two boots. */
function normalise(text: string): string {
  return text
    .replace(/(@@patchctl:kernel@@\n)[^\n]*/g, '$1<kernel>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<boot-id>')
    .replace(/(@@patchctl:boot-time@@\n)\d+/g, '$1<time>')
    .replace(/\b1\d{9}\b/g, '<time>')
    .replace(/^(ovl|overlay) +\d+ +\d+ +\d+ +\d+% \/$/gm, '<df>')
    .replace(/^\d+ \d+ (\/\S+)$/gm, '<dev> <inode> $1');
}

const LAB_REFS: PackageRef[] = [
  { name: 'fleet-testpkg', version: '1.1-1.el9', arch: 'noarch' },
  { name: 'kernel', version: '5.14.0-427.13.1.el9', arch: 'x86_64' },
  { name: 'fleet-lib', version: '2.1-1.el9', arch: 'noarch' },
];

describe('SimDnfHost against the EL 9 captures', () => {
  const d: PackageDriver = dnf;

  it('answers facts, installed packages, updates and pre-flight as the lab host did', () => {
    const host = new SimDnfHost({ hostname: 'el-01', seed: 3 });
    for (const [cmd, name] of [
      [d.facts(), 'facts'],
      [d.listInstalled(), 'installed'],
      [d.listUpdates(), 'updates'],
      [d.preflight(), 'preflight-clean'],
    ] as const) {
      const sim = run(host, cmd);
      const real = capture(EL9, name);
      expect(sim.exitCode).toBe(real.exitCode);
      expect(normalise(sim.stdout)).toBe(normalise(real.stdout));
    }
    const scan = d.parseUpdateScan(run(host, d.listUpdates()));
    expect(scan).toEqual(d.parseUpdateScan(capture(EL9, 'updates')));
    expect(scan.held).toEqual(['fleet-held']);
  });

  it('installs the kernel beside the old one, asks for a reboot, and reads back as the lab did', () => {
    const host = new SimDnfHost({ hostname: 'el-01' });
    const r = run(host, d.install(LAB_REFS, { lockTimeoutSeconds: 6 }));
    expect(r.exitCode).toBe(0);
    const outcome = d.parseInstall(r);
    const real = d.parseInstall(capture(EL9, 'install-ok'));
    expect(outcome.ok).toBe(true);
    expect([...outcome.changed].sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(
      [...real.changed].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect(host.installedVersions('kernel')).toEqual(['5.14.0-362.8.1.el9', '5.14.0-427.13.1.el9']);
    expect(host.rebootRequired).toBe(true);
    for (const [cmd, name] of [
      [d.facts(), 'facts-after-kernel'],
      [d.listUpdates(), 'updates-after'],
      [d.listInstalled(), 'installed-after'],
    ] as const) {
      expect(normalise(run(host, cmd).stdout)).toBe(normalise(capture(EL9, name).stdout));
    }
    expect(d.parseFacts(run(host, d.facts())).rebootRequired).toBe(true);
    host.boot();
    expect(d.parseFacts(run(host, d.facts())).rebootRequired).toBe(false);
  });

  it("fails fleet-broken's %pre and refuses the version-locked fleet-held, as dnf did", () => {
    const host = new SimDnfHost({ hostname: 'el-01' });
    const broken = run(host, d.install([{ name: 'fleet-broken', version: '1.1-1.el9', arch: 'noarch' }]));
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toBe(capture(EL9, 'install-scriptlet-pre').stderr);
    expect(d.parseInstall(broken).failure).toEqual(
      d.parseInstall(capture(EL9, 'install-scriptlet-pre')).failure,
    );
    expect(host.installedVersions('fleet-broken')).toEqual(['1.0-1.el9']);
    const held = run(host, d.install([{ name: 'fleet-held', version: '1.1-1.el9', arch: 'noarch' }]));
    expect(held.exitCode).toBe(1);
    expect(d.parseInstall(held).failure?.kind).toBe(
      d.parseInstall(capture(EL9, 'install-held')).failure?.kind,
    );
    expect(host.installedVersions('fleet-held')).toEqual(['1.0-1.el9']);
  });

  it('answers 127 to a command the dnf driver does not send', () => {
    const host = new SimDnfHost({ hostname: 'el-01' });
    expect(run(host, { argv: ['dnf', 'upgrade', '-y'] }).exitCode).toBe(127);
  });
});

describe('SimZypperHost against the SLE 15 captures', () => {
  const z: PackageDriver = zypper;

  it('answers facts, inventory, the scan and pre-flight as the lab host did', () => {
    const host = new SimZypperHost({ hostname: 'suse-01', seed: 4 });
    for (const [cmd, name] of [
      [z.facts(), 'facts'],
      [z.listInstalled(), 'inventory'],
      [z.listUpdates(), 'scan'],
      [z.preflight(), 'preflight'],
    ] as const) {
      const sim = run(host, cmd);
      const real = capture(SLE15, name);
      expect(sim.exitCode).toBe(real.exitCode);
      expect(normalise(sim.stdout)).toBe(normalise(real.stdout));
    }
    expect(z.parseUpdateScan(run(host, z.listUpdates()))).toEqual(z.parseUpdateScan(capture(SLE15, 'scan')));
  });

  it('installs the kernel beside the old one, needs a reboot, and reads back as the lab did', () => {
    const host = new SimZypperHost({ hostname: 'suse-01' });
    const r = run(host, z.install(LAB_REFS, { lockTimeoutSeconds: 6 }));
    const real = capture(SLE15, 'install');
    expect(r.exitCode).toBe(real.exitCode);
    expect(r.stdout).toBe(real.stdout);
    expect(z.parseInstall(r)).toEqual(z.parseInstall(real));
    expect(host.installedVersions('kernel')).toEqual(['5.14.0-362.8.1.el9', '5.14.0-427.13.1.el9']);
    for (const [cmd, name] of [
      [z.facts(), 'facts-after'],
      [z.listInstalled(), 'inventory-after'],
      [z.preflight(), 'preflight-after'],
      [z.listUpdates(), 'scan-after'],
    ] as const) {
      expect(normalise(run(host, cmd).stdout)).toBe(normalise(capture(SLE15, name).stdout));
    }
    host.boot();
    expect(z.parseFacts(run(host, z.facts())).rebootRequired).toBe(false);
  });

  it("fails fleet-broken's %pre and cancels the locked fleet-held, as zypper did", () => {
    const host = new SimZypperHost({ hostname: 'suse-01' });
    const broken = run(host, z.install([{ name: 'fleet-broken', version: '1.1-1.el9', arch: 'noarch' }]));
    const realBroken = capture(SLE15, 'install-scriptlet');
    expect([broken.exitCode, broken.stdout, broken.stderr]).toEqual([
      realBroken.exitCode,
      realBroken.stdout,
      realBroken.stderr,
    ]);
    expect(host.installedVersions('fleet-broken')).toEqual(['1.0-1.el9']);
    const held = run(host, z.install([{ name: 'fleet-held', version: '1.1-1.el9', arch: 'noarch' }]));
    const realHeld = capture(SLE15, 'install-locked');
    expect([held.exitCode, held.stdout]).toEqual([realHeld.exitCode, realHeld.stdout]);
    expect(z.parseInstall(held)).toEqual(z.parseInstall(realHeld));
  });

  it('answers 127 to a command the zypper driver does not send', () => {
    const host = new SimZypperHost({ hostname: 'suse-01' });
    expect(run(host, { argv: ['zypper', 'patch'] }).exitCode).toBe(127);
  });
});
