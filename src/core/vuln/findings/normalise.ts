// The rules every scanner format shares (docs/vulnerabilities.md, "Scanner findings"): ids,
// aliases, severities, which fixed version counts, and which packages are OS packages.
import { DateTime } from 'luxon';
import { severityOfCvssScore } from '../feeds/cvss.js';
import { highest, severityFromWord } from '../feeds/osv.js';
import type { Severity } from '../../model/types.js';
import type { Ecosystem } from '../../versions/index.js';
import { compareVersions } from '../../versions/index.js';

/** CVE ids are upper-case (`cve-2024-1` → `CVE-2024-1`); every other id is kept as written. */
export function normaliseId(id: string): string {
  const trimmed = id.trim();
  return /^cve-/i.test(trimmed) ? trimmed.toUpperCase() : trimmed;
}

/** The other ids of a vulnerability: without `id`, each once, CVE ids first, then the rest (each sorted). */
export function aliasesOf(id: string, others: readonly string[]): string[] {
  const own = normaliseId(id);
  const seen = new Set<string>();
  for (const o of others) {
    const n = normaliseId(o);
    if (n !== '' && n !== own) seen.add(n);
  }
  const all = [...seen].sort(byCodePoint);
  return [...all.filter(isCve), ...all.filter((a) => !isCve(a))];
}

export function isCve(id: string): boolean {
  return id.startsWith('CVE-');
}

/** A scanner's severity word on patchctl's scale: the same mapping as the OSV feeds (feeds/osv.ts). */
export function severityOfWord(word: string | null | undefined): Severity | null {
  return word == null ? null : severityFromWord(word);
}

/** A CVSS base score on patchctl's scale (feeds/cvss.ts); not a finite score is no rating. */
export function severityOfScore(score: number): Severity | null {
  return Number.isFinite(score) ? severityOfCvssScore(score) : null;
}

export const highestSeverity = highest;

/**
 * The fixed version a finding reports when the scanner lists several (Grype `fix.versions`, one
 * per release branch; Trivy's comma-separated FixedVersion; OSV `fixed` events): the lowest
 * above the installed version in the package's own ordering (src/core/versions), so that a
 * branch already passed is not offered as the fix; when none is above it, the lowest. Versions
 * the ordering refuses are compared as text, after the valid ones. Null when there is none.
 */
export function pickFixedVersion(
  ecosystem: Ecosystem | undefined,
  installed: string,
  candidates: readonly string[],
): string | null {
  const unique = [...new Set(candidates.map((c) => c.trim()).filter((c) => c !== ''))];
  if (unique.length <= 1) return unique[0] ?? null;
  if (ecosystem === undefined) return unique[0] ?? null;
  const compare = (a: string, b: string): number | undefined => {
    try {
      return compareVersions(ecosystem, a, b);
    } catch {
      return undefined;
    }
  };
  const valid = unique.filter((v) => compare(v, v) !== undefined);
  const invalid = unique.filter((v) => compare(v, v) === undefined).sort(byCodePoint);
  const sorted = [...valid.sort((a, b) => compare(a, b) ?? 0), ...invalid];
  return sorted.find((v) => (compare(v, installed) ?? 0) > 0) ?? sorted[0] ?? null;
}

/** Version ordering from an OS name as scanners write it (Trivy's OS family, Grype's distro). */
export function ecosystemOfOs(family: string | null | undefined): Ecosystem | undefined {
  const f = (family ?? '').trim().toLowerCase();
  if (f === '') return undefined;
  if (DEB_OS.has(f)) return 'deb';
  if (APK_OS.has(f)) return 'apk';
  if (RPM_OS.has(f) || /^(opensuse|suse|sles|sle)/.test(f)) return 'rpm';
  return undefined;
}

const DEB_OS = new Set(['debian', 'ubuntu', 'echo', 'deb']);
const APK_OS = new Set(['alpine', 'wolfi', 'chainguard', 'minimos', 'apk']);
const RPM_OS = new Set([
  'alma',
  'almalinux',
  'rocky',
  'redhat',
  'rhel',
  'centos',
  'fedora',
  'amazon',
  'amzn',
  'oracle',
  'ol',
  'photon',
  'cbl-mariner',
  'mariner',
  'azurelinux',
  'openeuler',
  'bottlerocket',
  'rpm',
]);

/** Version ordering from a package URL's type (`pkg:deb/…`, `pkg:rpm/…`, `pkg:apk/…`). */
export function ecosystemOfPurl(purl: string | null | undefined): Ecosystem | undefined {
  const m = /^pkg:(deb|rpm|apk)\//.exec(purl ?? '');
  return m ? (m[1] as Ecosystem) : undefined;
}

/**
 * Version ordering from an OSV ecosystem (`Debian:12`, `Ubuntu:22.04:LTS`, `AlmaLinux:9`,
 * `Alpine:v3.19`); undefined for language ecosystems (npm, PyPI, Go…).
 */
export function ecosystemOfOsv(ecosystem: string): Ecosystem | undefined {
  const base = ecosystem.split(':')[0]?.trim() ?? '';
  if (base === 'Debian' || base === 'Ubuntu') return 'deb';
  if (base === 'Alpine' || base === 'Wolfi' || base === 'Chainguard' || base === 'MinimOS') return 'apk';
  if (OSV_RPM.has(base)) return 'rpm';
  return undefined;
}

const OSV_RPM = new Set([
  'AlmaLinux',
  'Rocky Linux',
  'Red Hat',
  'SUSE',
  'openSUSE',
  'Mageia',
  'openEuler',
  'Azure Linux',
  'Photon OS',
]);

/** A scanner's timestamp as an ISO instant in UTC; null when absent or not a time. */
export function instantOf(value: string | null): string | null {
  if (value === null) return null;
  const t = DateTime.fromISO(value, { setZone: true });
  // Go writes the zero time when it has none (0001-01-01T00:00:00Z).
  if (!t.isValid || t.year < 1970) return null;
  return t.toUTC().toISO();
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
