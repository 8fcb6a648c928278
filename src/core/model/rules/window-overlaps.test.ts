import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { windowOverlaps } from './window-overlaps.js';

const base = {
  'inventory/a.yaml': hosts('web-1', 'db-1'),
  'groups/g.yaml': [
    doc('Group', 'web', 'hosts: [web-1]'),
    doc('Group', 'db', 'hosts: [db-1]'),
    doc('Group', 'all', 'groups: [web, db]'),
  ].join('---\n'),
};
const win = (name: string, spec: string) => doc('MaintenanceWindow', name, spec);

describe('windowOverlaps', () => {
  it('warns when two windows open together for shared hosts, even in different zones', () => {
    const d = runRule(windowOverlaps, {
      ...base,
      'windows/w.yaml': [
        win(
          'berlin',
          'timezone: Europe/Berlin\nrrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3\nduration: 2h\ngroups: [web]',
        ),
        win(
          'ny',
          'timezone: America/New_York\nrrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;BYMINUTE=30\nduration: 2h\ngroups: [all]',
        ),
      ].join('---\n'),
    });
    // Sunday 20:30 New York is Monday 01:30 UTC: no overlap with Sunday 03:00-05:00 Berlin.
    expect(d).toEqual([]);
    // Saturday 21:30 New York is Sunday 02:30 UTC = 03:30 Berlin: inside the Berlin window.
    const d2 = runRule(windowOverlaps, {
      ...base,
      'windows/w.yaml': [
        win(
          'berlin',
          'timezone: Europe/Berlin\nrrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3\nduration: 2h\ngroups: [web]',
        ),
        win(
          'ny',
          'timezone: America/New_York\nrrule: FREQ=WEEKLY;BYDAY=SA;BYHOUR=21;BYMINUTE=30\nduration: 2h\ngroups: [all]',
        ),
      ].join('---\n'),
    });
    expect(where(d2)).toEqual(['windows/w.yaml:19:3 warning overlapping-windows']);
    expect(d2[0]?.message).toBe(
      'window "ny" overlaps window "berlin" for 1 host(s) (e.g. web-1), first at 2026-12-06T02:30:00Z',
    );
  });
  it('is quiet when the windows share no host', () => {
    const d = runRule(windowOverlaps, {
      ...base,
      'windows/w.yaml': [
        win('a', 'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ngroups: [web]'),
        win('b', 'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ngroups: [db]'),
      ].join('---\n'),
    });
    expect(d).toEqual([]);
  });
});
