import { describe, expect, it } from '@jest/globals';
import type { CheckedFeed } from '../advisories.js';
import { resolveGroups } from '../groups.js';
import { check, doc, hosts, where } from '../../../test-support/repo-builder.js';
import { emergencyFeeds } from './emergency-feeds.js';

const policy = (feeds: string, enabled = true) => ({
  'inventory/a.yaml': hosts('web-1'),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'p',
    `appliesTo: { selector: { matchLabels: { role: web } } }\nwindows: []\nemergency:\n  enabled: ${enabled}\n  feeds: [${feeds}]`,
  ),
});
const kev = (ids: string[]): CheckedFeed => ({ file: 'advisories/kev.json', kind: 'kev', ids });

function run(files: Record<string, string>, advisoryFiles: string[], feeds: CheckedFeed[] | undefined) {
  const { repository } = check(files, { advisoryFiles });
  return emergencyFeeds(repository, {
    at: undefined as never,
    members: resolveGroups(repository),
    advisoryFiles: new Set(advisoryFiles),
    ...(feeds ? { feeds } : {}),
  });
}

describe('emergencyFeeds', () => {
  it('is quiet for a KEV catalogue the track reads', () => {
    expect(run(policy('kev.json'), ['kev.json'], [kev(['CVE-2025-48384'])])).toEqual([]);
  });
  it("warns on a file that is not read (CISA's kev.csv), at the file", () => {
    const d = run(policy('kev.json'), ['kev.json', 'kev.csv'], [kev(['CVE-2025-48384'])]);
    expect(where(d)).toEqual(['advisories/kev.csv:1:1 warning advisory-file-unread']);
    expect(d[0]?.message).toMatch(/^advisories\/kev\.csv is not read: patchctl reads JSON feeds only/);
  });
  it('warns at the policy when its emergency track names a file it reads nothing from', () => {
    const d = run(policy('kev.csv'), ['kev.json', 'kev.csv'], [kev(['CVE-2025-48384'])]);
    expect(where(d)).toEqual([
      'advisories/kev.csv:1:1 warning advisory-file-unread',
      'policies/p.yaml:10:13 warning emergency-feed-unread',
    ]);
  });
  it('warns when the catalogue the track reads is empty, unless the track is off', () => {
    expect(where(run(policy('kev.json'), ['kev.json'], [kev([])]))).toEqual([
      'policies/p.yaml:10:13 warning emergency-feed-empty',
    ]);
    expect(run(policy('kev.json', false), ['kev.json'], [kev([])])).toEqual([]);
  });
  it('finds feeds under a configured advisories folder', () => {
    const files = {
      ...policy('kev.json'),
      'patchctl.yaml':
        'apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: t\nspec:\n  paths:\n    advisories: feeds/\n',
    };
    expect(where(run(files, ['kev.json', 'x.txt'], [{ ...kev([]), file: 'feeds/kev.json' }]))).toEqual([
      'feeds/x.txt:1:1 warning advisory-file-unread',
      'policies/p.yaml:10:13 warning emergency-feed-empty',
    ]);
  });
});
