// Trivy's JSON report (`trivy image|rootfs|vm --format json`, SchemaVersion 2; Trivy's
// pkg/types/report.go and vulnerability.go): Results[] per target, each with Vulnerabilities[]
// (VulnerabilityID, VendorIDs, PkgID, PkgName, InstalledVersion, FixedVersion, Severity) and,
// with --list-all-pkgs (the default for JSON), Packages[] (ID, Name, SrcName…) where the
// source package is. Only OS-package results (Class "os-pkgs") are kept; see
// docs/vulnerabilities.md, "Scanner findings".
import type { Ecosystem } from '../../versions/index.js';
import type { Finding } from '../types.js';
import { finding, mergeFindings } from './merge.js';
import {
  aliasesOf,
  ecosystemOfOs,
  ecosystemOfPurl,
  instantOf,
  normaliseId,
  pickFixedVersion,
  severityOfWord,
} from './normalise.js';
import type { FindingsParse } from './parsed.js';
import type { JsonObject } from './shape.js';
import { isObject, list, object, optionalText, shaped, text, ShapeError } from './shape.js';

/** Whether a parsed JSON value looks like a Trivy report (any schema version). */
export function looksLikeTrivy(value: unknown): boolean {
  return isObject(value) && 'SchemaVersion' in value && ('Results' in value || 'ArtifactName' in value);
}

export function parseTrivy(value: unknown): FindingsParse {
  return shaped(() => {
    const root = object(value, []);
    if (root.SchemaVersion !== 2)
      throw new ShapeError(
        ['SchemaVersion'],
        `Trivy report schema version ${JSON.stringify(root.SchemaVersion)} is not read: patchctl reads SchemaVersion 2 (Trivy 0.20 and later, --format json)`,
      );
    const trivy = isObject(root.Trivy) ? root.Trivy : {};
    const metadata = isObject(root.Metadata) ? root.Metadata : {};
    const os = isObject(metadata.OS) ? metadata.OS : {};
    const osFamily = optionalText(os.Family, ['Metadata', 'OS', 'Family']);
    const lists: Finding[][] = [];
    let leftOut = 0;
    list(root.Results, ['Results']).forEach((r, i) => {
      const result = object(r, ['Results', i]);
      const vulns = list(result.Vulnerabilities, ['Results', i, 'Vulnerabilities']);
      if (!isOsResult(result)) {
        leftOut += vulns.length;
        return;
      }
      const sources = sourceNames(result, i);
      const resultType = optionalText(result.Type, ['Results', i, 'Type']);
      lists.push(
        vulns.map((v, j) => {
          const at = ['Results', i, 'Vulnerabilities', j];
          const vuln = object(v, at);
          const id = normaliseId(text(vuln.VulnerabilityID, [...at, 'VulnerabilityID']));
          const pkg = text(vuln.PkgName, [...at, 'PkgName']);
          const installed = text(vuln.InstalledVersion, [...at, 'InstalledVersion']);
          const pkgId = optionalText(vuln.PkgID, [...at, 'PkgID']);
          const identifier = isObject(vuln.PkgIdentifier) ? vuln.PkgIdentifier : {};
          const ecosystem: Ecosystem | undefined =
            ecosystemOfPurl(optionalText(identifier.PURL, [...at, 'PkgIdentifier', 'PURL'])) ??
            ecosystemOfOs(resultType) ??
            ecosystemOfOs(osFamily);
          const fixed = optionalText(vuln.FixedVersion, [...at, 'FixedVersion']);
          const vendorIds = list(vuln.VendorIDs, [...at, 'VendorIDs']).map((x, k) =>
            text(x, [...at, 'VendorIDs', k]),
          );
          return finding({
            id,
            aliases: aliasesOf(id, vendorIds),
            package: pkg,
            sourcePackage: pkgId === null ? null : (sources.get(pkgId) ?? null),
            installedVersion: installed,
            fixedVersion: fixed === null ? null : pickFixedVersion(ecosystem, installed, fixed.split(',')),
            severity: severityOfWord(optionalText(vuln.Severity, [...at, 'Severity'])),
          });
        }),
      );
    });
    return {
      format: 'trivy',
      scanner: { name: 'trivy', version: optionalText(trivy.Version, ['Trivy', 'Version']) },
      scannedAt: instantOf(optionalText(root.CreatedAt, ['CreatedAt'])),
      artifact: optionalText(root.ArtifactName, ['ArtifactName']),
      findings: mergeFindings(lists),
      leftOut,
    };
  });
}

/** Class "os-pkgs"; reports older than Trivy 0.20 name no class: an OS type tells. */
function isOsResult(result: JsonObject): boolean {
  if (result.Class !== undefined) return result.Class === 'os-pkgs';
  return typeof result.Type === 'string' && ecosystemOfOs(result.Type) !== undefined;
}

/** Packages[].ID → SrcName, from the package list Trivy writes beside the vulnerabilities. */
function sourceNames(result: JsonObject, i: number): Map<string, string> {
  const out = new Map<string, string>();
  list(result.Packages, ['Results', i, 'Packages']).forEach((p, k) => {
    const at = ['Results', i, 'Packages', k];
    const pkg = object(p, at);
    const id = optionalText(pkg.ID, [...at, 'ID']);
    const src = optionalText(pkg.SrcName, [...at, 'SrcName']);
    if (id !== null && src !== null) out.set(id, src);
  });
  return out;
}
