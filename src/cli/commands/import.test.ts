import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const fixtures = new URL('../../core/vuln/findings/__fixtures__/', import.meta.url);
let work: string;
let dir: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'patchctl-import-'));
  dir = path.join(work, 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A fixture copied next to the repository (the working directory), optionally changed. */
function scanFile(fixture: string, as: string, change?: (v: Record<string, unknown>) => void): string {
  const text = readFileSync(new URL(fixture, fixtures), 'utf8');
  let out = text;
  if (change) {
    const v = JSON.parse(text) as Record<string, unknown>;
    change(v);
    out = `${JSON.stringify(v, null, 2)}\n`;
  }
  writeFileSync(path.join(work, as), out);
  return as;
}

async function run(...args: string[]) {
  const io = captureIo({ cwd: work });
  const code = await main(['import', 'findings', '-C', 'repo', ...args], io);
  return { code, ...io.text() };
}

const findingsDir = () => path.join(dir, 'advisories', 'findings');
const written = (host: string) =>
  JSON.parse(readFileSync(path.join(findingsDir(), `${host}.json`), 'utf8')) as Record<string, unknown>;

describe('patchctl import findings', () => {
  it('writes a Trivy report into advisories/findings/<host>.json and says what it found', async () => {
    const file = scanFile('trivy-debian12.json', 'web-01.trivy.json');
    const r = await run(file, '--host', 'fra-web-01');
    expect(r).toEqual({
      code: 0,
      stdout:
        'fra-web-01: 7 findings from trivy (web-01.trivy.json), 3 without a fix; 1 on language packages left out (patchctl patches OS packages); written to advisories/findings/fra-web-01.json\n',
      stderr: '',
    });
    const text = readFileSync(path.join(findingsDir(), 'fra-web-01.json'), 'utf8');
    const bytes = readFileSync(path.join(work, file));
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(text).toBe(`${JSON.stringify(doc, null, 2)}\n`);
    expect(doc).toMatchObject({
      formatVersion: 1,
      kind: 'patchctl-findings',
      host: 'fra-web-01',
      scanner: { format: 'trivy', name: 'trivy', version: '0.56.2' },
      importedFrom: { file: 'web-01.trivy.json', sha256: createHash('sha256').update(bytes).digest('hex') },
      scannedAt: '2026-11-30T07:42:18.512Z',
    });
    expect((doc.findings as unknown[]).length).toBe(7);
    expect(doc).not.toHaveProperty('sources');
  });

  it('finds the host by the name or the address the scanner gives', async () => {
    const byName = scanFile('trivy-debian12.json', 'a.json', (v) => (v.ArtifactName = 'fra-web-02'));
    expect((await run(byName)).code).toBe(0);
    expect(written('fra-web-02').host).toBe('fra-web-02');
    const byAddress = scanFile('grype-almalinux9.json', 'b.json', (v) => {
      (v.source as Record<string, unknown>).target = '192.0.2.31';
    });
    const r = await run(byAddress);
    expect(r.stdout).toMatch(/^fra-app-01: 8 findings from grype \(b\.json\), 3 without a fix;/);
    expect(written('fra-app-01').scannedAt).toBe('2026-11-30T08:15:42.318Z');
  });

  it('a file that names no inventory host needs --host; nothing is written', async () => {
    const file = scanFile('trivy-debian12.json', 'trivy.json');
    expect(await run(file)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'patchctl: trivy.json names no inventory host (/); pass --host\n',
    });
    expect(existsSync(findingsDir())).toBe(false);
  });

  it('--host must be an inventory host: a usage error naming the closest one', async () => {
    const file = scanFile('trivy-debian12.json', 'trivy.json');
    expect(await run(file, '--host', 'fra-web-1')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'patchctl: --host "fra-web-1": no host named "fra-web-1" in the inventory; did you mean "fra-web-01"?\n',
    });
    expect(existsSync(findingsDir())).toBe(false);
  });

  it('a malformed file is an error at file:line:col and nothing is written, not even the good files', async () => {
    const good = scanFile('grype-almalinux9.json', 'good.json');
    writeFileSync(
      path.join(work, 'bad.json'),
      '{\n  "SchemaVersion": 2,\n  "Results": [\n    {"Class": "os-pkgs",}\n  ]\n}\n',
    );
    const r = await run(good, 'bad.json', '--host', 'fra-web-01');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^patchctl: bad\.json:4:\d+ error json-syntax: /);
    expect(existsSync(findingsDir())).toBe(false);

    writeFileSync(path.join(work, 'dup.json'), '{"matches": [], "descriptor": {}, "matches": []}\n');
    const dup = await run('dup.json', '--host', 'fra-web-01');
    expect(dup.stderr).toMatch(/^patchctl: dup\.json:1:35 error json-duplicate-key: duplicate key "matches"/);
    expect(existsSync(findingsDir())).toBe(false);
  });

  it('a field of the wrong type is named at its line and column', async () => {
    writeFileSync(
      path.join(work, 'shape.json'),
      '{\n  "SchemaVersion": 2,\n  "Results": [\n    {\n      "Class": "os-pkgs",\n      "Vulnerabilities": [\n        { "VulnerabilityID": "CVE-2024-1", "PkgName": 7, "InstalledVersion": "1" }\n      ]\n    }\n  ]\n}\n',
    );
    const r = await run('shape.json', '--host', 'fra-web-01');
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'patchctl: shape.json:7:55 error findings-invalid: Results[0].Vulnerabilities[0].PkgName must be a non-empty string, not a number\n',
    });
  });

  it('a file of another kind says which formats are read', async () => {
    writeFileSync(path.join(work, 'other.json'), '{"hello": "world"}\n');
    const r = await run('other.json', '--host', 'fra-web-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: other.json:1:1 error findings-invalid: not a scanner findings file patchctl reads; expected Trivy JSON (trivy … --format json), Grype JSON (grype … -o json) or OSV-Scanner JSON (osv-scanner scan … --format json)\n',
    );
  });

  it('several files for one host are merged: each vulnerability, package and installed version once', async () => {
    const a = scanFile('trivy-debian12.json', 'a.json');
    // A second Trivy run that also saw a kernel finding, and the same glibc finding again.
    const b = scanFile('trivy-debian12.json', 'b.json', (v) => {
      const result = (v.Results as Record<string, unknown>[])[0] as { Vulnerabilities: unknown[] };
      result.Vulnerabilities = [
        result.Vulnerabilities[3],
        {
          VulnerabilityID: 'CVE-2024-26925',
          PkgName: 'linux-image-6.1.0-18-amd64',
          InstalledVersion: '6.1.76-1',
          FixedVersion: '6.1.85-1',
          Severity: 'MEDIUM',
        },
      ];
      v.CreatedAt = '2026-11-29T10:00:00Z';
    });
    const r = await run(a, b, '--host', 'fra-web-01');
    expect(r.stdout).toBe(
      'fra-web-01: 8 findings from trivy (a.json) and trivy (b.json), 3 without a fix; 2 on language packages left out (patchctl patches OS packages); written to advisories/findings/fra-web-01.json\n',
    );
    const doc = written('fra-web-01');
    expect((doc.findings as { package: string }[]).map((f) => f.package)).toEqual([
      'apt',
      'bash',
      'libc-bin',
      'libc6',
      'libtinfo6',
      'linux-image-6.1.0-18-amd64',
      'openssh-client',
      'openssh-server',
    ]);
    expect(doc.importedFrom).toMatchObject({ file: 'a.json' });
    expect(doc.scannedAt).toBe('2026-11-29T10:00:00.000Z'); // the earliest scan
    expect(doc.sources).toEqual([
      expect.objectContaining({
        importedFrom: expect.objectContaining({ file: 'a.json' }) as unknown,
        findings: 7,
      }),
      expect.objectContaining({
        importedFrom: expect.objectContaining({ file: 'b.json' }) as unknown,
        findings: 2,
      }),
    ]);
  });

  it('replaces the host’s previous findings and says so', async () => {
    expect((await run(scanFile('trivy-debian12.json', 't.json'), '--host', 'fra-db-01')).code).toBe(0);
    const r = await run(scanFile('osv-scanner-ubuntu2004.json', 'o.json'), '--host', 'fra-db-01');
    expect(r.stdout).toBe(
      'fra-db-01: 3 findings from osv-scanner (o.json), 1 without a fix; 1 on language packages left out (patchctl patches OS packages); written to advisories/findings/fra-db-01.json, replacing its previous findings (7)\n',
    );
    expect(written('fra-db-01').scanner).toEqual({
      format: 'osv-scanner',
      name: 'osv-scanner',
      version: null,
    });
    expect(readdirSync(findingsDir())).toEqual(['fra-db-01.json']); // no temporary file left
  });

  it('a scanner that states no time gets --at (else now)', async () => {
    const file = scanFile('osv-scanner-ubuntu2004.json', 'o.json');
    await run(file, '--host', 'fra-db-01', '--at', '2026-11-28T06:00:00+01:00');
    expect(written('fra-db-01').scannedAt).toBe('2026-11-28T05:00:00.000Z');
    await run(file, '--host', 'fra-db-01');
    expect(written('fra-db-01').scannedAt).toBe('2026-12-01T00:00:00.000Z'); // captureIo's clock
  });

  it('--format json gives what was imported per host', async () => {
    const r = await run(
      scanFile('grype-almalinux9.json', 'g.json'),
      '--host',
      'fra-app-01',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      hosts: [
        {
          host: 'fra-app-01',
          file: 'advisories/findings/fra-app-01.json',
          findings: 8,
          withoutFix: 3,
          leftOut: 1,
          sources: [{ format: 'grype', file: 'g.json', findings: 8 }],
          replaced: null,
        },
      ],
    });
  });

  it('a missing file names it; nothing is written', async () => {
    const r = await run('nope.json', '--host', 'fra-web-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('patchctl: cannot read nope.json: no such file or directory (ENOENT)\n');
    expect(existsSync(findingsDir())).toBe(false);
  });
});
