// `dnf updateinfo list` (advisory → package) and `dnf updateinfo info` (an advisory's CVEs, dates and
// severity). dnf's info view lists no packages and its list view no CVEs or dates: the scan runs both
// and joins them by advisory id (combine.ts).
//
// Severity mapping (patchctl's Severity, src/core/model/types.ts; Red Hat's four-level scale as dnf
// prints it, Amazon's and SUSE's words too), case-insensitive:
//   Critical → critical; Important, High → high; Moderate, Medium → medium; Low → low;
//   None, Unknown, empty → no severity.
import type { Severity } from '../../core/model/types.js';
import { parseNevra, type Nevra } from './nevra.js';
import { splitLines } from './text.js';

export type AdvisoryType = 'security' | 'bugfix' | 'enhancement' | 'newpackage' | 'unknown';

export interface AdvisoryPackage {
  advisory: string;
  type: AdvisoryType;
  severity?: Severity;
  package: Nevra;
}

export interface AdvisoryInfo {
  id: string;
  type: AdvisoryType;
  severity?: Severity;
  title?: string;
  /** Only `CVE-YYYY-N…` ids: other references (`self`, bugzilla) never count as CVEs. */
  cves: string[];
  /** ISO 8601 (UTC): dnf's "Updated" (the issued date when the advisory has no updated date). */
  updated?: string;
  /** ISO 8601: yum's "Issued", when printed. */
  issued?: string;
}

export function severityOf(text: string | undefined): Severity | undefined {
  switch ((text ?? '').trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'important':
    case 'high':
      return 'high';
    case 'moderate':
    case 'medium':
      return 'medium';
    case 'low':
      return 'low';
    default:
      return undefined;
  }
}

function typeOf(text: string): AdvisoryType | undefined {
  const t = text.trim().toLowerCase();
  return t === 'security' || t === 'bugfix' || t === 'enhancement' || t === 'newpackage' || t === 'unknown'
    ? t
    : undefined;
}

/** The list view's type column: `Critical/Sec.` (`Unknown/Sec.`, `Sec.`), `bugfix`, `enhancement`... */
function typeLabel(label: string): { type: AdvisoryType; severity?: Severity } | undefined {
  const sec = /^(?:([A-Za-z]+)\/)?Sec\.$/.exec(label);
  if (sec !== null) {
    const severity = severityOf(sec[1]);
    return severity === undefined ? { type: 'security' } : { type: 'security', severity };
  }
  const type = typeOf(label);
  return type === undefined ? undefined : { type };
}

const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * `updateinfo list [--updates]`: `ID LABEL NEVRA` (with -v a date and time follow; with `--all` an
 * `i ` mark may lead). Lines of another shape ("updateinfo list done", blank ones) are skipped.
 * `--with-cve` lists CVE (and `self`) references in the id column: do not use it for this.
 */
export function parseUpdateinfoList(text: string): AdvisoryPackage[] {
  const result: AdvisoryPackage[] = [];
  for (const line of splitLines(text)) {
    const tokens = line
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (tokens[0] === 'i' && tokens.length >= 4) tokens.shift();
    if (tokens.length !== 3 && tokens.length !== 5) continue;
    const [id = '', label = '', nevraText = ''] = tokens;
    const kind = typeLabel(label);
    const nevra = parseNevra(nevraText);
    if (!ADVISORY_ID.test(id) || kind === undefined || nevra === undefined) continue;
    result.push({ advisory: id, ...kind, package: nevra });
  }
  return result;
}

/** `2026-02-03 00:00:00`, `2015-12-15 13:30`, `2017-02-15` → ISO 8601 UTC; undefined otherwise. */
export function isoDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
  const t = Date.parse(iso);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== iso.slice(0, 19)) return undefined;
  return iso;
}

const FIELD_LINE = /^\s*([A-Za-z][A-Za-z ]*?)\s?: ?(.*)$/;
const CONTINUATION = /^\s*: ?(.*)$/;
const RULE = /^={20,}\s*$/;

/**
 * `updateinfo info [--updates]` (and yum's, with `Key : value` and `Issued`): blocks opened by a rule
 * of `=`, the title, a rule, then `Key: value` lines whose continuation lines start with `: `.
 * A block without an Update ID is skipped.
 */
export function parseUpdateinfoInfo(text: string): AdvisoryInfo[] {
  const result: AdvisoryInfo[] = [];
  let fields: Map<string, string[]> | undefined;
  let title: string | undefined;
  let key: string | undefined;
  let state: 'out' | 'title' | 'after-title' | 'fields' = 'out';
  const close = () => {
    if (fields === undefined) return;
    const info = infoFrom(fields, title);
    if (info !== undefined) result.push(info);
    fields = undefined;
    title = undefined;
    key = undefined;
  };
  for (const line of splitLines(text)) {
    if (RULE.test(line.trim())) {
      if (state === 'title') {
        state = 'fields';
        continue;
      }
      if (state === 'after-title') {
        state = 'fields';
        continue;
      }
      close();
      fields = new Map();
      state = 'title';
      continue;
    }
    if (fields === undefined) continue;
    if (state === 'title') {
      title = line.trim();
      state = 'after-title';
      continue;
    }
    if (line.trim() === '') {
      key = undefined;
      continue;
    }
    const cont = CONTINUATION.exec(line);
    if (cont !== null && key !== undefined) {
      fields.get(key)?.push((cont[1] ?? '').trim());
      continue;
    }
    const m = FIELD_LINE.exec(line);
    if (m !== null) {
      key = (m[1] ?? '').trim();
      const values = fields.get(key) ?? [];
      values.push((m[2] ?? '').trim());
      fields.set(key, values);
    }
  }
  close();
  return result;
}

function infoFrom(
  fields: ReadonlyMap<string, string[]>,
  title: string | undefined,
): AdvisoryInfo | undefined {
  const id = (fields.get('Update ID')?.[0] ?? '').trim();
  if (!ADVISORY_ID.test(id)) return undefined;
  const info: AdvisoryInfo = {
    id,
    type: typeOf(fields.get('Type')?.[0] ?? '') ?? 'unknown',
    cves: [
      ...new Set((fields.get('CVEs') ?? []).flatMap((v) => v.split(/[\s,]+/)).filter((c) => CVE.test(c))),
    ].sort(),
  };
  const severity = severityOf(fields.get('Severity')?.[0]);
  if (severity !== undefined) info.severity = severity;
  if (title !== undefined && title !== '') info.title = title;
  const updated = isoDate(fields.get('Updated')?.[0] ?? '');
  if (updated !== undefined) info.updated = updated;
  const issued = isoDate(fields.get('Issued')?.[0] ?? '');
  if (issued !== undefined) info.issued = issued;
  return info;
}
