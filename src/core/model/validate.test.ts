import { describe, expect, it } from '@jest/globals';
import { MINIMAL_CONFIG, check, doc, where } from '../../test-support/repo-builder.js';

const messages = (files: Record<string, string>) =>
  check(files).diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}: ${d.message}`);

describe('schema diagnostics', () => {
  it('suggests the field that was meant, at the misspelt key', () => {
    expect(messages({ 'groups/g.yaml': doc('Group', 'g', 'hosts: []\nexlude: [a]') })).toEqual([
      '7:3 unknown-field: unknown field "exlude" in spec (did you mean "exclude"?)',
    ]);
  });
  it('refuses secrets with the reason', () => {
    const d = messages({ 'patchctl.yaml': `${MINIMAL_CONFIG}  ssh:\n    password: hunter2\n` });
    expect(d).toEqual([
      '8:5 unknown-field: unknown field "password" in spec.ssh; secrets never live in the repository: name an environment variable instead (e.g. passwordEnv)',
    ]);
  });
  it('tells the user to quote numbers YAML read where a string belongs', () => {
    const d = messages({
      'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: a\n    labels: { tier: 1 }'),
    });
    expect(d).toEqual([
      '8:23 wrong-type: spec.hosts[0].labels.tier must be a string (YAML read 1 as a number: put the value in quotes)',
    ]);
  });
  it('suggests quotes only when the quoted value would be valid', () => {
    const d = messages({
      'windows/w.yaml': doc(
        'MaintenanceWindow',
        'w',
        'timezone: UTC\ncron: 0 2 * * 0\nduration: 6\ngroups: [g]',
      ),
    });
    expect(d).toEqual([
      "8:13 wrong-type: spec.duration must be a string (YAML read 6 as a number; as a string it must be a duration like '90m', '24h', '7d' or '1d12h' (digits followed by s, m, h, d or w, no spaces))",
    ]);
    // A thousand hosts with the same mistake: still right for each, at each.
    const many = messages({
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        `hosts:\n${Array.from({ length: 3 }, (_, i) => `  - name: h${i}\n    labels: { tier: 1 }`).join('\n')}`,
      ),
    });
    expect(many).toHaveLength(3);
    expect(many.every((m) => m.endsWith('(YAML read 1 as a number: put the value in quotes)'))).toBe(true);
  });
  it('reports a bad label key once, at the key itself', () => {
    const d = messages({
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'hosts:\n  - name: a\n    labels:\n      role: db\n      owner&x: dba',
      ),
    });
    expect(d).toEqual([
      "10:9 invalid-value: spec.hosts[0].labels: key \"owner&x\" must be an optional 'prefix/' (letters, digits, '.', '-') followed by 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit",
    ]);
  });
  it("explains shell-unsafe values with the schema's own words", () => {
    const d = check({
      'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: "web;reboot"'),
    }).diagnostics;
    expect(where(d)).toEqual(['inventory/a.yaml:7:13 error invalid-value']);
    expect(d[0]?.message).toMatch(/^spec\.hosts\[0\]\.name "web;reboot" must be/);
  });
  it('folds the branches of a number-or-percent into one message', () => {
    const d = messages({
      'rollouts/r.yaml': doc('Rollout', 'r', 'rings:\n  - name: a\n    rest: true\n    maxParallel: "150%"'),
    });
    expect(d).toHaveLength(1);
    expect(d[0]).toMatch(
      /^9:20 invalid-value: spec.rings\[0\].maxParallel "150%" is not valid: A number of hosts/,
    );
  });
  it('suggests enum values', () => {
    expect(
      messages({ 'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: a\n    transport: shh') }),
    ).toEqual([
      '8:18 invalid-value: spec.hosts[0].transport "shh" must be one of ssh, winrm, local (did you mean ssh?)',
    ]);
  });
  it('checks the envelope first: apiVersion and kind', () => {
    expect(
      messages({
        'groups/g.yaml': 'apiVersion: patchctl/v2\nkind: Group\nmetadata: { name: g }\nspec: {}\n',
      }),
    ).toEqual([
      '1:13 unknown-api-version: apiVersion "patchctl/v2" is not supported; this patchctl reads patchctl/v1',
    ]);
    expect(
      messages({
        'groups/g.yaml': 'apiVersion: patchctl/v1\nkind: Grup\nmetadata: { name: g }\nspec: {}\n',
      })[0],
    ).toMatch(/^2:7 unknown-kind: unknown kind "Grup" \(did you mean Group\?\)/);
    expect(messages({ 'groups/g.yaml': '- a\n- b\n' })).toEqual([
      '1:1 not-a-document: expected a mapping with apiVersion, kind, metadata and spec',
    ]);
    // Said once: not also as the schema's "missing required field apiVersion".
    expect(messages({ 'groups/g.yaml': 'kind: Group\nmetadata: { name: g }\nspec: {}\n' })).toEqual([
      '1:1 missing-api-version: add "apiVersion: patchctl/v1"',
    ]);
  });
  it('keeps the Config in patchctl.yaml and only there', () => {
    expect(messages({ 'groups/c.yaml': MINIMAL_CONFIG })).toEqual([
      '2:7 misplaced-config: a Config document belongs in patchctl.yaml, not here',
    ]);
    expect(messages({ 'patchctl.yaml': `${MINIMAL_CONFIG}---\n${doc('Group', 'g', 'hosts: []')}` })).toEqual([
      '9:7 misplaced-document: patchctl.yaml holds the Config only; put this Group in its own folder',
    ]);
  });
  it('collects every problem of every file, sorted by position', () => {
    const d = check({
      'groups/a.yaml': doc('Group', 'a', 'hosts: [x]\nbogus: 1'),
      'groups/b.yaml': 'a: [\n',
      'inventory/i.yaml': doc('Inventory', 'i', 'hosts:\n  - name: "bad name"'),
    }).diagnostics;
    expect(where(d)).toEqual([
      'groups/a.yaml:7:3 error unknown-field',
      'groups/b.yaml:2:1 error yaml-syntax',
      'inventory/i.yaml:7:13 error invalid-value',
    ]);
  });
});
