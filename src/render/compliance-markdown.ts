// reports/compliance.md: the compliance report for people, as GitHub and GitLab render it —
// headline figures, Mermaid charts, then one section per question an auditor or a reviewer
// asks. Long lists are cut with a pointer to compliance.json / compliance.csv, which hold all.
// Every value from hosts, journals or documents goes through md() (control characters made
// visible, Markdown and HTML inert; docs/security.md).
import type { Severity } from '../core/model/types.js';
import type { RingStatusReport } from '../core/report/rollout-status.js';
import type {
  BreakdownRow,
  ComplianceReport,
  ComplianceState,
  Evidence,
  HistoryEntry,
  HostCompliance,
  HostTrack,
} from '../core/report/types.js';
import { COMPLIANCE_STATES, HOST_TRACKS } from '../core/report/types.js';
import type { RiskTier } from '../core/vuln/types.js';
import { RISK_TIERS } from '../core/vuln/types.js';
import { mermaidLabel } from '../core/text/report-cells.js';
import { md } from './plan-markdown.js';

/** Rows per table before "… and N more". */
export const ROWS_SHOWN = 50;
/** Missing updates listed per host before "… and N more". */
const UPDATES_PER_HOST = 15;
/** Days the trend chart covers. */
const HISTORY_SHOWN = 30;
/** Rows of the "top" tables (risky hosts, products, open KEV CVEs). */
const TOP_SHOWN = 10;

const TIER_ICON: Record<RiskTier, string> = { kev: '🚨', epss: '🎯', severity: '🔥', routine: '·' };

const STATE_ICON: Record<ComplianceState, string> = {
  compliant: '✅',
  missing: '❌',
  'pending-reboot': '🔄',
  failed: '💥',
  excepted: '🛡️',
  unreachable: '📵',
  unsupported: '🚫',
  'never-scanned': '❔',
  'not-applicable': '➖',
};

const TRACK_ICON: Record<HostTrack, string> = {
  'in-compliance': '✅',
  'on-track': '🕒',
  overdue: '⏰',
  'needs-attention': '⚠️',
  unknown: '❔',
  'not-applicable': '➖',
};

/** What each track means, in the words of README "Reports" (and the schema). */
const TRACK_MEANING: Record<HostTrack, string> = {
  'in-compliance': 'compliant or excepted',
  'on-track':
    'every missing update waits for its approval delay, its window or its ring’s bake time, within SLA',
  overdue: 'an update is past its SLA, or a window that could have installed it has closed',
  'needs-attention':
    'waits on something the schedule does not resolve: a failed apply, an unreachable host, a hold, no window, a halted rollout',
  unknown: 'unsupported or never scanned: what it misses is not known',
  'not-applicable': 'no policy applies',
};

/** Green for good, red for bad, grey for unknown: the pie reads at a glance. */
const STATE_COLOUR: Record<ComplianceState, string> = {
  compliant: '#2da44e',
  missing: '#cf222e',
  'pending-reboot': '#bf8700',
  failed: '#82071e',
  excepted: '#0969da',
  unreachable: '#6e7781',
  unsupported: '#8250df',
  'never-scanned': '#afb8c1',
  'not-applicable': '#d0d7de',
};

export interface ComplianceMarkdownOptions {
  /** Rows per table before cutting; default ROWS_SHOWN. */
  rows?: number;
  /** Only the headline, charts and SLA breaches (a CI job summary). */
  summaryOnly?: boolean;
}

export function renderComplianceMarkdown(
  report: ComplianceReport,
  options: ComplianceMarkdownOptions = {},
): string {
  const rows = options.rows ?? ROWS_SHOWN;
  const parts: string[] = [headline(report), statesSection(report), breachesSection(report, rows)];
  if (!options.summaryOnly) {
    parts.push(
      riskSection(report, rows),
      kevSection(report, rows),
      remediationSection(report),
      historySection(report.history),
      rolloutsSection(report),
      breakdownSection('By ring', 'Ring', report.breakdowns.rings, rows, true),
      breakdownSection('By site', 'Site', report.breakdowns.sites, rows),
      breakdownSection('By group', 'Group', report.breakdowns.groups, rows),
      attentionSection(report, rows),
      rebootSection(report, rows),
      unreachableSection(report, rows),
      unknownSection(report, rows),
      failuresSection(report, rows),
      exceptionsSection(report, rows),
      exceptionsByAdvisorySection(report, rows),
      productsSection(report, rows),
      evidenceSection(report, rows),
      footer(),
    );
  }
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

function headline(r: ComplianceReport): string {
  const s = r.summary;
  const pct = s.compliancePercent === null ? 'n/a' : `${s.compliancePercent.toFixed(1)}%`;
  const inScope = s.hosts - s.states['not-applicable'];
  const ok = s.states.compliant + s.states.excepted;
  const asOf = r.asOf ? `data as of ${md(r.asOf)}` : 'no scan or apply recorded yet';
  const sla = [
    ...(['critical', 'high', 'medium', 'low'] as const).map((k) => `${k} ${md(r.sla[k])}`),
    ...(r.sla.unknown !== undefined ? [`unknown ${md(r.sla.unknown)}`] : []),
  ].join(', ');
  const breaches =
    s.slaBreaches === 0 ? 'no SLA breach' : `**${count(s.slaBreaches, 'SLA breach', 'SLA breaches')}**`;
  const emergency =
    s.emergencyMissing > 0 ? ` · **${count(s.emergencyMissing, 'missing emergency (KEV) update')}**` : '';
  const t = s.tracks;
  const onTrackPct = s.onTrackPercent === null ? 'n/a' : `${s.onTrackPercent.toFixed(1)}%`;
  const overdue = t.overdue === 0 ? 'overdue: 0 hosts' : `**overdue: ${count(t.overdue, 'host', 'hosts')}**`;
  return [
    `# Patch compliance report — ${md(r.date)}`,
    '',
    `**${pct} of hosts in compliance** (strict audit: ${ok} of ${inScope} in scope compliant or excepted; ` +
      `${s.states['not-applicable']} not applicable)`,
    '',
    `**${onTrackPct} in compliance or on track** (on track: ${count(t['on-track'], 'host', 'hosts')} · ${overdue} · ` +
      `needing attention: ${t['needs-attention']} · unknown: ${t.unknown})`,
    '',
    `${breaches}${emergency} · ` +
      `${count(s.missingUpdates, 'missing update')} (${s.missingSecurityUpdates} security) · ` +
      `${count(s.hostsPendingReboot, 'host', 'hosts')} pending reboot · exceptions: ${s.exceptions.active} active, ` +
      `${s.exceptions.expiring} expiring within 30 days, ${s.exceptions.expired} expired`,
    '',
    ...openRiskLine(r),
    `<sub>${asOf} · ${md(r.timezone)} · SLA ${sla} · inputs ${md(shortDigest(r.inputsDigest))}` +
      `${r.lastRun ? ` · last apply run ${md(r.lastRun.runId)}` : ''}${feedsRead(r)}</sub>`,
  ].join('\n');
}

/** `open risk: 2 hosts kev, …` under the headline, when any host has a tier above routine. */
function openRiskLine(r: ComplianceReport): string[] {
  const t = r.summary.hostsByTier;
  if (t.kev + t.epss + t.severity === 0 && r.summary.openVulnerabilities === 0) return [];
  const kev =
    t.kev > 0 ? `**${count(t.kev, 'host', 'hosts')} with a KEV CVE open**` : 'no host with a KEV CVE open';
  const open = r.openKev.length > 0 ? ` (${count(r.openKev.length, 'KEV CVE')})` : '';
  return [
    `Open risk: ${kev}${open} · EPSS ≥ threshold: ${t.epss} · critical/high: ${t.severity} · ` +
      `${count(r.summary.openVulnerabilities, 'open vulnerability', 'open vulnerabilities')}`,
    '',
  ];
}

/** ` · KEV catalogue 2025.06.10 · EPSS 2025-06-10 (threshold 0.1) · 2400 OSV records`: what risk was judged against. */
function feedsRead(r: ComplianceReport): string {
  const i = r.intel;
  if (i === null) return '';
  const kev =
    i.kevEntries > 0
      ? ` · KEV catalogue ${i.kevVersions.length > 0 ? md(i.kevVersions.join(', ')) : '(no version)'}`
      : '';
  const epss =
    i.epssScores > 0
      ? ` · EPSS ${i.epssDates.length > 0 ? md(i.epssDates.map((d) => d.slice(0, 10)).join(', ')) : '(no date)'} (threshold ${i.epssThreshold})`
      : '';
  const osv = i.advisories > 0 ? ` · ${count(i.advisories, 'OSV record')}` : '';
  const findings = i.findingsHosts > 0 ? ` · findings for ${count(i.findingsHosts, 'host', 'hosts')}` : '';
  return `${kev}${epss}${osv}${findings}`;
}

function statesSection(r: ComplianceReport): string {
  const table = [
    '| State | Hosts | Share |',
    '| --- | ---: | ---: |',
    ...COMPLIANCE_STATES.map(
      (s) =>
        `| ${STATE_ICON[s]} ${s} | ${r.summary.states[s]} | ${share(r.summary.states[s], r.summary.hosts)} |`,
    ),
    `| **total** | **${r.summary.hosts}** | |`,
  ].join('\n');
  // Largest first, so that the n-th colour is the n-th slice whichever order the renderer draws.
  const slices = COMPLIANCE_STATES.filter((s) => r.summary.states[s] > 0).sort(
    (a, b) => r.summary.states[b] - r.summary.states[a],
  );
  const colours = Object.fromEntries(slices.map((s, i) => [`pie${i + 1}`, STATE_COLOUR[s]]));
  const chart =
    slices.length === 0
      ? ''
      : [
          '```mermaid',
          `%%{init: {"themeVariables": ${JSON.stringify(colours)}}}%%`,
          'pie showData title Hosts by compliance state',
          ...slices.map((s) => `    "${s}" : ${r.summary.states[s]}`),
          '```',
        ].join('\n');
  const tracks = [
    '| Schedule | Hosts | Share | Meaning |',
    '| --- | ---: | ---: | --- |',
    ...HOST_TRACKS.map(
      (t) =>
        `| ${TRACK_ICON[t]} ${t} | ${r.summary.tracks[t]} | ${share(r.summary.tracks[t], r.summary.hosts)} | ${TRACK_MEANING[t]} |`,
    ),
  ].join('\n');
  return ['## Summary', '', table, ...(chart ? ['', chart] : []), '', tracks].join('\n');
}

function breachesSection(r: ComplianceReport, rows: number): string {
  const head = '## SLA breaches';
  if (r.slaBreaches.length === 0) return `${head}\n\nNo missing update is past its SLA.`;
  const lines = r.slaBreaches
    .slice(0, rows)
    .map(
      (b) =>
        `| ${b.emergency ? '🚨 ' : ''}${md(b.host)} | ${md(b.package)} ${md(b.to)} | ${severity(b.severity)} | ` +
        `${advisories(b.advisories)} | ${b.releasedAt === null ? '?' : md(b.releasedAt.slice(0, 10))} | ` +
        `${b.ageDays === null ? '?' : `${b.ageDays}d`} | ${breachClock(b)} | **${b.overdueDays}d** |`,
    );
  return [
    head,
    '',
    'Emergency (KEV-listed) updates first, then the oldest release. 🚨 = listed in an emergency feed. ' +
      'SLA: the Config SLA of the severity, or the CISA KEV due date when that is earlier (`KEV due …`; never before the fix was released).',
    '',
    '| Host | Update | Severity | Advisories | Released | Age | SLA | Overdue |',
    '| --- | --- | --- | --- | --- | ---: | --- | ---: |',
    ...lines,
    more(r.slaBreaches.length, rows, 'breaches', 'slaBreaches'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function historySection(history: readonly HistoryEntry[]): string {
  const shown = history.slice(-HISTORY_SHOWN);
  const head = '## Compliance over time';
  if (shown.length < 2) {
    return `${head}\n\nHistory starts with this report (reports/history/); the trend appears from the second day.`;
  }
  const labels = shown.map((e) => `"${mermaidLabel(e.date.slice(5))}"`).join(', ');
  const values = shown.map((e) => String(e.compliancePercent ?? 0)).join(', ');
  const breaches = shown.map((e) => String(e.slaBreaches)).join(', ');
  const maxBreaches = Math.max(1, ...shown.map((e) => e.slaBreaches));
  const table = shown
    .slice(-7)
    .reverse()
    .map(
      (e) =>
        `| ${md(e.date)} | ${e.compliancePercent === null ? 'n/a' : `${e.compliancePercent.toFixed(1)}%`} | ` +
        `${e.missingUpdates} | ${e.slaBreaches} | ${e.emergencyMissing} |`,
    );
  return [
    head,
    '',
    '```mermaid',
    'xychart-beta',
    '    title "Hosts in compliance (%)"',
    `    x-axis [${labels}]`,
    '    y-axis "%" 0 --> 100',
    `    line [${values}]`,
    '```',
    '',
    '```mermaid',
    'xychart-beta',
    '    title "Missing updates past SLA"',
    `    x-axis [${labels}]`,
    `    y-axis "updates" 0 --> ${maxBreaches}`,
    `    bar [${breaches}]`,
    '```',
    '',
    '| Day | In compliance | Missing updates | Past SLA | Emergency |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...table,
  ].join('\n');
}

function rolloutsSection(r: ComplianceReport): string {
  const head = '## Rollout progress';
  if (r.rollouts.length === 0) return `${head}\n\nNo Rollout documents.`;
  const lines = r.rollouts.flatMap((ro) =>
    ro.rings.map((ring) => `| ${md(ro.rollout)} | ${ringCells(ring)} |`),
  );
  return [head, '', '| Rollout | Ring | Status | Detail |', '| --- | --- | --- | --- |', ...lines].join('\n');
}

function ringCells(r: RingStatusReport): string {
  const failed = `${r.failures ?? 0} failed`;
  const detail: Record<RingStatusReport['status'], string> = {
    done: `finished ${r.finishedAt ?? '?'}, ${failed}`,
    baking: `baking until ${r.bakingUntil ?? '?'} (bake time ${r.bakeTime ?? '?'}), ${failed}`,
    'in-progress': `started ${r.startedAt ?? '?'}, ${failed} so far`,
    halted: `halted: ${r.haltedReason ?? 'no reason recorded'}`,
    pending: r.waitingFor !== undefined ? `waits for ${r.waitingFor}` : 'starts with the next apply',
  };
  const icon = { done: '✅', baking: '⏳', 'in-progress': '▶️', halted: '⛔', pending: '🕒' }[r.status];
  return `${md(r.ring)} | ${icon} ${r.status} | ${md(detail[r.status])}`;
}

function breakdownSection(
  title: string,
  column: string,
  rowsOf: readonly BreakdownRow[],
  limit: number,
  withRollout = false,
): string {
  if (rowsOf.length === 0) return '';
  const states = COMPLIANCE_STATES;
  const header = `| ${column}${withRollout ? ' | Rollout' : ''} | Hosts | In compliance | ${states.join(' | ')} |`;
  const align = `| ---${withRollout ? ' | ---' : ''} | ---: | ---: | ${states.map(() => '---:').join(' | ')} |`;
  const lines = rowsOf.slice(0, limit).map((row) => {
    const rollout = withRollout ? ` | ${row.rollout ? md(row.rollout) : '(none)'}` : '';
    const pct = row.compliancePercent === null ? 'n/a' : `${row.compliancePercent.toFixed(1)}%`;
    return `| ${md(row.name)}${rollout} | ${row.hosts} | ${pct} | ${states.map((s) => cell(row.states[s])).join(' | ')} |`;
  });
  return [`## ${title}`, '', header, align, ...lines, more(rowsOf.length, limit, 'rows', 'breakdowns')]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function attentionSection(r: ComplianceReport, rows: number): string {
  const head = '## Hosts needing attention';
  const hosts = r.hosts.filter(
    (h) => h.state !== 'compliant' && h.state !== 'not-applicable' && h.state !== 'excepted',
  );
  if (hosts.length === 0) return `${head}\n\nNone: every host in scope is compliant or excepted.`;
  const order = (h: HostCompliance) =>
    ['failed', 'unreachable', 'missing', 'pending-reboot', 'unsupported', 'never-scanned'].indexOf(h.state);
  const trackOrder = (h: HostCompliance) => HOST_TRACKS.indexOf(h.track);
  // Overdue first: the hosts a manager acts on; then those needing attention; on track last.
  const sorted = [...hosts].sort(
    (a, b) =>
      (a.track === 'overdue' ? 0 : 1) - (b.track === 'overdue' ? 0 : 1) ||
      (a.track === 'on-track' ? 1 : 0) - (b.track === 'on-track' ? 1 : 0) ||
      order(a) - order(b) ||
      trackOrder(a) - trackOrder(b) ||
      b.missing.filter((m) => m.breached).length - a.missing.filter((m) => m.breached).length ||
      (a.host < b.host ? -1 : 1),
  );
  const lines = sorted.slice(0, rows).map((h) => {
    const past = h.missing.filter((m) => m.breached).length;
    return (
      `| ${md(h.host)} | ${STATE_ICON[h.state]} ${h.state} | ${TRACK_ICON[h.track]} ${h.track} | ${md(ringName(h))} | ` +
      `${h.missing.length} | ${past > 0 ? `**${past}**` : '0'} | ${md(h.reason)} |`
    );
  });
  return [
    head,
    '',
    '| Host | State | Schedule | Ring | Missing | Past SLA | Why |',
    '| --- | --- | --- | --- | ---: | ---: | --- |',
    ...lines,
    more(sorted.length, rows, 'hosts', 'hosts'),
    missingDetails(sorted.filter((h) => h.missing.length > 0).slice(0, rows)),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

/** Each host's missing updates in a collapsed block, so the table stays short. */
function missingDetails(hosts: readonly HostCompliance[]): string | null {
  if (hosts.length === 0) return null;
  const body = hosts.flatMap((h) => [
    `**${md(h.host)}**`,
    '',
    '| Package | From → to | Tier | Severity | Advisories | Age | Due | Schedule | Why |',
    '| --- | --- | --- | --- | --- | ---: | --- | --- | --- |',
    ...h.missing
      .slice(0, UPDATES_PER_HOST)
      .map(
        (m) =>
          `| ${m.emergency ? '🚨 ' : ''}${md(m.package)} | ${md(m.from)} → ${md(m.to)} | ${tierCell(m.tier)} | ` +
          `${m.severity === null && m.classification === 'security' ? 'severity unknown' : severity(m.severity)} | ` +
          `${advisories(m.advisories)} | ${m.ageDays === null ? '?' : `${m.ageDays}d`} | ${dueCell(m)} | ` +
          `${updateTrackCell(m)} | ${md(m.detail)} |`,
      ),
    ...(h.missing.length > UPDATES_PER_HOST
      ? ['', `… and ${h.missing.length - UPDATES_PER_HOST} more on this host in compliance.csv.`]
      : []),
    '',
  ]);
  return ['', '<details><summary>Missing updates per host</summary>', '', ...body, '</details>'].join('\n');
}

/** The due day (bold when past it) and the clock when it is not the severity's SLA. */
function dueCell(m: HostCompliance['missing'][number]): string {
  if (m.dueDate === null)
    return m.severity === null && m.classification === 'security' ? '— (severity unknown)' : '—';
  const day = m.breached ? `**${md(m.dueDate)}**` : md(m.dueDate);
  const clock = m.slaSource === 'kev' ? ' (KEV)' : m.slaSource === 'unknown' ? ' (severity unknown)' : '';
  return `${day}${clock}`;
}

function breachClock(b: ComplianceReport['slaBreaches'][number]): string {
  if (b.slaSource === 'kev') return `KEV due ${md(b.dueDate)}`;
  const sla = b.sla === null ? '—' : md(b.sla);
  return b.slaSource === 'unknown' ? `${sla} (severity unknown)` : sla;
}

function tierCell(t: RiskTier): string {
  return `${TIER_ICON[t]} ${t}`;
}

/** Top risky hosts, and what the feeds say has no fix or names no inventory host. */
function riskSection(r: ComplianceReport, rows: number): string {
  const head = '## Top risky hosts';
  const ranked = r.riskRanking.filter((h) => h.tier !== 'routine');
  const parts: (string | null)[] = [head, ''];
  if (ranked.length === 0)
    parts.push('No host has a KEV, EPSS or critical/high vulnerability or update open.');
  else {
    const shown = Math.min(rows, TOP_SHOWN);
    parts.push(
      'Hosts by open risk: their most urgent tier (KEV, then EPSS at or above the threshold, then critical/high), then how many open vulnerabilities and missing updates they have in it, then the oldest missing security update.',
      '',
      '| # | Host | Tier | KEV | EPSS | Critical/high | Open vulnerabilities | No fix | Missing updates | Oldest missing |',
      '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...ranked.slice(0, shown).map((h, i) => {
        const both = (t: RiskTier) => h.vulnerabilities[t] + h.missing[t];
        const vulns = RISK_TIERS.reduce((n, t) => n + h.vulnerabilities[t], 0);
        const missing = RISK_TIERS.reduce((n, t) => n + h.missing[t], 0);
        return (
          `| ${i + 1} | ${md(h.host)} | ${tierCell(h.tier)} | ${cell(both('kev'))} | ${cell(both('epss'))} | ` +
          `${cell(both('severity'))} | ${vulns} | ${cell(h.noFix)} | ${missing} | ` +
          `${h.oldestMissingDays === null ? '?' : `${h.oldestMissingDays}d`} |`
        );
      }),
      more(ranked.length, shown, 'hosts', 'riskRanking'),
    );
  }
  const noFix = r.hosts.reduce((n, h) => n + h.risk.noFix, 0);
  if (noFix > 0) {
    const on = r.hosts.filter((h) => h.risk.noFix > 0).length;
    parts.push(
      '',
      `**${count(noFix, 'open vulnerability', 'open vulnerabilities')} with no fix published yet** on ${count(on, 'host', 'hosts')} ` +
        '(`fixedIn: null` in compliance.json; findings with no fix per host under `findings.noFix`).',
    );
  }
  const unknown = r.findings.unknownHosts;
  if (unknown.length > 0)
    parts.push(
      '',
      `Findings for hosts not in the inventory (matched to nothing): ${unknown
        .slice(0, rows)
        .map((u) => `${md(u.host)} (${md(u.file)}, ${count(u.findings, 'finding')})`)
        .join(', ')}${unknown.length > rows ? ` … and ${unknown.length - rows} more` : ''}.`,
    );
  return parts.filter((l): l is string => l !== null).join('\n');
}

/** The KEV CVEs open in the fleet, with their fix and due date. */
function kevSection(r: ComplianceReport, rows: number): string {
  if (r.intel === null || r.intel.kevEntries === 0) return '';
  const head = '## Open KEV CVEs';
  if (r.openKev.length === 0) return `${head}\n\nNo CVE in CISA KEV is open on any host.`;
  const shown = Math.min(rows, TOP_SHOWN);
  return [
    head,
    '',
    'CVEs in CISA KEV (exploited in the wild) open on a host: known ransomware use first, then the earliest KEV due date. The due date is CISA’s remediation deadline; bold when past.',
    '',
    '| CVE | Due | Hosts | Packages | Fix | No fix on |',
    '| --- | --- | ---: | --- | --- | ---: |',
    ...r.openKev.slice(0, shown).map((k) => {
      const due = k.dueDate === null ? '—' : k.overdue ? `**${md(k.dueDate)}**` : md(k.dueDate);
      const fixes =
        k.fixes.length === 0
          ? 'no fix offered'
          : `${k.fixes
              .slice(0, 2)
              .map((f) => `${md(f.package)} ${md(f.to)}`)
              .join(', ')}${k.fixes.length > 2 ? ` +${k.fixes.length - 2}` : ''}`;
      return (
        `| ${k.ransomware ? '💀 ' : ''}${md(k.cve)} | ${due} | ${k.hosts} | ${md(k.packages.slice(0, 3).join(', '))}` +
        `${k.packages.length > 3 ? ` +${k.packages.length - 3}` : ''} | ${fixes} | ${cell(k.noFixHosts)} |`
      );
    }),
    more(r.openKev.length, shown, 'CVEs', 'openKev'),
    ...(r.openKev.some((k) => k.ransomware) ? ['', '💀 = known ransomware campaign use.'] : []),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

/** Time to remediate per tier against its SLA. */
function remediationSection(r: ComplianceReport): string {
  const head = '## Time to remediate';
  const total = r.remediation.reduce((n, row) => n + row.remediated, 0);
  if (total === 0) return `${head}\n\nNo update has been verified installed by apply yet (state/runs/).`;
  const days = (d: number | null) => (d === null ? '—' : `${d}d`);
  return [
    head,
    '',
    'Updates verified installed by apply, from their release to the verified install (calendar days), against their due date. ' +
      '"Unknown": no release date known from the state or the feeds — not measured.',
    '',
    '| Tier | Remediated | Median | Worst | Within SLA | Past SLA | No SLA | Unknown |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.remediation.map(
      (row) =>
        `| ${tierCell(row.tier)} | ${row.remediated} | ${days(row.medianDays)} | ${days(row.worstDays)} | ` +
        `${cell(row.withinSla)} | ${row.pastSla > 0 ? `**${row.pastSla}**` : '·'} | ${cell(row.noSla)} | ${cell(row.unknown)} |`,
    ),
  ].join('\n');
}

/** `overdue: window w closed 2026-11-22T06:00:00Z` or the track alone. */
function updateTrackCell(m: HostCompliance['missing'][number]): string {
  if (m.track !== 'overdue') return m.track;
  if (m.breached) return `**overdue** (past SLA)`;
  return m.missedWindow
    ? `**overdue** (window ${md(m.missedWindow.name)} closed ${md(m.missedWindow.end)})`
    : '**overdue**';
}

function rebootSection(r: ComplianceReport, rows: number): string {
  const parts: (string | null)[] = [];
  parts.push('## Pending reboot', '');
  if (r.pendingReboot.length === 0) parts.push('No host waits for a reboot.');
  else {
    parts.push('| Host | State | Known from |', '| --- | --- | --- |');
    parts.push(
      ...r.pendingReboot.slice(0, rows).map((p) => `| ${md(p.host)} | ${p.state} | ${md(p.source)} |`),
      more(r.pendingReboot.length, rows, 'hosts', 'pendingReboot'),
    );
  }
  if (r.didNotComeBack.length > 0) {
    parts.push(
      '',
      '### Did not come back after a reboot',
      '',
      '| Host | Run | When | Error |',
      '| --- | --- | --- | --- |',
    );
    parts.push(
      ...r.didNotComeBack
        .slice(0, rows)
        .map((o) => `| ${md(o.host)} | ${md(o.runId)} | ${md(o.at)} | ${md(o.error ?? '')} |`),
      more(r.didNotComeBack.length, rows, 'hosts', 'didNotComeBack'),
    );
  }
  return parts.filter((l): l is string => l !== null).join('\n');
}

function unreachableSection(r: ComplianceReport, rows: number): string {
  const head = '## Unreachable';
  if (r.unreachable.length === 0) return `${head}\n\nEvery host answered at its last scan or apply.`;
  return [
    head,
    '',
    '| Host | Last seen | Last attempt | Error |',
    '| --- | --- | --- | --- |',
    ...r.unreachable
      .slice(0, rows)
      .map(
        (u) =>
          `| ${md(u.host)} | ${u.lastSeen ? md(u.lastSeen) : 'never'} | ${u.lastAttempt ? md(u.lastAttempt) : '—'} | ${md(u.error ?? '')} |`,
      ),
    more(r.unreachable.length, rows, 'hosts', 'unreachable'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function unknownSection(r: ComplianceReport, rows: number): string {
  const hosts = r.hosts.filter((h) => h.state === 'unsupported' || h.state === 'never-scanned');
  if (hosts.length === 0) return '';
  return [
    '## Unsupported or never scanned',
    '',
    'patchctl knows nothing current about these hosts: it cannot drive them yet (unsupported), or no scan has recorded them. They are not unreachable.',
    '',
    '| Host | State | OS | Why |',
    '| --- | --- | --- | --- |',
    ...hosts
      .slice(0, rows)
      .map(
        (h) => `| ${md(h.host)} | ${STATE_ICON[h.state]} ${h.state} | ${md(h.os ?? '—')} | ${md(h.reason)} |`,
      ),
    more(hosts.length, rows, 'hosts', 'hosts'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function failuresSection(r: ComplianceReport, rows: number): string {
  const head = '## Failures';
  if (r.failures.length === 0) return `${head}\n\nNo host's latest apply failed.`;
  return [
    head,
    '',
    "Each host whose latest apply did not succeed, with the start of the error (secrets redacted; the full text is in the run's journal under state/runs/).",
    '',
    '| Host | Status | Run | When | Error |',
    '| --- | --- | --- | --- | --- |',
    ...r.failures
      .slice(0, rows)
      .map(
        (f) => `| ${md(f.host)} | ${md(f.status)} | ${md(f.runId)} | ${md(f.at)} | ${md(f.error ?? '')} |`,
      ),
    more(r.failures.length, rows, 'failures', 'failures'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function exceptionsSection(r: ComplianceReport, rows: number): string {
  const head = '## Exceptions';
  if (r.exceptions.length === 0) return `${head}\n\nNo PatchException documents.`;
  const icon = { expired: '⛔', expiring: '⚠️', active: '🛡️' } as const;
  return [
    head,
    '',
    'Expired first (they waive nothing any more), then expiring within 30 days, then active.',
    '',
    '| Exception | Status | Owner | Expires | Hosts | Waives | Ticket | Reason |',
    '| --- | --- | --- | --- | ---: | --- | --- | --- |',
    ...r.exceptions.slice(0, rows).map((e) => {
      const left = e.daysLeft === null ? '' : e.daysLeft < 0 ? ' (expired)' : ` (${e.daysLeft} d left)`;
      const waives = [...e.packages, ...e.advisories].join(', ');
      return (
        `| ${md(e.name)} | ${icon[e.status]} ${e.status} | ${md(e.owner)} | ${md(e.expires)}${left} | ${e.hosts.length} | ` +
        `${md(waives)} | ${md(e.ticket ?? '')} | ${md(e.reason)} |`
      );
    }),
    more(r.exceptions.length, rows, 'exceptions', 'exceptions'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

/** Which active exceptions waive which advisories and CVEs. */
function exceptionsByAdvisorySection(r: ComplianceReport, rows: number): string {
  if (r.exceptionsByAdvisory.length === 0) return '';
  const shown = Math.min(rows, TOP_SHOWN * 2);
  return [
    '### Exceptions by advisory',
    '',
    'The advisories and CVEs that exceptions in force leave open, most urgent tier first.',
    '',
    '| Advisory | Tier | Hosts | Packages | Exceptions (expires) |',
    '| --- | --- | ---: | --- | --- |',
    ...r.exceptionsByAdvisory
      .slice(0, shown)
      .map(
        (e) =>
          `| ${md(e.advisory)} | ${tierCell(e.tier)} | ${e.hosts} | ${md(e.packages.join(', ')) || '—'} | ` +
          `${e.exceptions.map((x) => `${md(x.name)}${x.expires !== undefined ? ` (${md(x.expires)})` : ''}`).join(', ')} |`,
      ),
    more(r.exceptionsByAdvisory.length, shown, 'advisories', 'exceptionsByAdvisory'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function productsSection(r: ComplianceReport, rows: number): string {
  const head = '## Top risky products';
  if (r.products.length === 0) return `${head}\n\nNo security update is missing anywhere.`;
  const shown = Math.min(rows, TOP_SHOWN);
  return [
    head,
    '',
    'Packages ranked by open risk: the most urgent tier among their missing security updates (KEV, EPSS, severity), then the oldest release, then how many (host × update): patch these first when you cannot patch everything.',
    '',
    '| # | Package | Tier | Missing security updates | Hosts | Emergency (KEV) | Top EPSS | Past SLA | Worst severity | Oldest release |',
    '| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...r.products
      .slice(0, shown)
      .map(
        (p, i) =>
          `| ${i + 1} | ${md(p.package)} | ${tierCell(p.tier)} | ${p.missingSecurityUpdates} | ${p.hosts} | ${cell(p.emergency)} | ` +
          `${p.epss === null ? '—' : p.epss.toFixed(3)} | ${cell(p.breached)} | ${severity(p.worstSeverity)} | ` +
          `${p.oldestReleasedAt ? md(p.oldestReleasedAt.slice(0, 10)) : '?'} |`,
      ),
    more(r.products.length, shown, 'packages', 'products'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function evidenceSection(r: ComplianceReport, rows: number): string {
  const head = '## Evidence';
  if (r.evidence.length === 0)
    return `${head}\n\nNo change has been applied yet (no host-finished event with changes under state/runs/).`;
  const lastRunId = r.lastRun?.runId;
  const latest = r.evidence.filter((e) => e.runId === lastRunId);
  const shown = latest.length > 0 ? latest : r.evidence.filter((e) => e.runId === r.evidence.at(-1)?.runId);
  const runId = shown[0]?.runId ?? '';
  const digest = shown[0]?.planDigest;
  const older = r.evidence.length - shown.length;
  return [
    head,
    '',
    `Changes applied by run ${md(runId)}${digest ? ` (plan ${md(shortDigest(digest))})` : ''}, read back from the hosts after the install.` +
      (older > 0
        ? ` ${count(older, 'earlier change')} from earlier runs ${older === 1 ? 'is' : 'are'} in compliance.json (\`evidence\`).`
        : ''),
    '',
    '| Host | Ring | Changes | When (UTC) | Status | Verification | Reboot |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...shown.slice(0, rows).map(evidenceRow),
    more(shown.length, rows, 'changes', 'evidence'),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

function evidenceRow(e: Evidence): string {
  const changes = e.changes.map((c) => `${md(c.package)} ${md(c.from)} → ${md(c.to)}`).join('<br>');
  const verification =
    e.verification === 'passed'
      ? '✅ passed'
      : e.verification === 'failed'
        ? `❌ ${md(e.mismatches.join('; '))}`
        : 'not run';
  const reboot = e.rebooted
    ? `boot id ${md(e.rebooted.bootIdBefore.slice(0, 8))} → ${md(e.rebooted.bootIdAfter.slice(0, 8))}`
    : '—';
  // The error is under Failures; here the status says enough.
  return `| ${md(e.host)} | ${md(e.ring)} | ${changes} | ${md(span(e.startedAt, e.finishedAt))} | ${md(e.status)} | ${verification} | ${reboot} |`;
}

/** `2026-11-22 02:00:01–02:03:12` (the end's date only when it differs), UTC. */
function span(start: string | null, end: string): string {
  const fmt = (t: string) => {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? t : d.toISOString().slice(0, 19).replace('T', ' ');
  };
  const b = fmt(end);
  if (start === null) return `? – ${b}`;
  const a = fmt(start);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a}–${b.slice(11)}` : `${a} – ${b}`;
}

function footer(): string {
  return (
    '---\n\n<sub>Written by `patchctl report`. States: compliant, missing, pending-reboot, failed, excepted, ' +
    'unreachable, unsupported, never-scanned, not-applicable; "in compliance" (the strict audit figure) counts compliant ' +
    'and excepted hosts among those a policy applies to; "in compliance or on track" adds the hosts whose every missing ' +
    'update waits for its approval delay, window or bake time within SLA. ' +
    'compliance.json (schema: schemas/compliance.schema.json) and compliance.csv hold every host and update.</sub>'
  );
}

/** The line under a cut table; null (dropped) when nothing was cut. */
function more(total: number, shown: number, noun: string, key: string): string | null {
  return total > shown ? `\n… and ${total - shown} more ${noun} in compliance.json (\`${key}\`).` : null;
}

function ringName(h: HostCompliance): string {
  return h.rollout ? `${h.rollout}/${h.ring}` : h.ring;
}

function severity(s: Severity | null): string {
  return s ?? '—';
}

function advisories(list: readonly string[]): string {
  if (list.length === 0) return '—';
  const shown = list.slice(0, 2).map(md).join(', ');
  return list.length > 2 ? `${shown} +${list.length - 2}` : shown;
}

function cell(n: number): string {
  return n === 0 ? '·' : String(n);
}

function share(n: number, total: number): string {
  return total === 0 ? '—' : `${((n / total) * 100).toFixed(1)}%`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}
