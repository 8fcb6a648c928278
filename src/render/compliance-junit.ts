// reports/compliance.xml: JUnit XML, so that any CI system shows compliance like test results.
// One test suite per ring, one test case per host: compliant and excepted hosts pass,
// not-applicable ones are skipped, every other state is a failure whose type is the state (the
// strict audit figure); the failure text says where the host stands on its schedule.
import type { ComplianceReport, HostCompliance } from '../core/report/types.js';
import { mapStrings } from '../core/text/map-strings.js';
import { xmlAttr, xmlText } from '../core/text/report-cells.js';
import { terminalLine } from '../core/text/terminal-text.js';
import { IN_COMPLIANCE } from '../core/report/types.js';

export function renderComplianceJunit(report: ComplianceReport): string {
  const suites = new Map<string, HostCompliance[]>();
  for (const h of report.hosts) {
    const key = h.rollout ? `${h.rollout}/${h.ring}` : h.ring || 'unassigned';
    suites.set(key, [...(suites.get(key) ?? []), h]);
  }
  const tally = (hosts: readonly HostCompliance[]) => ({
    tests: hosts.length,
    failures: hosts.filter(isFailure).length,
    skipped: hosts.filter((h) => h.state === 'not-applicable').length,
  });
  const all = tally(report.hosts);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="patchctl compliance ${attr(report.date)}" tests="${all.tests}" failures="${all.failures}" errors="0" skipped="${all.skipped}">`,
  ];
  for (const [name, hosts] of suites) {
    const t = tally(hosts);
    out.push(
      `  <testsuite name="compliance: ${attr(name)}" tests="${t.tests}" failures="${t.failures}" errors="0" skipped="${t.skipped}"${report.asOf ? ` timestamp="${attr(report.asOf.replace(/\.\d+Z$|Z$/, ''))}"` : ''}>`,
    );
    for (const h of hosts) out.push(...testCase(h, name));
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function isFailure(h: HostCompliance): boolean {
  return !IN_COMPLIANCE.has(h.state) && h.state !== 'not-applicable';
}

function testCase(host: HostCompliance, suite: string): string[] {
  // Each value on one line (the failure text is one line per fact), and no line a CI runner
  // would read as a command when a tool prints the failure (docs/security.md).
  const h = mapStrings(host, terminalLine);
  const open = `    <testcase classname="patchctl.compliance.${attr(suite)}" name="${attr(h.host)}">`;
  if (h.state === 'not-applicable')
    return [open, `      <skipped message="${attr(h.reason)}"/>`, '    </testcase>'];
  if (!isFailure(h)) {
    const out = `${h.state}: ${h.reason}`;
    return [open, `      <system-out>${text(out)}</system-out>`, '    </testcase>'];
  }
  const details = [
    `state: ${h.state}`,
    `schedule: ${h.track}`,
    `why: ${h.reason}`,
    ...h.missing.map(
      (m) =>
        `missing ${m.package} ${m.from} -> ${m.to} (${[m.classification, m.severity, ...m.advisories].filter(Boolean).join(', ')})` +
        `${m.breached ? ` PAST SLA by ${m.overdueDays ?? 0} d` : ''}${m.emergency ? ' [emergency]' : ''}` +
        ` [${m.track}${m.missedWindow ? `: window ${m.missedWindow.name} closed ${m.missedWindow.end}` : ''}]: ${m.detail}`,
    ),
    ...(h.lastApply
      ? [`last apply: run ${h.lastApply.runId} ${h.lastApply.status} at ${h.lastApply.at}`]
      : []),
  ];
  return [
    open,
    `      <failure type="${attr(h.state)}" message="${attr(`${h.state}: ${h.reason}`)}">${text(details.join('\n'))}</failure>`,
    '    </testcase>',
  ];
}

/** Element text: control characters made visible (XML 1.0 cannot carry most), `& < >` escaped. */
function text(value: string): string {
  return xmlText(value);
}

/** Attribute text: also `"`, newline and tab. */
function attr(value: string): string {
  return xmlAttr(value);
}
