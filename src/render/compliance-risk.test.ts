// The compliance report's risk figures in each format (issue 15, docs/vulnerabilities.md
// "Reports"): compliance.json with every new field against its schema, compliance.md with the
// top of it (risky hosts, open KEV CVEs with fix and due date, time to remediate, no-fix count,
// exceptions by advisory, the feeds read) within its row limits, compliance.csv with a tier.
import { describe, expect, it } from '@jest/globals';
import type { ErrorObject } from 'ajv';
import { riskInputs } from '../core/report/__fixtures__/risk-fleet.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import { bundledSchemas } from '../engine/schemas.js';
import { CSV_COLUMNS, renderComplianceCsv } from './compliance-csv.js';
import { renderComplianceMarkdown } from './compliance-markdown.js';

const report = buildComplianceReport(riskInputs());
const markdown = renderComplianceMarkdown(report);

/** The lines of the section under `heading`, up to the next heading of level 2. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no section ${heading}`);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/\n## /);
  return end === -1 ? rest : rest.slice(0, end);
}

describe('compliance.json with the risk figures', () => {
  const validate = bundledSchemas().validatorForFile('compliance.schema.json');
  const problems = (value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message}`);

  it('validates against schemas/compliance.schema.json, with and without feeds', () => {
    const json: unknown = JSON.parse(JSON.stringify(report));
    expect(problems(json)).toEqual([]);
    const bare: unknown = JSON.parse(JSON.stringify(buildComplianceReport(riskInputs({ intel: false }))));
    expect(problems(bare)).toEqual([]);
    const noUnknownSla = buildComplianceReport(
      riskInputs({ sla: 'critical: 7d, high: 14d, medium: 30d, low: 90d' }),
    );
    expect(problems(JSON.parse(JSON.stringify(noUnknownSla)))).toEqual([]);
  });

  it('rejects a tier it does not know and an EPSS score over 1', () => {
    const j = JSON.parse(JSON.stringify(report)) as {
      hosts: { host: string; missing: { tier: string }[]; vulnerabilities: { epss?: number }[] }[];
    };
    const kev = j.hosts.find((h) => h.host === 'kev-1')!;
    kev.missing[0]!.tier = 'urgent';
    kev.vulnerabilities[0]!.epss = 1.5;
    expect(problems(j).join('\n')).toMatch(/missing\/0\/tier/);
    expect(problems(j).join('\n')).toMatch(/vulnerabilities\/0\/epss/);
  });
});

describe('compliance.md with the risk figures', () => {
  it('names the feeds it was judged against and the unknown-severity SLA', () => {
    expect(markdown).toContain('KEV catalogue 2026.11.30');
    expect(markdown).toContain('EPSS 2026-11-30 (threshold 0.1)');
    expect(markdown).toContain('3 OSV records');
    expect(markdown).toContain('low 90d, unknown 45d');
    expect(markdown).toContain('Open risk: **1 host with a KEV CVE open** (1 KEV CVE)');
  });

  it('ranks the top risky hosts', () => {
    const rows = section(markdown, '## Top risky hosts')
      .split('\n')
      .filter((l) => /^\| \d/.test(l));
    expect(rows.map((l) => l.split('|')[2]!.trim())).toEqual(['kev-1', 'epss-1', 'sev-1']);
    expect(rows[0]).toContain('🚨 kev');
    expect(section(markdown, '## Top risky hosts')).toContain(
      '**2 open vulnerabilities with no fix published yet** on 2 hosts',
    );
    expect(section(markdown, '## Top risky hosts')).toContain(
      'Findings for hosts not in the inventory (matched to nothing): ghost-1 (advisories/findings/ghost-1.json, 1 finding).',
    );
  });

  it('lists the open KEV CVEs with their fix and due date', () => {
    expect(section(markdown, '## Open KEV CVEs')).toContain(
      '| CVE-2024-6387 | **2026-11-25** | 1 | openssh-server | openssh-server 1:9.2p1-2+deb12u3 | · |',
    );
    const bare = renderComplianceMarkdown(buildComplianceReport(riskInputs({ intel: false })));
    expect(bare).not.toContain('## Open KEV CVEs');
  });

  it('shows the KEV clock, the unknown-severity clock, and "severity unknown" without one', () => {
    expect(markdown).toContain('**2026-11-25** (KEV)');
    expect(markdown).toContain('**2026-11-15** (severity unknown)');
    expect(section(markdown, '## SLA breaches')).toContain('KEV due 2026-11-25');
    const without = renderComplianceMarkdown(
      buildComplianceReport(riskInputs({ sla: 'critical: 7d, high: 14d, medium: 30d, low: 90d' })),
    );
    expect(without).toMatch(/\| tzdata \| .* \| severity unknown \| .* \| — \(severity unknown\) \|/);
  });

  it('has the time to remediate per tier', () => {
    const ttr = section(markdown, '## Time to remediate');
    expect(ttr).toContain('| 🔥 severity | 1 | 5d | 5d | 1 | · | · | · |');
    expect(ttr).toContain('| · routine | 2 | 9d | 9d | 1 | · | · | 1 |');
  });

  it('has the exceptions by advisory, and products by risk', () => {
    const exceptions = section(markdown, '## Exceptions');
    expect(exceptions).toContain('### Exceptions by advisory');
    expect(exceptions).toContain('| CVE-2024-6387 | 🚨 kev | 0 | — | cve-waiver (2027-02-28) |');
    expect(exceptions).toContain('| CVE-2025-0003 | 🔥 severity | 1 | openssl | ssl-waiver (2027-01-31) |');
    const products = section(markdown, '## Top risky products');
    expect(products).toMatch(/\| 1 \| openssh-server \| 🚨 kev \| 1 \| 1 \| 1 \| 0\.900 \|/);
  });

  it('keeps to its row limits and points to compliance.json for the rest', () => {
    const cut = renderComplianceMarkdown(report, { rows: 1 });
    expect(section(cut, '## Top risky hosts')).toContain(
      '… and 2 more hosts in compliance.json (`riskRanking`).',
    );
    expect(
      section(cut, '## Top risky hosts')
        .split('\n')
        .filter((l) => /^\| \d/.test(l)),
    ).toHaveLength(1);
    // The job summary stays the headline, the states and the breaches.
    const summary = renderComplianceMarkdown(report, { summaryOnly: true });
    expect(summary).not.toContain('## Top risky hosts');
    expect(summary).not.toContain('## Time to remediate');
  });
});

describe('compliance.csv with the risk figures', () => {
  it('carries each update’s tier and the clock of its due date', () => {
    const csv = renderComplianceCsv(report);
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    expect(header!.split(',')).toEqual([...CSV_COLUMNS]);
    // tier and sla_source are the last two columns: earlier fields may hold quoted commas.
    expect(CSV_COLUMNS.slice(-2)).toEqual(['tier', 'sla_source']);
    const last2 = (row: string) => row.split(',').slice(-2);
    const kev = rows.find((r) => r.startsWith('kev-1,') && r.includes('openssh-server'))!;
    expect(last2(kev)).toEqual(['kev', 'kev']);
    expect(kev).toContain(',2026-11-25,');
    const unknown = rows.find((r) => r.startsWith('unk-1,'))!;
    expect(last2(unknown)).toEqual(['routine', 'unknown']);
    const waived = rows.find((r) => r.startsWith('exc-1,'))!;
    expect(last2(waived)).toEqual(['severity', '']);
  });
});
