// `patchctl report --hosts …`: the selected hosts of the compliance report, for the terminal.
// The report files always describe the whole fleet (a partial reports/ would read as the fleet);
// --hosts only adds this section to what the command prints (README "Commands").
import { compliancePercent } from '../core/report/compliance.js';
import type { ComplianceReport } from '../core/report/types.js';
import { IN_COMPLIANCE } from '../core/report/types.js';
import { terminalLine } from '../core/text/terminal-text.js';

/** A headline over the selected hosts, then one line per host: state and why. */
export function renderSelectedHostsText(
  report: ComplianceReport,
  selected: readonly string[],
  label: string,
): string {
  const wanted = new Set(selected);
  const hosts = report.hosts.filter((h) => wanted.has(h.host));
  const pct = compliancePercent(hosts);
  const inScope = hosts.filter((h) => h.state !== 'not-applicable');
  const ok = inScope.filter((h) => IN_COMPLIANCE.has(h.state)).length;
  const lines = [
    `Selected hosts (${label}): ${hosts.length} of ${report.hosts.length}; ` +
      `${pct === null ? 'n/a' : `${pct.toFixed(1)}%`} in compliance (${ok} of ${inScope.length})`,
  ];
  // Host names are inventory names; reasons may quote what a host said: one inert line each.
  const width = Math.max(0, ...hosts.map((h) => h.host.length));
  const stateWidth = Math.max(0, ...hosts.map((h) => h.state.length));
  for (const h of hosts)
    lines.push(`  ${h.host.padEnd(width)}  ${h.state.padEnd(stateWidth)}  ${terminalLine(h.reason)}`);
  return `${lines.join('\n')}\n`;
}
