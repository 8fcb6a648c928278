// reports/compliance.xml: JUnit XML, so that any CI system shows compliance like test results.
// One test suite per ring, one test case per host: compliant and excepted hosts pass,
// not-applicable ones are skipped, every other state is a failure whose type is the state.
import type { ComplianceReport, HostCompliance } from '../core/report/types.js';
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

function testCase(h: HostCompliance, suite: string): string[] {
  const open = `    <testcase classname="patchctl.compliance.${attr(suite)}" name="${attr(h.host)}">`;
  if (h.state === 'not-applicable')
    return [open, `      <skipped message="${attr(h.reason)}"/>`, '    </testcase>'];
  if (!isFailure(h)) {
    const out = `${h.state}: ${h.reason}`;
    return [open, `      <system-out>${text(out)}</system-out>`, '    </testcase>'];
  }
  const details = [
    `state: ${h.state}`,
    `why: ${h.reason}`,
    ...h.missing.map(
      (m) =>
        `missing ${m.package} ${m.from} -> ${m.to} (${[m.classification, m.severity, ...m.advisories].filter(Boolean).join(', ')})` +
        `${m.breached ? ` PAST SLA by ${m.overdueDays ?? 0} d` : ''}${m.emergency ? ' [emergency]' : ''}: ${m.detail}`,
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

/** XML 1.0 cannot carry most control characters at all, even as references: drop them. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

function text(value: string): string {
  return clean(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
