// advisories/findings/<host>.json as `patchctl import findings` writes it (docs/vulnerabilities.md,
// "Scanner findings"): the host's findings from one or several scanner files, merged.
import type { FindingsFile, ScannerFormat } from '../types.js';
import { mergeFindings } from './merge.js';
import { byCodePoint } from './normalise.js';
import type { ParsedFindings } from './parsed.js';

/** One scanner file imported for a host. */
export interface ImportedFindings {
  parsed: ParsedFindings;
  /** The file's base name. */
  file: string;
  /** sha256 of its bytes. */
  sha256: string;
  /** The scanner's timestamp, else the import's time (ISO). */
  scannedAt: string;
}

/** One file merged into a findings file. */
export interface FindingsSource {
  format: ScannerFormat;
  scanner: { name: string; version: string | null };
  importedFrom: { file: string; sha256: string };
  scannedAt: string;
  findings: number;
}

/**
 * A FindingsFile, plus `sources` when several files were merged: each of them, in the order
 * given. Then `scanner` and `importedFrom` are the first file's and `scannedAt` the earliest
 * (the findings are as old as the oldest scan among them).
 */
export interface WrittenFindingsFile extends FindingsFile {
  sources?: FindingsSource[];
}

export function findingsFileFor(host: string, imports: readonly ImportedFindings[]): WrittenFindingsFile {
  const [first] = imports;
  if (first === undefined) throw new Error('findingsFileFor needs at least one imported file');
  const file: WrittenFindingsFile = {
    formatVersion: 1,
    kind: 'patchctl-findings',
    host,
    scanner: {
      format: first.parsed.format,
      name: first.parsed.scanner.name,
      version: first.parsed.scanner.version,
    },
    importedFrom: { file: first.file, sha256: first.sha256 },
    scannedAt: imports.map((i) => i.scannedAt).sort(byInstant)[0] ?? first.scannedAt,
    findings: mergeFindings(imports.map((i) => i.parsed.findings)),
  };
  if (imports.length > 1)
    file.sources = imports.map((i) => ({
      format: i.parsed.format,
      scanner: { name: i.parsed.scanner.name, version: i.parsed.scanner.version },
      importedFrom: { file: i.file, sha256: i.sha256 },
      scannedAt: i.scannedAt,
      findings: i.parsed.findings.length,
    }));
  return file;
}

/** ISO instants in UTC with the same precision sort as text; others fall back to Date order. */
function byInstant(a: string, b: string): number {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return ta !== tb && Number.isFinite(ta) && Number.isFinite(tb) ? ta - tb : byCodePoint(a, b);
}
