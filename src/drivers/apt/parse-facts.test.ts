import { describe, expect, it } from '@jest/globals';
import { capture, driverError, result, text } from './__fixtures__/load.js';
import { osFactsFrom, parseFacts, parseOsRelease, parseRebootRequired } from './parse-facts.js';

describe('facts', () => {
  it('reads the Debian 12 host', () => {
    expect(parseFacts(capture('host-facts'))).toEqual({
      os: {
        family: 'debian',
        id: 'debian',
        version: '12',
        idLike: [],
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      kernel: '6.18.44-fc-v595',
      bootId: '692d43d6-a1f8-4a26-b872-9093ba7e3726',
      rebootRequired: false,
      rebootRequiredPackages: [],
      nativeArch: 'amd64',
      packageManagerVersion: '2.6.2',
    });
  });

  it('sees /run/reboot-required and the package that asked for it', () => {
    const facts = parseFacts(capture('lab-facts-reboot-required'));
    expect(facts.rebootRequired).toBe(true);
    expect(facts.rebootRequiredPackages).toEqual(['fleet-kernel']);
    expect(facts.packageManagerVersion).toBe('2.6.1');
    expect(parseFacts(capture('lab-facts')).rebootRequired).toBe(false);
    expect(parseRebootRequired(capture('lab-reboot-required'))).toBe(true);
  });

  it('reads os-release quoting and derivatives', () => {
    const ubuntu = parseOsRelease(
      [
        'NAME="Ubuntu"',
        'VERSION_ID="22.04"',
        "PRETTY_NAME='Ubuntu 22.04.4 LTS'",
        'ID=ubuntu',
        'ID_LIKE=debian',
        '# a comment',
        'VERSION_CODENAME=jammy',
        'X="a \\"quoted\\" \\$word"',
      ].join('\n'),
    );
    expect(ubuntu.get('PRETTY_NAME')).toBe('Ubuntu 22.04.4 LTS');
    expect(ubuntu.get('X')).toBe('a "quoted" $word');
    expect(osFactsFrom(ubuntu)).toEqual({
      family: 'debian',
      id: 'ubuntu',
      version: '22.04',
      idLike: ['debian'],
      codename: 'jammy',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
    expect(osFactsFrom(parseOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"\n')).family).toBe('debian');
    expect(osFactsFrom(parseOsRelease('ID=debian\nVERSION_CODENAME=trixie\n')).version).toBe('trixie');
    expect(
      osFactsFrom(parseOsRelease('ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"')).family,
    ).toBe('rhel');
  });

  it('gives Debian testing/sid a version the host state accepts (no VERSION_ID there)', () => {
    // Real files (SOURCES.md): bookworm/sid had neither VERSION_ID nor VERSION_CODENAME.
    const bookwormSid = osFactsFrom(parseOsRelease(text('os-release.debian-bookworm-sid.txt')));
    expect(bookwormSid).toMatchObject({ family: 'debian', id: 'debian', version: 'bookworm' });
    const trixieSid = osFactsFrom(parseOsRelease(text('os-release.debian-trixie-sid.txt')));
    expect(trixieSid).toMatchObject({
      family: 'debian',
      id: 'debian',
      version: 'trixie',
      codename: 'trixie',
    });
    // Rolling releases name a BUILD_ID; a file naming no version at all gets "unknown".
    expect(osFactsFrom(parseOsRelease('ID=arch\nBUILD_ID=rolling\n')).version).toBe('rolling');
    expect(osFactsFrom(parseOsRelease('ID=debian\n')).version).toBe('unknown');
    // A value the state could not store is passed over for the next one.
    expect(
      osFactsFrom(parseOsRelease('ID=debian\nVERSION_ID="13 beta"\nVERSION_CODENAME=trixie\n')).version,
    ).toBe('trixie');
    expect(osFactsFrom(parseOsRelease(`ID=debian\nVERSION_ID=${'9'.repeat(200)}\n`)).version).toBe('unknown');
    // Through the facts script's output too.
    const facts = capture('lab-facts').stdout.replace(
      /(@@patchctl:os-release@@\n)[^@]*/,
      `$1${text('os-release.debian-bookworm-sid.txt')}\n`,
    );
    expect(parseFacts(result(facts)).os.version).toBe('bookworm');
  });

  it('refuses cut-short or odd output with a DriverOutputError', () => {
    const full = capture('host-facts').stdout;
    expect(
      driverError(() => parseFacts(result(full.slice(0, full.indexOf('@@patchctl:end@@'))))).message,
    ).toMatch(/did not run to its end/);
    expect(driverError(() => parseFacts(result(full.replace('692d43d6-', 'not-a-uuid')))).message).toMatch(
      /boot id "not-a-uuid.*" is not a UUID/,
    );
    expect(driverError(() => parseFacts(result(full, 1))).message).toMatch(/exit status 1/);
    expect(driverError(() => parseFacts({ ...result(full), timedOut: true })).message).toMatch(/timed out/);
    expect(driverError(() => parseFacts(result(full.replace('\nno\n', '\nmaybe\n')))).message).toMatch(
      /yes nor no/,
    );
  });
});
