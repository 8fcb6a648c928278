// Dates and times written in documents: an instant with an offset, a local date-time in a
// zone, or a bare date (which, as an expiry, lasts through the end of that day).
import { DateTime } from 'luxon';

export type DateMeaning = 'start-of-day' | 'end-of-day';

/** Undefined when `text` is not a real date or time. */
export function parseInstant(text: string, zone: string, dateMeans: DateMeaning): DateTime | undefined {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dt = DateTime.fromISO(text, { zone, setZone: true });
  if (!dt.isValid) return undefined;
  if (dateOnly && dateMeans === 'end-of-day') return dt.plus({ days: 1 }).startOf('day');
  return dt;
}
