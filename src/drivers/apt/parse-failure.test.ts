import { describe, expect, it } from '@jest/globals';
import { capture, result } from './__fixtures__/load.js';
import { parseAptFailure } from './parse-failure.js';
import { parseInstall } from './parse-install.js';

describe('failures of apt-get (install, update)', () => {
  const failure = (name: string) => parseInstall(capture(name)).failure;

  it('names the holder of the dpkg lock, after a bounded wait or at once', () => {
    const holder = { path: '/var/lib/dpkg/lock-frontend', pid: 6, command: 'apt-get' };
    for (const name of ['lab-install-lock-wait', 'lab-install-lock-nowait']) {
      expect(failure(name)).toMatchObject({
        kind: 'lock-held',
        message: '/var/lib/dpkg/lock-frontend is held by process 6 (apt-get)',
        holder,
      });
    }
    expect(capture('lab-install-lock-wait').stdout).toMatch(/^Waiting for cache lock: Could not get lock/);
    // The transport's own timeout ran out first:
    expect(
      parseAptFailure({ ...capture('lab-install-lock-wait'), exitCode: null, timedOut: true }),
    ).toMatchObject({
      kind: 'timeout',
      message:
        'the package manager did not finish in time while waiting for /var/lib/dpkg/lock-frontend, held by process 6 (apt-get)',
      holder,
    });
  });

  it('explains an interrupted dpkg, a failing maintainer script and full disks', () => {
    expect(failure('lab-install-interrupted')).toEqual({
      kind: 'interrupted',
      message: "dpkg was interrupted by an earlier run: 'dpkg --configure -a' must be run on the host first",
      excerpt: "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.",
    });
    expect(failure('lab-install-maintscript-fail')).toEqual({
      kind: 'maintainer-script',
      message: 'the post-installation script of fleet-broken failed with exit status 1',
      packages: ['fleet-broken'],
      excerpt: [
        'dpkg: error processing package fleet-broken (--configure):',
        ' installed fleet-broken package post-installation script subprocess returned error exit status 1',
        'E: Sub-process /usr/bin/dpkg returned an error code (1)',
      ].join('\n'),
    });
    expect(failure('lab-install-no-space-unpack')).toMatchObject({
      kind: 'no-space',
      message: 'no space left on device while installing fleet-big',
      packages: ['fleet-big'],
    });
    expect(failure('lab-install-no-space-download')).toEqual({
      kind: 'no-space',
      message: 'not enough free space in /var/cache/apt/archives/ to download the packages',
      excerpt: "E: You don't have enough free space in /var/cache/apt/archives/.",
    });
  });

  it('explains what apt refuses under -y: holds, downgrades', () => {
    expect(failure('lab-install-held')).toMatchObject({
      kind: 'held',
      message: 'held packages would change: fleet-held (patchctl never overrides a hold)',
      packages: ['fleet-held'],
    });
    expect(failure('host-simulate-install-downgrade')).toMatchObject({
      kind: 'downgrade',
      message: 'the transaction would downgrade openssl (patchctl never downgrades)',
      packages: ['openssl'],
    });
  });

  it('explains unknown versions and packages, skipped ones, failed downloads, missing root', () => {
    expect(failure('host-simulate-install-version-not-found')).toMatchObject({
      kind: 'version-not-found',
      message: "version not available from the host's repositories: openssl=3.0.99-1",
      packages: ['openssl'],
    });
    expect(failure('host-simulate-install-unknown-package')).toMatchObject({
      kind: 'package-not-found',
      packages: ['no-such-package-xyz'],
    });
    // --only-upgrade skips a package that is not installed, and apt exits 0.
    const skipped = parseInstall(capture('lab-install-skipped'));
    expect(skipped.ok).toBe(false);
    expect(skipped.changed).toEqual([{ name: 'fleet-base', from: '1.0', to: '1.1' }]);
    expect(skipped.failure).toMatchObject({ kind: 'not-installed', packages: ['fleet-gone'] });
    expect(failure('lab-install-fetch-failed')).toMatchObject({
      kind: 'fetch-failed',
      message: 'could not download file:/srv/repo/pool/fleet/fleet-base_1.1_all.deb',
    });
    expect(failure('lab-install-not-root')).toMatchObject({
      kind: 'package-manager-error',
      message: 'apt could not take its lock: not running as root (is sudo configured?)',
    });
  });

  it('explains removals, unresolvable dependencies and file conflicts', () => {
    expect(failure('lab-install-removal-required')).toEqual({
      kind: 'removal-required',
      message: 'the transaction would remove fleet-base (patchctl never removes)',
      packages: ['fleet-base'],
      excerpt: 'E: Packages need to be removed but remove is disabled.',
    });
    expect(failure('lab-install-unresolvable')).toEqual({
      kind: 'unresolvable',
      message: 'the package manager cannot resolve the dependencies of fleet-deps',
      packages: ['fleet-deps'],
      excerpt: 'E: Unable to correct problems, you have held broken packages.',
    });
    expect(failure('lab-install-file-conflict')).toEqual({
      kind: 'file-conflict',
      message: 'fleet-dup would overwrite /usr/share/doc/fleet-base/VERSION, which belongs to fleet-base',
      packages: ['fleet-dup', 'fleet-base'],
      excerpt: [
        'dpkg: error processing archive /srv/extrarepo/pool/fleet-dup_1.1_all.deb (--unpack):',
        " trying to overwrite '/usr/share/doc/fleet-base/VERSION', which is also in package fleet-base 1.0",
      ].join('\n'),
    });
    // Without the file conflict line, the same output is a plain dpkg failure naming the archive.
    const plain = capture('lab-install-file-conflict');
    expect(
      parseAptFailure({ ...plain, stderr: plain.stderr.replace(/^ trying to overwrite.*\n/m, '') }),
    ).toMatchObject({
      kind: 'package-manager-error',
      message: '/usr/bin/dpkg failed with exit status 1 while processing fleet-dup',
      packages: ['fleet-dup'],
    });
  });

  it('explains signals, old apt lock messages and unknown errors', () => {
    expect(
      parseAptFailure({ exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 1 }),
    ).toMatchObject({
      kind: 'killed',
      message: 'the package manager was ended by SIGKILL',
    });
    // apt < 1.9 (e.g. Debian 10) names no holder.
    expect(
      parseAptFailure(
        result(
          'E: Could not get lock /var/lib/dpkg/lock - open (11: Resource temporarily unavailable)\n' +
            'E: Unable to lock the administration directory (/var/lib/dpkg/), is another process using it?\n',
          100,
        ),
      ),
    ).toMatchObject({
      kind: 'lock-held',
      message: '/var/lib/dpkg/lock is held by another process',
      holder: { pid: null },
    });
    expect(parseAptFailure(result('E: Something new\n', 100))).toMatchObject({
      kind: 'unknown',
      message: 'Something new',
    });
    expect(parseAptFailure(result('no E: line at all\n', 3))).toMatchObject({
      kind: 'unknown',
      message: 'apt-get exited with status 3',
    });
    expect(parseAptFailure(result('all good\n', 0))).toBeUndefined();
  });
});
