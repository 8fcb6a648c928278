// A strict parser for the part of RFC 5545 RRULE that maintenance windows need.
//
// Accepted parts: FREQ (HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY), INTERVAL, BYDAY, BYMONTHDAY,
// BYMONTH, BYHOUR, BYMINUTE, BYSETPOS, WKST and UNTIL (YYYYMMDD or YYYYMMDDTHHMMSSZ). Names and
// values are case-insensitive, as in RFC 5545; an optional leading `RRULE:` is allowed.
//
// Rejected: COUNT (a window recurs until the rule changes; UNTIL ends it, a Blackout freezes a
// fixed period), BYSECOND, BYWEEKNO, BYYEARDAY, SECONDLY and MINUTELY, unknown or repeated parts,
// values out of range or repeated, and rules that would need a DTSTART to be complete: there is
// no DTSTART, so DAILY and longer rules need BYHOUR (BYMINUTE defaults to 0), WEEKLY needs BYDAY,
// MONTHLY needs BYMONTHDAY or BYDAY, YEARLY needs BYMONTHDAY or BYDAY (with BYMONTH if wanted).
//
// INTERVAL counts periods from 1970-01-01 in the window's local calendar (weeks start on WKST),
// which stands in for the missing DTSTART.

import type { ParseResult } from './result.js';
import { parseFailure, parsed } from './result.js';
import type { RRule, RRuleFrequency, RRuleUntil, Weekday, WeekdayNum } from './types.js';
import { WEEKDAYS } from './types.js';

type PartName =
  | 'FREQ'
  | 'INTERVAL'
  | 'BYDAY'
  | 'BYMONTHDAY'
  | 'BYMONTH'
  | 'BYHOUR'
  | 'BYMINUTE'
  | 'BYSETPOS'
  | 'WKST'
  | 'UNTIL';

const PARTS: readonly PartName[] = [
  'FREQ',
  'INTERVAL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYHOUR',
  'BYMINUTE',
  'BYSETPOS',
  'WKST',
  'UNTIL',
];

const UNSUPPORTED: Record<string, string> = {
  COUNT:
    'COUNT is not supported: a window recurs until the rule changes; use UNTIL to end it, or a Blackout for a fixed period',
  BYSECOND: 'BYSECOND is not supported: windows open on a whole minute',
  BYWEEKNO: 'BYWEEKNO is not supported: use BYMONTH with BYDAY or BYMONTHDAY',
  BYYEARDAY: 'BYYEARDAY is not supported: use BYMONTH with BYMONTHDAY',
  DTSTART: 'DTSTART is not part of an RRULE: say when the window opens with BYHOUR and BYMINUTE',
};

const FREQUENCIES: readonly RRuleFrequency[] = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];

const NEEDS_HOUR = 'add BYHOUR (and BYMINUTE) to say when the window opens';

class RuleError extends Error {}

function fail(message: string): never {
  throw new RuleError(message);
}

export function parseRRule(input: string): ParseResult<RRule> {
  try {
    return parsed(parseOrThrow(input));
  } catch (error) {
    if (error instanceof RuleError) return parseFailure(error.message);
    throw error;
  }
}

function parseOrThrow(input: string): RRule {
  let text = input.trim();
  if (/^RRULE:/i.test(text)) text = text.slice('RRULE:'.length);
  if (text === '') fail('the rule is empty: expected e.g. FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0');

  const values = new Map<PartName, string>();
  for (const part of text.split(';')) {
    if (part === '') fail('empty part: remove the stray ";"');
    const eq = part.indexOf('=');
    if (eq < 0) fail(`part "${part}": expected NAME=VALUE`);
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1).toUpperCase();
    const unsupported = UNSUPPORTED[name];
    if (unsupported !== undefined) fail(unsupported);
    if (!(PARTS as readonly string[]).includes(name)) {
      fail(`unknown part "${part.slice(0, eq)}": expected one of ${PARTS.join(', ')}`);
    }
    const partName = name as PartName;
    if (values.has(partName)) fail(`${partName} is given twice`);
    if (value === '') fail(`${partName} has no value`);
    if (/\s/.test(value)) fail(`${partName} value "${value}": remove the spaces`);
    values.set(partName, value);
  }

  const freqText = values.get('FREQ');
  if (freqText === undefined) fail('FREQ is missing: start with e.g. FREQ=MONTHLY');
  if (!(FREQUENCIES as readonly string[]).includes(freqText)) {
    fail(`FREQ value "${freqText}": expected HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY`);
  }
  const freq = freqText as RRuleFrequency;

  const rule: RRule = { kind: 'rrule', text, freq, interval: 1, wkst: 'MO' };

  const interval = values.get('INTERVAL');
  if (interval !== undefined) {
    if (!/^[0-9]+$/.test(interval) || Number(interval) < 1 || !Number.isSafeInteger(Number(interval))) {
      fail(`INTERVAL value "${interval}": expected a whole number of at least 1`);
    }
    rule.interval = Number(interval);
  }

  const byMonth = values.get('BYMONTH');
  if (byMonth !== undefined) rule.byMonth = numberList('BYMONTH', byMonth, 1, 12, false);
  const byMonthDay = values.get('BYMONTHDAY');
  if (byMonthDay !== undefined) rule.byMonthDay = numberList('BYMONTHDAY', byMonthDay, 1, 31, true);
  const byHour = values.get('BYHOUR');
  if (byHour !== undefined) rule.byHour = numberList('BYHOUR', byHour, 0, 23, false);
  const byMinute = values.get('BYMINUTE');
  if (byMinute !== undefined) rule.byMinute = numberList('BYMINUTE', byMinute, 0, 59, false);
  const bySetPos = values.get('BYSETPOS');
  if (bySetPos !== undefined) rule.bySetPos = numberList('BYSETPOS', bySetPos, 1, 366, true);
  const byDay = values.get('BYDAY');
  if (byDay !== undefined) rule.byDay = weekdayList(byDay, freq, byMonth !== undefined);

  const wkst = values.get('WKST');
  if (wkst !== undefined) {
    if (!(WEEKDAYS as readonly string[]).includes(wkst)) {
      fail(`WKST value "${wkst}": expected MO, TU, WE, TH, FR, SA or SU`);
    }
    rule.wkst = wkst as Weekday;
  }

  const until = values.get('UNTIL');
  if (until !== undefined) rule.until = parseUntil(until);

  checkComplete(rule);
  return rule;
}

/** Rules that need a DTSTART to say which day or time would be ambiguous: ask for the part. */
function checkComplete(rule: RRule): void {
  if (rule.byMonthDay !== undefined && rule.freq === 'WEEKLY') {
    fail('BYMONTHDAY cannot be used with FREQ=WEEKLY: use FREQ=MONTHLY, or BYDAY to pick days of the week');
  }
  if (rule.freq !== 'HOURLY' && rule.byHour === undefined) fail(NEEDS_HOUR);
  const hasDay = rule.byDay !== undefined || rule.byMonthDay !== undefined;
  if (rule.freq === 'WEEKLY' && rule.byDay === undefined) {
    fail('FREQ=WEEKLY needs BYDAY to say which day(s) of the week, e.g. BYDAY=SA');
  }
  if (rule.freq === 'MONTHLY' && !hasDay) {
    fail('FREQ=MONTHLY needs BYMONTHDAY or BYDAY to say which day(s) of the month, e.g. BYDAY=2TU');
  }
  if (rule.freq === 'YEARLY' && !hasDay) {
    fail(
      'FREQ=YEARLY needs BYMONTHDAY or BYDAY (with BYMONTH) to say which day(s), e.g. BYMONTH=12;BYMONTHDAY=24',
    );
  }
  if (
    rule.bySetPos !== undefined &&
    rule.byDay === undefined &&
    rule.byMonthDay === undefined &&
    rule.byMonth === undefined &&
    rule.byHour === undefined &&
    rule.byMinute === undefined
  ) {
    fail('BYSETPOS needs another BY part (BYDAY, BYMONTHDAY, BYMONTH, BYHOUR or BYMINUTE) to pick from');
  }
}

function numberList(part: PartName, text: string, min: number, max: number, signed: boolean): number[] {
  const range = signed ? `${min}..${max} or -${min}..-${max}` : `${min}..${max}`;
  const seen = new Set<number>();
  for (const item of text.split(',')) {
    const pattern = signed ? /^[+-]?[0-9]+$/ : /^[0-9]+$/;
    if (!pattern.test(item)) fail(`${part} value "${item}": expected a whole number ${range}`);
    const n = Number(item);
    const magnitude = Math.abs(n);
    if (magnitude < min || magnitude > max || (!signed && n < 0)) {
      fail(`${part} value "${item}": must be ${range}`);
    }
    if (seen.has(n)) fail(`${part} value "${item}" is given twice`);
    seen.add(n);
  }
  return [...seen].sort((a, b) => a - b);
}

function weekdayList(text: string, freq: RRuleFrequency, hasByMonth: boolean): WeekdayNum[] {
  const list: WeekdayNum[] = [];
  const seen = new Set<string>();
  for (const item of text.split(',')) {
    const match = /^([+-]?[0-9]{1,2})?([A-Z]{2})$/.exec(item);
    const weekday = match?.[2];
    if (match === null || weekday === undefined || !(WEEKDAYS as readonly string[]).includes(weekday)) {
      fail(
        `BYDAY value "${item}": expected MO, TU, WE, TH, FR, SA or SU, optionally after an ordinal as in 2TU or -1FR`,
      );
    }
    const entry: WeekdayNum = { weekday: weekday as Weekday };
    const ordinalText = match[1];
    if (ordinalText !== undefined) {
      const ordinal = Number(ordinalText);
      if (freq !== 'MONTHLY' && freq !== 'YEARLY') {
        fail(`BYDAY value "${item}": an ordinal (the 2 in 2TU) needs FREQ=MONTHLY or FREQ=YEARLY`);
      }
      const max = freq === 'YEARLY' && !hasByMonth ? 53 : 5;
      if (ordinal === 0 || Math.abs(ordinal) > max) {
        fail(`BYDAY value "${item}": ordinal must be 1..${max} or -1..-${max}`);
      }
      entry.ordinal = ordinal;
    }
    const key = `${entry.ordinal ?? ''}${entry.weekday}`;
    if (seen.has(key)) fail(`BYDAY value "${item}" is given twice`);
    seen.add(key);
    list.push(entry);
  }
  return list;
}

function parseUntil(text: string): RRuleUntil {
  const match = /^([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})Z)?$/.exec(text);
  if (match === null) {
    fail(`UNTIL value "${text}": expected a date YYYYMMDD or a UTC time YYYYMMDDTHHMMSSZ`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970) fail(`UNTIL value "${text}": must be 1970 or later`);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    fail(`UNTIL value "${text}": ${match[1]}-${match[2]}-${match[3]} is not a date`);
  }
  if (match[4] === undefined) return { kind: 'date', year, month, day };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (hour > 23 || minute > 59 || second > 59) {
    fail(`UNTIL value "${text}": ${match[4]}:${match[5]}:${match[6]} is not a time of day`);
  }
  return { kind: 'instant', epochMillis: Date.UTC(year, month - 1, day, hour, minute, second) };
}
