import { describe, expect, it } from '@jest/globals';

import { parseRecurrence } from './recurrence.js';

describe('parseRecurrence', () => {
  it('parses an rrule or a cron expression', () => {
    const rule = parseRecurrence({ rrule: 'FREQ=DAILY;BYHOUR=2' });
    expect(rule.ok && rule.value.kind).toBe('rrule');
    const cron = parseRecurrence({ cron: '0 2 * * 0' });
    expect(cron.ok && cron.value.kind).toBe('cron');
  });

  it('passes on the parser message', () => {
    expect(parseRecurrence({ cron: '0 2 * *' })).toEqual({
      ok: false,
      message: 'expected five fields (minute hour day-of-month month day-of-week), found 4',
    });
  });

  it('wants exactly one of them', () => {
    expect(parseRecurrence({ rrule: 'FREQ=DAILY;BYHOUR=2', cron: '0 2 * * 0' })).toEqual({
      ok: false,
      message: 'give either rrule or cron, not both',
    });
    const neither = parseRecurrence({});
    expect(!neither.ok && neither.message).toMatch(/^give a recurrence/);
  });
});
