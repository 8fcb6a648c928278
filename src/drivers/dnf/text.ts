// Small helpers shared by the dnf parsers.
import { DriverOutputError, excerptOf } from '../errors.js';

export const DRIVER = 'dnf';

export const fail = (message: string, excerpt: string): DriverOutputError =>
  new DriverOutputError(DRIVER, message, excerptOf(excerpt));

export const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

export const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** A line quoted in an error message: at most 200 characters. */
export const quoteLine = (line: string): string => JSON.stringify(line.slice(0, 200));
