// CI systems read commands out of a job's log: text a host printed must not become one. See
// docs/security.md ("Host text").
//
// How the GitHub Actions runner finds them (actions/runner, ActionCommand.TryParseV2 and
// TryParse, tried on every line of output; lines end at LF, CR or CRLF):
// - `::name props::data` when the line, after its leading white space is trimmed, starts with
//   `::` (so `  ::add-mask::x` is a command too);
// - the legacy `##[name props]data` anywhere in the line.
// Both forms accept every registered command (add-mask, stop-commands, error, set-output...),
// names case-insensitive. Azure Pipelines reads `##vso[...]` anywhere in a line. GitLab's
// section markers (`section_start:…\r\e[0K`) need CR and ESC, which escapeControls already
// makes visible.
//
// patchctl defuses rather than wraps: the character that would complete a command marker is
// written as its \u escape (`:\u003aadd-mask::x`, `##\u005berror]`, `##vso\u005b…]`), so the
// line stays readable and is no longer a command — and inside a JSON string (`--format json`)
// the escape decodes back to the same text, so JSON output stays valid and lossless.
// (`::stop-commands::TOKEN` around host output would also work, but a crash between the two
// lines would leave command processing off for the rest of the job.) The runner's white space
// is .NET's char.IsWhiteSpace; the set below is wider, which only defuses more.

const COLON = '\\u003a';
const BRACKET = '\\u005b';
/** White space within a line (a wider set than the runner's, which only defuses more). */
const BLANK = '[\\t\\v\\f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';
/** `::` first on a line (after blanks): the second colon is replaced. */
const LINE_COMMAND = new RegExp(`(^|[\\n\\r])(${BLANK}*:):`, 'g');
/** `##[` and `##vso[` anywhere: the bracket is replaced. */
const LEGACY_COMMAND = /##(vso)?\[/gi;
const ONLY_BLANKS = new RegExp(`^${BLANK}*:?$`);
/** Could hold a marker: a colon first on a line, or `##`. */
const MAYBE_MARKER = new RegExp(`(?:^|[\\n\\r])${BLANK}*:|##`);

/**
 * Defuses workflow commands in text written piece by piece (a stream: a marker split across
 * two writes is still caught). `push` returns the piece to write.
 */
export class WorkflowCommandDefuser {
  /** The end of the current line written so far, as far as a marker could still use it. */
  private carry = '';
  /** Whether `carry` starts at the start of a line. */
  private carryAtLineStart = true;

  push(chunk: string): string {
    if (chunk === '') return chunk;
    // A sentinel stands for the rest of a line that cannot start a command any more.
    const lead = this.carryAtLineStart ? '' : 'x';
    const text = lead + this.carry + chunk;
    const defused = MAYBE_MARKER.test(text)
      ? text
          .replace(LINE_COMMAND, `$1$2${COLON}`)
          .replace(LEGACY_COMMAND, (_m, vso?: string) => `##${vso ?? ''}${BRACKET}`)
      : text;
    // What was written before is unchanged (a marker completes with its last character).
    const out = defused.slice(lead.length + this.carry.length);
    // The line the text ends in: from its start when it could still become a command.
    const lineStart = Math.max(defused.lastIndexOf('\n'), defused.lastIndexOf('\r')) + 1;
    const tail = defused.slice(lineStart);
    if ((lineStart > 0 || this.carryAtLineStart) && ONLY_BLANKS.test(tail)) {
      this.carry = tail;
      this.carryAtLineStart = true;
    } else {
      this.carry = tail.slice(-5);
      this.carryAtLineStart = false;
    }
    return out;
  }
}

/** `text` with no line that a CI runner would read as a command; the start counts as a line start. */
export function defuseWorkflowCommands(text: string): string {
  return MAYBE_MARKER.test(text) ? new WorkflowCommandDefuser().push(text) : text;
}

// ---- intended annotations (validate --format github) ----------------------------------------

/** The data after `::` of a workflow command: % CR LF escaped as the runner unescapes them. */
export function escapeWorkflowData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value (`file=…`): also `:` and `,`. */
export function escapeWorkflowProperty(s: string): string {
  return escapeWorkflowData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
