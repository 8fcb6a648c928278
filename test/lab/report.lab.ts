// The compliance report after a real apply on the lab (issue 5): the four formats exist, agree
// with each other, and with what dpkg says on the hosts. Registered from lab.test.ts, after the
// apply scenarios, so that one lab runs at a time.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

import { LAB_REPO, lab, labStatus, patchctl, versionsOn } from './lab-helpers.js';

const ALL = ['fleet-broken', 'fleet-crypto', 'fleet-held', 'fleet-kernel', 'fleet-tools', 'fleet-utils'];
const SCHEMAS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../schemas');
const IN_COMPLIANCE = new Set(['compliant', 'excepted']);

interface Missing {
  package: string;
  from: string;
  to: string;
  why: string;
}
interface Host {
  host: string;
  state: string;
  missing: Missing[];
  excepted: { package: string; exception: string }[];
}
interface Evidence {
  runId: string;
  host: string;
  changes: { package: string; from: string; to: string }[];
  verification: string;
  rebooted: { bootIdAfter: string } | null;
}
interface Report {
  hosts: Host[];
  evidence: Evidence[];
  lastRun: { runId: string } | null;
  summary: { states: Record<string, number> };
}

export function reportScenarios(labIsUsable: () => boolean): void {
  describe('patchctl report on the lab', () => {
    afterAll(() => {
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it('after apply, compliance.md/.json/.xml/.csv agree with each other and with dpkg on the hosts', () => {
      if (!labIsUsable()) return;
      const up = lab(['up', '--hosts', '3']);
      if (up.status !== 0) throw new Error(`lab up failed:\n${up.stdout}\n${up.stderr}`);
      expect(patchctl(['scan', '-C', LAB_REPO]).status).toBe(0);
      // lab-01 waives its held package by exception; lab-03 is down for the apply.
      mkdirSync(path.join(LAB_REPO, 'exceptions'), { recursive: true });
      const expires = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
      writeFileSync(
        path.join(LAB_REPO, 'exceptions', 'held.yaml'),
        `apiVersion: patchctl/v1
kind: PatchException
metadata:
  name: lab-held
spec:
  hosts: [lab-01]
  packages: [fleet-held]
  reason: the lab holds this package on purpose
  owner: lab@example.net
  expires: "${expires}"
`,
      );
      expect(lab(['stop', 'lab-03']).status).toBe(0);
      const r = patchctl(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color']);
      expect(r.status).toBe(1); // lab-03 unreachable
      expect(r.stdout).toMatch(
        /Report: reports\/compliance\.csv, reports\/compliance\.json, reports\/compliance\.md/,
      );

      const reports = path.join(LAB_REPO, 'reports');
      expect(readdirSync(reports).sort()).toEqual([
        'compliance.csv',
        'compliance.json',
        'compliance.md',
        'compliance.xml',
        'history',
      ]);
      const report = JSON.parse(readFileSync(path.join(reports, 'compliance.json'), 'utf8')) as Report;
      expect(schemaErrors(report)).toEqual([]);

      // What the hosts say.
      const status = labStatus();
      const states = Object.fromEntries(report.hosts.map((h) => [h.host, h.state]));
      expect(states['lab-03']).toBe('unreachable');
      for (const name of ['lab-01', 'lab-02']) {
        const address = status.hosts.find((h) => h.name === name)?.address ?? '';
        const installed = versionsOn(address, ALL);
        const host = report.hosts.find((h) => h.host === name);
        // Each missing update is missing on the host: it has `from`, not `to`.
        for (const m of host?.missing ?? []) {
          expect(`${m.package} ${installed[m.package]}`).toBe(`${m.package} ${m.from}`);
          expect(m.to).not.toBe(installed[m.package]);
        }
        // Each change the run applied and verified is what the host has now.
        const evidence = report.evidence.filter((e) => e.host === name && e.runId === report.lastRun?.runId);
        expect(evidence.length).toBe(1);
        expect(evidence[0]?.verification).toBe('passed');
        for (const c of evidence[0]?.changes ?? []) expect(installed[c.package]).toBe(c.to);
        expect(host?.state === 'compliant' || host?.state === 'excepted' || host?.state === 'missing').toBe(
          true,
        );
      }
      const lab01 = report.hosts.find((h) => h.host === 'lab-01');
      expect(lab01?.excepted).toEqual([
        expect.objectContaining({ package: 'fleet-held', exception: 'lab-held' }),
      ]);
      expect(lab01?.missing.map((m) => m.package)).not.toContain('fleet-held');
      const kernel = report.evidence.find(
        (e) => e.host === 'lab-01' && e.changes.some((c) => c.package === 'fleet-kernel'),
      );
      expect(kernel?.rebooted?.bootIdAfter).toBe(status.hosts.find((h) => h.name === 'lab-01')?.bootId);

      // The other formats say the same per host.
      const csv = parseCsv(readFileSync(path.join(reports, 'compliance.csv'), 'utf8'));
      const header = csv[0] ?? [];
      const col = (row: string[], name: string) => row[header.indexOf(name)] ?? '';
      const csvStates = Object.fromEntries(
        csv
          .slice(1)
          .filter((row) => col(row, 'host_row') === '1')
          .map((row) => [col(row, 'host'), col(row, 'state')]),
      );
      expect(csvStates).toEqual(states);
      const missingRows = csv.slice(1).filter((row) => col(row, 'update_status') === 'missing').length;
      expect(missingRows).toBe(report.hosts.reduce((n, h) => n + h.missing.length, 0));

      const xml = readFileSync(path.join(reports, 'compliance.xml'), 'utf8');
      for (const h of report.hosts) {
        const testcase = new RegExp(`<testcase [^>]*name="${h.host}">([\\s\\S]*?)</testcase>`).exec(xml);
        expect(testcase).not.toBeNull();
        expect(testcase?.[1]?.includes('<failure')).toBe(
          !IN_COMPLIANCE.has(h.state) && h.state !== 'not-applicable',
        );
      }

      const md = readFileSync(path.join(reports, 'compliance.md'), 'utf8');
      for (const [state, n] of Object.entries(report.summary.states))
        expect(md).toMatch(new RegExp(`\\| \\S+ ${state} \\| ${n} \\|`));
      for (const h of report.hosts.filter((x) => !IN_COMPLIANCE.has(x.state) && x.state !== 'not-applicable'))
        expect(md).toMatch(new RegExp(`\\| ${h.host} \\| \\S+ ${h.state} \\|`));

      // `patchctl report` on its own gives the same files (nothing changed since apply wrote them).
      const before = readFileSync(path.join(reports, 'compliance.json'), 'utf8');
      expect(patchctl(['report', '-C', LAB_REPO]).status).toBe(0);
      expect(readFileSync(path.join(reports, 'compliance.json'), 'utf8')).toBe(before);
    }, 300_000);
  });
}

function schemaErrors(report: unknown): string[] {
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  for (const f of readdirSync(SCHEMAS).filter((x) => x.endsWith('.schema.json')))
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, f), 'utf8')) as object);
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS, 'compliance.schema.json'), 'utf8')) as {
    $id: string;
  };
  const validate = ajv.getSchema(schema.$id);
  if (!validate) return [`schema ${schema.$id} did not compile`];
  return validate(report) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** RFC 4180, enough for the report: quoted fields with doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}
