import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { uniqueDocumentNames, uniqueHostNames } from './unique-names.js';

describe('uniqueHostNames', () => {
  it('flags the second definition and names the first', () => {
    const d = runRule(uniqueHostNames, {
      'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: web-01\n  - name: web-02'),
      'inventory/b.yaml': doc('Inventory', 'b', 'hosts:\n  - name: db-01\n  - name: web-01'),
    });
    expect(where(d)).toEqual(['inventory/b.yaml:8:13 error duplicate-host']);
    expect(d[0]?.message).toContain('inventory/a.yaml:7:13');
  });
  it('is quiet when names are unique', () => {
    expect(
      runRule(uniqueHostNames, {
        'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: a\n  - name: b'),
      }),
    ).toEqual([]);
  });
});

describe('uniqueDocumentNames', () => {
  it('flags two groups with one name, across files', () => {
    const d = runRule(uniqueDocumentNames, {
      'groups/a.yaml': doc('Group', 'web', 'hosts: []'),
      'groups/b.yaml': `${doc('Group', 'db', 'hosts: []')}---\n${doc('Group', 'web', 'hosts: []')}`,
    });
    expect(where(d)).toEqual(['groups/b.yaml:11:9 error duplicate-name']);
  });
  it('allows one name in different kinds', () => {
    const d = runRule(uniqueDocumentNames, {
      'groups/a.yaml': doc('Group', 'servers', 'hosts: []'),
      'windows/a.yaml': doc(
        'MaintenanceWindow',
        'servers',
        'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ngroups: [servers]',
      ),
    });
    expect(d).toEqual([]);
  });
});
