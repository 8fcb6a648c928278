// The output of a driver's sh script: several commands' outputs in named sections, so that one round
// trip answers several questions. The script prints, before each part,
//
//     @@patchctl:NAME@@            (NAME: [a-z][a-z0-9-]*)
//
// optionally `@@patchctl:rc=N@@` after a command whose exit status matters, and `@@patchctl:end@@`
// last: a missing end marker means the output was cut short.
import { DriverOutputError, excerptOf, resultExcerpt } from './errors.js';
import type { CommandResult } from './types.js';

export interface Section {
  /** The section's lines, without the markers, leading and trailing blank lines removed. */
  text: string;
  /** The exit status the script recorded in the section, if any. */
  rc?: number;
}

const MARKER = /^@@patchctl:([a-z][a-z0-9-]*)@@$/;
const RC_MARKER = /^@@patchctl:rc=(\d{1,3})@@$/;

/** Splits a script's stdout into its sections; `complete` says whether the end marker was seen. */
export function splitSections(stdout: string): { sections: Map<string, Section>; complete: boolean } {
  const sections = new Map<string, Section>();
  let current: { name: string; lines: string[]; rc?: number } | undefined;
  let complete = false;
  const close = () => {
    if (current === undefined) return;
    const section: Section = { text: trimBlankLines(current.lines) };
    if (current.rc !== undefined) section.rc = current.rc;
    sections.set(current.name, section);
  };
  for (const raw of stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const rc = RC_MARKER.exec(line);
    if (rc !== null) {
      if (current !== undefined) current.rc = Number(rc[1]);
      continue;
    }
    const marker = MARKER.exec(line);
    if (marker !== null) {
      close();
      const name = marker[1] ?? '';
      if (name === 'end') {
        complete = true;
        current = undefined;
        break;
      }
      current = { name, lines: [] };
      continue;
    }
    current?.lines.push(line);
  }
  if (!complete) close();
  return { sections, complete };
}

function trimBlankLines(lines: readonly string[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end).join('\n');
}

/**
 * The sections of a script's result, checked: the script ran to its end marker, and every `required`
 * section is there. Anything else is a DriverOutputError.
 */
export function readSections(
  driver: string,
  what: string,
  out: CommandResult,
  required: readonly string[],
): Map<string, Section> {
  if (out.timedOut === true) throw new DriverOutputError(driver, `${what}: timed out`, resultExcerpt(out));
  if (out.truncated === true)
    throw new DriverOutputError(driver, `${what}: output was truncated`, resultExcerpt(out));
  const { sections, complete } = splitSections(out.stdout);
  if (!complete || out.exitCode !== 0) {
    const how =
      out.exitCode === null ? `ended by ${out.signal ?? 'a signal'}` : `exit status ${out.exitCode}`;
    throw new DriverOutputError(
      driver,
      `${what}: the script did not run to its end (${how})`,
      resultExcerpt(out),
    );
  }
  const missing = required.filter((name) => !sections.has(name));
  if (missing.length > 0) {
    throw new DriverOutputError(
      driver,
      `${what}: the output lacks the section${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      excerptOf(out.stdout),
    );
  }
  return sections;
}
