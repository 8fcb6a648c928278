// CISA's Known Exploited Vulnerabilities catalogue, in both forms CISA publishes
// (docs/vulnerabilities.md): the JSON catalogue (already checked against CISA's schema by
// core/model/advisories.ts) and known_exploited_vulnerabilities.csv, which has the same
// columns as the JSON entries but no catalogVersion or dateReleased.
import type { Diagnostic } from '../../model/diagnostics.js';
import type { KevCatalog, KevEntry } from '../types.js';
import { CVE_ID, ISO_DATE, MAX_ROW_DIAGNOSTICS, feedRefused, readCsvRows } from './csv-rows.js';

/** The first line of CISA's KEV CSV starts like this. */
const KEV_CSV_HEADER = /^(\uFEFF)?cveID,vendorProject,/;

/** Whether a text is CISA's KEV catalogue in its CSV form (by its header). */
export function isKevCsv(text: string): boolean {
  return KEV_CSV_HEADER.test(text);
}

interface KevJsonEntry {
  cveID?: unknown;
  dateAdded?: unknown;
  dueDate?: unknown;
  knownRansomwareCampaignUse?: unknown;
  vendorProject?: unknown;
  product?: unknown;
  vulnerabilityName?: unknown;
}

/** A schema-checked KEV JSON catalogue as patchctl reads it; entries without a CVE id are left out. */
export function kevFromJson(file: string, value: unknown): KevCatalog {
  const v = (value ?? {}) as {
    catalogVersion?: unknown;
    dateReleased?: unknown;
    vulnerabilities?: unknown;
  };
  const entries = new Map<string, KevEntry>();
  const list = Array.isArray(v.vulnerabilities) ? (v.vulnerabilities as KevJsonEntry[]) : [];
  for (const e of list) {
    if (!e || typeof e.cveID !== 'string' || !CVE_ID.test(e.cveID)) continue;
    const entry = kevEntry({
      cveID: e.cveID,
      dateAdded: str(e.dateAdded) ?? '',
      dueDate: str(e.dueDate) ?? '',
      knownRansomwareCampaignUse: str(e.knownRansomwareCampaignUse) ?? '',
      vendorProject: str(e.vendorProject) ?? '',
      product: str(e.product) ?? '',
      vulnerabilityName: str(e.vulnerabilityName) ?? '',
    });
    entries.set(entry.cve, entry);
  }
  return {
    file,
    catalogVersion: str(v.catalogVersion) ?? null,
    dateReleased: str(v.dateReleased) ?? null,
    entries,
  };
}

/** Columns the CSV must have (the JSON schema's required fields patchctl uses). */
const REQUIRED = ['cveID', 'dateAdded', 'dueDate', 'knownRansomwareCampaignUse'] as const;

/**
 * Parses CISA's known_exploited_vulnerabilities.csv. Every bad row (wrong number of fields, an
 * id that is not a CVE, a date that is not YYYY-MM-DD) is an error at its line and column, and
 * a file with any bad row gives no catalogue at all.
 */
export function parseKevCsv(file: string, text: string): { catalog?: KevCatalog; diagnostics: Diagnostic[] } {
  const { rows, diagnostics: syntax } = readCsvRows(file, text, 1, 'invalid-kev-row');
  const header = rows[0];
  if (!header || !isKevCsv(text)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'invalid-kev-row',
          message: 'not a CISA KEV CSV: the first line must be its header, starting "cveID,vendorProject,"',
          at: { file, line: 1, col: 1 },
        },
      ],
    };
  }
  const names = header.fields.map((f) => f.replace(/^\uFEFF/, '').trim());
  const index = new Map(names.map((n, i) => [n, i] as const));
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'invalid-kev-row',
          message: `the header lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of CISA's KEV CSV`,
          at: header.at,
        },
      ],
    };
  }
  const bad: Diagnostic[] = [...syntax];
  const entries = new Map<string, KevEntry>();
  for (const row of rows.slice(1)) {
    const problem = rowProblem(row.fields, names.length, index);
    if (problem) {
      bad.push({
        severity: 'error',
        code: 'invalid-kev-row',
        message: problem.message,
        at: problem.field === undefined ? row.at : (row.fieldAt[problem.field] ?? row.at),
      });
      continue;
    }
    const get = (name: string) => {
      const i = index.get(name);
      return i === undefined ? '' : (row.fields[i] ?? '');
    };
    const entry = kevEntry({
      cveID: get('cveID'),
      dateAdded: get('dateAdded'),
      dueDate: get('dueDate'),
      knownRansomwareCampaignUse: get('knownRansomwareCampaignUse'),
      vendorProject: get('vendorProject'),
      product: get('product'),
      vulnerabilityName: get('vulnerabilityName'),
    });
    entries.set(entry.cve, entry);
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, MAX_ROW_DIAGNOSTICS);
    return { diagnostics: [...shown, feedRefused(file, 'KEV catalogue', bad.length, shown.length)] };
  }
  return { catalog: { file, catalogVersion: null, dateReleased: null, entries }, diagnostics: [] };
}

function rowProblem(
  fields: readonly string[],
  width: number,
  index: ReadonlyMap<string, number>,
): { message: string; field?: number } | undefined {
  if (fields.length !== width) return { message: `the row has ${fields.length} fields, the header ${width}` };
  const at = (name: string) => index.get(name) ?? 0;
  const cve = fields[at('cveID')] ?? '';
  if (!CVE_ID.test(cve))
    return { message: `cveID ${JSON.stringify(cve)} is not a CVE id (CVE-YYYY-NNNN)`, field: at('cveID') };
  for (const name of ['dateAdded', 'dueDate']) {
    const value = fields[at(name)] ?? '';
    if (!ISO_DATE.test(value) && !(name === 'dueDate' && value === ''))
      return { message: `${name} ${JSON.stringify(value)} is not a date (YYYY-MM-DD)`, field: at(name) };
  }
  return undefined;
}

function kevEntry(e: {
  cveID: string;
  dateAdded: string;
  dueDate: string;
  knownRansomwareCampaignUse: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
}): KevEntry {
  return {
    cve: e.cveID.toUpperCase(),
    dateAdded: e.dateAdded,
    dueDate: ISO_DATE.test(e.dueDate) ? e.dueDate : null,
    ransomware: e.knownRansomwareCampaignUse.trim().toLowerCase() === 'known',
    ...(e.vendorProject ? { vendorProject: e.vendorProject } : {}),
    ...(e.product ? { product: e.product } : {}),
    ...(e.vulnerabilityName ? { name: e.vulnerabilityName } : {}),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
