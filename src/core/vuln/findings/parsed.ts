// What a scanner's findings file says, before it is tied to an inventory host: the shape the
// three parsers (trivy.ts, grype.ts, osv-scanner.ts) share (docs/vulnerabilities.md, "Scanner
// findings"). Pure: no I/O, no clock.
import type { Finding, ScannerFormat } from '../types.js';

export interface ParsedFindings {
  format: ScannerFormat;
  scanner: { name: string; version: string | null };
  /** When the scanner ran, as it states it (ISO 8601, normalised to UTC); null: it does not say. */
  scannedAt: string | null;
  /**
   * What the scanner says it scanned (Trivy `ArtifactName`, Grype `source.target`, OSV-Scanner
   * the first `results[].source.path`): an inventory host name or address picks the host.
   */
  artifact: string | null;
  /** OS-package findings, deduplicated and sorted (merge.ts). */
  findings: Finding[];
  /** Findings on language packages (npm, PyPI, Go…): patchctl patches OS packages only. */
  leftOut: number;
}

/** Where a file does not have the shape its format needs: a JSON path and what is wrong. */
export interface ShapeProblem {
  path: (string | number)[];
  message: string;
}

export type FindingsParse = { ok: true; value: ParsedFindings } | { ok: false; problem: ShapeProblem };
