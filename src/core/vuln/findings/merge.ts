// Findings from one or several files for one host: each (id, package, installed version) once,
// in a stable order (docs/vulnerabilities.md, "Scanner findings").
import type { Finding } from '../types.js';
import { aliasesOf, byCodePoint } from './normalise.js';

/**
 * The findings, each (id, package, installedVersion) once. The first occurrence wins; a later
 * one adds its aliases, and its fixed version, source package and severity where the first
 * had none. Sorted by package, installed version, then id (code points: the same on every
 * machine).
 */
export function mergeFindings(lists: readonly (readonly Finding[])[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const list of lists)
    for (const f of list) {
      const key = JSON.stringify([f.id, f.package, f.installedVersion]);
      const seen = byKey.get(key);
      if (seen === undefined) {
        byKey.set(key, f);
        continue;
      }
      const sourcePackage = seen.sourcePackage ?? f.sourcePackage;
      byKey.set(key, {
        id: seen.id,
        aliases: aliasesOf(seen.id, [...seen.aliases, ...f.aliases]),
        package: seen.package,
        ...(sourcePackage === undefined ? {} : { sourcePackage }),
        installedVersion: seen.installedVersion,
        fixedVersion: seen.fixedVersion ?? f.fixedVersion,
        severity: seen.severity ?? f.severity,
      });
    }
  return [...byKey.values()].sort(
    (a, b) =>
      byCodePoint(a.package, b.package) ||
      byCodePoint(a.installedVersion, b.installedVersion) ||
      byCodePoint(a.id, b.id),
  );
}

/** A Finding with its fields in the order the findings file lists them. */
export function finding(f: {
  id: string;
  aliases: string[];
  package: string;
  sourcePackage?: string | null;
  installedVersion: string;
  fixedVersion: string | null;
  severity: Finding['severity'];
}): Finding {
  return {
    id: f.id,
    aliases: f.aliases,
    package: f.package,
    // Only when it differs from the binary package (like the state file's `source`).
    ...(f.sourcePackage && f.sourcePackage !== f.package ? { sourcePackage: f.sourcePackage } : {}),
    installedVersion: f.installedVersion,
    fixedVersion: f.fixedVersion,
    severity: f.severity,
  };
}
