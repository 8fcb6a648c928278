// Which scanner wrote a findings file, from its shape (docs/vulnerabilities.md, "Scanner
// findings"), and its parse.
import type { ScannerFormat } from '../types.js';
import { looksLikeGrype, parseGrype } from './grype.js';
import { looksLikeOsvScanner, parseOsvScanner } from './osv-scanner.js';
import type { FindingsParse } from './parsed.js';
import { isObject } from './shape.js';
import { looksLikeTrivy, parseTrivy } from './trivy.js';

export const READ_FORMATS =
  'Trivy JSON (trivy … --format json), Grype JSON (grype … -o json) or OSV-Scanner JSON (osv-scanner scan … --format json)';

export function detectScannerFormat(value: unknown): ScannerFormat | undefined {
  if (looksLikeTrivy(value)) return 'trivy';
  if (looksLikeGrype(value)) return 'grype';
  if (looksLikeOsvScanner(value)) return 'osv-scanner';
  return undefined;
}

/** The findings of a parsed JSON value, whichever of the three formats it is. */
export function parseScannerFindings(value: unknown): FindingsParse {
  switch (detectScannerFormat(value)) {
    case 'trivy':
      return parseTrivy(value);
    case 'grype':
      return parseGrype(value);
    case 'osv-scanner':
      return parseOsvScanner(value);
    case undefined:
      return { ok: false, problem: { path: [], message: unknownShape(value) } };
  }
}

/** Why a file is not one of the formats read, with a hint for the formats people confuse. */
function unknownShape(value: unknown): string {
  const head = `not a scanner findings file patchctl reads; expected ${READ_FORMATS}`;
  if (!isObject(value)) return head;
  if (Array.isArray(value.runs) && 'version' in value)
    return `${head}: this is SARIF; ask the scanner for its JSON format`;
  if (value.bomFormat === 'CycloneDX' || 'spdxVersion' in value)
    return `${head}: this is an SBOM; scan it (trivy sbom, grype sbom:FILE) and import the scanner's JSON`;
  return head;
}
