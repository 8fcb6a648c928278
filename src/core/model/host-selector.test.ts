import { describe, expect, it } from '@jest/globals';
import type { HostUniverse } from './host-selector.js';
import { selectHosts } from './host-selector.js';

const universe: HostUniverse = {
  hosts: ['web-1', 'web-2', 'web-3', 'db-01', 'db-02', 'lab-01'],
  groups: new Map<string, ReadonlySet<string>>([
    ['databases', new Set(['db-01', 'db-02'])],
    ['frontends', new Set(['web-1', 'web-2', 'web-3'])],
    ['empty', new Set()],
    // A group named like a host: both count.
    ['lab-01', new Set(['web-3'])],
  ]),
};

const select = (expression: string) => selectHosts(expression, universe);
const hosts = (expression: string): string[] => {
  const r = select(expression);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.hosts;
};
const problems = (expression: string): string[] => {
  const r = select(expression);
  if (r.ok) throw new Error(`selected ${r.hosts.join(', ')}`);
  return r.problems;
};

describe('selectHosts', () => {
  it('takes host names, comma-separated, in inventory order whatever the order given', () => {
    expect(hosts('db-01,web-2')).toEqual(['web-2', 'db-01']);
    expect(hosts(' web-1 , ,web-1,')).toEqual(['web-1']);
  });

  it('takes globs over host names: * any run, ? one character', () => {
    expect(hosts('web-*')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(hosts('db-0?')).toEqual(['db-01', 'db-02']);
    expect(hosts('*')).toEqual(universe.hosts);
  });

  it('takes group names: their members', () => {
    expect(hosts('databases')).toEqual(['db-01', 'db-02']);
    expect(hosts('databases,web-1')).toEqual(['web-1', 'db-01', 'db-02']);
    expect(hosts('lab-01')).toEqual(['web-3', 'lab-01']);
  });

  it('leaves out every !term, whatever its place; only !terms start from every host', () => {
    expect(hosts('web-*,!web-2')).toEqual(['web-1', 'web-3']);
    expect(hosts('!web-2,web-*')).toEqual(['web-1', 'web-3']);
    expect(hosts('frontends,databases,!db-0?')).toEqual(['web-1', 'web-2', 'web-3']);
    expect(hosts('!frontends')).toEqual(['db-01', 'db-02', 'lab-01']);
    expect(hosts('! databases,!lab-01')).toEqual(['web-1', 'web-2']);
  });

  it('refuses an unknown name, naming the closest host or group', () => {
    expect(problems('web1')).toEqual(['no host or group named "web1"; did you mean "web-1"?']);
    expect(problems('databse')).toEqual(['no host or group named "databse"; did you mean "databases"?']);
    expect(problems('WEB-2')).toEqual(['no host or group named "WEB-2"; did you mean "web-2"?']);
  });

  it('suggests the glob a part of host names needs, or lists a few names', () => {
    expect(problems('db')).toEqual([
      'no host or group named "db"; did you mean "*db*" (it matches 2 hosts)?',
    ]);
    expect(problems('nosuchhost')).toEqual([
      'no host or group named "nosuchhost" (hosts: web-1, web-2, web-3, db-01, db-02, … 6 in all; groups: databases, empty, frontends, lab-01)',
    ]);
  });

  it('refuses a glob that matches no host', () => {
    expect(problems('app-*')[0]).toMatch(/^no host matches "app-\*" \(hosts: web-1, /);
    expect(problems('b-0?')).toEqual(['no host matches "b-0?"; did you mean "*b-0?*" (it matches 3 hosts)?']);
  });

  it('refuses an unknown name in an exclusion: a typo there would patch the host meant to be spared', () => {
    expect(problems('web-*,!web2')).toEqual([
      'no host or group named "web2"; did you mean "web-2"? (in "!web2")',
    ]);
    expect(problems('!zz-*')[0]).toMatch(/^no host matches "zz-\*" .* \(in "!zz-\*"\)$/);
  });

  it('refuses an empty group, an empty list, a lone ! and a selection left empty', () => {
    expect(problems('empty')).toEqual(['group "empty" has no hosts']);
    expect(problems('')).toEqual([
      'names no host: give host names, globs (web-*) or group names, comma-separated',
    ]);
    expect(problems(' , ')).toHaveLength(1);
    expect(problems('web-1,!')).toEqual(['"!" alone excludes nothing: write !NAME']);
    expect(problems('web-1,!web-*')).toEqual([
      'selects no host: every host it names is excluded again with !',
    ]);
  });

  it('lists every problem at once', () => {
    expect(problems('web1,nosuch-*,databases,!db02')).toHaveLength(3);
  });

  it('explains the Ansible syntax it does not take', () => {
    const one = (e: string): string => problems(e)[0] ?? '';
    expect(one('web-1 web-2')).toMatch(/separate names with commas$/);
    expect(one('web-*:db-*')).toMatch(/not ':'$/);
    expect(one('frontends:&databases')).toMatch(/intersections \(&\) are not supported/);
    expect(one('~web-\\d')).toMatch(/regular expressions \(~\) are not supported/);
    expect(one('web-[1:2]')).toMatch(/ranges \(\[1:3\]\) are not supported/);
    expect(one('web-!1')).toMatch(/"!" excludes only at the start of a term/);
  });

  it('stays linear on hostile globs (core/plan/glob.ts)', () => {
    const many: HostUniverse = {
      hosts: Array.from({ length: 2000 }, (_, i) => `${'a'.repeat(100)}-${i}`),
      groups: new Map(),
    };
    const started = Date.now();
    const r = selectHosts(`${'*a'.repeat(30)}*b`, many);
    expect(r.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
