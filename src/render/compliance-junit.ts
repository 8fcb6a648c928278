// reports/compliance.xml: JUnit XML, so that any CI system shows compliance like test results.
// One test suite per ring, one test case per host: compliant and excepted hosts pass,
// not-applicable ones are skipped, every other state is a failure whose type is the state (the
// strict audit figure); the failure text says where the host stands on its schedule.
//
// The document is built with xmlbuilder2, not by joining strings: the serializer escapes `<`, `>`
// and `"` in every value, so no value can open or close an element, and `wellFormed` makes it
// refuse (rather than write) a character XML 1.0 cannot carry. What it does not do is done here
// first (see text and attr): it writes `&name;` and `&#60;` in a value as they are, taking them
// for references the caller meant (host text `&lt;script&gt;` would read back as `<script>`, and
// `&x;` would make the whole file unreadable); it lets control characters through, and CR, tab
// and newline in attributes, which a parser turns into spaces. Those become visible escapes
// (`\x1b`, `\n`), as everywhere host text is shown (docs/security.md, "Host text").
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { ComplianceReport, HostCompliance } from '../core/report/types.js';
import { escapeControls, oneLine } from '../core/text/control-chars.js';
import { mapStrings } from '../core/text/map-strings.js';
import { terminalLine } from '../core/text/terminal-text.js';
import { IN_COMPLIANCE } from '../core/report/types.js';

export function renderComplianceJunit(report: ComplianceReport): string {
  const suites = new Map<string, HostCompliance[]>();
  for (const h of report.hosts) {
    const key = h.rollout ? `${h.rollout}/${h.ring}` : h.ring || 'unassigned';
    const suite = suites.get(key);
    if (suite) suite.push(h);
    else suites.set(key, [h]);
  }
  const tally = (hosts: readonly HostCompliance[]) => ({
    tests: String(hosts.length),
    failures: String(hosts.filter(isFailure).length),
    errors: '0',
    skipped: String(hosts.filter((h) => h.state === 'not-applicable').length),
  });
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele('testsuites', {
    name: attr(`patchctl compliance ${report.date}`),
    ...tally(report.hosts),
  });
  for (const [name, hosts] of suites) {
    const suite = root.ele('testsuite', {
      name: attr(`compliance: ${name}`),
      ...tally(hosts),
      ...(report.asOf ? { timestamp: attr(report.asOf.replace(/\.\d+Z$|Z$/, '')) } : {}),
    });
    for (const h of hosts) testCase(suite, h, name);
  }
  const xml = doc.end({ prettyPrint: true, indent: '  ', newline: '\n', wellFormed: true });
  return `${xml}\n`;
}

function isFailure(h: HostCompliance): boolean {
  return !IN_COMPLIANCE.has(h.state) && h.state !== 'not-applicable';
}

function testCase(suite: XMLBuilder, host: HostCompliance, suiteName: string): void {
  // Each value on one line (the failure text is one line per fact), and no line a CI runner
  // would read as a command when a tool prints the failure (docs/security.md).
  const h = mapStrings(host, terminalLine);
  const tc = suite.ele('testcase', {
    classname: attr(`patchctl.compliance.${suiteName}`),
    name: attr(h.host),
  });
  if (h.state === 'not-applicable') {
    tc.ele('skipped', { message: attr(h.reason) });
    return;
  }
  if (!isFailure(h)) {
    tc.ele('system-out').txt(text(`${h.state}: ${h.reason}`));
    return;
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
  tc.ele('failure', { type: attr(h.state), message: attr(`${h.state}: ${h.reason}`) }).txt(
    text(details.join('\n')),
  );
}

/**
 * Text XML 1.0 can carry: controls and unpaired surrogates made visible (XML cannot carry most of
 * them at all, even as references), U+FFFE and U+FFFF likewise (as xmlText in
 * src/core/text/report-cells.ts, which writes XML by hand).
 */
function xmlChars(value: string): string {
  return escapeControls(value).replace(/[\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`);
}

/**
 * Element text: what XML 1.0 cannot carry made visible, and every `&` as `&amp;` (which the
 * builder then leaves alone, as a reference); the builder escapes `<` and `>`.
 */
function text(value: string): string {
  return xmlChars(value).replace(/&/g, '&amp;');
}

/** Attribute text: also CR, tab and newline made visible; the builder escapes `<`, `>` and `"`. */
function attr(value: string): string {
  return text(oneLine(value));
}
