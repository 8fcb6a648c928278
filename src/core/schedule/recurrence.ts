// A window's or blackout's recurrence: exactly one of `rrule` and `cron`.

import { parseCron } from './cron.js';
import type { ParseResult } from './result.js';
import { parseFailure } from './result.js';
import { parseRRule } from './rrule.js';
import type { Recurrence } from './types.js';

export interface RecurrenceText {
  rrule?: string;
  cron?: string;
}

export function parseRecurrence(spec: RecurrenceText): ParseResult<Recurrence> {
  if (spec.rrule !== undefined && spec.cron !== undefined) {
    return parseFailure('give either rrule or cron, not both');
  }
  if (spec.rrule !== undefined) return parseRRule(spec.rrule);
  if (spec.cron !== undefined) return parseCron(spec.cron);
  return parseFailure(
    'give a recurrence: rrule (e.g. FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22) or cron (e.g. "0 2 * * 0")',
  );
}
