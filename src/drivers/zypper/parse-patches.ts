// `zypper --xmlout list-patches` (readme.md, "Scan"): every applicable patch, whatever
// `--category` or `--severity` say (the XML ignores both: patchctl filters itself). Patches that
// must wait for a package-manager ("update stack") patch are in `<blocked-update-list>`.
// The XML does not say which packages a patch carries: `zypper info -t patch NAME…` does, as the
// patch's Conflicts (`name[.arch] < edition`), read by parsePatchInfo.
import type { CommandResult } from '../types.js';
import { DriverOutputError, resultExcerpt } from '../errors.js';
import { edition, ZYPPER_ARCH, ZYPPER_PACKAGE_NAME } from './names.js';
import { DRIVER, fail, readStream, unreadable } from './stream.js';
import { updateElements, warningsOf } from './parse-updates.js';
import { childNamed } from './xml.js';

/** A patch name: SUSE-SLE-Module-Basesystem-15-SP5-2024-1234, openSUSE-2024-12, FLEET-2026:0001. */
export const PATCH_NAME = /^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$/;

/** zypper's patch statuses: needed and optional are applicable; unwanted = locked. */
export type PatchStatus = 'needed' | 'optional' | 'applied' | 'not-needed' | 'unwanted' | 'retracted';
const STATUSES: ReadonlySet<string> = new Set([
  'needed',
  'optional',
  'applied',
  'not-needed',
  'unwanted',
  'retracted',
]);

export interface PatchIssue {
  /** `cve`, `bugzilla`, `self`, `jira`... */
  type: string;
  id: string;
}

export interface ZypperPatch {
  name: string;
  edition: string;
  status: PatchStatus;
  /** As the repository says it (security, recommended, bugfix, optional, feature, enhancement, document, yast...), lower case. */
  category: string;
  /** As the repository says it (critical, important, moderate, low, unspecified, ""), lower case. */
  severity: string;
  /** `restart="true"`: the updateinfo asks for a reboot (reboot_suggested). */
  rebootSuggested: boolean;
  /** `pkgmanager="true"`: the patch updates the package manager itself (restart_suggested); installed first. */
  packageManager: boolean;
  /** `interactive="true"`: zypper's `patch` skips it without `--with-interactive` (reboot, message or licence). */
  interactive: boolean;
  /** In `<blocked-update-list>`: waits for the package-manager patches. */
  blocked: boolean;
  summary: string;
  repo?: string;
  /** `issue-date` as ISO 8601 UTC: the updateinfo's `updated` date, else its `issued` date. */
  issuedAt?: string;
  /** Ids of `issue type="cve"`, sorted, without duplicates. */
  cves: string[];
  issues: PatchIssue[];
}

export interface PatchList {
  patches: ZypperPatch[];
  repositoriesSkipped: boolean;
  warnings: string[];
}

const CVE = /^CVE-\d{4}-\d{4,}$/;
const BOOL: Readonly<Record<string, boolean>> = { true: true, false: false };

function flag(value: string | undefined, name: string, patch: string, stdout: string): boolean {
  if (value === undefined) return false;
  const b = BOOL[value];
  if (b === undefined)
    throw fail(
      `zypper list-patches: patch ${patch}: ${name}=${JSON.stringify(value)} is not true or false`,
      stdout,
    );
  return b;
}

/** `time_t` of `<issue-date>` as an ISO 8601 UTC timestamp (seconds precision), or undefined. */
function issueDate(time: string | undefined): string | undefined {
  if (time === undefined || !/^\d{1,12}$/.test(time)) return undefined;
  const seconds = Number(time);
  if (seconds === 0) return undefined;
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace('.000Z', 'Z');
}

export function parseListPatches(out: CommandResult): PatchList {
  const what = 'zypper list-patches';
  const { root, messages } = readStream(what, out);
  if (out.exitCode !== 0 && out.exitCode !== 106) {
    throw new DriverOutputError(
      DRIVER,
      `${what} failed with exit status ${String(out.exitCode)}: ${messages
        .filter((m) => m.type === 'error')
        .map((m) => m.text.split('\n')[0])
        .join('; ')}`,
      resultExcerpt(out),
    );
  }
  const status = childNamed(root, 'update-status');
  const blocked = new Set(
    status === undefined
      ? []
      : status.children.filter((c) => c.name === 'blocked-update-list').flatMap((l) => l.children),
  );
  const patches: ZypperPatch[] = [];
  for (const u of updateElements(root, what, out.stdout)) {
    if (u.attrs.get('kind') !== 'patch') continue;
    const name = u.attrs.get('name') ?? '';
    const ed = u.attrs.get('edition') ?? '';
    const st = u.attrs.get('status') ?? '';
    if (!PATCH_NAME.test(name) || edition(ed) === undefined || !STATUSES.has(st)) {
      throw fail(
        `${what}: unreadable patch at line ${u.line}: name ${JSON.stringify(name)}, edition ${JSON.stringify(ed)}, status ${JSON.stringify(st)}`,
        out.stdout.slice(0, 2000),
      );
    }
    const issues: PatchIssue[] = (childNamed(u, 'issue-list')?.children ?? [])
      .filter((i) => i.name === 'issue')
      .map((i) => ({ type: (i.attrs.get('type') ?? '').toLowerCase(), id: (i.attrs.get('id') ?? '').trim() }))
      .filter((i) => i.id !== '' && i.id.length <= 200);
    const patch: ZypperPatch = {
      name,
      edition: ed,
      status: st as PatchStatus,
      category: (u.attrs.get('category') ?? '').toLowerCase(),
      severity: (u.attrs.get('severity') ?? '').toLowerCase(),
      rebootSuggested: flag(u.attrs.get('restart'), 'restart', name, out.stdout),
      packageManager: flag(u.attrs.get('pkgmanager'), 'pkgmanager', name, out.stdout),
      interactive: flag(u.attrs.get('interactive'), 'interactive', name, out.stdout),
      blocked: blocked.has(u),
      summary: (childNamed(u, 'summary')?.text ?? '').trim(),
      cves: [...new Set(issues.filter((i) => i.type === 'cve' && CVE.test(i.id)).map((i) => i.id))].sort(),
      issues,
    };
    const repo = childNamed(u, 'source')?.attrs.get('alias');
    if (repo !== undefined && repo !== '') patch.repo = repo;
    const issued = issueDate(childNamed(u, 'issue-date')?.attrs.get('time_t'));
    if (issued !== undefined) patch.issuedAt = issued;
    patches.push(patch);
  }
  return { patches, repositoriesSkipped: out.exitCode === 106, warnings: warningsOf(messages) };
}

/** What a patch fixes: installed `name` (of `arch`, when given) older than `edition` conflicts with it. */
export interface PatchConflict {
  name: string;
  arch?: string;
  /** The first fixed edition. */
  edition: string;
}

const CONFLICT = /^([^\s<>=]+) < (\S+)$/;
const INFO_HEADER = /^Information for patch (\S+):$/;
const FIELD = /^([A-Z][A-Za-z ]*?)\s*: ?(.*)$/;

/** `name[.arch] < edition`, or undefined for other capabilities (a `patch:`, a file, `>=`…). */
function conflictOf(text: string): PatchConflict | undefined {
  const m = CONFLICT.exec(text.trim());
  if (m === null) return undefined;
  const ed = edition(m[2]);
  const cap = m[1] ?? '';
  if (ed === undefined) return undefined;
  if (ZYPPER_PACKAGE_NAME.test(cap) && !cap.includes('.')) return { name: cap, edition: ed };
  const dot = cap.lastIndexOf('.');
  const name = cap.slice(0, dot);
  const arch = cap.slice(dot + 1);
  if (dot > 0 && ZYPPER_PACKAGE_NAME.test(name) && ZYPPER_ARCH.test(arch) && KNOWN_ARCH.test(arch))
    return { name, arch, edition: ed };
  return ZYPPER_PACKAGE_NAME.test(cap) ? { name: cap, edition: ed } : undefined;
}

/** Architectures rpm builds for: a dotted package name (python3.11) is not mistaken for name.arch. */
const KNOWN_ARCH =
  /^(noarch|x86_64|i[3-6]86|athlon|aarch64|armv[5-8][a-z0-9]*|ppc64(le|p7)?|ppc|s390x?|riscv64|loongarch64|ia64|src|nosrc)$/;

/**
 * `zypper info -t patch NAME…` (text: there is no XML form of `info`): each patch's Conflicts,
 * either inline (`Conflicts   : fleet-lib < 2.1-1`) or a count `[N]` and N indented lines.
 */
export function parsePatchInfo(out: CommandResult): Map<string, PatchConflict[]> {
  const why = unreadable(out);
  if (why !== undefined)
    throw new DriverOutputError(DRIVER, `zypper info -t patch: ${why}`, resultExcerpt(out));
  if (out.exitCode !== 0) {
    throw new DriverOutputError(
      DRIVER,
      `zypper info -t patch failed with exit status ${String(out.exitCode)}`,
      resultExcerpt(out),
    );
  }
  const result = new Map<string, PatchConflict[]>();
  let patch: string | undefined;
  let inConflicts = false;
  for (const raw of out.stdout.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let m: RegExpExecArray | null;
    if ((m = INFO_HEADER.exec(line)) !== null) {
      patch = m[1] ?? '';
      if (!PATCH_NAME.test(patch))
        throw fail(`zypper info: unexpected patch name ${JSON.stringify(patch)}`, line);
      result.set(patch, []);
      inConflicts = false;
      continue;
    }
    if (patch === undefined) continue;
    if (inConflicts && /^\s+\S/.test(line)) {
      const c = conflictOf(line);
      if (c !== undefined) result.get(patch)?.push(c);
      continue;
    }
    inConflicts = false;
    if ((m = FIELD.exec(line)) !== null && m[1] === 'Conflicts') {
      const value = (m[2] ?? '').trim();
      if (/^\[\d+\]$/.test(value)) inConflicts = true;
      else {
        const c = conflictOf(value);
        if (c !== undefined) result.get(patch)?.push(c);
      }
    }
  }
  return result;
}
