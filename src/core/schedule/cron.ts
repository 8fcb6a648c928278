// A strict parser for five-field cron expressions: minute hour day-of-month month day-of-week.
//
// Each field is `*` or a comma list of `N`, `A-B`, `*/S` and `A-B/S`; months and weekdays may be
// names (JAN..DEC, SUN..SAT, any case), also in ranges (MON-FRI, SAT-SUN); 0 and 7 both mean Sunday.
// Day matching follows Vixie cron: when both day fields are restricted (neither starts with `*`),
// a day matches if either field matches; otherwise both must match.
// Macros: @yearly (@annually), @monthly, @weekly, @daily (@midnight) and @hourly. Rejected:
// @reboot, six-field (seconds or year) expressions, `N/S` without a range, `L`, `W`, `#`, `?`.

import type { ParseResult } from './result.js';
import { parseFailure, parsed } from './result.js';
import type { CronSchedule } from './types.js';

type FieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

interface FieldSpec {
  name: FieldName;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day-of-week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

class CronError extends Error {}

export function parseCron(input: string): ParseResult<CronSchedule> {
  try {
    return parsed(parseOrThrow(input));
  } catch (error) {
    if (error instanceof CronError) return parseFailure(error.message);
    throw error;
  }
}

function parseOrThrow(input: string): CronSchedule {
  const text = input.trim();
  if (text === '') throw new CronError('the cron expression is empty: expected e.g. "0 2 * * 0"');
  let fieldsText = text;
  if (text.startsWith('@')) {
    const macro = MACROS[text.toLowerCase()];
    if (text.toLowerCase() === '@reboot') {
      throw new CronError('@reboot is not a schedule: a window needs times, e.g. @weekly or "0 2 * * 0"');
    }
    if (macro === undefined) {
      throw new CronError(`unknown macro "${text}": expected @yearly, @monthly, @weekly, @daily or @hourly`);
    }
    fieldsText = macro;
  }
  const parts = fieldsText.split(/[ \t]+/);
  if (parts.length !== 5) {
    const extra =
      parts.length === 6
        ? ' (seconds and year fields are not supported)'
        : parts.length > 6
          ? ' (only five fields; no command)'
          : '';
    throw new CronError(
      `expected five fields (minute hour day-of-month month day-of-week), found ${parts.length}${extra}`,
    );
  }
  const [minute, hour, dom, month, dow] = FIELDS.map((spec, i) => parseField(spec, parts[i] ?? ''));
  if (!minute || !hour || !dom || !month || !dow) throw new CronError('internal: missing field');
  return {
    kind: 'cron',
    text,
    minutes: minute,
    hours: hour,
    daysOfMonth: dom,
    months: month,
    daysOfWeek: [...new Set(dow.map((d) => (d === 7 ? 0 : d)))].sort((a, b) => a - b),
    daysOfMonthRestricted: !(parts[2] ?? '').startsWith('*'),
    daysOfWeekRestricted: !(parts[4] ?? '').startsWith('*'),
  };
}

function parseField(spec: FieldSpec, text: string): number[] {
  const problem = (message: string): CronError => new CronError(`${spec.name} field "${text}": ${message}`);
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw problem('empty list item');
    const match = /^([^/]+)(?:\/(.*))?$/.exec(item);
    const rangeText = match?.[1];
    if (match === null || rangeText === undefined) throw problem(`"${item}" is not a value, range or step`);
    let step = 1;
    if (match[2] !== undefined) {
      if (!/^[0-9]+$/.test(match[2]) || Number(match[2]) < 1) {
        throw problem(`step "${match[2]}" must be a whole number of at least 1`);
      }
      step = Number(match[2]);
    }
    let low: number;
    let high: number;
    if (rangeText === '*') {
      low = spec.min;
      high = spec.name === 'day-of-week' ? 6 : spec.max;
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) throw problem(`"${rangeText}" is not a value or a range A-B`);
      low = fieldValue(spec, bounds[0] ?? '', problem);
      high = bounds[1] === undefined ? low : fieldValue(spec, bounds[1], problem);
      if (bounds[1] === undefined && match[2] !== undefined) {
        throw problem(`a step needs a range or *, e.g. ${low}-${spec.max}/${step} or */${step}`);
      }
      // SAT-SUN: a range may end on Sunday written as a name.
      if (spec.name === 'day-of-week' && high === 0 && bounds[1]?.toUpperCase() === 'SUN') high = 7;
      if (low > high) throw problem(`range "${rangeText}" goes backwards`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function fieldValue(spec: FieldSpec, text: string, problem: (m: string) => CronError): number {
  const range = `${spec.min}..${spec.max}`;
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) throw problem(`${text} is out of range ${range}`);
    return n;
  }
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return spec.name === 'month' ? index + 1 : index;
  const names = spec.names ? ` or a name ${spec.names[0]}..${spec.names[spec.names.length - 1]}` : '';
  throw problem(`"${text}" is not a number ${range}${names}`);
}
