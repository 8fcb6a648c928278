import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { decodeUtf8, firstInvalidUtf8, repositoryReader, validateRepository } from './load-repo.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'UTC' });
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const CONFIG = 'apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: lab\nspec: {}\n';
const INVENTORY =
  'apiVersion: patchctl/v1\nkind: Inventory\nmetadata:\n  name: lab\nspec:\n  hosts:\n    - name: web-01\n      address: 192.0.2.10\n';

/** A scratch folder holding `repo/` (with the given files) and room beside it. */
function scratch(files: Record<string, string> = {}): { dir: string; repo: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchctl-load-'));
  dirs.push(dir);
  const repo = path.join(dir, 'repo');
  for (const [rel, text] of Object.entries({ 'patchctl.yaml': CONFIG, ...files })) {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  }
  return { dir, repo };
}

function mkfifo(file: string): void {
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo ${file} failed`);
}

const where = (repo: string) =>
  validateRepository(repo, { at: AT }).diagnostics.map(
    (d) => `${d.at?.file}:${d.at?.line}:${d.at?.col} ${d.code}: ${d.message}`,
  );

describe('reading repository files', () => {
  it('reports a patchctl.yaml that is a directory, once, instead of crashing', () => {
    const { repo } = scratch();
    rmSync(path.join(repo, 'patchctl.yaml'));
    mkdirSync(path.join(repo, 'patchctl.yaml'));
    expect(where(repo)).toEqual([
      'patchctl.yaml:1:1 unreadable-file: patchctl.yaml is a directory, not a regular file',
    ]);
  });

  it('reports a broken symbolic link with its target', () => {
    const { repo } = scratch({ 'inventory/lab.yaml': INVENTORY });
    symlinkSync('gone/old.yaml', path.join(repo, 'inventory/old.yaml'));
    expect(where(repo)).toEqual([
      'inventory/old.yaml:1:1 unreadable-file: inventory/old.yaml is a broken symbolic link (to gone/old.yaml, which does not exist)',
    ]);
  });

  it('reports a FIFO without opening it (opening it would block)', () => {
    const { repo } = scratch({ 'inventory/lab.yaml': INVENTORY });
    mkfifo(path.join(repo, 'inventory/pipe.yaml'));
    expect(where(repo)).toEqual([
      'inventory/pipe.yaml:1:1 unreadable-file: inventory/pipe.yaml is a named pipe (FIFO), not a regular file',
    ]);
  });

  it('refuses files and folders that symbolic links lead to outside the repository', () => {
    const { dir, repo } = scratch();
    mkdirSync(path.join(dir, 'outside'));
    writeFileSync(path.join(dir, 'outside/lab.yaml'), INVENTORY);
    mkdirSync(path.join(repo, 'inventory'));
    symlinkSync('../../outside/lab.yaml', path.join(repo, 'inventory/lab.yaml'));
    symlinkSync('../../outside', path.join(repo, 'inventory/more'));
    symlinkSync('../outside', path.join(repo, 'groups'));
    expect(where(repo)).toEqual([
      'groups:1:1 path-outside-repository: groups leads out of the repository (to ../outside) through a symbolic link: patchctl reads only what is in the repository, where git reviews it',
      'inventory/lab.yaml:1:1 path-outside-repository: inventory/lab.yaml leads out of the repository (to ../outside/lab.yaml) through a symbolic link: patchctl reads only what is in the repository, where git reviews it',
      'inventory/more:1:1 path-outside-repository: inventory/more leads out of the repository (to ../outside) through a symbolic link: patchctl reads only what is in the repository, where git reviews it',
    ]);
  });

  it('follows symbolic links that stay inside the repository, each folder once', () => {
    const { repo } = scratch({ 'shared/lab.yaml': INVENTORY, 'inventory/b/other.yml': '# nothing\n' });
    symlinkSync('../shared/lab.yaml', path.join(repo, 'inventory/lab.yaml'));
    symlinkSync('b', path.join(repo, 'inventory/a')); // walked as a/, so b/ is not read twice
    const r = validateRepository(repo, { at: AT });
    expect(r.diagnostics).toEqual([]);
    expect(r.repository?.hosts.map((h) => h.name)).toEqual(['web-01']);
    expect([...r.inputs.keys()].sort()).toEqual([
      'inventory/a/other.yml',
      'inventory/lab.yaml',
      'patchctl.yaml',
    ]);
  });

  it('reports a link to a folder that contains it instead of walking it for ever', () => {
    const { repo } = scratch({ 'inventory/lab.yaml': INVENTORY });
    symlinkSync('..', path.join(repo, 'inventory/up'));
    symlinkSync('.', path.join(repo, 'inventory/self'));
    expect(where(repo)).toEqual([
      'inventory/self:1:1 unreadable-file: inventory/self is a symbolic link to a folder that contains it: following it would never end',
      'inventory/up:1:1 unreadable-file: inventory/up is a symbolic link to a folder that contains it: following it would never end',
    ]);
  });

  it('reports a document folder that is a file, rather than ignoring it', () => {
    const { repo } = scratch({ inventory: INVENTORY });
    expect(where(repo)).toEqual([
      'inventory:1:1 not-a-folder: inventory is a regular file, not a folder: its documents are read from the files inside a folder of that name',
    ]);
  });

  it('points at the first byte that is not UTF-8', () => {
    const { repo } = scratch();
    writeFileSync(
      path.join(repo, 'patchctl.yaml'),
      Buffer.concat([Buffer.from(`${CONFIG}# café `), Buffer.from([0xe9, 0x0a])]),
    );
    expect(where(repo)).toEqual([
      'patchctl.yaml:6:8 not-utf8: file is not valid UTF-8 text (byte 0xe9 at offset 76); save it as UTF-8',
    ]);
  });

  it('reads only what the reader was asked, and lists without sub-folders when told', () => {
    const { repo } = scratch({ 'state/hosts/a.json': '{}', 'state/hosts/sub/b.json': '{}' });
    const reader = repositoryReader(repo);
    expect(reader.listFiles('state/hosts', (n) => n.endsWith('.json'), { recursive: false })).toEqual({
      files: ['state/hosts/a.json'],
      diagnostics: [],
    });
    expect(reader.listFiles('state/hosts', (n) => n.endsWith('.json')).files).toEqual([
      'state/hosts/a.json',
      'state/hosts/sub/b.json',
    ]);
    expect(reader.listFiles('nothing-here', () => true)).toEqual({ files: [], diagnostics: [] });
    expect(reader.readText('state/hosts/a.json').text).toBe('{}');
  });
});

describe('document files, whatever their line ends and the case of their extension', () => {
  const BLACKOUT = [
    '# Year-end change freeze',
    'apiVersion: patchctl/v1',
    'kind: Blackout',
    'metadata:',
    '  name: year-end',
    'spec:',
    '  start: 2026-12-20',
    '  end: 2027-01-03',
    '',
  ];

  it('reads a Blackout saved with old Mac line ends (CR only), and one of mixed line ends', () => {
    const { repo } = scratch({
      'inventory/lab.yaml': INVENTORY,
      'windows/freeze.yaml': BLACKOUT.join('\r'),
      'windows/mixed.yaml': BLACKOUT.join('\n')
        .replace('year-end', 'mixed')
        .replace('\nspec', '\r\nspec')
        .replace('\n  end', '\r  end'),
    });
    const r = validateRepository(repo, { at: AT });
    expect(r.diagnostics).toEqual([]);
    expect(r.repository?.blackouts.map((b) => b.doc.metadata.name).sort()).toEqual(['mixed', 'year-end']);
  });

  it('locates a mistake in a CR-only file at its line and column', () => {
    const { repo } = scratch({
      'windows/freeze.yaml': BLACKOUT.join('\r').replace('2027-01-03', 'next year'),
    });
    expect(where(repo)).toEqual([expect.stringMatching(/^windows\/freeze\.yaml:8:8 invalid-value: /)]);
  });

  it('reads .YAML, .Yml and other cases of the extension, and only YAML extensions', () => {
    const { repo } = scratch({
      'inventory/lab.yaml': INVENTORY,
      'windows/freeze.YAML': BLACKOUT.join('\n'),
      'windows/other.Yml': BLACKOUT.join('\n').replace('year-end', 'other'),
      'windows/notes.txt': 'kind: Blackout\n',
      'windows/freeze.yaml.bak': 'not: [read\n',
    });
    const r = validateRepository(repo, { at: AT });
    expect(r.diagnostics).toEqual([]);
    expect(r.repository?.blackouts.map((b) => b.doc.metadata.name).sort()).toEqual(['other', 'year-end']);
    expect([...r.inputs.keys()].sort()).toEqual([
      'inventory/lab.yaml',
      'patchctl.yaml',
      'windows/freeze.YAML',
      'windows/other.Yml',
    ]);
  });

  it('reads a patchctl.yaml with CR line ends, its paths too', () => {
    const { repo } = scratch({
      'patchctl.yaml':
        'apiVersion: patchctl/v1\rkind: Config\rmetadata:\r  name: lab\rspec:\r  paths:\r    windows: freeze\r',
      'inventory/lab.yaml': INVENTORY,
      'freeze/year-end.yaml': BLACKOUT.join('\r'),
    });
    const r = validateRepository(repo, { at: AT });
    expect(r.diagnostics).toEqual([]);
    expect(r.repository?.blackouts.map((b) => b.doc.metadata.name)).toEqual(['year-end']);
  });
});

describe('reading many files', () => {
  it('gives each file its own text and digest, small or large', () => {
    const big = `${'x'.repeat(1536 * 1024)}\n`;
    const { repo } = scratch({ 'state/a.json': '{"a": 1}\n', 'state/big.json': big, 'state/b.json': '{}' });
    const reader = repositoryReader(repo);
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    for (const [rel, text] of [
      ['state/a.json', '{"a": 1}\n'],
      ['state/big.json', big],
      ['state/b.json', '{}'],
      ['patchctl.yaml', CONFIG],
    ] as const) {
      expect(reader.readText(rel)).toEqual({ text, sha256: sha(text) });
    }
  });
});

describe('UTF-8', () => {
  it('finds the first byte of a sequence that is not well-formed', () => {
    const at = (...bytes: number[]) => firstInvalidUtf8(Uint8Array.from(bytes));
    expect(at(0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80)).toBeUndefined(); // a, é, 😀
    expect(at(0x61, 0xe9, 0x62)).toBe(1); // Latin-1 é
    expect(at(0x61, 0xc0, 0xaf)).toBe(1); // overlong /
    expect(at(0xe0, 0x80, 0xaf)).toBe(0); // overlong
    expect(at(0xed, 0xa0, 0x80)).toBe(0); // a surrogate
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // beyond U+10FFFF
    expect(at(0x61, 0xe2, 0x82)).toBe(1); // cut short
    expect(at(0xff, 0xfe, 0x61, 0x00)).toBe(0); // UTF-16 byte order mark
  });

  it('gives line and column in UTF-16 code units, after a byte order mark', () => {
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ text: 'a' });
    expect(decodeUtf8(Uint8Array.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61]))).toEqual({ text: 'a' });
    expect(decodeUtf8(Buffer.from('x\ufeffé').subarray(1))).toEqual({ text: 'é' });
    const bad = Buffer.concat([Buffer.from('\ufeffab\r\n😀é'), Buffer.from([0x80])]);
    expect(decodeUtf8(bad)).toEqual({ offset: 13, byte: 0x80, line: 2, col: 4 });
  });
});
