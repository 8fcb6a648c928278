import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../types.js';
import { hostOfArtifact } from './host.js';
import { mergeFindings } from './merge.js';
import { aliasesOf, normaliseId, pickFixedVersion, severityOfScore, severityOfWord } from './normalise.js';

const f = (over: Partial<Finding>): Finding => ({
  id: 'CVE-2024-1',
  aliases: [],
  package: 'p',
  installedVersion: '1.0-1',
  fixedVersion: null,
  severity: null,
  ...over,
});

describe('findings rules', () => {
  it('CVE ids are upper-case; aliases list CVEs first, each once, never the id itself', () => {
    expect(normaliseId(' cve-2024-0001 ')).toBe('CVE-2024-0001');
    expect(normaliseId('GHSA-abcd-efgh-ijkl')).toBe('GHSA-abcd-efgh-ijkl');
    expect(aliasesOf('DSA-1-1', ['USN-2-1', 'cve-2024-2', 'DSA-1-1', 'CVE-2024-2', 'CVE-2023-9'])).toEqual([
      'CVE-2023-9',
      'CVE-2024-2',
      'USN-2-1',
    ]);
  });

  it('severity words and scores map to critical/high/medium/low, unknown to null', () => {
    expect(
      ['CRITICAL', 'High', 'moderate', 'Negligible', 'unimportant', 'UNKNOWN', 'not yet assigned'].map(
        severityOfWord,
      ),
    ).toEqual(['critical', 'high', 'medium', 'low', 'low', null, null]);
    expect([9.8, 7.0, 6.9, 0.1, 0].map(severityOfScore)).toEqual(['critical', 'high', 'medium', 'low', null]);
  });

  it('the fixed version is the lowest above the installed one in the ecosystem’s order', () => {
    expect(pickFixedVersion('rpm', '2.4.57-5.el9', ['2.4.57-11.el9_4', '2.4.57-8.el9'])).toBe('2.4.57-8.el9');
    expect(pickFixedVersion('deb', '1:1.0-1', ['2.0-1', '1:0.9-1', '1:1.1-1'])).toBe('1:1.1-1'); // epochs
    expect(pickFixedVersion('deb', '1.0-1', ['1.0~rc1-1', '0.5-1'])).toBe('0.5-1'); // none above: the lowest
    expect(pickFixedVersion('deb', '1.0', [])).toBeNull();
  });

  it('merging keeps each (id, package, installed) once and completes what the first lacked', () => {
    const merged = mergeFindings([
      [f({ package: 'b' }), f({ aliases: ['DSA-1-1'] })],
      [
        f({ aliases: ['USN-1-1'], fixedVersion: '1.0-2', severity: 'high', sourcePackage: 'src' }),
        f({ id: 'CVE-2024-0' }),
      ],
    ]);
    expect(merged).toEqual([
      f({ package: 'b' }),
      f({ id: 'CVE-2024-0' }),
      f({ aliases: ['DSA-1-1', 'USN-1-1'], sourcePackage: 'src', fixedVersion: '1.0-2', severity: 'high' }),
    ]);
  });

  it('a host is named exactly, by inventory name or address', () => {
    const hosts = [
      { name: 'web-01', address: '192.0.2.11' },
      { name: 'web-02', address: 'web-02' },
      { name: 'a', address: '192.0.2.99' },
      { name: 'b', address: '192.0.2.99' },
    ];
    expect(hostOfArtifact('web-01', hosts)).toEqual({ ok: true, host: 'web-01' });
    expect(hostOfArtifact('192.0.2.11', hosts)).toEqual({ ok: true, host: 'web-01' });
    expect(hostOfArtifact('WEB-01', hosts)).toEqual({ ok: false, reason: 'no-host', candidates: [] });
    expect(hostOfArtifact('/', hosts)).toEqual({ ok: false, reason: 'no-host', candidates: [] });
    expect(hostOfArtifact(null, hosts)).toEqual({ ok: false, reason: 'no-host', candidates: [] });
    expect(hostOfArtifact('192.0.2.99', hosts)).toEqual({
      ok: false,
      reason: 'ambiguous',
      candidates: ['a', 'b'],
    });
  });
});
