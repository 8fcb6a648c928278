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
  it("reads CISA's kev.csv and EPSS now: no warning for a CSV that is a feed", () => {
    const csv: CheckedFeed = { file: 'advisories/kev.csv', kind: 'kev', ids: ['CVE-2025-48384'] };
    const epss: CheckedFeed = { file: 'advisories/epss.csv', kind: 'epss', ids: [] };
    expect(run(policy('kev.csv'), ['kev.csv', 'epss.csv'], [csv, epss])).toEqual([]);
  });
  it('warns on a file that is none of the kinds patchctl reads, at the file', () => {
    const d = run(policy('kev.json'), ['kev.json', 'kev.csv.gz', 'hosts.csv'], [kev(['CVE-2025-48384'])]);
    expect(where(d)).toEqual([
      'advisories/hosts.csv:1:1 warning advisory-file-unread',
      'advisories/kev.csv.gz:1:1 warning advisory-file-unread',
    ]);
    expect(d[0]?.message).toMatch(
      /^advisories\/hosts\.csv is not read: patchctl reads CISA KEV \(JSON or CSV\), EPSS \(CSV\), OSV records/,
    );
  });
  it('says nothing of a CSV when the feeds were not checked (a rule run alone)', () => {
    expect(where(run(policy('kev.json'), ['kev.json', 'kev.csv', 'x.txt'], undefined))).toEqual([
      'advisories/x.txt:1:1 warning advisory-file-unread',
    ]);
  });
  it('warns at the policy when its emergency track names a file it reads nothing from', () => {
    const d = run(policy('kev.csv'), ['kev.json', 'kev.csv'], [kev(['CVE-2025-48384'])]);
    expect(where(d)).toEqual([
      'advisories/kev.csv:1:1 warning advisory-file-unread',
      'policies/p.yaml:10:13 warning emergency-feed-unread',
    ]);
  });
  it('warns at the policy when its emergency track names EPSS scores, which list no advisory', () => {
    const epss: CheckedFeed = { file: 'advisories/epss.csv', kind: 'epss', ids: [] };
    const d = run(policy('epss.csv'), ['epss.csv'], [epss]);
    expect(where(d)).toEqual(['policies/p.yaml:10:13 warning emergency-feed-unread']);
    expect(d[0]?.message).toMatch(/it is EPSS scores, not a list of advisories \(set `emergency.epss: true`/);
  });
  it('does not also call a refused feed empty (its errors say why)', () => {
    expect(
      run(policy('kev.csv'), ['kev.csv'], [{ ...kev([]), file: 'advisories/kev.csv', refused: true }]),
    ).toEqual([]);
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
