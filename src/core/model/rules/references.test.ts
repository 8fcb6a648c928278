import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { unresolvedReferences } from './references.js';

const base = {
  'inventory/a.yaml': hosts('web-1', 'db-1'),
  'groups/web.yaml': doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
};

describe('unresolvedReferences', () => {
  it('flags an unknown group in a policy with a suggestion', () => {
    const d = runRule(unresolvedReferences, {
      ...base,
      'policies/p.yaml': doc('PatchPolicy', 'p', 'appliesTo:\n  groups: [web, wbe]'),
    });
    expect(where(d)).toEqual(['policies/p.yaml:7:19 error unknown-group']);
    expect(d[0]?.message).toBe('group "wbe" is not defined (did you mean "web"?)');
  });

  it('checks windows and rollouts named by policies', () => {
    const d = runRule(unresolvedReferences, {
      ...base,
      'policies/p.yaml': doc(
        'PatchPolicy',
        'p',
        'appliesTo: { groups: [web] }\nwindows: [nightly]\nrollout: main',
      ),
    });
    expect(where(d)).toEqual([
      'policies/p.yaml:7:13 error unknown-window',
      'policies/p.yaml:8:12 error unknown-rollout',
    ]);
  });

  it('checks groups in rollouts, windows, blackouts, exceptions and groups', () => {
    const d = runRule(unresolvedReferences, {
      ...base,
      'groups/all.yaml': doc('Group', 'all', 'groups: [web, nope1]\nhosts: [web-1, ghost]'),
      'rollouts/r.yaml': doc('Rollout', 'r', 'appliesTo: [nope2]\nrings:\n  - name: a\n    groups: [nope3]'),
      'windows/w.yaml': doc(
        'MaintenanceWindow',
        'w',
        'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=1\nduration: 1h\ngroups: [nope4]',
      ),
      'windows/b.yaml': doc(
        'Blackout',
        'b',
        'start: "2026-12-20T00:00:00Z"\nend: "2027-01-02T00:00:00Z"\ngroups: [nope5]',
      ),
      'exceptions/e.yaml': doc(
        'PatchException',
        'e',
        'groups: [nope6]\nhosts: [ghost2]\npackages: [openssl]\nreason: legacy app needs it\nowner: ops\nexpires: "2026-12-20"',
      ),
    });
    expect(d.map((x) => x.message)).toEqual(
      expect.arrayContaining([
        'group "nope1" is not defined',
        'host "ghost" is not defined',
        'group "nope2" is not defined',
        'group "nope3" is not defined',
        'group "nope4" is not defined',
        'group "nope5" is not defined',
        'group "nope6" is not defined',
        'host "ghost2" is not defined',
      ]),
    );
    expect(d).toHaveLength(8);
  });

  it('needs emergency feeds to exist under advisories/', () => {
    const files = {
      ...base,
      'policies/p.yaml': doc(
        'PatchPolicy',
        'p',
        'appliesTo: { groups: [web] }\nemergency:\n  enabled: true\n  feeds: [kev.json]',
      ),
    };
    expect(where(runRule(unresolvedReferences, files))).toEqual([
      'policies/p.yaml:9:13 error unknown-advisory-feed',
    ]);
    expect(runRule(unresolvedReferences, files, { advisoryFiles: ['kev.json'] })).toEqual([]);
  });

  it('does not report a reference to a document that exists but is invalid', () => {
    const d = runRule(
      unresolvedReferences,
      {
        ...base,
        'groups/broken.yaml': doc('Group', 'broken', 'selector: 12'),
        'policies/p.yaml': doc('PatchPolicy', 'p', 'appliesTo: { groups: [broken] }'),
      },
      { allowInvalid: true },
    );
    expect(d).toEqual([]);
  });
});
