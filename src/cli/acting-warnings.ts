// Warnings that change what plan and apply do, shown whatever --verbose says.
import type { Diagnostic } from '../core/model/diagnostics.js';
import { renderDiagnosticsText } from '../render/diagnostics.js';
import type { Io } from './io.js';

/**
 * An expired exception waives nothing any more: the updates it waived are due again on its
 * hosts (README "PatchException"). The person running plan or apply must hear it, with the
 * file:line:col to review, not only under --verbose.
 */
const CHANGES_WHAT_IS_DONE: ReadonlySet<string> = new Set(['exception-expired']);

export function changesWhatIsDone(d: Diagnostic): boolean {
  return d.severity === 'warning' && CHANGES_WHAT_IS_DONE.has(d.code);
}

/** Writes those warnings to stderr, one line each (`file:line:col warning code: message`). */
export function warnWhatChanges(io: Io, warnings: readonly Diagnostic[], color: boolean): void {
  const shown = warnings.filter(changesWhatIsDone);
  if (shown.length > 0) io.stderr(renderDiagnosticsText(shown, color));
}
