import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

import { apt } from '../drivers/apt/index.js';
import {
  rebootRequiredCommand,
  restartCheckCommand,
  simulateInstallCommand,
} from '../drivers/apt/commands.js';
import { parseRebootRequired } from '../drivers/apt/parse-facts.js';
import { parsePreflight } from '../drivers/apt/parse-preflight.js';
import { parseCheckRestart } from '../drivers/apt/parse-restart.js';
import { parseUpdates } from '../drivers/apt/parse-updates.js';
import { linuxFactsCommand, parseLinuxFacts } from '../drivers/linux/index.js';
import { remoteLockCommand, remoteReserveCommand } from '../engine/apply/remote-lock.js';
import { commandLine } from '../transports/quote.js';
import type { CommandResult, RemoteCommand } from '../transports/types.js';
import type { SimReply } from './apt-host.js';
import { SimAptHost, dfOutput, summarizeFilename } from './apt-host.js';

const FIX = new URL('../drivers/apt/__fixtures__/', import.meta.url);
const fx = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

/** The line the ssh transport sends, with sudo as the lab's Config has it (ssh.sudo: true). */
const lineOf = (cmd: RemoteCommand, sudo = true): string =>
  commandLine({ ...cmd, sudo: cmd.sudo === true && sudo });

const host = (): SimAptHost =>
  new SimAptHost({ hostname: 'lab-01', seed: 7, now: () => new Date('2026-11-23T10:00:00Z') });

function run(h: SimAptHost, cmd: RemoteCommand, sudo = true): SimReply & CommandResult {
  const r = h.respond(lineOf(cmd, sudo));
  return { ...r, durationMs: 0 };
}

const pkgs = (...names: string[]) => names.map((n) => ({ name: n, version: '1.1' }));

describe('SimAptHost read-only commands', () => {
  it('answers facts like lab-facts, read by the real parser', () => {
    const h = host();
    const out = run(h, apt.facts());
    expect(out.exitCode).toBe(0);
    const facts = apt.parseFacts(out);
    expect(facts).toMatchObject({
      os: { family: 'debian', id: 'debian', version: '12', codename: 'bookworm' },
      kernel: '6.18.44-fc-v595',
      bootId: h.bootId,
      rebootRequired: false,
      rebootRequiredPackages: [],
      nativeArch: 'amd64',
      packageManagerVersion: '2.6.1',
    });
    // Same layout as the capture, but for the boot id.
    const real = fx('lab-facts.stdout').replace(/[0-9a-f-]{36}/, h.bootId);
    expect(out.stdout).toBe(real);
  });

  it('answers the shared Linux facts script as a lab host does: the first sections of lab-facts', () => {
    const h = host();
    const out = run(h, linuxFactsCommand());
    expect(out.exitCode).toBe(0);
    expect(parseLinuxFacts(out)).toMatchObject({
      os: { family: 'debian', id: 'debian', version: '12' },
      kernel: '6.18.44-fc-v595',
      bootId: h.bootId,
      rebootRequired: false,
    });
    // The lab host runs the same commands for these sections as for apt's facts script.
    const capture = fx('lab-facts.stdout').replace(/[0-9a-f-]{36}/, h.bootId);
    const linuxPart = capture.slice(0, capture.indexOf('@@patchctl:reboot-required-pkgs@@'));
    expect(out.stdout).toBe(`${linuxPart}@@patchctl:end@@\n`);
  });

  it('lists the minbase packages and the lab packages at 1.0, fleet-held on hold', () => {
    const inv = apt.parseInstalled(run(host(), apt.listInstalled()));
    expect(inv.held).toEqual(['fleet-held']);
    expect(inv.installed.find((p) => p.name === 'fleet-kernel')).toEqual({
      name: 'fleet-kernel',
      version: '1.0',
      arch: 'all',
    });
    expect(inv.installed.find((p) => p.name === 'bash')?.version).toBe('5.2.15-2+b13');
    // The system part is the capture's, line for line.
    const system = (text: string) =>
      text
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('fleet-'))
        .join('\n');
    expect(system(run(host(), apt.listInstalled()).stdout)).toBe(system(fx('lab-installed.stdout')));
  });

  it('lists the pending updates classified from the suites, with the held one', () => {
    const out = run(host(), apt.listUpdates());
    expect(out.stdout).toContain('NOTE: This is only a simulation!'); // no sudo: the login user
    expect(out.stdout).toContain('Inst fleet-crypto [1.0] (1.1 Fleet-Security:12/fleet-security [all])');
    const scan = apt.parseUpdateScan(out);
    expect(scan.held).toEqual(['fleet-held']);
    expect(scan.keptBack).toEqual(['fleet-held']);
    expect(scan.updates.map((u) => [u.name, u.from, u.to, u.classification])).toEqual([
      ['fleet-broken', '1.0', '1.1', 'bugfix'],
      ['fleet-crypto', '1.0', '1.1', 'security'],
      ['fleet-held', '1.0', '1.1', 'bugfix'],
      ['fleet-kernel', '1.0', '1.1', 'security'],
      ['fleet-tools', '1.0', '1.1', 'bugfix'],
      ['fleet-utils', '1.0', '1.1', 'bugfix'],
    ]);
  });

  it('reports a clean pre-flight, then the dpkg lock holder and low space as faults', () => {
    const h = host();
    expect(apt.checkPreflight(apt.parsePreflight(run(h, apt.preflight())))).toEqual([]);
    h.dpkgLock = { pid: 18, command: 'unattended-upgr' };
    h.diskFreeKb = 1000;
    const problems = apt.checkPreflight(apt.parsePreflight(run(h, apt.preflight())));
    expect(problems.map((p) => p.kind)).toEqual(['lock-held', 'low-space']);
    expect(problems[0]?.message).toBe('/var/lib/dpkg/lock-frontend is held by process 18 (unattended-upgr)');
  });

  it('prints df as GNU df does (the lab capture)', () => {
    const real = fx('lab-preflight-lock-held-overlay.stdout');
    const block = real.slice(real.indexOf('Filesystem'), real.indexOf('path /var/lib/dpkg'));
    expect(dfOutput(524244)).toBe(block);
    expect(parsePreflight({ exitCode: 0, stdout: real, stderr: '', durationMs: 0 }).freeSpace).toHaveLength(
      4,
    );
  });

  it('has no checkrestart (minbase), like the lab', () => {
    const out = run(host(), restartCheckCommand());
    expect(out.exitCode).toBe(127);
    expect(out.stderr).toBe(fx('lab-checkrestart-missing.stderr'));
    expect(parseCheckRestart(out)).toBeUndefined();
  });

  it('refreshes through the wrapper as root', () => {
    const h = host();
    const out = run(h, apt.refresh());
    expect(apt.parseRefresh(out)).toEqual({ ok: true, warnings: [] });
    expect(h.wrapperLogs).toHaveLength(1);
    expect(h.wrapperLogs[0]?.name).toMatch(/^apt-20261123T100000Z-\d+$/);
  });

  it('simulates an install without changing anything', () => {
    const h = host();
    const out = run(h, simulateInstallCommand(pkgs('fleet-tools', 'fleet-crypto')));
    expect(apt.parseInstall(out)).toMatchObject({
      ok: true,
      changed: [
        { name: 'fleet-crypto', from: '1.0', to: '1.1' },
        { name: 'fleet-tools', from: '1.0', to: '1.1' },
      ],
    });
    expect(h.versions()['fleet-tools']).toBe('1.0');
  });
});

describe('SimAptHost install', () => {
  it('takes installWorkMs for an install that unpacks something, and no time for one that does not', () => {
    const h = new SimAptHost({ hostname: 'lab-01', seed: 7, installWorkMs: 2_500 });
    expect(run(h, apt.install(pkgs('fleet-tools'))).effects).toEqual([{ kind: 'wait', ms: 2_500 }]);
    expect(run(h, apt.install(pkgs('fleet-tools'))).effects).toEqual([]); // already the newest
    expect(host().respond(lineOf(apt.install(pkgs('fleet-tools')))).effects).toEqual([]);
  });

  it('installs exact versions, and fleet-kernel asks for a reboot', () => {
    const h = host();
    const out = run(h, apt.install(pkgs('fleet-tools', 'fleet-kernel')));
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('Unpacking fleet-kernel (1.1) over (1.0) ...');
    expect(out.stdout).toContain('Preparing to unpack .../fleet-kernel_1.1_all.deb ...');
    expect(out.stdout).toContain('Preparing to unpack .../fleet/fleet-tools_1.1_all.deb ...');
    expect(out.stderr).toBe(fx('lab-install-kernel.stderr'));
    const outcome = apt.parseInstall(out);
    expect(outcome.ok).toBe(true);
    expect(outcome.changed.map((c) => c.name).sort()).toEqual(['fleet-kernel', 'fleet-tools']);
    expect(h.versions()).toMatchObject({ 'fleet-tools': '1.1', 'fleet-kernel': '1.1', 'fleet-utils': '1.0' });
    expect(parseRebootRequired(run(h, rebootRequiredCommand()))).toBe(true);
    expect(apt.parseFacts(run(h, apt.facts())).rebootRequiredPackages).toEqual(['fleet-kernel']);
    // The wrapper kept the output, and the updates are gone from the scan.
    expect(h.wrapperLogs[0]?.stdout).toBe(out.stdout);
    const names = parseUpdates(run(h, apt.listUpdates())).map((u) => u.name);
    expect(names).toEqual(['fleet-broken', 'fleet-crypto', 'fleet-held', 'fleet-utils']);
    // Installing the same version again changes nothing.
    const again = run(h, apt.install(pkgs('fleet-tools')));
    expect(again.stdout).toContain('fleet-tools is already the newest version (1.1).');
    expect(apt.parseInstall(again)).toMatchObject({ ok: true, changed: [] });
  });

  it('refuses a held package as apt-get -y does (lab-install-held)', () => {
    const h = host();
    const out = run(h, apt.install(pkgs('fleet-held')));
    expect(out.exitCode).toBe(100);
    expect(out.stderr).toBe(fx('lab-install-held.stderr'));
    expect(out.stdout).toBe(fx('lab-install-held.stdout').replace('and 7 not', 'and 5 not'));
    expect(apt.parseInstall(out).failure).toMatchObject({ kind: 'held', packages: ['fleet-held'] });
    expect(h.versions()['fleet-held']).toBe('1.0');
  });

  it('refuses versions that are not available, and downgrades', () => {
    const h = host();
    const missing = run(h, apt.install([{ name: 'fleet-tools', version: '1.2' }]));
    expect(missing.exitCode).toBe(100);
    expect(missing.stderr).toBe("E: Version '1.2' for 'fleet-tools' was not found\n");
    expect(apt.parseInstall(missing).failure?.kind).toBe('version-not-found');
    const unknown = run(h, apt.install([{ name: 'no-such-package', version: '1.0' }]));
    expect(apt.parseInstall(unknown).failure?.kind).toBe('package-not-found');
    run(h, apt.install(pkgs('fleet-crypto')));
    const down = run(h, apt.install([{ name: 'fleet-crypto', version: '1.0' }]));
    expect(apt.parseInstall(down).failure?.kind).toBe('downgrade');
    expect(h.versions()['fleet-crypto']).toBe('1.1');
  });

  it('fails like dpkg when the postinst of fleet-broken fails, leaving it half-configured', () => {
    const h = host();
    const out = run(h, apt.install(pkgs('fleet-broken', 'fleet-utils')));
    expect(out.exitCode).toBe(100);
    const outcome = apt.parseInstall(out);
    expect(outcome.failure).toMatchObject({ kind: 'maintainer-script', packages: ['fleet-broken'] });
    const inv = apt.parseInstalled(run(h, apt.listInstalled()));
    expect(inv.notFullyInstalled).toEqual([
      { name: 'fleet-broken', arch: 'all', version: '1.1', status: 'install ok half-configured' },
    ]);
    expect(h.versions()['fleet-utils']).toBe('1.1');
    const problems = apt.checkPreflight(apt.parsePreflight(run(h, apt.preflight())));
    expect(problems.map((p) => p.kind)).toEqual(['audit']);
    // The next install configures it again, and fails again.
    expect(apt.parseInstall(run(h, apt.install(pkgs('fleet-tools')))).failure?.kind).toBe(
      'maintainer-script',
    );
  });

  it('needs root: without sudo apt cannot take its lock; with sudo denied, sudo says so', () => {
    const h = host();
    const out = run(h, apt.install(pkgs('fleet-tools')), false);
    expect(out.stderr).toBe(fx('lab-install-not-root.stderr'));
    expect(apt.parseInstall(out).failure?.message).toMatch(/not running as root/);
    h.sudoAllowed = false;
    expect(run(h, apt.install(pkgs('fleet-tools')))).toMatchObject({ exitCode: 1 });
    expect(h.versions()['fleet-tools']).toBe('1.0');
  });

  it('waits for a held dpkg lock up to the timeout, then fails as apt does', () => {
    const h = host();
    h.dpkgLock = { pid: 6, command: 'apt-get' };
    const now = run(h, apt.install(pkgs('fleet-crypto'), { lockTimeoutSeconds: 0 }));
    expect(now.stderr).toBe(fx('lab-install-lock-nowait.stderr'));
    const wait = run(h, apt.install(pkgs('fleet-crypto'), { lockTimeoutSeconds: 5 }));
    expect(wait.stdout).toBe(fx('lab-install-lock-wait.stdout'));
    expect(wait.effects).toEqual([{ kind: 'wait', ms: 5000 }]);
    expect(apt.parseInstall(wait).failure?.kind).toBe('lock-held');
  });
});

describe('SimAptHost multi-arch', () => {
  const multi = {
    name: 'fleet-multi',
    suite11: 'fleet-security' as const,
    description: 'a multi-arch library',
  };

  it('lists each architecture, offers the foreign one its update, and upgrades only the one named', () => {
    const h = host();
    h.addPackage(multi, [
      { arch: 'amd64', version: '1.1' },
      { arch: 'i386', version: '1.0' },
    ]);
    const inv = apt.parseInstalled(run(h, apt.listInstalled()));
    expect(inv.installed.filter((p) => p.name === 'fleet-multi')).toEqual([
      { name: 'fleet-multi', arch: 'amd64', version: '1.1' },
      { name: 'fleet-multi', arch: 'i386', version: '1.0' },
    ]);
    const updates = apt.parseUpdateScan(run(h, apt.listUpdates())).updates;
    expect(updates.filter((u) => u.name === 'fleet-multi')).toEqual([
      expect.objectContaining({
        name: 'fleet-multi',
        arch: 'i386',
        from: '1.0',
        to: '1.1',
        classification: 'security',
      }),
    ]);
    // The native one is already there; the foreign one is upgraded when named with its arch.
    const native = run(h, apt.install([{ name: 'fleet-multi', version: '1.1' }]));
    expect(apt.parseInstall(native)).toMatchObject({ ok: true, changed: [] });
    expect(native.stdout).toContain('fleet-multi is already the newest version (1.1).');
    const foreign = run(h, apt.install([{ name: 'fleet-multi', version: '1.1', arch: 'i386' }]));
    expect(apt.parseInstall(foreign)).toMatchObject({ ok: true });
    expect(foreign.stdout).toContain('Unpacking fleet-multi:i386 (1.1) over (1.0) ...');
    expect(foreign.stdout).toContain('Setting up fleet-multi:i386 (1.1) ...');
    expect(
      apt.parseInstalled(run(h, apt.listInstalled())).installed.filter((p) => p.name === 'fleet-multi'),
    ).toEqual([
      { name: 'fleet-multi', arch: 'amd64', version: '1.1' },
      { name: 'fleet-multi', arch: 'i386', version: '1.1' },
    ]);
    expect(run(h, apt.install([{ name: 'fleet-multi', version: '1.1', arch: 'arm64' }])).stderr).toBe(
      'E: Unable to locate package fleet-multi:arm64\n',
    );
  });
});

describe('SimAptHost lock, reboot and unknown commands', () => {
  it('holds the remote lock until released; a second holder is told who has it', () => {
    const h = host();
    const first = h.respond(commandLine(remoteLockCommand('run A')));
    expect(first).toMatchObject({ exitCode: 0, stdout: 'locked\n' });
    const hold = first.effects[0];
    if (hold?.kind !== 'hold') throw new Error('expected a hold');
    expect(h.respond(commandLine(remoteLockCommand('run B')))).toMatchObject({
      exitCode: 75,
      stdout: 'busy\nrun A\n',
    });
    expect(hold.release()).toMatchObject({ exitCode: 0 });
    expect(h.remoteLockOwner).toBeUndefined();
    expect(h.respond(commandLine(remoteLockCommand('run B'))).stdout).toBe('locked\n');
  });

  it('keeps a reservation across the reboot: only its run takes the lock, until it expires', () => {
    let clock = new Date('2026-11-23T10:00:00Z');
    const h = new SimAptHost({ hostname: 'lab-01', seed: 7, now: () => clock });
    const take = (owner: string, run: string) => h.respond(commandLine(remoteLockCommand(owner, run)));
    const reserve = (owner: string, run: string, s: number) =>
      h.respond(commandLine(remoteReserveCommand(owner, run, s)));
    const first = take('run A', 'A');
    const hold = first.effects[0];
    if (hold?.kind !== 'hold') throw new Error('expected a hold');
    // Only the holder reserves.
    expect(reserve('run B', 'B', 600)).toMatchObject({ exitCode: 75, stdout: 'busy\nrun A\n' });
    expect(reserve('run A', 'A', 600)).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
    expect(h.reservation).toEqual({
      runId: 'A',
      owner: 'run A',
      expires: 1795428600,
      ttl: 600,
      bootId: h.bootId,
    });
    // Before the reboot: the same run may take the lock again, the reservation stays.
    hold.release();
    expect(take('run A', 'A')).toMatchObject({ exitCode: 0, stdout: 'locked\n' });
    expect(h.reservation?.runId).toBe('A');
    h.boot();
    expect(take('run B', 'B')).toMatchObject({ exitCode: 75, stdout: 'reserved\nrun A\n600\n' });
    const again = take('run A', 'A');
    expect(again).toMatchObject({ exitCode: 0, stdout: 'locked\n' });
    expect(h.reservation).toBeUndefined();
    // A release of the hold from before the reboot does not end the new one.
    hold.release();
    expect(h.remoteLockOwner).toBe('run A');
    const held = again.effects[0];
    if (held?.kind === 'hold') held.release();
    expect(take('run B', 'B').stdout).toBe('locked\n');

    // An expired reservation is gone; a clock gone back cuts one to its lifetime.
    const other = new SimAptHost({ hostname: 'lab-02', seed: 7, now: () => clock });
    other.reservation = { runId: 'A', owner: 'run A', expires: 1795428000 + 100, ttl: 60, bootId: 'x' };
    expect(other.respond(commandLine(remoteLockCommand('run B', 'B')))).toMatchObject({
      stdout: 'reserved\nrun A\n60\n',
    });
    clock = new Date(clock.getTime() + 60_000);
    expect(other.respond(commandLine(remoteLockCommand('run B', 'B'))).stdout).toBe('locked\n');
    expect(other.reservation).toBeUndefined();
  });

  it('answers 127 to a lock command for other directories or with a bad lifetime', () => {
    const h = host();
    expect(h.respond(commandLine(remoteLockCommand('o', 'r', { dir: '/tmp' }))).exitCode).toBe(127);
    const bad = remoteReserveCommand('o', 'r', 60);
    bad.argv[bad.argv.length - 1] = '0';
    expect(h.respond(commandLine(bad)).exitCode).toBe(127);
  });

  it('reboots as root: a new boot id, /run fresh', () => {
    const h = host();
    run(h, apt.install(pkgs('fleet-kernel')));
    h.respond(commandLine(remoteLockCommand('run A')));
    const before = h.bootId;
    const r = h.respond(commandLine({ argv: ['reboot'], sudo: true }));
    expect(r).toMatchObject({ exitCode: 0, effects: [{ kind: 'reboot' }] });
    h.boot();
    expect(h.bootId).not.toBe(before);
    expect(h).toMatchObject({ rebootRequired: false, rebootRequiredPkgs: [], remoteLockOwner: undefined });
    expect(h.versions()['fleet-kernel']).toBe('1.1');
    expect(h.respond(commandLine({ argv: ['reboot'] }))).toMatchObject({ exitCode: 1, effects: [] });
  });

  it('answers 127 to anything it does not simulate, naming it', () => {
    const h = host();
    for (const line of [
      commandLine({ argv: ['systemctl', 'is-system-running'] }),
      commandLine({ argv: ['apt-get', 'install', '-y', 'fleet-tools'], sudo: true }),
      // A driver command with an extra environment variable is not what the driver sends.
      commandLine({ ...apt.facts(), env: { X: '1' } }),
      'uname -r',
    ]) {
      const r = h.respond(line);
      expect(r.exitCode).toBe(127);
      expect(r.stderr).toContain(line.slice(0, 40));
    }
  });
});

describe('summarizeFilename', () => {
  it('shortens as dpkg does', () => {
    expect(summarizeFilename('/srv/repo/pool/fleet/fleet-base_1.1_all.deb')).toBe(
      '.../fleet/fleet-base_1.1_all.deb',
    );
    expect(summarizeFilename('/srv/repo/pool/fleet-security/fleet-openssl_1.1_all.deb')).toBe(
      '.../fleet-openssl_1.1_all.deb',
    );
  });
});
