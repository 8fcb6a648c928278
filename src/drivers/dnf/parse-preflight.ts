// PREFLIGHT_SCRIPT's output → Preflight (readme.md, "Pre-flight"):
// - lockHolders: rpm's transaction lock from /proc/locks (the shared Linux module), then dnf's PID
//   lock files whose PID is alive (dnf holds its flock only while it writes the PID).
// - interrupted: what EL can tell of a transaction that did not finish: `dnf check` duplicates ("X
//   is a duplicate with Y": rpm installs the new version before it erases the old one), and yum's
//   journal (/var/lib/yum/transaction-all.*, EL 7: yum-complete-transaction).
// - audit: `dnf check`'s other problems (missing requires, conflicts, obsoleted packages).
// - freeSpace: df of DNF_SPACE_PATHS (the shared Linux module).
import { lockHoldersFrom, parseDfSection } from '../linux/preflight.js';
import { readSections } from '../sections.js';
import type { CommandResult, LockHolder, Preflight } from '../types.js';
import { LOCK_FILES } from './scripts.js';
import { DRIVER, splitLines } from './text.js';

/** `PATH\tPID\tCOMM` lines of dnf's live PID lock files, in LOCK_FILES order. */
export function parsePidLocks(text: string): LockHolder[] {
  const holders: LockHolder[] = [];
  for (const line of splitLines(text)) {
    const m = /^(\/\S+)\t(\d{1,10})\t(.*)$/.exec(line);
    if (m === null || !LOCK_FILES.includes(m[1] ?? '')) continue;
    const h: LockHolder = { path: m[1] ?? '', pid: Number(m[2]) };
    if ((m[3] ?? '') !== '') h.command = m[3] ?? '';
    holders.push(h);
  }
  return holders.sort((a, b) => LOCK_FILES.indexOf(a.path) - LOCK_FILES.indexOf(b.path));
}

const DUPLICATE = / is a duplicate with /;

export function parsePreflight(out: CommandResult): Preflight {
  const s = readSections(DRIVER, 'preflight', out, [
    'lock-files',
    'lock-holders',
    'pid-locks',
    'yum-transactions',
    'dnf-check',
    'df',
  ]);
  const lockHolders = [
    ...lockHoldersFrom(s.get('lock-files')?.text ?? '', s.get('lock-holders')?.text ?? ''),
    ...parsePidLocks(s.get('pid-locks')?.text ?? ''),
  ];
  const yumJournal = splitLines(s.get('yum-transactions')?.text ?? '').some((e) =>
    /^transaction-all\./.test(e.trim()),
  );
  const check = s.get('dnf-check');
  const problems = splitLines(check?.text ?? '')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^Error: Check discovered \d+ problem/.test(l));
  return {
    lockHolders,
    interrupted: yumJournal || problems.some((l) => DUPLICATE.test(l)),
    // dnf check exits 0 when clean; its other lines are the audit (an error running it included:
    // an audit that could not run is not a clean one).
    audit: check?.rc === 0 ? [] : problems.filter((l) => !DUPLICATE.test(l)),
    freeSpace: parseDfSection(s.get('df')?.text ?? ''),
  };
}
