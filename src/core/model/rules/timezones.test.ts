import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { timezones } from './timezones.js';

describe('timezones', () => {
  it('accepts IANA zones everywhere and flags others with a suggestion', () => {
    const d = runRule(timezones, {
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'defaults:\n  timezone: Europe/Berlin\nhosts:\n  - name: a\n    timezone: europe/paris\n  - name: b\n    timezone: Mars/Olympus',
      ),
      'groups/g.yaml': doc('Group', 'g', 'hosts: [a]'),
      'windows/w.yaml': doc(
        'MaintenanceWindow',
        'w',
        'timezone: America/NewYork\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 1h\ngroups: [g]',
      ),
    });
    expect(where(d)).toEqual([
      'inventory/a.yaml:10:17 error unknown-timezone',
      'inventory/a.yaml:12:17 error unknown-timezone',
      'windows/w.yaml:6:13 error unknown-timezone',
    ]);
    expect(d[0]?.message).toContain('did you mean Europe/Paris?');
  });
});
