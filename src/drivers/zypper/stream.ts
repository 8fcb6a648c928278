// zypper's `--xmlout` output is one `<stream>` document: `<message type="info|warning|error">`
// elements (what the text mode prints as lines), `<prompt>` elements (questions answered
// non-interactively), and the command's own result element (`<update-status>`, `<locks>`...).
import { DriverOutputError, excerptOf, resultExcerpt } from '../errors.js';
import type { CommandResult } from '../types.js';
import { parseXml, XmlSyntaxError, type XmlElement } from './xml.js';

export const DRIVER = 'zypper';

export interface ZypperMessage {
  type: string;
  text: string;
}

export interface ZypperStream {
  root: XmlElement;
  /** Every `<message>`, in order, text trimmed. */
  messages: ZypperMessage[];
}

export const fail = (detail: string, excerpt: string): DriverOutputError =>
  new DriverOutputError(DRIVER, detail, excerptOf(excerpt));

/** Why a result cannot be read at all (timed out, cut short, killed), or undefined. */
export function unreadable(out: CommandResult): string | undefined {
  if (out.timedOut === true) return 'timed out';
  if (out.truncated === true) return 'output truncated';
  if (out.exitCode === null) return `ended by ${out.signal ?? 'a signal'}`;
  return undefined;
}

/** Reads the `<stream>` of `what` (e.g. `zypper list-updates`); throws DriverOutputError. */
export function readStream(what: string, out: CommandResult): ZypperStream {
  const why = unreadable(out);
  if (why !== undefined) throw new DriverOutputError(DRIVER, `${what}: ${why}`, resultExcerpt(out));
  let root: XmlElement;
  try {
    root = parseXml(out.stdout);
  } catch (e) {
    if (!(e instanceof XmlSyntaxError)) throw e;
    const detail =
      out.stdout.trim() === ''
        ? `${what} printed no XML (exit status ${String(out.exitCode)})`
        : `${what}: unreadable XML: ${e.message}`;
    throw new DriverOutputError(DRIVER, detail, resultExcerpt(out), undefined, { cause: e });
  }
  if (root.name !== 'stream') throw fail(`${what}: the XML root is <${root.name}>, not <stream>`, out.stdout);
  const messages = root.children
    .filter((c) => c.name === 'message')
    .map((m) => ({ type: m.attrs.get('type') ?? '', text: m.text.trim() }));
  return { root, messages };
}

/** The error messages of a stream, joined (for a DriverOutputError's detail). */
export const errorText = (messages: readonly ZypperMessage[]): string =>
  messages
    .filter((m) => m.type === 'error')
    .map((m) => m.text.split('\n')[0] ?? '')
    .join('; ');
