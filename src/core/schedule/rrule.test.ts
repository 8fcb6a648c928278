import { describe, expect, it } from '@jest/globals';

import { parseRRule } from './rrule.js';
import type { RRule } from './types.js';

function rule(text: string): RRule {
  const result = parseRRule(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

function message(text: string): string {
  const result = parseRRule(text);
  if (result.ok) throw new Error(`${text} parsed`);
  return result.message;
}

describe('parseRRule', () => {
  it('reads the second Tuesday of the month at 22:00', () => {
    expect(rule('FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0')).toEqual({
      kind: 'rrule',
      text: 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0',
      freq: 'MONTHLY',
      interval: 1,
      byDay: [{ weekday: 'TU', ordinal: 2 }],
      byHour: [22],
      byMinute: [0],
      wkst: 'MO',
    });
  });

  it('accepts a leading RRULE:, any case, and every supported part', () => {
    const parsed = rule(
      'RRULE:freq=yearly;interval=2;bymonth=12,1;bymonthday=-1,1;byday=-1fr,+2mo,SU;byhour=3,1;byminute=30,15;bysetpos=-1,1;wkst=su;until=20301231',
    );
    expect(parsed).toMatchObject({
      freq: 'YEARLY',
      interval: 2,
      byMonth: [1, 12],
      byMonthDay: [-1, 1],
      byDay: [{ weekday: 'FR', ordinal: -1 }, { weekday: 'MO', ordinal: 2 }, { weekday: 'SU' }],
      byHour: [1, 3],
      byMinute: [15, 30],
      bySetPos: [-1, 1],
      wkst: 'SU',
      until: { kind: 'date', year: 2030, month: 12, day: 31 },
    });
  });

  it('reads UNTIL as a UTC instant', () => {
    expect(rule('FREQ=DAILY;BYHOUR=2;UNTIL=20261231T230000Z').until).toEqual({
      kind: 'instant',
      epochMillis: Date.parse('2026-12-31T23:00:00Z'),
    });
  });

  it('accepts HOURLY without BYHOUR and ordinals up to 53 for YEARLY without BYMONTH', () => {
    expect(rule('FREQ=HOURLY;INTERVAL=4;BYMINUTE=0').interval).toBe(4);
    expect(rule('FREQ=YEARLY;BYDAY=20MO;BYHOUR=1').byDay).toEqual([{ weekday: 'MO', ordinal: 20 }]);
  });

  it('names the part in its messages', () => {
    expect(message('FREQ=MONTHLY;BYDAY=8TU;BYHOUR=22')).toBe(
      'BYDAY value "8TU": ordinal must be 1..5 or -1..-5',
    );
    expect(message('FREQ=YEARLY;BYDAY=54MO;BYHOUR=1')).toBe(
      'BYDAY value "54MO": ordinal must be 1..53 or -1..-53',
    );
    expect(message('FREQ=YEARLY;BYMONTH=3;BYDAY=-6MO;BYHOUR=1')).toMatch(/"-6MO": ordinal must be 1..5/);
    expect(message('FREQ=MONTHLY;BYDAY=0TU;BYHOUR=22')).toMatch(/"0TU": ordinal must be/);
    expect(message('FREQ=MONTHLY;BYDAY=TUE;BYHOUR=22')).toMatch(/^BYDAY value "TUE": expected MO, TU/);
    expect(message('FREQ=MONTHLY;BYMONTHDAY=32;BYHOUR=22')).toBe(
      'BYMONTHDAY value "32": must be 1..31 or -1..-31',
    );
    expect(message('FREQ=MONTHLY;BYMONTHDAY=0;BYHOUR=22')).toMatch(/^BYMONTHDAY value "0"/);
    expect(message('FREQ=MONTHLY;BYMONTHDAY=-32;BYHOUR=22')).toMatch(/^BYMONTHDAY value "-32"/);
    expect(message('FREQ=DAILY;BYHOUR=24')).toBe('BYHOUR value "24": must be 0..23');
    expect(message('FREQ=DAILY;BYHOUR=-1')).toMatch(/^BYHOUR value "-1"/);
    expect(message('FREQ=DAILY;BYHOUR=2;BYMINUTE=60')).toBe('BYMINUTE value "60": must be 0..59');
    expect(message('FREQ=DAILY;BYHOUR=2;BYMONTH=13')).toBe('BYMONTH value "13": must be 1..12');
    expect(message('FREQ=DAILY;BYHOUR=2;BYMONTH=1.5')).toMatch(
      /^BYMONTH value "1.5": expected a whole number/,
    );
    expect(message('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;BYHOUR=2')).toMatch(/^BYSETPOS value "0"/);
    expect(message('FREQ=MONTHLY;BYDAY=MO;BYSETPOS=367;BYHOUR=2')).toMatch(/^BYSETPOS value "367"/);
    expect(message('FREQ=DAILY;BYHOUR=2;INTERVAL=0')).toMatch(/^INTERVAL value "0"/);
    expect(message('FREQ=DAILY;BYHOUR=2;WKST=XX')).toMatch(/^WKST value "XX"/);
    expect(message('FREQ=DAILY;BYHOUR=2,2')).toBe('BYHOUR value "2" is given twice');
    expect(message('FREQ=MONTHLY;BYDAY=MO,MO;BYHOUR=2')).toBe('BYDAY value "MO" is given twice');
    expect(message('FREQ=DAILY;BYHOUR=2;BYHOUR=3')).toBe('BYHOUR is given twice');
    expect(message('FREQ=DAILY;BYHOUR=')).toBe('BYHOUR has no value');
    expect(message('FREQ=DAILY;BYHOUR=2, 3')).toMatch(/remove the spaces/);
  });

  it('rejects ordinals outside MONTHLY and YEARLY', () => {
    expect(message('FREQ=WEEKLY;BYDAY=2TU;BYHOUR=2')).toBe(
      'BYDAY value "2TU": an ordinal (the 2 in 2TU) needs FREQ=MONTHLY or FREQ=YEARLY',
    );
    expect(message('FREQ=DAILY;BYDAY=-1FR;BYHOUR=2')).toMatch(/^BYDAY value "-1FR": an ordinal/);
    expect(message('FREQ=HOURLY;BYDAY=1MO')).toMatch(/^BYDAY value "1MO": an ordinal/);
  });

  it('asks for the time of day', () => {
    for (const text of [
      'FREQ=DAILY',
      'FREQ=WEEKLY;BYDAY=SA',
      'FREQ=MONTHLY;BYDAY=2TU',
      'FREQ=YEARLY;BYMONTHDAY=1',
    ]) {
      expect(message(text)).toBe('add BYHOUR (and BYMINUTE) to say when the window opens');
    }
  });

  it('asks for the day where a DTSTART would otherwise decide it', () => {
    expect(message('FREQ=WEEKLY;BYHOUR=2')).toMatch(/FREQ=WEEKLY needs BYDAY/);
    expect(message('FREQ=MONTHLY;BYHOUR=2')).toMatch(/FREQ=MONTHLY needs BYMONTHDAY or BYDAY/);
    expect(message('FREQ=YEARLY;BYMONTH=12;BYHOUR=2')).toMatch(/FREQ=YEARLY needs BYMONTHDAY or BYDAY/);
    expect(message('FREQ=WEEKLY;BYMONTHDAY=1;BYDAY=MO;BYHOUR=2')).toMatch(
      /BYMONTHDAY cannot be used with FREQ=WEEKLY/,
    );
    expect(message('FREQ=HOURLY;BYSETPOS=1')).toMatch(/BYSETPOS needs another BY part/);
  });

  it('rejects COUNT, unsupported and unknown parts', () => {
    expect(message('FREQ=DAILY;BYHOUR=2;COUNT=5')).toMatch(/^COUNT is not supported: .*UNTIL.*Blackout/);
    expect(message('FREQ=DAILY;BYHOUR=2;BYSECOND=0')).toMatch(/^BYSECOND is not supported/);
    expect(message('FREQ=DAILY;BYHOUR=2;BYWEEKNO=1')).toMatch(/^BYWEEKNO is not supported/);
    expect(message('FREQ=DAILY;BYHOUR=2;BYYEARDAY=1')).toMatch(/^BYYEARDAY is not supported/);
    expect(message('FREQ=DAILY;BYHOUR=2;FOO=1')).toMatch(/^unknown part "FOO"/);
    expect(message('FREQ=DAILY;BYHOUR=2;X-NAME=1')).toMatch(/^unknown part "X-NAME"/);
  });

  it('rejects malformed text', () => {
    expect(message('')).toMatch(/^the rule is empty/);
    expect(message('RRULE:')).toMatch(/^the rule is empty/);
    expect(message('BYHOUR=2')).toBe('FREQ is missing: start with e.g. FREQ=MONTHLY');
    expect(message('FREQ=MINUTELY;BYHOUR=2')).toMatch(/^FREQ value "MINUTELY": expected HOURLY/);
    expect(message('FREQ=DAILY;BYHOUR=2;')).toMatch(/stray ";"/);
    expect(message('FREQ=DAILY;BYHOUR')).toBe('part "BYHOUR": expected NAME=VALUE');
    expect(message('FREQ=DAILY; BYHOUR=2')).toMatch(/^unknown part " BYHOUR"/);
  });

  it('checks UNTIL', () => {
    expect(message('FREQ=DAILY;BYHOUR=2;UNTIL=2026-12-31')).toMatch(
      /^UNTIL value "2026-12-31": expected a date YYYYMMDD/,
    );
    expect(message('FREQ=DAILY;BYHOUR=2;UNTIL=20261231T230000')).toMatch(/^UNTIL value .*UTC/);
    expect(message('FREQ=DAILY;BYHOUR=2;UNTIL=20260230')).toBe(
      'UNTIL value "20260230": 2026-02-30 is not a date',
    );
    expect(message('FREQ=DAILY;BYHOUR=2;UNTIL=20261231T240000Z')).toMatch(/is not a time of day/);
    expect(message('FREQ=DAILY;BYHOUR=2;UNTIL=19691231')).toMatch(/1970 or later/);
  });
});
