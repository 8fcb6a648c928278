import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli/main.js';
import { captureIo } from '../src/test-support/capture-io.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ansible');
const AT = '2026-12-01T00:00:00Z';
let work: string;
let repo: string;
beforeEach(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'patchctl-import-ansible-'));
  repo = path.join(work, 'repo');
  expect(await main(['init', '--minimal', repo], captureIo())).toBe(0);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[], cwd = work) {
  const io = captureIo({ cwd });
  const code = await main(args, io);
  return { code, ...io.text() };
}

/** A fixture copied into the working directory (so messages name it as the user would). */
function fixture(rel: string, as = path.basename(rel)): string {
  cpSync(path.join(fixtures, rel), path.join(work, as), { recursive: true });
  return as;
}

interface Doc {
  metadata: { name: string };
  spec: { hosts: Record<string, unknown>[] } & Record<string, unknown>;
}
const docs = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('patchctl import ansible', () => {
  it('imports a real inventory into an init-ed repository: validate exits 0 and plan sees the hosts', async () => {
    const inv = fixture('ansible-for-devops/orchestration_hosts.ini');
    const r = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect(r).toMatchObject({
      code: 0,
      stdout:
        'imported 3 hosts and 3 groups from orchestration_hosts.ini: wrote inventory/orchestration_hosts.yaml and groups/orchestration_hosts.yaml\n',
    });
    const [inventory] = docs(path.join(repo, 'inventory', 'orchestration_hosts.yaml'));
    expect(inventory!.spec.hosts[0]).toEqual({
      name: '192.168.56.4',
      user: 'vagrant',
      identityFile: '~/.vagrant.d/insecure_private_key',
      labels: { 'ansible/app': 'true' },
    });
    const groups = docs(path.join(repo, 'groups', 'orchestration_hosts.yaml'));
    expect(groups.map((g) => g.metadata.name)).toEqual(['app', 'db', 'multi']);
    expect(groups[0]!.spec).toEqual({ selector: { matchLabels: { 'ansible/app': 'true' } } });
    expect(groups[2]!.spec).toEqual({ groups: ['app', 'db'] });
    expect(r.stderr).toContain(
      '  ansible_ssh_common_args: 3 hosts (192.168.56.4, 192.168.56.5, 192.168.56.6), from group multi; ssh options other than ProxyJump: -o StrictHostKeyChecking=no\n',
    );

    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).not.toMatch(/ error /);
    expect(v.code).toBe(0);
    const plan = await run(['plan', '--at', AT, '--format', 'json', '-C', 'repo']);
    expect(plan.code).toBe(0);
    for (const h of ['192.168.56.4', '192.168.56.5', '192.168.56.6']) expect(plan.stdout).toContain(`"${h}"`);
  });

  it('refuses an inventory without hosts', async () => {
    const inv = fixture('kubespray/sample_inventory.ini');
    const r = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: sample_inventory.ini has no hosts (its groups kube_control_plane, etcd and kube_node are empty): nothing to import\n',
    );
  });

  it('maps the connection variables to host fields and reports every other variable', async () => {
    const inv = fixture('patchctl/site/inventory', 'site');
    const r = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'imported 20 hosts and 8 groups from site: wrote inventory/site.yaml and groups/site.yaml\n',
    );
    const [inventory] = docs(path.join(repo, 'inventory', 'site.yaml'));
    const byName = new Map<string, Record<string, unknown>>(
      (inventory!.spec.hosts as Record<string, unknown>[]).map((h) => [h.name as string, h]),
    );
    expect(byName.get('db-01')).toEqual({
      name: 'db-01',
      address: '192.0.2.21',
      port: 5432,
      labels: { 'ansible/db': 'true', 'ansible/aaa': 'true' },
    });
    expect(byName.get('db-02')).toMatchObject({ jumpHost: 'admin@bastion.example.net:2222' });
    expect(byName.get('win-01')).toEqual({
      name: 'win-01',
      port: 5986,
      transport: 'winrm',
      labels: { 'ansible/win': 'true' },
    });
    expect(byName.get('local-runner')).toMatchObject({ transport: 'local' });
    expect(byName.get('app-2')).toMatchObject({ address: '198.51.100.7', jumpHost: 'bastion.example.net' });
    // An IPv6 name patchctl's names do not allow: renamed predictably, the address kept.
    expect(byName.get('2001-db8-1')).toMatchObject({ port: 2222, labels: { 'ansible/cloud': 'true' } });
    expect(byName.get('web-01')).toMatchObject({
      user: 'deploy',
      labels: { 'ansible/web': 'true', 'ansible/Bad.Group-1': 'true' },
    });
    expect(byName.get('bastion.example.net')).toMatchObject({
      user: 'jump',
      labels: { 'ansible/ungrouped': 'true' },
    });
    expect(byName.has('should-not-appear')).toBe(false); // .ini files in a directory: Ansible skips them

    // The report: renamed names, mapped variables and every other variable, counted.
    expect(r.stderr).toContain('Renamed (patchctl names');
    expect(r.stderr).toContain('  host 2001:db8::1 -> 2001-db8-1\n');
    expect(r.stderr).toContain('  ansible_host -> address (4 hosts)\n');
    expect(r.stderr).toMatch(
      /\n {2}ansible_python_interpreter: 20 hosts \(bastion\.example\.net, app-1, app-2, \.\.\. \(17 more\)\), from group_vars\/all\n/,
    );
    expect(r.stderr).toMatch(
      /\n {2}ansible_user: 1 host \(win-01\), from host win-01; not a login name patchctl accepts/,
    );
    expect(r.stderr).toMatch(
      /\n {2}ansible_ssh_common_args: 1 host \(db-02\), from host db-02; ssh options other than ProxyJump: -o ServerAliveInterval=30\n/,
    );
    expect(r.stderr).toMatch(/\n {2}env: 13 hosts .*from group web, group aaa, group prod\n/);
    // The same report heads the inventory file.
    const text = readFileSync(path.join(repo, 'inventory', 'site.yaml'), 'utf8');
    expect(text).toContain('# Not mapped: ');
    expect(text).toContain('#   ansible_python_interpreter: 20 hosts');

    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).not.toMatch(/ error /);
    expect(v.code).toBe(0);
  });

  it('maps ansible_ssh_private_key_file to identityFile when the inventory schema has it', async () => {
    const schema = JSON.parse(
      readFileSync(new URL('../schemas/inventory.schema.json', import.meta.url), 'utf8'),
    ) as {
      $defs: { host: { properties: Record<string, unknown> } };
    };
    const inv = fixture('ansible-for-devops/kubernetes_inventory');
    const r = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect(r.code).toBe(0);
    const [inventory] = docs(path.join(repo, 'inventory', 'kubernetes_inventory.yaml'));
    const master = (inventory!.spec.hosts as Record<string, unknown>[])[0]!;
    if ('identityFile' in schema.$defs.host.properties) {
      expect(master).toMatchObject({ identityFile: '~/.vagrant.d/insecure_private_key' });
      expect(r.stderr).toContain('ansible_ssh_private_key_file -> identityFile (3 hosts)');
    } else {
      expect(master).not.toHaveProperty('identityFile');
      expect(r.stderr).toMatch(/ansible_ssh_private_key_file: 3 hosts .*no per-host identityFile/);
    }
    expect(master).toMatchObject({ name: 'master', address: '192.168.56.2', user: 'vagrant' });
    expect(r.stderr).toMatch(
      /\n {2}kubernetes_role: 3 hosts \(master, node1, node2\), from host master, host node1, host node2\n/,
    );
  });

  it('refuses to overwrite a file or to duplicate a host or group name, writing nothing', async () => {
    const inv = fixture('ceph-ansible/all-in-one_hosts');
    expect((await run(['import', 'ansible', '-i', inv, '-C', 'repo'])).code).toBe(0);
    const before = filesUnder(repo);
    const again = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/inventory\/all-in-one_hosts\.yaml exists already/);
    expect(again.stderr).toMatch(/nothing written/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const renamed = await run(['import', 'ansible', '-i', inv, '--name', 'other', '-C', 'repo']);
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toMatch(
      /the repository already has hosts osd0, osd1, osd2; the repository already has groups mons, mgrs/,
    );
    expect(renamed.stderr).toMatch(/the repository already has groups /);
    expect(filesUnder(repo)).toEqual(before);
  });

  it('keeps two imports apart with --group-prefix, and prints the report as JSON with --format json', async () => {
    expect(
      (
        await run([
          'import',
          'ansible',
          '-i',
          fixture('ansible-for-devops/orchestration_hosts.ini'),
          '-C',
          'repo',
        ])
      ).code,
    ).toBe(0);
    writeFileSync(path.join(work, 'staging'), 'lonely\n[app]\nstaging-app-[1:2] ansible_user=deploy\n');
    const clash = await run(['import', 'ansible', '-i', 'staging', '-C', 'repo']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(
      /already has group app \(put a prefix before the imported groups' names with --group-prefix\)/,
    );
    const r = await run([
      'import',
      'ansible',
      '-i',
      'staging',
      '--group-prefix',
      'staging-',
      '--format',
      'json',
      '-C',
      'repo',
    ]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual({
      name: 'staging',
      hosts: 3,
      groups: 2,
      written: ['inventory/staging.yaml', 'groups/staging.yaml'],
      renamed: [],
      mapped: [{ name: 'ansible_user', field: 'user', hosts: 2 }],
      unmapped: [],
      emptyGroups: [],
      warnings: [],
    });
    const groups = docs(path.join(repo, 'groups', 'staging.yaml'));
    expect(groups.map((g) => g.metadata.name)).toEqual(['staging-ungrouped', 'staging-app']);
    const [inventory] = docs(path.join(repo, 'inventory', 'staging.yaml'));
    expect(inventory!.spec.hosts[0]).toEqual({
      name: 'lonely',
      labels: { 'ansible/staging-ungrouped': 'true' },
    });
    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).not.toMatch(/ error /);
    expect(v.code).toBe(0);
    // -q: the summary line only.
    const q = await run([
      'import',
      'ansible',
      '-i',
      fixture('ansible-for-devops/gluster_inventory'),
      '-q',
      '-C',
      'repo',
    ]);
    expect(q).toMatchObject({ code: 0, stderr: '' });
  });

  it('writes under -o DIR without touching the repository', async () => {
    const inv = fixture('ansible-core-tests/inventory_yaml_test.yml');
    const before = filesUnder(repo);
    const r = await run(['import', 'ansible', '-i', inv, '-o', 'out', '-C', 'repo']);
    expect(r.code).toBe(0);
    expect(filesUnder(path.join(work, 'out'))).toEqual([
      'groups/inventory_yaml_test.yaml',
      'inventory/inventory_yaml_test.yaml',
    ]);
    expect(filesUnder(repo)).toEqual(before);
    // Copied into the repository, they validate.
    cpSync(path.join(work, 'out'), repo, { recursive: true });
    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).not.toMatch(/ error /);
    expect(v.code).toBe(0);
  });

  it('refuses an inventory Ansible rejects with file:line:col and exit 3, and TOML with the command to convert it', async () => {
    const bad = fixture('ansible-core-tests/inventory_yaml_test_int_hostname.yml');
    const before = filesUnder(repo);
    const r = await run(['import', 'ansible', '-i', bad, '-C', 'repo']);
    expect(r).toMatchObject({ code: 3, stdout: '' });
    expect(r.stderr).toContain(
      'inventory_yaml_test_int_hostname.yml:5:9 error ansible-inventory: Ansible cannot read this inventory: host pattern 1234 must be a string',
    );
    const toml = fixture('ansible-core-tests/ansible-inventory_files_valid_sample.toml');
    const t = await run(['import', 'ansible', '-i', toml, '-C', 'repo']);
    expect(t.code).toBe(3);
    expect(t.stderr).toContain(
      'TOML inventories are not supported; convert it with `ansible-inventory -i ansible-inventory_files_valid_sample.toml --list -y > inventory.yml`',
    );
    mkdirSync(path.join(work, 'empty'));
    writeFileSync(path.join(work, 'empty', 'notes.txt'), 'x\n');
    expect((await run(['import', 'ansible', '-i', 'empty', '-C', 'repo'])).stderr).toMatch(
      /holds no inventory file Ansible would read/,
    );
    expect((await run(['import', 'ansible', '-i', 'missing.ini', '-C', 'repo'])).code).toBe(1);
    expect(filesUnder(repo)).toEqual(before);
  });
});

describe('every inventory fixture Ansible reads imports into documents that validate', () => {
  const readable: string[] = [];
  for (const dir of readdirSync(fixtures, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name === 'patchctl') continue;
    for (const f of readdirSync(path.join(fixtures, dir.name))) {
      if (f.endsWith('.ansible-list.json'))
        readable.push(`${dir.name}/${f.replace(/\.ansible-list\.json$/, '')}`);
    }
  }
  const refused = new Set([
    'ansible-core-tests/ansible-inventory_files_valid_sample.toml', // TOML: convert first
    'ansible-core-tests/inventory_1_2_inventory.yml', // a plugin configuration
    'kubespray/sample_inventory.ini', // no hosts
    'ansible-for-devops/lamp-infrastructure_inventories_digitalocean_inventory', // no hosts
  ]);
  it.each(readable.sort().filter((f) => !refused.has(f)))('%s', async (rel) => {
    const inv = fixture(rel);
    const r = await run(['import', 'ansible', '-i', inv, '-C', 'repo']);
    expect([r.code, r.stderr.match(/^patchctl: .*/m)?.[0]]).toEqual([0, undefined]);
    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).not.toMatch(/ error /);
    expect(v.code).toBe(0);
  });
});

describe('validate points at Ansible inventories under inventory/', () => {
  it('names a non-YAML file (an INI inventory) with the import command instead of ignoring it', async () => {
    cpSync(
      path.join(fixtures, 'ansible-for-devops/orchestration_hosts.ini'),
      path.join(repo, 'inventory', 'hosts.ini'),
    );
    writeFileSync(path.join(repo, 'inventory', 'README.md'), 'Our inventories.\n');
    const v = await run(['validate', '-C', 'repo']);
    expect(v.stdout + v.stderr).toContain(
      'inventory/hosts.ini:1:1 warning ansible-inventory-file: inventory/hosts.ini is not a YAML file, so patchctl does not read it; if it is an Ansible inventory, import it with `patchctl import ansible -i inventory/hosts.ini` (it writes Inventory and Group documents), then remove it',
    );
    expect(v.stdout + v.stderr).not.toContain('README.md');
  });

  it('names Ansible-shaped YAML and group_vars with the import command, as errors', async () => {
    cpSync(
      path.join(fixtures, 'ansible-core-tests/inventory_yaml_test.yml'),
      path.join(repo, 'inventory', 'ansible.yml'),
    );
    cpSync(
      path.join(fixtures, 'patchctl/site/inventory/group_vars'),
      path.join(repo, 'inventory', 'group_vars'),
      { recursive: true },
    );
    const v = await run(['validate', '-C', 'repo']);
    const out = v.stdout + v.stderr;
    expect(v.code).toBe(3);
    expect(out).toContain(
      'inventory/ansible.yml:1:1 error ansible-inventory-file: inventory/ansible.yml is an Ansible YAML inventory, not patchctl documents: import it with `patchctl import ansible -i inventory/ansible.yml`',
    );
    expect(out).toContain(
      'inventory/group_vars/all.yml:1:1 error ansible-inventory-file: inventory/group_vars/all.yml is Ansible group_vars/host_vars, not patchctl documents: import the inventory next to it with `patchctl import ansible -i inventory`',
    );
    // The hint replaces the schema errors these files would get as documents.
    expect(out).not.toMatch(/ansible\.yml:\d+:\d+ error (?!ansible-inventory-file)/);
  });
});
