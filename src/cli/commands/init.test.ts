import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const listFiles = (root: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
};

describe('patchctl init', () => {
  it('writes a repository that validates as written, with schemas for editors', async () => {
    const target = path.join(dir, 'repo');
    const io = captureIo();
    expect(await main(['init', target], io)).toBe(0);
    expect(io.text().stdout).toMatch(/^wrote \d+ files to /);
    const files = listFiles(target);
    expect(files).toEqual(
      expect.arrayContaining(['patchctl.yaml', 'schemas/inventory.schema.json', 'known_hosts']),
    );
    expect(files.some((f) => f.startsWith('policies/'))).toBe(true);
    expect(files.some((f) => f.startsWith('exceptions/'))).toBe(true);
    expect(await validatesButForUndrivenHosts(target)).toBe(true);
    // Every YAML file tells yaml-language-server where its schema is, and the schema is there.
    for (const f of files.filter((x) => x.endsWith('.yaml'))) {
      const m = /yaml-language-server: \$schema=(\S+)/.exec(readFileSync(path.join(target, f), 'utf8'));
      expect(m).not.toBeNull();
      expect(existsSync(path.join(target, path.dirname(f), m?.[1] ?? ''))).toBe(true);
    }
  });

  it('dates the example exception from today, so the output validates on any day', async () => {
    const target = path.join(dir, 'later');
    const now = () => DateTime.fromISO('2031-07-04T10:00:00Z', { setZone: true });
    expect(await main(['init', target], captureIo({ now }))).toBe(0);
    const exception = readdirSync(path.join(target, 'exceptions'))[0] ?? '';
    const text = readFileSync(path.join(target, 'exceptions', exception), 'utf8');
    expect(text).toMatch(/created: '2031-07-04'/);
    expect(text).toMatch(/expires: '2031-09-29'/); // same 87 days as the starter's 2026-11-20 → 2027-02-15
    expect(await validatesButForUndrivenHosts(target, now)).toBe(true);
  });

  it('refuses to overwrite anything and writes nothing', async () => {
    mkdirSync(path.join(dir, 'inventory'));
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'mine\n');
    const io = captureIo();
    expect(await main(['init', dir], io)).toBe(1);
    expect(io.text().stderr).toMatch(
      /refusing to overwrite existing files in .*: patchctl.yaml; nothing was written/,
    );
    expect(listFiles(dir)).toEqual(['patchctl.yaml']);
    expect(readFileSync(path.join(dir, 'patchctl.yaml'), 'utf8')).toBe('mine\n');
  });

  it('--minimal writes only what plans one host, and it validates', async () => {
    const target = path.join(dir, 'bare');
    const io = captureIo();
    expect(await main(['init', '--minimal', target], io)).toBe(0);
    const files = listFiles(target).filter((f) => !f.startsWith('schemas/'));
    expect(files).toEqual([
      '.gitignore',
      'inventory/hosts.yaml',
      'known_hosts',
      'patchctl.yaml',
      'policies/security.yaml',
      'rollouts/default.yaml',
    ]);
    expect(listFiles(target)).toContain('schemas/inventory.schema.json');
    // Valid; the one warning is true until a host is added (and --strict says so).
    const check = captureIo();
    expect(await main(['validate', '-C', target, '--format', 'json'], check)).toBe(0);
    expect((JSON.parse(check.text().stdout) as { code: string }[]).map((d) => d.code)).toEqual([
      'policy-matches-no-host',
    ]);
  });

  it('--minimal: the commented example host, uncommented, validates --strict clean and is planned', async () => {
    const target = path.join(dir, 'one');
    expect(await main(['init', '--minimal', target], captureIo())).toBe(0);
    const file = path.join(target, 'inventory', 'hosts.yaml');
    const text = readFileSync(file, 'utf8')
      .replace(/^ {2}hosts: \[\]\n/m, '')
      .replace(/^ {2}# hosts:/m, '  hosts:')
      .replace(/^ {2}# {3}(- name| {2}address| {2}labels| {4}role)/gm, '    $1');
    writeFileSync(file, text);
    const strict = captureIo();
    expect(await main(['validate', '--strict', '-C', target], strict)).toBe(0);
    expect(strict.text()).toEqual({ stdout: 'valid: 1 host\n', stderr: '' });
    const io = captureIo();
    expect(await main(['plan', '-C', target, '--format', 'json'], io)).toBe(0);
    const plan = JSON.parse(io.text().stdout) as { rings: { name: string; hosts: { host: string }[] }[] };
    expect(plan.rings.map((r) => [r.name, r.hosts.map((h) => h.host)])).toEqual([['all', ['web-01']]]);
  });

  it('suggests git init when the folder is not inside a git repository, not when it is', async () => {
    const outside = captureIo({ cwd: dir });
    expect(await main(['init', 'ops'], outside)).toBe(0);
    expect(outside.text().stdout).toBe(
      `wrote ${listFiles(path.join(dir, 'ops')).length} files to ops\n` +
        'ops is not inside a git repository; patchctl keeps its history in git:\n' +
        '  git -C ops init && git -C ops add -A && git -C ops commit -m "patchctl repository"\n' +
        'next: edit inventory/ for your hosts, then\n' +
        '  patchctl validate -C ops\n',
    );
    mkdirSync(path.join(dir, 'checkout', '.git'), { recursive: true });
    const inside = captureIo({ cwd: path.join(dir, 'checkout') });
    expect(await main(['init', '--minimal', 'ops/patching'], inside)).toBe(0);
    expect(inside.text().stdout).not.toContain('git');
    expect(inside.text().stdout).toMatch(/^wrote \d+ files to ops\/patching\nnext: /);
  });

  it('refuses a target that is a file', async () => {
    writeFileSync(path.join(dir, 'f'), '');
    const io = captureIo();
    expect(await main(['init', path.join(dir, 'f')], io)).toBe(1);
    expect(io.text().stderr).toMatch(/exists and is not a folder/);
  });
});

/**
 * Valid, and warnings only about the starter's Windows, RHEL and AlmaLinux hosts, which are true:
 * this version drives apt over ssh only (core/model/driven.ts).
 */
async function validatesButForUndrivenHosts(target: string, now?: () => DateTime): Promise<boolean> {
  const io = captureIo(now ? { now } : {});
  const code = await main(['validate', '-C', target, '--format', 'json'], io);
  const diagnostics = JSON.parse(io.text().stdout) as { code: string }[];
  // The starter's Windows hosts, and its KEV snapshot from 2025 (`advisories sync` refreshes it).
  return code === 0 && diagnostics.every((d) => d.code === 'undriven-hosts' || d.code === 'feed-too-old');
}
