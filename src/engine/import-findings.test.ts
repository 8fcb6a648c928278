import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { InputFileError } from '../errors.js';
import { importFindings } from './import-findings.js';
import { loadRepository } from './load-repo.js';

const starter = new URL('../../examples/starter/', import.meta.url);
const fixture = (name: string) =>
  new URL(`../core/vuln/findings/__fixtures__/${name}`, import.meta.url).pathname;
const at = DateTime.fromISO('2026-11-20T12:00:00Z', { setZone: true });
let work: string;
let dir: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'patchctl-import-engine-'));
  dir = path.join(work, 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const load = () => loadRepository(dir, { at }).repository;
const file = (name: string) => ({ path: fixture(name), label: name });
const findingsOf = (host: string) => path.join(dir, 'advisories', 'findings', `${host}.json`);

describe('importFindings', () => {
  it('takes the scan time from the clock passed in when the scanner states none', () => {
    importFindings(dir, load(), { files: [file('osv-scanner-ubuntu2004.json')], host: 'fra-db-01', at });
    const doc = JSON.parse(readFileSync(findingsOf('fra-db-01'), 'utf8')) as { scannedAt: string };
    expect(doc.scannedAt).toBe('2026-11-20T12:00:00.000Z');
  });

  it('the same bytes given twice are imported once', () => {
    const r = importFindings(dir, load(), {
      files: [file('grype-almalinux9.json'), file('grype-almalinux9.json')],
      host: 'fra-app-01',
      at,
    });
    expect(r.hosts).toEqual([expect.objectContaining({ findings: 8, sources: [expect.anything()] })]);
    expect(JSON.parse(readFileSync(findingsOf('fra-app-01'), 'utf8'))).not.toHaveProperty('sources');
  });

  it('writes nothing for any host when one host’s findings file cannot be replaced', () => {
    mkdirSync(findingsOf('fra-web-02'), { recursive: true }); // a folder where the file goes
    // Two files naming two hosts: fra-web-01 by its address, fra-web-02 by its name.
    const named = (name: string, artifact: string) => {
      const v = JSON.parse(readFileSync(fixture('trivy-debian12.json'), 'utf8')) as Record<string, unknown>;
      v.ArtifactName = artifact;
      writeFileSync(path.join(work, name), `${JSON.stringify(v)}\n`);
      return { path: path.join(work, name), label: name };
    };
    expect(() =>
      importFindings(dir, load(), {
        files: [named('a.json', '192.0.2.11'), named('b.json', 'fra-web-02')],
        at,
      }),
    ).toThrow(InputFileError);
    expect(existsSync(findingsOf('fra-web-01'))).toBe(false);
  });

  it('refuses a findings folder that leads out of the repository', () => {
    const outside = path.join(work, 'elsewhere');
    mkdirSync(outside);
    symlinkSync(outside, path.join(dir, 'advisories', 'findings'));
    expect(() =>
      importFindings(dir, load(), { files: [file('trivy-debian12.json')], host: 'fra-web-01', at }),
    ).toThrow(/advisories\/findings leads out of the repository/);
    expect(existsSync(path.join(outside, 'fra-web-01.json'))).toBe(false);
  });
});

describe('importFindings and validate', () => {
  it('never writes what validate would refuse: a value the findings file cannot record is an error', () => {
    const v = JSON.parse(readFileSync(fixture('trivy-debian12.json'), 'utf8')) as {
      Results: { Vulnerabilities: { PkgName: string }[] }[];
    };
    const [first] = v.Results;
    const [vuln] = first?.Vulnerabilities ?? [];
    if (vuln) vuln.PkgName = 'apt tools';
    writeFileSync(path.join(work, 'odd.json'), JSON.stringify(v));
    expect(() =>
      importFindings(dir, load(), {
        files: [{ path: path.join(work, 'odd.json'), label: 'odd.json' }],
        host: 'fra-web-01',
        at,
      }),
    ).toThrow(
      /^odd\.json: advisories\/findings\/fra-web-01\.json cannot record findings\[0\]\.package \("apt tools"\): it must match/,
    );
    expect(existsSync(findingsOf('fra-web-01'))).toBe(false);
  });

  it('a merged findings file passes validate', () => {
    const r = importFindings(dir, load(), {
      files: [file('trivy-debian12.json'), file('osv-scanner-ubuntu2004.json')],
      host: 'fra-web-01',
      at,
    });
    expect(r.hosts[0]?.sources.length).toBe(2);
    const { warnings } = loadRepository(dir, { at });
    expect(warnings.filter((d) => d.at?.file.startsWith('advisories/findings'))).toEqual([]);
  });
});
