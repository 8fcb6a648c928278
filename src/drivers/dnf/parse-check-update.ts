// `dnf check-update` (and yum's, and `list available`): `name.arch  [epoch:]version-release  repo`.
// Column widths vary; a long name.arch (or version) is wrapped onto the next line, indented. Lines
// that are not entries (headers, "Last metadata expiration check", "Loaded plugins", "Security: …")
// are skipped; "Obsoleting Packages" ends the list (what follows are obsoletes, not updates).
// Exit status: 100 = updates, 0 = none, 1 = error (docs/adding-a-driver.md, "RPM traps": with skip_if_unavailable=True a broken
// repository gives 0 and no output: the scan script cannot tell, the readme says so).
import { parseEvr } from './nevra.js';
import { fail, quoteLine, splitLines } from './text.js';

export interface CheckUpdateEntry {
  name: string;
  arch: string;
  /** As printed: `[epoch:]version-release`. */
  evr: string;
  /** The repository id (`@System`-style names for `list` outputs: the leading `@` is dropped). */
  repo: string;
}

const NAME_ARCH = /^([^\s/]+)\.([A-Za-z0-9_]+)$/;

function nameArch(token: string): { name: string; arch: string } | undefined {
  const m = NAME_ARCH.exec(token);
  return m === null ? undefined : { name: m[1] ?? '', arch: m[2] ?? '' };
}

/** The entries of a check-update listing; throws DriverOutputError on a wrapped entry left incomplete. */
export function parseCheckUpdateText(text: string): CheckUpdateEntry[] {
  const entries: CheckUpdateEntry[] = [];
  let pending: string[] = [];
  let pendingLine = '';
  for (const line of splitLines(text)) {
    if (/^Obsoleting Packages\s*$/.test(line)) break;
    const tokens = line
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (tokens.length === 0) continue;
    if (pending.length > 0) {
      if (/^\s/.test(line) && pending.length + tokens.length === 3) {
        tokens.unshift(...pending);
        pending = [];
      } else {
        throw fail(`check-update: wrapped entry ${quoteLine(pendingLine)} is not continued`, text);
      }
    }
    const first = tokens[0] ?? '';
    const na = nameArch(first);
    if (na === undefined || tokens.length > 3) continue; // a header, footer or message line
    if (tokens.length < 3) {
      if (tokens.length === 2 && parseEvr(tokens[1] ?? '') === undefined) continue;
      pending = tokens;
      pendingLine = line;
      continue;
    }
    const evr = tokens[1] ?? '';
    if (parseEvr(evr) === undefined) continue; // "Security: kernel-… is an installed security update" and the like
    entries.push({ ...na, evr, repo: (tokens[2] ?? '').replace(/^@/, '') });
  }
  if (pending.length > 0)
    throw fail(`check-update: wrapped entry ${quoteLine(pendingLine)} is not continued`, text);
  return entries;
}

/** The meaning of dnf check-update's exit status. */
export function checkUpdateStatus(rc: number | undefined): 'updates' | 'none' | 'error' {
  if (rc === 100) return 'updates';
  if (rc === 0) return 'none';
  return 'error';
}
