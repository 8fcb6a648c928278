// `patchctl import findings`: vulnerability scanners' findings files into
// advisories/findings/<host>.json (docs/vulnerabilities.md, "Scanner findings"). Every file is
// read, parsed and tied to a host before anything is written: a bad file writes nothing.
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { DateTime } from 'luxon';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { formatDiagnostic } from '../core/model/diagnostics.js';
import { parseYamlFile } from '../core/model/parse.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import { parseJsonStrict } from '../core/model/strict-json.js';
import { parseScannerFindings } from '../core/vuln/findings/detect.js';
import type { ImportedFindings } from '../core/vuln/findings/findings-file.js';
import { findingsFileFor } from '../core/vuln/findings/findings-file.js';
import { hostOfArtifact } from '../core/vuln/findings/host.js';
import type { ScannerFormat } from '../core/vuln/types.js';
import { InputFileError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { MAX_READ_BYTES, isInside, readFileSafe, readFileSafeIfExists } from '../platform/safe-fs.js';
import { decodeUtf8, folderPath } from './load-repo.js';
import { bundledFeedSchemas } from './schemas.js';

export interface ImportFindingsOptions {
  /** Each FILE: its path (absolute) and how messages name it (as given on the command line). */
  files: readonly { path: string; label: string }[];
  /** `--host`: every file is about this inventory host (checked by the caller). */
  host?: string;
  /** When the import happens: the scan time of a file whose scanner states none. */
  at: DateTime;
}

export interface HostImport {
  host: string;
  /** The findings file written, relative to the repository. */
  file: string;
  findings: number;
  /** Findings the scanner knows no fix for. */
  withoutFix: number;
  /** Findings on language packages, left out (patchctl patches OS packages). */
  leftOut: number;
  sources: { format: ScannerFormat; file: string; findings: number }[];
  /** The previous findings file this one replaced (its number of findings when readable), or null. */
  replaced: { findings: number | null } | null;
}

export interface ImportFindingsResult {
  hosts: HostImport[];
}

/** A findings file far larger than any scanner writes for one host is refused. */
export const MAX_FINDINGS_FILE_BYTES = MAX_READ_BYTES;

export function importFindings(
  dir: string,
  repository: Pick<Repository, 'hosts' | 'config'>,
  options: ImportFindingsOptions,
): ImportFindingsResult {
  const hosts = repository.hosts.map((h) => ({ name: h.name, address: h.address }));
  const at = options.at.toUTC().toISO() ?? new Date(options.at.toMillis()).toISOString();
  // Read, parse and place every file first.
  const byHost = new Map<string, { imports: ImportedFindings[]; leftOut: number; labels: string[] }>();
  for (const { path: file, label } of options.files) {
    const bytes = readFileSafe(file, { maxBytes: MAX_FINDINGS_FILE_BYTES, label });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const decoded = decodeUtf8(bytes);
    if (!('text' in decoded))
      throw new InputFileError(
        `${label}:${decoded.line}:${decoded.col}: not UTF-8 text (byte 0x${decoded.byte.toString(16).padStart(2, '0')}); scanners write JSON in UTF-8`,
      );
    const json = parseJsonStrict(label, decoded.text);
    if (!json.ok) throw new InputFileError(formatDiagnostic(json.diagnostic));
    const parsed = parseScannerFindings(json.value);
    if (!parsed.ok) {
      const at = locate(label, decoded.text, parsed.problem.path);
      const d: Diagnostic = {
        severity: 'error',
        code: 'findings-invalid',
        message: parsed.problem.message,
        at,
      };
      throw new InputFileError(formatDiagnostic(d));
    }
    const found = parsed.value;
    let host = options.host;
    if (host === undefined) {
      const resolved = hostOfArtifact(found.artifact, hosts);
      if (!resolved.ok)
        throw new UsageError(
          resolved.reason === 'ambiguous'
            ? `${label} names ${found.artifact ?? '?'}, the address of several inventory hosts (${resolved.candidates.join(', ')}); pass --host`
            : `${label} names no inventory host (${found.artifact ?? `the ${found.format} file names nothing it scanned`}); pass --host`,
        );
      host = resolved.host;
    }
    const entry = byHost.get(host) ?? { imports: [], leftOut: 0, labels: [] };
    byHost.set(host, entry);
    if (entry.imports.some((i) => i.sha256 === sha256)) continue; // the same bytes twice
    entry.imports.push({
      parsed: found,
      file: path.basename(file),
      sha256,
      scannedAt: found.scannedAt ?? at,
    });
    entry.leftOut += found.leftOut;
    entry.labels.push(label);
  }
  const folder = findingsFolder(dir, repository);
  // Everything that can refuse (a previous file that is not a regular file, or leads out of the
  // repository) is checked for every host before the first file is written.
  const planned = [...byHost].map(([host, { imports, leftOut, labels }]) => {
    const rel = path.posix.join(folder, `${host}.json`);
    const abs = path.join(dir, ...rel.split('/'));
    const previous = readFileSafeIfExists(abs, {
      maxBytes: MAX_FINDINGS_FILE_BYTES,
      label: rel,
      within: dir,
    });
    const content = findingsFileFor(host, imports);
    checkAgainstSchema(content, labels, rel);
    return { host, rel, abs, previous, imports, leftOut, labels, content };
  });
  const results: HostImport[] = [];
  for (const { host, rel, abs, previous, imports, leftOut, labels, content } of planned) {
    writeFileAtomic(abs, `${JSON.stringify(content, null, 2)}\n`);
    results.push({
      host,
      file: rel,
      findings: content.findings.length,
      withoutFix: content.findings.filter((f) => f.fixedVersion === null).length,
      leftOut,
      sources: imports.map((i, k) => ({
        format: i.parsed.format,
        file: labels[k] ?? i.file,
        findings: i.parsed.findings.length,
      })),
      replaced: previous === undefined ? null : { findings: findingsIn(rel, previous) },
    });
  }
  return { hosts: results };
}

/**
 * `<advisories>/findings`, relative to the repository (posix); refused when what is there now
 * leads out of the repository through a symbolic link (docs/security.md).
 */
function findingsFolder(dir: string, repository: Pick<Repository, 'config'>): string {
  const advisories = folderPath(configSpec(repository).paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories);
  const rel = advisories === '' ? 'findings' : `${advisories}/findings`;
  let probe = path.join(dir, ...rel.split('/'));
  while (!existsSync(probe) && probe !== dir && path.dirname(probe) !== probe) probe = path.dirname(probe);
  const real = realpathSync.native(probe);
  if (!isInside(dir, real))
    throw new InputFileError(
      `${rel} leads out of the repository (to ${real}) through a symbolic link: patchctl writes only inside it, where git reviews it`,
    );
  return rel;
}

/**
 * What validate would refuse is never written (schemas/findings.schema.json): a scanner's value
 * patchctl cannot record (a package name with a space, an id of 200 characters) is an error
 * naming the files and the finding, and nothing is written.
 */
function checkAgainstSchema(content: object, labels: readonly string[], rel: string): void {
  const validate = bundledFeedSchemas().findings;
  if (validate === undefined || validate(content)) return;
  const [e] = validate.errors ?? [];
  const where = (e?.instancePath ?? '').split('/').filter((p) => p !== '');
  let value: unknown = content;
  for (const p of where) value = (value as Record<string, unknown> | undefined)?.[p];
  const field = where
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  throw new InputFileError(
    `${labels.join(', ')}: ${rel} cannot record ${field || 'the findings'}` +
      `${value === undefined || typeof value === 'object' ? '' : ` (${JSON.stringify(value)})`}: it ${e?.message ?? 'is not valid'}; nothing was written`,
  );
}

/** How many findings a previous findings file held; null when it cannot be read as one. */
function findingsIn(rel: string, bytes: Buffer): number | null {
  const json = parseJsonStrict(rel, bytes.toString('utf8'));
  if (!json.ok || typeof json.value !== 'object' || json.value === null) return null;
  const findings = (json.value as { findings?: unknown }).findings;
  return Array.isArray(findings) ? findings.length : null;
}

/** Where a JSON path is in the text (JSON is YAML); the file's start when it cannot be told. */
function locate(
  file: string,
  text: string,
  at: (string | number)[],
): { file: string; line: number; col: number } {
  try {
    const doc = parseYamlFile(file, text).documents[0];
    if (doc) return doc.locate(at);
  } catch {
    // fall through: the message names the field by its path too
  }
  return { file, line: 1, col: 1 };
}
