// Grype's JSON output (`grype -o json`; grype/presenter/models: Document, Match, Vulnerability,
// Package): matches[] of { vulnerability {id, severity, fix {versions, state}, advisories},
// relatedVulnerabilities[] {id}, artifact {name, version, type, purl, upstreams[] {name}} },
// plus source {type, target}, distro and descriptor {name, version, timestamp}. Only OS
// packages (artifact type deb, rpm, apk) are kept; see docs/vulnerabilities.md, "Scanner
// findings".
import type { Ecosystem } from '../../versions/index.js';
import { finding, mergeFindings } from './merge.js';
import { aliasesOf, instantOf, normaliseId, pickFixedVersion, severityOfWord } from './normalise.js';
import type { FindingsParse } from './parsed.js';
import type { JsonObject } from './shape.js';
import { isObject, list, object, optionalText, shaped, text } from './shape.js';

/** Whether a parsed JSON value looks like Grype's JSON document. */
export function looksLikeGrype(value: unknown): boolean {
  return isObject(value) && Array.isArray(value.matches) && isObject(value.descriptor);
}

const OS_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

export function parseGrype(value: unknown): FindingsParse {
  return shaped(() => {
    const root = object(value, []);
    const descriptor = object(root.descriptor, ['descriptor']);
    let leftOut = 0;
    const found = list(root.matches, ['matches']).flatMap((m, i) => {
      const at = ['matches', i];
      const match = object(m, at);
      const artifact = object(match.artifact, [...at, 'artifact']);
      const type = text(artifact.type, [...at, 'artifact', 'type']);
      if (!OS_TYPES.has(type)) {
        leftOut++;
        return [];
      }
      const vuln = object(match.vulnerability, [...at, 'vulnerability']);
      const id = normaliseId(text(vuln.id, [...at, 'vulnerability', 'id']));
      const installed = text(artifact.version, [...at, 'artifact', 'version']);
      const related = list(match.relatedVulnerabilities, [...at, 'relatedVulnerabilities']).map((r, k) =>
        text(object(r, [...at, 'relatedVulnerabilities', k]).id, [...at, 'relatedVulnerabilities', k, 'id']),
      );
      const advisories = list(vuln.advisories, [...at, 'vulnerability', 'advisories']).map((a, k) =>
        text(object(a, [...at, 'vulnerability', 'advisories', k]).id, [
          ...at,
          'vulnerability',
          'advisories',
          k,
          'id',
        ]),
      );
      const upstream = list(artifact.upstreams, [...at, 'artifact', 'upstreams'])[0];
      return [
        finding({
          id,
          aliases: aliasesOf(id, [...related, ...advisories]),
          package: text(artifact.name, [...at, 'artifact', 'name']),
          sourcePackage:
            upstream === undefined
              ? null
              : text(object(upstream, [...at, 'artifact', 'upstreams', 0]).name, [
                  ...at,
                  'artifact',
                  'upstreams',
                  0,
                  'name',
                ]),
          installedVersion: installed,
          fixedVersion: fixedVersion(vuln, [...at, 'vulnerability'], type as Ecosystem, installed),
          severity: severityOfWord(optionalText(vuln.severity, [...at, 'vulnerability', 'severity'])),
        }),
      ];
    });
    const version = optionalText(descriptor.version, ['descriptor', 'version']);
    return {
      format: 'grype',
      scanner: {
        name: optionalText(descriptor.name, ['descriptor', 'name']) ?? 'grype',
        // Grype writes "[not provided]" when built without a version.
        version: version === null || version.startsWith('[') ? null : version,
      },
      scannedAt: instantOf(optionalText(descriptor.timestamp, ['descriptor', 'timestamp'])),
      artifact: sourceTarget(root.source),
      findings: mergeFindings([found]),
      leftOut,
    };
  });
}

/** `fix.state` "fixed" with its versions; "not-fixed", "wont-fix", "unknown" or "": no fix. */
function fixedVersion(
  vuln: JsonObject,
  at: (string | number)[],
  ecosystem: Ecosystem,
  installed: string,
): string | null {
  if (vuln.fix === undefined || vuln.fix === null) return null;
  const fix = object(vuln.fix, [...at, 'fix']);
  if (optionalText(fix.state, [...at, 'fix', 'state']) !== 'fixed') return null;
  const versions = list(fix.versions, [...at, 'fix', 'versions']).map((v, k) =>
    text(v, [...at, 'fix', 'versions', k]),
  );
  return pickFixedVersion(ecosystem, installed, versions);
}

/** `source.target`: a path (directory, file, SBOM) or, for an image, what the user typed. */
function sourceTarget(source: unknown): string | null {
  if (!isObject(source)) return null;
  const target = source.target;
  if (typeof target === 'string') return target.trim() === '' ? null : target.trim();
  if (isObject(target) && typeof target.userInput === 'string' && target.userInput.trim() !== '')
    return target.userInput.trim();
  return null;
}
