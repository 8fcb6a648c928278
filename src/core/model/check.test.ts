import { describe, expect, it } from '@jest/globals';
import { bundledSchemas } from '../../engine/schemas.js';
import { DEFAULT_AT, MINIMAL_CONFIG, check, doc, hosts, where } from '../../test-support/repo-builder.js';
import { checkRepository } from './check.js';
import { whatIsDriven } from '../../drivers/api.js';

const DRIVEN = whatIsDriven();

describe('checkRepository', () => {
  it.each([
    ['empty', ''],
    ['comments only', '# to be written\n---\n# later\n'],
  ])('refuses a patchctl.yaml that holds no Config (%s)', (_what, text) => {
    const d = check({ 'patchctl.yaml': text }).diagnostics;
    expect(where(d)).toEqual(['patchctl.yaml:1:1 error missing-config']);
    expect(d[0]?.message).toMatch(/holds no Config document/);
  });

  it('does not add "no Config" to the YAML errors of a broken patchctl.yaml', () => {
    expect(check({ 'patchctl.yaml': 'a: [\n' }).diagnostics.map((d) => d.code)).toEqual(['yaml-syntax']);
  });

  it('says nothing of a missing patchctl.yaml that the caller could not read (and reported)', () => {
    const r = checkRepository({
      files: [],
      schemas: bundledSchemas(),
      at: DEFAULT_AT,
      unreadable: new Set(['patchctl.yaml']),
      driven: DRIVEN,
    });
    expect(r.diagnostics).toEqual([]);
    const missing = checkRepository({ files: [], schemas: bundledSchemas(), at: DEFAULT_AT, driven: DRIVEN });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['missing-config']);
  });

  it('keeps the names of documents with YAML errors, so references to them do not fail too', () => {
    const r = check({
      'patchctl.yaml': MINIMAL_CONFIG,
      // A syntax error in the Group, a bad alias in the inventory.
      'groups/web.yaml': doc('Group', 'web', 'hosts: [web-1\nexclude: []'),
      'inventory/a.yaml': hosts('web-1').replace('labels: { role: web }', 'labels: *nope'),
      'groups/all.yaml': doc('Group', 'all', 'groups: [web, webs]\nhosts: [web-1, web-2]'),
    });
    expect(where(r.diagnostics)).toEqual([
      'groups/all.yaml:6:17 error unknown-group',
      'groups/all.yaml:7:18 error unknown-host',
      'groups/web.yaml:7:3 error yaml-syntax',
      'inventory/a.yaml:8:15 error yaml-bad-alias',
    ]);
    // Names only: the broken documents are not in the repository.
    expect(r.repository.groups.map((g) => g.doc.metadata.name)).toEqual(['all']);
    expect(r.repository.inventories).toEqual([]);
  });
});
