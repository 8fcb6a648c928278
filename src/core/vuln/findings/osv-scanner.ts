// OSV-Scanner's JSON output (`osv-scanner scan … --format json`; pkg/models/results.go):
// results[] of { source {path, type}, packages[] { package {name, os_package_name, version,
// ecosystem}, vulnerabilities[] (whole OSV records), groups[] {ids, aliases, max_severity} } }.
// For OS packages `name` is the source package and `os_package_name` the installed binary one.
// A group is one vulnerability under several ids (OSV-Scanner's own grouping by aliases): it is
// one finding here. Only OS ecosystems are kept; see docs/vulnerabilities.md, "Scanner findings".
import type { Severity } from '../../model/types.js';
import type { Ecosystem } from '../../versions/index.js';
import type { Finding } from '../types.js';
import { finding, mergeFindings } from './merge.js';
import {
  aliasesOf,
  ecosystemOfOsv,
  highestSeverity,
  normaliseId,
  pickFixedVersion,
  severityOfScore,
  severityOfWord,
} from './normalise.js';
import type { FindingsParse } from './parsed.js';
import type { JsonObject, JsonPath } from './shape.js';
import { isObject, list, object, optionalText, shaped, text } from './shape.js';

/** Whether a parsed JSON value looks like OSV-Scanner's JSON output. */
export function looksLikeOsvScanner(value: unknown): boolean {
  if (!isObject(value) || !Array.isArray(value.results)) return false;
  if ('experimental_config' in value) return true;
  return (
    value.results.length > 0 && value.results.every((r) => isObject(r) && 'source' in r && 'packages' in r)
  );
}

export function parseOsvScanner(value: unknown): FindingsParse {
  return shaped(() => {
    const root = object(value, []);
    let artifact: string | null = null;
    let leftOut = 0;
    const lists: Finding[][] = [];
    list(root.results, ['results']).forEach((r, i) => {
      const result = object(r, ['results', i]);
      if (isObject(result.source))
        artifact ??= optionalText(result.source.path, ['results', i, 'source', 'path']);
      list(result.packages, ['results', i, 'packages']).forEach((p, j) => {
        const at: JsonPath = ['results', i, 'packages', j];
        const entry = object(p, at);
        const info = object(entry.package, [...at, 'package']);
        const ecosystemName = text(info.ecosystem, [...at, 'package', 'ecosystem']);
        const ecosystem = ecosystemOfOsv(ecosystemName);
        const records = list(entry.vulnerabilities, [...at, 'vulnerabilities']).map((v, k) =>
          object(v, [...at, 'vulnerabilities', k]),
        );
        const groups = groupsOf(entry, records, at);
        if (ecosystem === undefined) {
          leftOut += groups.length;
          return;
        }
        const name = text(info.name, [...at, 'package', 'name']);
        const binary = optionalText(info.os_package_name, [...at, 'package', 'os_package_name']);
        const installed = text(info.version, [...at, 'package', 'version']);
        lists.push(
          groups.map((g) => {
            const members = records.filter((rec) => g.ids.includes(recordId(rec, records, at)));
            const id = normaliseId(g.ids[0] ?? '');
            const others = [
              ...g.ids,
              ...g.aliases,
              ...members.flatMap((rec) => [
                ...strings(rec.aliases),
                ...strings(rec.upstream),
                ...strings(rec.related),
              ]),
            ];
            const fixes = members.flatMap((rec) => fixedEvents(rec, name, ecosystemName));
            return finding({
              id,
              aliases: aliasesOf(id, others),
              package: binary ?? name,
              sourcePackage: binary === null ? null : name,
              installedVersion: installed,
              fixedVersion: pickFixedVersion(ecosystem as Ecosystem, installed, fixes),
              severity:
                g.score !== null
                  ? severityOfScore(g.score)
                  : highestSeverity(members.map((rec) => vendorSeverity(rec, name, ecosystemName))),
            });
          }),
        );
      });
    });
    return {
      format: 'osv-scanner',
      // OSV-Scanner's JSON states neither its version nor when it ran.
      scanner: { name: 'osv-scanner', version: null },
      scannedAt: null,
      artifact,
      findings: mergeFindings(lists),
      leftOut,
    };
  });
}

interface Group {
  ids: string[];
  aliases: string[];
  /** max_severity: the highest CVSS base score of the group's records; null when none. */
  score: number | null;
}

/** The package's groups; without any (older output), each record is its own group. */
function groupsOf(entry: JsonObject, records: JsonObject[], at: JsonPath): Group[] {
  const raw = list(entry.groups, [...at, 'groups']);
  if (raw.length === 0)
    return records.map((rec, k) => ({
      ids: [text(rec.id, [...at, 'vulnerabilities', k, 'id'])],
      aliases: [],
      score: null,
    }));
  return raw.map((g, k) => {
    const gat = [...at, 'groups', k];
    const group = object(g, gat);
    const ids = list(group.ids, [...gat, 'ids']).map((x, n) => text(x, [...gat, 'ids', n]));
    if (ids.length === 0) text(undefined, [...gat, 'ids', 0]);
    const score = optionalText(group.max_severity, [...gat, 'max_severity']);
    return {
      ids,
      aliases: list(group.aliases, [...gat, 'aliases']).map((x, n) => text(x, [...gat, 'aliases', n])),
      score: score === null || !Number.isFinite(Number(score)) ? null : Number(score),
    };
  });
}

function recordId(rec: JsonObject, records: JsonObject[], at: JsonPath): string {
  return text(rec.id, [...at, 'vulnerabilities', records.indexOf(rec), 'id']);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * The record's `affected[]` entries for this package in this ecosystem (`Debian:12`); when none
 * names the exact release, those of the same distribution (`Debian`).
 */
function affectedFor(rec: JsonObject, name: string, ecosystem: string): JsonObject[] {
  const all = (Array.isArray(rec.affected) ? rec.affected : []).filter(
    (a): a is JsonObject => isObject(a) && isObject(a.package) && a.package.name === name,
  );
  const eco = (a: JsonObject) => String((a.package as JsonObject).ecosystem ?? '');
  const exact = all.filter((a) => eco(a) === ecosystem);
  if (exact.length > 0) return exact;
  const base = ecosystem.split(':')[0];
  return all.filter((a) => eco(a).split(':')[0] === base);
}

/** Every `fixed` event of the package's ECOSYSTEM ranges. */
function fixedEvents(rec: JsonObject, name: string, ecosystem: string): string[] {
  return affectedFor(rec, name, ecosystem).flatMap((a) =>
    (Array.isArray(a.ranges) ? a.ranges : [])
      .filter((r): r is JsonObject => isObject(r) && r.type === 'ECOSYSTEM')
      .flatMap((r) => (Array.isArray(r.events) ? r.events : []))
      .flatMap((e) => (isObject(e) && typeof e.fixed === 'string' ? [e.fixed] : [])),
  );
}

/**
 * The vendor's word when no CVSS score is given: Ubuntu's `severity[{type: "Ubuntu"}]`, a
 * record's `database_specific.severity` (GHSA), Debian's `ecosystem_specific.urgency`.
 */
function vendorSeverity(rec: JsonObject, name: string, ecosystem: string): Severity | null {
  const words: (string | null)[] = [];
  for (const s of Array.isArray(rec.severity) ? rec.severity : [])
    if (isObject(s) && s.type === 'Ubuntu' && typeof s.score === 'string') words.push(s.score);
  if (isObject(rec.database_specific) && typeof rec.database_specific.severity === 'string')
    words.push(rec.database_specific.severity);
  for (const a of affectedFor(rec, name, ecosystem))
    if (isObject(a.ecosystem_specific) && typeof a.ecosystem_specific.urgency === 'string')
      words.push(a.ecosystem_specific.urgency);
  return highestSeverity(words.map(severityOfWord));
}
