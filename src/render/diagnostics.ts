// validate's three outputs: lines for people, a JSON list for tools, GitHub workflow annotations.
// Messages quote what documents hold: shown with control characters escaped, and in annotations
// escaped as the runner unescapes them, so a message cannot become a second command
// (docs/security.md).
import path from 'node:path';
import { Chalk } from 'chalk';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { formatDiagnostic } from '../core/model/diagnostics.js';
import { escapeControls } from '../core/text/control-chars.js';
import { terminalLine } from '../core/text/terminal-text.js';
import { escapeWorkflowData, escapeWorkflowProperty } from '../core/text/workflow-commands.js';

export function renderDiagnosticsText(list: readonly Diagnostic[], color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  return list
    .map((d) => {
      const line = terminalLine(formatDiagnostic(d));
      if (!color) return line;
      const where = d.at ? terminalLine(`${d.at.file}:${d.at.line}:${d.at.col} `) : '';
      const sev = d.severity === 'error' ? c.red.bold('error') : c.yellow.bold('warning');
      return `${c.bold(where)}${sev} ${c.dim(`${d.code}:`)} ${terminalLine(d.message)}`;
    })
    .map((l) => `${l}\n`)
    .join('');
}

export interface DiagnosticJson {
  file: string | null;
  line: number | null;
  col: number | null;
  severity: Diagnostic['severity'];
  code: string;
  message: string;
}

export function diagnosticsToJson(list: readonly Diagnostic[]): DiagnosticJson[] {
  return list.map((d) => ({
    file: d.at?.file ?? null,
    line: d.at?.line ?? null,
    col: d.at?.col ?? null,
    severity: d.severity,
    code: d.code,
    message: d.message,
  }));
}

/**
 * `::error file=…,line=…,col=…,title=…::message`. Files are made relative to the workspace
 * (`cwd`) so that annotations land on the changed lines when -C points into a subfolder.
 */
export function renderDiagnosticsGithub(list: readonly Diagnostic[], repoDir: string, cwd: string): string {
  return list
    .map((d) => {
      const props: string[] = [];
      if (d.at) {
        const file = path.relative(cwd, path.join(repoDir, d.at.file)).split(path.sep).join('/');
        props.push(`file=${escapeProperty(file)}`, `line=${d.at.line}`, `col=${d.at.col}`);
      }
      props.push(`title=${escapeProperty(`patchctl ${d.code}`)}`);
      return `::${d.severity} ${props.join(',')}::${escapeWorkflowData(escapeControls(d.message))}\n`;
    })
    .join('');
}

/** A property value: controls made visible, then `% CR LF : ,` escaped. */
function escapeProperty(s: string): string {
  return escapeWorkflowProperty(escapeControls(s));
}
