// How the lab picks the versions of its real Debian packages (lab/lib/real.mjs, lab/README.md
// "Real Debian packages"): the newest in <release>-security is offered, the newest older one of
// <release> or <release>-updates is installed, in Debian's version order, and a mirror that has no
// older version fails the build instead of faking one. Pure: runs everywhere, no root, no network.
import { describe, expect, it } from '@jest/globals';

// @ts-expect-error -- lab/ is plain JavaScript, without type declarations
import { chooseVersions, debFileName, parseMadison } from '../../lab/lib/real.mjs';
import { compareVersions } from '../../src/core/versions/index.js';

interface Row {
  version: string;
  suite: string;
}
type Choose = (
  name: string,
  rows: Row[],
  release: string,
  less: (a: string, b: string) => boolean,
) => { installed: Row; available: Row };

const choose = chooseVersions as Choose;
const parse = parseMadison as (name: string, text: string) => Row[];
const less = (a: string, b: string): boolean => compareVersions('deb', a, b) < 0;

// `apt-cache madison libssl3 openssl` on the machine the lab was written on (its mirror's suites).
const MADISON = `   libssl3 | 3.0.22-1~deb12u2 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
   libssl3 | 3.0.20-1~deb12u2 | http://deb.debian.org/debian bookworm/main amd64 Packages
   libssl3 | 3.0.17-1~deb12u2 | http://deb.debian.org/debian bookworm-updates/main amd64 Packages
   openssl | 3.0.22-1~deb12u2 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
`;

describe('the real packages of the lab', () => {
  it("reads apt-cache madison's rows of one package", () => {
    expect(parse('libssl3', MADISON)).toEqual([
      { version: '3.0.22-1~deb12u2', suite: 'bookworm-security' },
      { version: '3.0.20-1~deb12u2', suite: 'bookworm' },
      { version: '3.0.17-1~deb12u2', suite: 'bookworm-updates' },
    ]);
    expect(parse('openssl', MADISON)).toEqual([{ version: '3.0.22-1~deb12u2', suite: 'bookworm-security' }]);
    // With foreign architectures (dpkg --add-architecture i386) each version is listed per index.
    const multiarch = `${MADISON}   libssl3 | 3.0.23-1~deb12u1 | http://deb.debian.org/debian-security bookworm-security/main i386 Packages\n`;
    expect(
      (parse as (n: string, t: string, a: string) => Row[])('libssl3', multiarch, 'amd64').map(
        (r) => r.version,
      ),
    ).toEqual(['3.0.22-1~deb12u2', '3.0.20-1~deb12u2', '3.0.17-1~deb12u2']);
  });

  it('offers the newest security version and installs the newest older one of the release or -updates', () => {
    expect(choose('libssl3', parse('libssl3', MADISON), 'bookworm', less)).toEqual({
      installed: { version: '3.0.20-1~deb12u2', suite: 'bookworm' },
      available: { version: '3.0.22-1~deb12u2', suite: 'bookworm-security' },
    });
    expect(
      choose(
        'tzdata',
        [
          { version: '2025b-0+deb12u1', suite: 'bookworm' },
          { version: '2026a-0+deb12u1', suite: 'bookworm-updates' },
          { version: '2026f-0+deb12u1', suite: 'bookworm-security' },
        ],
        'bookworm',
        less,
      ).installed,
    ).toEqual({ version: '2026a-0+deb12u1', suite: 'bookworm-updates' });
  });

  it('orders versions as dpkg does (~ before the release, epochs first), not as strings', () => {
    const rows = [
      { version: '1.10-1', suite: 'bookworm-security' },
      { version: '1.9-1', suite: 'bookworm-security' },
      { version: '1.10~rc1-1', suite: 'bookworm' },
      { version: '1.2-1', suite: 'bookworm' },
    ];
    expect(choose('x', rows, 'bookworm', less)).toEqual({
      installed: { version: '1.10~rc1-1', suite: 'bookworm' },
      available: { version: '1.10-1', suite: 'bookworm-security' },
    });
    // 1:0.9 is newer than 2.0: an epoch wins, so the release's 1:0.9 is not older than the fix.
    expect(() =>
      choose(
        'y',
        [
          { version: '1:0.9-1', suite: 'bookworm' },
          { version: '2.0-1', suite: 'bookworm-security' },
        ],
        'bookworm',
        less,
      ),
    ).toThrow(/y: no version in bookworm or bookworm-updates is older than 2\.0-1 \(bookworm-security\)/);
  });

  it('fails the build when nothing older is there, or no security version (never fakes one)', () => {
    // After a point release the release suite has caught up with the security suite.
    expect(() =>
      choose(
        'libssl3',
        [
          { version: '3.0.22-1~deb12u2', suite: 'bookworm' },
          { version: '3.0.22-1~deb12u2', suite: 'bookworm-security' },
        ],
        'bookworm',
        less,
      ),
    ).toThrow(
      'libssl3: no version in bookworm or bookworm-updates is older than 3.0.22-1~deb12u2 (bookworm-security); the mirror has 3.0.22-1~deb12u2 (bookworm), 3.0.22-1~deb12u2 (bookworm-security): a real-package host needs an older real version to install (the lab never fakes one)',
    );
    expect(() =>
      choose('tzdata', [{ version: '2026b-0+deb12u1', suite: 'bookworm' }], 'bookworm', less),
    ).toThrow(
      /tzdata: no version in bookworm-security on the machine's mirror \(it has 2026b-0\+deb12u1 \(bookworm\)\)/,
    );
    // A version of another release's security suite is not this release's.
    expect(() =>
      choose(
        'openssl',
        [
          { version: '3.5.1-1', suite: 'trixie-security' },
          { version: '3.0.20-1~deb12u2', suite: 'bookworm' },
        ],
        'bookworm',
        less,
      ),
    ).toThrow(/no version in bookworm-security/);
  });

  it('names the .debs as Debian does (no epoch in the file name)', () => {
    expect(
      (debFileName as (n: string, v: string, a: string) => string)('libssl3', '3.0.22-1~deb12u2', 'amd64'),
    ).toBe('libssl3_3.0.22-1~deb12u2_amd64.deb');
    expect((debFileName as (n: string, v: string, a: string) => string)('x', '2:1.0-1', 'all')).toBe(
      'x_1.0-1_all.deb',
    );
  });
});
