import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { windowsCoveringNoHost } from './windows-cover-no-host.js';

const files = (windows: string) => ({
  'inventory/a.yaml': hosts('web-1', 'db-1'),
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'db', 'selector:\n  matchLabels: { role: db }'),
  ].join('---\n'),
  'windows/w.yaml': ['web', 'db']
    .map((g) =>
      doc(
        'MaintenanceWindow',
        `${g}-saturday`,
        `timezone: UTC\nrrule: FREQ=WEEKLY;BYDAY=SA;BYHOUR=2\nduration: 4h\ngroups: [${g}]`,
      ),
    )
    .join('---\n'),
  'policies/p.yaml': doc('PatchPolicy', 'p', `appliesTo: { groups: [web] }\n${windows}`),
});

describe('windowsCoveringNoHost', () => {
  it('is quiet when a window is for some of its hosts, or when it has none', () => {
    expect(runRule(windowsCoveringNoHost, files('windows: [web-saturday]'))).toEqual([]);
    expect(runRule(windowsCoveringNoHost, files('windows: [db-saturday, web-saturday]'))).toEqual([]);
    expect(runRule(windowsCoveringNoHost, files('windows: []'))).toEqual([]);
  });
  it("warns when none of the policy's windows is for any of its hosts", () => {
    const d = runRule(windowsCoveringNoHost, files('windows: [db-saturday]'));
    expect(where(d)).toEqual(['policies/p.yaml:7:3 warning windows-cover-no-host']);
    expect(d[0]?.message).toContain(
      'none of policy "p"\'s windows (db-saturday) is for any of its 1 host(s)',
    );
  });
});
