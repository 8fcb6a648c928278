import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { InvalidPackageRefError } from '../errors.js';
import type { PackageRef } from '../types.js';
import {
  factsCommand,
  INSTALL_WRAPPER_NAME,
  installCommand,
  installedCommand,
  packageArg,
  preflightCommand,
  refreshCommand,
  simulateInstallCommand,
  updatesCommand,
} from './commands.js';
import { parseFacts } from './parse-facts.js';
import { parseInstalled } from './parse-installed.js';
import { parsePreflight } from './parse-preflight.js';
import { parseUpdateScan } from './parse-updates.js';
import {
  FACTS_SCRIPT,
  INSTALL_WRAPPER_SCRIPT,
  PREFLIGHT_SCRIPT,
  REBOOT_REQUIRED_SCRIPT,
  UPDATES_SCRIPT,
} from './scripts.js';

const invalid = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidPackageRefError) return e.message;
    throw e;
  }
  throw new Error('expected an InvalidPackageRefError');
};

/** The install wrapper's prefix: `sh -c INSTALL_WRAPPER_SCRIPT patchctl-apt`, then the command. */
const WRAPPER = ['sh', '-c', INSTALL_WRAPPER_SCRIPT, 'patchctl-apt'];

describe('install command', () => {
  it('installs exact versions, upgrading only, without prompts, holds, downgrades or removals', () => {
    const cmd = installCommand(
      [
        { name: 'openssl', version: '3.0.15-1~deb12u1', arch: 'amd64' },
        { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
        { name: 'libc6', version: '2.36-9+deb12u9', arch: 'i386' },
        { name: 'bsdutils', version: '1:2.38.1-5+deb12u3' },
      ],
      { lockTimeoutSeconds: 300 },
    );
    expect(cmd).toEqual({
      argv: [
        ...WRAPPER,
        'apt-get',
        'install',
        '-y',
        '-q',
        '--only-upgrade',
        '--no-remove',
        '--no-install-recommends',
        '-o',
        'Acquire::Retries=3',
        '-o',
        'Dpkg::Use-Pty=0',
        '-o',
        'Dpkg::Options::=--force-confdef',
        '-o',
        'Dpkg::Options::=--force-confold',
        '-o',
        'APT::Get::Always-Include-Phased-Updates=true',
        '-o',
        'DPkg::Lock::Timeout=300',
        '--',
        'openssl:amd64=3.0.15-1~deb12u1',
        'tzdata=2024a-0+deb12u1',
        'libc6:i386=2.36-9+deb12u9',
        'bsdutils=1:2.38.1-5+deb12u3',
      ],
      sudo: true,
      env: { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' },
    });
    const all = [
      ...cmd.argv,
      ...refreshCommand().argv,
      ...simulateInstallCommand([{ name: 'a1', version: '1' }]).argv,
    ];
    for (const forbidden of [
      '--allow-unauthenticated',
      '--allow-change-held-packages',
      '--allow-downgrades',
      '--force-yes',
    ]) {
      expect(all.join(' ')).not.toContain(forbidden);
    }
  });

  it('waits 120 s for the dpkg lock by default; the simulation takes no lock and no root', () => {
    expect(installCommand([{ name: 'openssl', version: '3' }]).argv).toContain('DPkg::Lock::Timeout=120');
    const sim = simulateInstallCommand([{ name: 'openssl', version: '3' }]);
    expect(sim.argv.slice(0, 5)).toEqual(['apt-get', 'install', '-s', '-o', 'Debug::NoLocking=1']);
    expect(sim.sudo).toBeUndefined();
    expect(refreshCommand({ lockTimeoutSeconds: 0 })).toEqual({
      argv: [
        ...WRAPPER,
        'apt-get',
        'update',
        '-q',
        '-o',
        'Acquire::Retries=3',
        '-o',
        'DPkg::Lock::Timeout=0',
      ],
      sudo: true,
      env: { DEBIAN_FRONTEND: 'noninteractive', APT_LISTCHANGES_FRONTEND: 'none' },
    });
  });

  it('runs install and refresh through the wrapper, whose script is a constant: data only in "$@"', () => {
    expect(INSTALL_WRAPPER_NAME).toBe('patchctl-apt');
    const a = installCommand([{ name: 'openssl', version: '3.0.15-1~deb12u1' }]);
    const b = installCommand([{ name: 'libc6', version: '2.36-9+deb12u9', arch: 'i386' }], {
      lockTimeoutSeconds: 7,
    });
    for (const cmd of [a, b, refreshCommand(), refreshCommand({ lockTimeoutSeconds: 9 })]) {
      expect(cmd.argv.slice(0, 5)).toEqual([...WRAPPER, 'apt-get']);
      expect(cmd.sudo).toBe(true);
    }
    expect(a.argv.at(-1)).toBe('openssl=3.0.15-1~deb12u1');
    expect(b.argv.at(-1)).toBe('libc6:i386=2.36-9+deb12u9');
    for (const piece of ['openssl', 'libc6', 'deb12u', 'Timeout', 'apt-get']) {
      expect(INSTALL_WRAPPER_SCRIPT).not.toContain(piece);
    }
    // The simulation changes nothing and takes no lock: it runs apt-get directly.
    expect(simulateInstallCommand([{ name: 'openssl', version: '3' }]).argv[0]).toBe('apt-get');
  });

  it('refuses names, versions and architectures outside the strict patterns', () => {
    const bad: [PackageRef, RegExp][] = [
      [{ name: '-oAPT::Get::AllowUnauthenticated=1', version: '1' }, /not a Debian package name/],
      [{ name: 'OpenSSL', version: '1' }, /not a Debian package name/],
      [{ name: 'a', version: '1' }, /not a Debian package name/],
      [{ name: 'foo bar', version: '1' }, /not a Debian package name/],
      [{ name: 'foo;reboot', version: '1' }, /not a Debian package name/],
      [{ name: 'foo$(id)', version: '1' }, /not a Debian package name/],
      [{ name: 'foo=1', version: '1' }, /not a Debian package name/],
      [{ name: 'openssl', version: '' }, /not a valid version/],
      [{ name: 'openssl', version: '1 2' }, /not a valid version/],
      [{ name: 'openssl', version: '-1' }, /not a valid version/],
      [{ name: 'openssl', version: '1=2' }, /not a valid version/],
      [{ name: 'openssl', version: 'a1.0' }, /not a valid version/],
      [{ name: 'openssl', version: '1.0-' }, /not a valid version/],
      [{ name: 'openssl', version: '1.0\n' }, /not a valid version/],
      [{ name: 'openssl', version: '1', arch: 'AMD64' }, /not a Debian architecture/],
      [{ name: 'openssl', version: '1', arch: '' }, /not a Debian architecture/],
      [{ name: 'openssl', version: '1', arch: 'amd64=2' }, /not a Debian architecture/],
    ];
    for (const [ref, message] of bad) expect(invalid(() => installCommand([ref]))).toMatch(message);
    expect(invalid(() => installCommand([]))).toBe('no packages to install');
    expect(
      invalid(() =>
        installCommand([
          { name: 'openssl', version: '1' },
          { name: 'openssl', version: '2' },
        ]),
      ),
    ).toBe('package openssl is listed twice');
    expect(
      invalid(() => installCommand([{ name: 'openssl', version: '1' }], { lockTimeoutSeconds: -1 })),
    ).toMatch(/lock timeout -1/);
    expect(invalid(() => refreshCommand({ lockTimeoutSeconds: 1.5 }))).toMatch(/lock timeout 1.5/);
  });

  it('lets through only safe arguments, whatever the input (property)', () => {
    const SAFE = /^[a-z0-9][a-z0-9+.-]+(?::[a-z0-9][a-z0-9-]*)?=[0-9][A-Za-z0-9.+~:-]*$/;
    const piece = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(...'a0.+-~:= $;`\'"\\\n-_Aé'.split('')), maxLength: 12 }),
      fc.constantFrom('openssl', '1.0-1', '1:2.3~rc1+b2', 'amd64', 'all', '-o', '--', '$(reboot)'),
    );
    fc.assert(
      fc.property(piece, piece, fc.option(piece, { nil: undefined }), (name, version, arch) => {
        const ref: PackageRef = arch === undefined ? { name, version } : { name, version, arch };
        try {
          const arg = packageArg(ref);
          expect(arg).toMatch(SAFE);
        } catch (e) {
          if (!(e instanceof InvalidPackageRefError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('read-only commands', () => {
  it('need no root, and pass no data', () => {
    for (const cmd of [factsCommand(), installedCommand(), updatesCommand(), preflightCommand()]) {
      expect(cmd.sudo).toBeUndefined();
    }
    expect(installedCommand().argv).toEqual([
      'dpkg-query',
      '-W',
      '-f',
      '${Package}\\t${Architecture}\\t${Version}\\t${Status}\\t${source:Package}\\t${source:Version}\\n',
    ]);
  });

  it.each([
    ['FACTS_SCRIPT', FACTS_SCRIPT],
    ['REBOOT_REQUIRED_SCRIPT', REBOOT_REQUIRED_SCRIPT],
    ['UPDATES_SCRIPT', UPDATES_SCRIPT],
    ['PREFLIGHT_SCRIPT', PREFLIGHT_SCRIPT],
  ])('%s is valid POSIX sh (dash -n) and ends with the end marker', (_name, script) => {
    const check = spawnSync('sh', ['-n', '-c', script], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(script.trimEnd().endsWith('s end')).toBe(true);
  });

  it.each(['sh', 'bash'].filter((shell) => spawnSync(shell, ['-c', ':']).status === 0))(
    'INSTALL_WRAPPER_SCRIPT is valid sh (%s -n) and ignores SIGHUP and SIGPIPE first',
    (shell) => {
      const check = spawnSync(shell, ['-n', '-c', INSTALL_WRAPPER_SCRIPT], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
      expect(INSTALL_WRAPPER_SCRIPT.split('\n')[0]).toBe("trap '' HUP PIPE");
    },
  );
});

// The scripts, run for real on this machine (read-only), and parsed: script and parser agree.
const onDebian =
  process.platform === 'linux' && existsSync('/var/lib/dpkg/status') && existsSync('/usr/bin/apt-get');
const run = (argv: string[]) => {
  const [program, ...args] = argv;
  const r = spawnSync(program ?? 'false', args, {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', LANG: 'C' },
    maxBuffer: 1 << 26,
  });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr, durationMs: 0 };
};
(onDebian ? describe : describe.skip)('on this Debian machine (read-only)', () => {
  it('facts, installed packages, updates and pre-flight parse', () => {
    const facts = parseFacts(run(factsCommand().argv));
    expect(facts.os.family).toBe('debian');
    expect(parseInstalled(run(installedCommand().argv)).installed.length).toBeGreaterThan(0);
    expect(Array.isArray(parseUpdateScan(run(updatesCommand().argv)).updates)).toBe(true);
    expect(parsePreflight(run(preflightCommand().argv)).freeSpace.length).toBeGreaterThan(0);
  });
});
