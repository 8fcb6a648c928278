import { describe, expect, it } from '@jest/globals';
import { capture, driverError, vuls } from './__fixtures__/load.js';
import { parseAptCachePolicy, parsePackageFiles } from './parse-policy.js';
import { classifyPolicyCandidate } from './parse-updates.js';

describe('apt-cache policy', () => {
  it('reads vuls fixture 01 (Ubuntu 16.04)', () => {
    expect(parseAptCachePolicy(vuls('debian__TestParseAptCachePolicy__01.txt'))).toEqual([
      {
        name: 'openssl',
        installed: '1.0.2f-2ubuntu1',
        candidate: '1.0.2g-1ubuntu2',
        versions: [
          {
            version: '1.0.2g-1ubuntu2',
            priority: 500,
            current: false,
            sources: [
              {
                priority: 500,
                uri: 'http://archive.ubuntu.com/ubuntu',
                dist: 'xenial',
                component: 'main',
                indexArch: 'amd64',
              },
            ],
          },
          {
            version: '1.0.2f-2ubuntu1',
            priority: 100,
            current: true,
            sources: [{ priority: 100, uri: '/var/lib/dpkg/status', status: true }],
          },
        ],
      },
    ]);
  });

  it('classifies candidates by the suites that carry them (vuls 01–04)', () => {
    const classify = (n: number) =>
      classifyPolicyCandidate(parseAptCachePolicy(vuls(`debian__TestParseAptCachePolicy__0${n}.txt`))[0]!);
    expect(classify(1)).toEqual({ classification: 'bugfix', source: 'xenial' });
    expect(classify(2)).toEqual({ classification: 'security', source: 'trusty-security' });
    expect(classify(3)).toEqual({ classification: 'security', source: 'precise-security' });
    // A flat repository has no suite: the site is the source.
    expect(classify(4)).toEqual({
      classification: 'bugfix',
      source: 'https://nvidia.github.io/libnvidia-container/stable/deb/amd64',
    });
  });

  it('reads a flat repository and several packages at once', () => {
    const [nvidia] = parseAptCachePolicy(vuls('debian__TestParseAptCachePolicy__04.txt'));
    expect(nvidia?.versions.map((v) => [v.version, v.current, v.sources.length])).toEqual([
      ['1.14.3-1', false, 1],
      ['1.14.2-1', true, 2],
      ['1.14.1-1', false, 1],
      ['1.14.0-1', false, 1],
    ]);
    const lab = parseUpdateScanSections('lab-updates').get('held-policy') ?? '';
    expect(parseAptCachePolicy(lab).map((e) => [e.name, e.installed, e.candidate])).toEqual([
      ['fleet-held', '1.0', '1.1'],
    ]);
  });

  it('reads the package files with their Release metadata', () => {
    const files = parsePackageFiles(parseUpdateScanSections('host-updates').get('package-files') ?? '');
    expect(files.map((f) => [f.uri, f.dist, f.release.n, f.release.l, f.site])).toEqual([
      ['/var/lib/dpkg/status', undefined, undefined, undefined, undefined],
      [
        'http://deb.debian.org/debian-security',
        'bookworm-security',
        'bookworm-security',
        'Debian-Security',
        'deb.debian.org',
      ],
      ['http://deb.debian.org/debian', 'bookworm-updates', 'bookworm-updates', 'Debian', 'deb.debian.org'],
      ['http://deb.debian.org/debian', 'bookworm', 'bookworm', 'Debian', 'deb.debian.org'],
    ]);
    expect(driverError(() => parsePackageFiles('openssl:\n  Installed: 1\n')).message).toMatch(
      /Package files/,
    );
  });

  it('refuses an entry without Installed/Candidate', () => {
    expect(driverError(() => parseAptCachePolicy('openssl:\n  Version table:\n')).message).toMatch(
      /no Installed/,
    );
    expect(driverError(() => parseAptCachePolicy('  Installed: 1.0\n')).message).toMatch(/unexpected line/);
  });
});

// The sections of a capture, for tests of the single parsers.
function parseUpdateScanSections(name: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of capture(name).stdout.split('\n')) {
    const m = /^@@patchctl:([a-z-]+)@@$/.exec(line);
    if (m !== null) current = m[1];
    else if (current !== undefined && !line.startsWith('@@'))
      sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
  }
  return sections;
}
