import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { Finding } from '../types.js';
import { detectScannerFormat, parseScannerFindings } from './detect.js';
import type { ParsedFindings } from './parsed.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as unknown;

function parsed(value: unknown): ParsedFindings {
  const r = parseScannerFindings(value);
  if (!r.ok) throw new Error(JSON.stringify(r.problem));
  return r.value;
}

describe('Trivy JSON (SchemaVersion 2)', () => {
  const value = fixture('trivy-debian12.json');

  it('is detected by its shape', () => expect(detectScannerFormat(value)).toBe('trivy'));

  it('gives the OS-package findings, with source packages from Packages[] and DSA ids as aliases', () => {
    const r = parsed(value);
    expect(r.scanner).toEqual({ name: 'trivy', version: '0.56.2' });
    expect(r.scannedAt).toBe('2026-11-30T07:42:18.512Z');
    expect(r.artifact).toBe('/');
    expect(r.leftOut).toBe(1); // requests (lang-pkgs)
    const expected: Finding[] = [
      {
        id: 'CVE-2011-3374',
        aliases: [],
        package: 'apt',
        installedVersion: '2.6.1',
        fixedVersion: null,
        severity: 'low',
      },
      {
        id: 'TEMP-0841856-B18BAF',
        aliases: [],
        package: 'bash',
        installedVersion: '5.2.15-2+b2',
        fixedVersion: null,
        severity: 'low',
      },
      {
        id: 'CVE-2023-4911',
        aliases: ['DSA-5514-1'],
        package: 'libc-bin',
        sourcePackage: 'glibc',
        installedVersion: '2.36-9+deb12u1',
        fixedVersion: '2.36-9+deb12u3',
        severity: 'high',
      },
      {
        id: 'CVE-2023-4911',
        aliases: ['DSA-5514-1'],
        package: 'libc6',
        sourcePackage: 'glibc',
        installedVersion: '2.36-9+deb12u1',
        fixedVersion: '2.36-9+deb12u3',
        severity: 'high',
      },
      {
        id: 'CVE-2023-50495',
        aliases: [],
        package: 'libtinfo6',
        sourcePackage: 'ncurses',
        installedVersion: '6.4-4',
        fixedVersion: null,
        severity: null, // UNKNOWN
      },
      {
        id: 'CVE-2024-6387',
        aliases: ['DSA-5724-1'],
        package: 'openssh-client',
        sourcePackage: 'openssh',
        installedVersion: '1:9.2p1-2+deb12u2',
        fixedVersion: '1:9.2p1-2+deb12u3',
        severity: 'high',
      },
      {
        id: 'CVE-2024-6387',
        aliases: ['DSA-5724-1'],
        package: 'openssh-server',
        sourcePackage: 'openssh',
        installedVersion: '1:9.2p1-2+deb12u2',
        fixedVersion: '1:9.2p1-2+deb12u3',
        severity: 'high',
      },
    ];
    expect(r.findings).toEqual(expected);
  });

  it('takes the lowest of several fixed versions above the installed one, by dpkg order', () => {
    const r = parsed({
      SchemaVersion: 2,
      Results: [
        {
          Class: 'os-pkgs',
          Type: 'debian',
          Vulnerabilities: [
            {
              VulnerabilityID: 'cve-2024-1',
              PkgName: 'p',
              InstalledVersion: '1.0-1',
              FixedVersion: '1.0-10, 0.9-1, 1.0-2',
              Severity: 'CRITICAL',
            },
          ],
        },
      ],
    });
    expect(r.findings).toEqual([
      {
        id: 'CVE-2024-1',
        aliases: [],
        package: 'p',
        installedVersion: '1.0-1',
        fixedVersion: '1.0-2',
        severity: 'critical',
      },
    ]);
    expect(r.scannedAt).toBeNull();
  });

  it('refuses another schema version, at the field', () => {
    const r = parseScannerFindings({ SchemaVersion: 1, Results: [] });
    expect(r).toEqual({
      ok: false,
      problem: {
        path: ['SchemaVersion'],
        message: expect.stringContaining('Trivy report schema version 1 is not read') as unknown,
      },
    });
  });

  it('names the field of the wrong type by its path', () => {
    const r = parseScannerFindings({
      SchemaVersion: 2,
      Results: [
        {
          Class: 'os-pkgs',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 7, InstalledVersion: '1' }],
        },
      ],
    });
    expect(r).toEqual({
      ok: false,
      problem: {
        path: ['Results', 0, 'Vulnerabilities', 0, 'PkgName'],
        message: 'Results[0].Vulnerabilities[0].PkgName must be a non-empty string, not a number',
      },
    });
  });
});

describe('Grype JSON', () => {
  const value = fixture('grype-almalinux9.json');

  it('is detected by its shape', () => expect(detectScannerFormat(value)).toBe('grype'));

  it('gives the OS-package findings: related CVEs as aliases, upstreams as source, fix states', () => {
    const r = parsed(value);
    expect(r.scanner).toEqual({ name: 'grype', version: '0.84.0' });
    expect(r.scannedAt).toBe('2026-11-30T08:15:42.318Z');
    expect(r.artifact).toBe('/');
    expect(r.leftOut).toBe(1);
    expect(r.findings).toEqual([
      {
        id: 'ALSA-2023:5453',
        aliases: ['CVE-2023-4911'],
        package: 'glibc',
        installedVersion: '2.34-60.el9',
        fixedVersion: '2.34-60.el9_2.7',
        severity: 'high',
      },
      {
        id: 'ALSA-2023:5453',
        aliases: ['CVE-2023-4911'],
        package: 'glibc-common',
        sourcePackage: 'glibc',
        installedVersion: '2.34-60.el9',
        fixedVersion: '2.34-60.el9_2.7',
        severity: 'high',
      },
      {
        id: 'ALSA-2024:4726',
        aliases: ['CVE-2024-38475'],
        package: 'httpd',
        installedVersion: '2.4.57-5.el9',
        // rpm order, not text order ("2.4.57-11.el9_4" sorts first as text)
        fixedVersion: '2.4.57-8.el9',
        severity: 'high',
      },
      {
        id: 'ALSA-2023:5838',
        aliases: ['CVE-2023-44487'],
        package: 'libnghttp2',
        sourcePackage: 'nghttp2',
        installedVersion: '1.43.0-5.el9',
        fixedVersion: '1.43.0-5.el9_2.1',
        severity: 'high',
      },
      {
        id: 'CVE-2020-12413',
        aliases: [],
        package: 'nss',
        installedVersion: '3.90.0-3.el9_2',
        fixedVersion: null, // wont-fix
        severity: 'low',
      },
      {
        id: 'ALSA-2023:3948',
        aliases: ['CVE-2023-20867'],
        package: 'open-vm-tools',
        installedVersion: '12.1.5-1.el9',
        fixedVersion: '12.1.5-1.el9_2.1.alma',
        severity: 'low',
      },
      {
        id: 'CVE-2024-2511',
        aliases: [],
        package: 'openssl-libs',
        sourcePackage: 'openssl',
        installedVersion: '1:3.0.7-24.el9',
        fixedVersion: null, // not-fixed
        severity: 'low', // Negligible
      },
      {
        id: 'CVE-2024-0232',
        aliases: [],
        package: 'sqlite-libs',
        sourcePackage: 'sqlite',
        installedVersion: '3.34.1-6.el9_1',
        fixedVersion: null,
        severity: null, // Unknown
      },
    ]);
  });

  it('an image source names what the user typed; "[not provided]" is no version', () => {
    const r = parsed({
      matches: [],
      source: { type: 'image', target: { userInput: 'registry.example/web:1' } },
      descriptor: { name: 'grype', version: '[not provided]', timestamp: '' },
    });
    expect(r).toMatchObject({
      artifact: 'registry.example/web:1',
      scanner: { version: null },
      scannedAt: null,
    });
  });
});

describe('OSV-Scanner JSON', () => {
  const value = fixture('osv-scanner-ubuntu2004.json');

  it('is detected by its shape', () => expect(detectScannerFormat(value)).toBe('osv-scanner'));

  it('gives one finding per group and binary package, fixed from the release’s own affected entry', () => {
    const r = parsed(value);
    expect(r.scanner).toEqual({ name: 'osv-scanner', version: null });
    expect(r.scannedAt).toBeNull();
    expect(r.artifact).toBe('/var/lib/dpkg/status');
    expect(r.leftOut).toBe(1);
    const polkit = {
      id: 'UBUNTU-CVE-2021-4034',
      aliases: ['CVE-2021-4034', 'USN-5252-1', 'USN-5252-2'],
      installedVersion: '0.105-26ubuntu1.1',
      fixedVersion: '0.105-26ubuntu1.2', // Ubuntu:20.04:LTS, not 22.04's 0.105-31ubuntu1
      severity: 'high', // max_severity 7.8
    };
    expect(r.findings).toEqual([
      {
        id: polkit.id,
        aliases: polkit.aliases,
        package: 'libpolkit-gobject-1-0',
        sourcePackage: 'policykit-1',
        installedVersion: polkit.installedVersion,
        fixedVersion: polkit.fixedVersion,
        severity: polkit.severity,
      },
      {
        id: 'UBUNTU-CVE-2025-38094',
        aliases: ['CVE-2025-38094'],
        package: 'linux-image-5.4.0-216-generic',
        sourcePackage: 'linux',
        installedVersion: '5.4.0-216.236',
        fixedVersion: null, // introduced 0, no fixed event
        severity: 'medium', // no max_severity: Ubuntu's own rating
      },
      {
        id: polkit.id,
        aliases: polkit.aliases,
        package: 'policykit-1',
        installedVersion: polkit.installedVersion,
        fixedVersion: polkit.fixedVersion,
        severity: polkit.severity,
      },
    ]);
  });
});

describe('detection', () => {
  it('an unknown shape says which formats are read', () => {
    for (const value of [{ hello: 1 }, [], 'x'])
      expect(parseScannerFindings(value)).toEqual({
        ok: false,
        problem: {
          path: [],
          message: expect.stringContaining('not a scanner findings file patchctl reads') as unknown,
        },
      });
  });

  it('SARIF and SBOMs get a hint', () => {
    const sarif = parseScannerFindings({ version: '2.1.0', runs: [] });
    expect(!sarif.ok && sarif.problem.message).toMatch(/this is SARIF/);
    const sbom = parseScannerFindings({ bomFormat: 'CycloneDX', components: [] });
    expect(!sbom.ok && sbom.problem.message).toMatch(/this is an SBOM/);
  });
});
