import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { listOutput } from '../src/core/ansible/inventory-data.js';
import { readAnsibleInventoryPath } from '../src/engine/import-ansible-read.js';
import { ConfigError } from '../src/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ansible');

/** Ansible reads these, patchctl refuses them with a clear error (docs/import-ansible.md). */
const REFUSED: Record<string, RegExp> = {
  'ansible-core-tests/ansible-inventory_files_valid_sample.toml':
    /TOML inventories are not supported; convert it with `ansible-inventory -i .* --list -y/,
  'ansible-core-tests/inventory_1_2_inventory.yml':
    /inventory plugin configuration \(plugin: "ansible.builtin.constructed"\).*ansible-inventory -i/,
};

const GOLDEN = /\.ansible-(list\.json|error\.txt)$/;

/** Every inventory fixture (relative paths), and the patchctl/ directories made for these tests. */
function inventories(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(fixtures).sort()) {
    const abs = path.join(fixtures, dir);
    if (!statSync(abs).isDirectory()) continue;
    if (dir === 'patchctl') {
      for (const d of readdirSync(abs).sort()) {
        if (statSync(path.join(abs, d)).isDirectory()) out.push(`patchctl/${d}`);
      }
      continue;
    }
    for (const f of readdirSync(abs).sort()) if (!GOLDEN.test(f)) out.push(`${dir}/${f}`);
  }
  return out;
}

/** The -i argument for a fixture: a patchctl/ case's `inventory` file or directory. */
function inventoryPath(rel: string): string {
  const abs = path.join(fixtures, rel);
  if (rel.startsWith('patchctl/') && existsSync(path.join(abs, 'inventory')))
    return path.join(abs, 'inventory');
  return abs;
}

function read(rel: string) {
  return readAnsibleInventoryPath(inventoryPath(rel), rel);
}

function errorOf(rel: string): ConfigError {
  try {
    read(rel);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`${rel} was read without an error`);
}

describe('reading Ansible inventories as ansible-inventory --list does (golden files)', () => {
  const all = inventories();

  it('has a golden file for every inventory fixture', () => {
    expect(all.length).toBeGreaterThanOrEqual(24);
    for (const rel of all) {
      const golden = rel.startsWith('patchctl/') ? `${rel}.ansible-list.json` : undefined;
      const found =
        golden !== undefined
          ? existsSync(path.join(fixtures, golden))
          : existsSync(path.join(fixtures, `${rel}.ansible-list.json`)) ||
            existsSync(path.join(fixtures, `${rel}.ansible-error.txt`));
      expect([rel, found]).toEqual([rel, true]);
    }
  });

  it.each(all)('%s', (rel) => {
    const listFile = path.join(fixtures, rel.startsWith('patchctl/') ? rel : rel) + '.ansible-list.json';
    const refused = REFUSED[rel];
    if (refused) {
      expect(errorOf(rel).message).toMatch(refused);
      return;
    }
    if (!existsSync(listFile)) {
      // Ansible rejects it: so does patchctl, at a line and column of the file.
      const err = errorOf(rel);
      expect(err.exitCode).toBe(3);
      expect(err.message).toMatch(
        new RegExp(`^${rel.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ error`),
      );
      return;
    }
    const expected = JSON.parse(readFileSync(listFile, 'utf8')) as unknown;
    expect(listOutput(read(rel).inventory)).toEqual(expected);
  });

  it('gives the errors Ansible gives, at the line and column', () => {
    expect(errorOf('ansible-core-tests/inventory_yaml_test_int_hostname.yml').message).toBe(
      'ansible-core-tests/inventory_yaml_test_int_hostname.yml:5:9 error ansible-inventory: Ansible cannot read this inventory: host pattern 1234 must be a string: enclose integers/floats in quotation marks',
    );
    expect(errorOf('ansible-core-tests/inventory_yaml_success.json').message).toBe(
      'ansible-core-tests/inventory_yaml_success.json:34:9 error ansible-inventory: Ansible cannot read this inventory: invalid "children" entry for "all" group, requires a mapping, found a list instead',
    );
  });
});

const ansible = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' });
const haveAnsible = ansible.status === 0;
if (!haveAnsible)
  process.stderr.write('import-ansible.test.ts: ansible-inventory is not on PATH: live comparison skipped\n');

(haveAnsible ? describe : describe.skip)('against ansible-inventory on PATH (live)', () => {
  const readable = inventories().filter((rel) => REFUSED[rel] === undefined);
  it.each(readable)('%s', (rel) => {
    const env = { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True', ANSIBLE_NOCOLOR: '1' };
    let out: string | undefined;
    try {
      out = execFileSync('ansible-inventory', ['-i', inventoryPath(rel), '--list'], {
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      out = undefined;
    }
    if (out === undefined) {
      expect(errorOf(rel).exitCode).toBe(3);
      return;
    }
    expect(listOutput(read(rel).inventory)).toEqual(JSON.parse(out));
  });
});
