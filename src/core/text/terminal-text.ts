// Host text for a terminal or a CI log: visible escapes for control characters, and no line
// that a CI runner reads as a command. The renderers apply terminalText/terminalLine where
// host-derived strings are interpolated; the CLI's output (src/cli/io.ts) passes everything it
// writes through a TerminalOutput, as a last line of defence. See docs/security.md ("Host text").
import { escapeControls, escapeControlsJsonSafe, oneLine } from './control-chars.js';
import { defuseWorkflowCommands, WorkflowCommandDefuser } from './workflow-commands.js';

/** Text that may span lines (hook output): controls escaped, every line defused. */
export function terminalText(text: string): string {
  return defuseWorkflowCommands(escapeControls(text));
}

/** Anything terminalLine might change: a control or format character, a surrogate, `:`, `##`. */
const LINE_WORK =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]|^[\s\u0085]*:|##/;

/** Text for a place inside one line (an error after a host name): newlines escaped as `\n`. */
export function terminalLine(text: string): string {
  return LINE_WORK.test(text) ? defuseWorkflowCommands(oneLine(text)) : text;
}

/**
 * The SGR parameters of patchctl's own styles (chalk at level 1): bold, dim, italic, underline
 * and their resets; red, green, yellow, blue, magenta, cyan, grey and the colour reset. Anything
 * else — SGR 8 (conceal), black or white text (invisible on a terminal of that colour), 7
 * (inverse), 5 (blink), 256-colour and RGB forms, every other escape sequence — is escaped.
 */
const OWN_SGR_PARAM = '(?:1|2|3|4|22|23|24|3[1-6]|39|90)';
const OWN_SGR = new RegExp(`^\\u001b\\[(?:${OWN_SGR_PARAM}(?:;${OWN_SGR_PARAM})*)?m$`);
// eslint-disable-next-line no-control-regex
const SGR_SPLIT = /(\u001b\[[0-9;]*m)/;

export interface TerminalOutputOptions {
  /** Let patchctl's own colour codes through (a terminal with colours on); default false. */
  colour?: boolean;
}

/**
 * What reaches a terminal or a log, whatever produced it: only tab, newline and (with colour)
 * patchctl's own SGR codes pass; every other control character becomes a visible escape; no line
 * is a CI workflow command. The escapes are JSON's (`\u001b`, `\r`): this layer cannot tell text
 * from `--format json`, and inside a JSON string they decode back to the same characters. One
 * instance per output stream (it remembers where lines start).
 */
export class TerminalOutput {
  private readonly defuser = new WorkflowCommandDefuser();

  constructor(private readonly options: TerminalOutputOptions = {}) {}

  push(chunk: string): string {
    return this.defuser.push(terminalControls(chunk, this.options.colour === true));
  }

  /** Intended workflow commands (validate --format github): controls escaped, not defused. */
  pushCommand(chunk: string): string {
    const out = escapeControlsJsonSafe(chunk);
    this.defuser.push(out); // keeps track of where lines start
    return out;
  }
}

/** Controls escaped (JSON-safe) except, when `colour`, patchctl's own SGR sequences. */
export function terminalControls(text: string, colour: boolean): string {
  if (!colour || !text.includes('\u001b')) return escapeControlsJsonSafe(text);
  return text
    .split(SGR_SPLIT)
    .map((part, i) => (i % 2 === 1 && OWN_SGR.test(part) ? part : escapeControlsJsonSafe(part)))
    .join('');
}

/**
 * JSON text (a state file, a plan, a journal line) with its strings' control characters as JSON
 * escapes and workflow-command markers defused the same way (`##\u005b`): a JSON reader gets the
 * very same values back, while a terminal, an editor, a diff or a CI log showing the file sees
 * no control character and no command. Only for JSON that JSON.stringify wrote.
 */
export function jsonOutputText(json: string): string {
  return new TerminalOutput().push(json);
}
