// The OS-level parts of a pre-flight, shared by the Linux drivers (docs/adding-a-driver.md,
// "Registries"): who holds a package manager's lock files (/proc/locks) and the free space where
// it downloads and unpacks (df -Pk). The driver names its own files and paths, as constants
// (never data from the inventory: docs/security.md); these build the script lines and read them.
import type { FreeSpace, LockHolder, PackageRef, Preflight, PreflightProblem } from '../types.js';

const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

/**
 * Script lines (sections `lock-files` and `lock-holders`): the device and inode of each of
 * `files` that exists, then the lines of /proc/locks on those inodes, each followed by a tab and
 * the holder's command (/proc/PID/comm).
 */
export function lockHoldersBody(files: readonly string[]): string[] {
  return [
    's lock-files',
    "inodes=' '",
    `for f in ${files.join(' ')}; do`,
    '  if [ -e "$f" ]; then',
    '    i=$(stat -c \'%i\' -- "$f") && inodes="$inodes$i " && stat -c \'%d %i %n\' -- "$f"',
    '  fi',
    'done',
    's lock-holders',
    'if [ -r /proc/locks ]; then',
    '  while IFS= read -r line; do',
    '    set -- $line',
    '    if [ "$2" = \'->\' ]; then shift; fi',
    '    case "$inodes" in',
    '      *" ${6##*:} "*)',
    '        c=$(cat "/proc/$5/comm" 2>/dev/null) || c=\'\'',
    '        printf \'%s\\t%s\\n\' "$line" "$c" ;;',
    '    esac',
    '  done < /proc/locks',
    'fi',
  ];
}

/** Script lines (section `df`): `path P` then `df -Pk P` for each of `paths` that is a directory. */
export function freeSpaceBody(paths: readonly string[]): string[] {
  return [
    's df',
    `for p in ${paths.join(' ')}; do`,
    '  if [ -d "$p" ]; then printf \'path %s\\n\' "$p"; df -Pk -- "$p" 2>&1; fi',
    'done',
  ];
}

interface LockFile {
  dev: number;
  inode: number;
  path: string;
}

interface ProcLock {
  pid: number;
  major: number;
  minor: number;
  inode: number;
  command: string;
}

/** A line of /proc/locks with the holder's command after a tab; undefined for waiters and others. */
function procLocksLine(line: string): ProcLock | undefined {
  if (line.trim() === '') return undefined;
  const tab = line.lastIndexOf('\t');
  const lock = tab === -1 ? line : line.slice(0, tab);
  const command = tab === -1 ? '' : line.slice(tab + 1).trim();
  const t = lock.trim().split(/\s+/);
  if (t[1] === '->') return undefined; // a process waiting for the lock, not holding it
  const m = /^([0-9a-f]+):([0-9a-f]+):(\d+)$/.exec(t[5] ?? '');
  if (m === null) return undefined;
  return {
    pid: Number(t[4]),
    major: parseInt(m[1] ?? '', 16),
    minor: parseInt(m[2] ?? '', 16),
    inode: Number(m[3]),
    command,
  };
}

/** Linux's user-space dev_t encoding (glibc gnu_dev_major/minor). */
function devMajorMinor(dev: number): [number, number] {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return [major, minor];
}

/**
 * The holders of the lock files, from the `lock-files` and `lock-holders` sections' text, in the
 * order of the files, then by pid.
 */
export function lockHoldersFrom(lockFilesText: string, lockHoldersText: string): LockHolder[] {
  const lockFiles: LockFile[] = [];
  for (const line of splitLines(lockFilesText)) {
    const m = /^(\d+) (\d+) (\/\S+)$/.exec(line);
    if (m !== null) lockFiles.push({ dev: Number(m[1]), inode: Number(m[2]), path: m[3] ?? '' });
  }
  // Pass 1 matches device and inode. On overlayfs (containers, the lab) /proc/locks names the
  // upper filesystem's device while stat reports the overlay's, so nothing matches: pass 2 then
  // accepts an inode that exactly one lock file has.
  const locks = splitLines(lockHoldersText).flatMap((line) => {
    const parsed = procLocksLine(line);
    return parsed ? [parsed] : [];
  });
  const holderOf = (l: ProcLock, file: LockFile): LockHolder => ({
    path: file.path,
    pid: Number.isInteger(l.pid) && l.pid > 0 ? l.pid : null,
    ...(l.command !== '' ? { command: l.command } : {}),
  });
  let lockHolders: LockHolder[] = locks.flatMap((l) => {
    const file = lockFiles.find((f) => {
      const [fMajor, fMinor] = devMajorMinor(f.dev);
      return f.inode === l.inode && fMajor === l.major && fMinor === l.minor;
    });
    return file ? [holderOf(l, file)] : [];
  });
  if (lockHolders.length === 0) {
    lockHolders = locks.flatMap((l) => {
      const same = lockFiles.filter((f) => f.inode === l.inode);
      return same.length === 1 && same[0] ? [holderOf(l, same[0])] : [];
    });
  }
  const order = (h: LockHolder) => lockFiles.findIndex((f) => f.path === h.path);
  lockHolders.sort((a, b) => order(a) - order(b) || (a.pid ?? 0) - (b.pid ?? 0));
  return lockHolders;
}

/** `path P` lines each followed by `df -Pk P` output. */
export function parseDfSection(text: string): FreeSpace[] {
  const result: FreeSpace[] = [];
  let path: string | undefined;
  for (const line of splitLines(text)) {
    const p = /^path (\/.*)$/.exec(line);
    if (p !== null) {
      path = p[1];
      continue;
    }
    const m = /^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/.exec(line);
    if (m === null || path === undefined) continue;
    result.push({
      path,
      filesystem: m[1] ?? '',
      mountedOn: m[5] ?? '',
      totalKb: Number(m[2]),
      availableKb: Number(m[4]),
    });
    path = undefined;
  }
  return result;
}

// ---------------------------------------------------------------- judging a pre-flight

/** Extra room a kernel needs in /boot (image, initramfs, System.map, config). */
export const KERNEL_BOOT_FREE_KB = 128 * 1024;

/** What one package manager's pre-flight judgement needs: its paths, its kernels, its words. */
export interface PreflightRules {
  /** Free space (KiB) needed by default where it downloads and unpacks. */
  defaultMinFreeKb: Readonly<Record<string, number>>;
  /** The packages that put a kernel in /boot (they need KERNEL_BOOT_FREE_KB there). */
  isKernel(name: string): boolean;
  /** Why an earlier transaction that did not finish stops this one, and what to run. */
  interrupted: string;
  /** What the package manager's own audit found, in its words. */
  audit: string;
}

const holderText = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/**
 * A driver's `checkPreflight` and `minFreeKbFor` from its rules (README.md, "Apply"). A lock holder
 * explains a busy journal and audit (the package manager is running), so those are reported only
 * when nobody holds a lock. Paths on one filesystem share its free space: each filesystem must
 * have the largest amount asked of any of its paths.
 */
export function preflightJudge(rules: PreflightRules): {
  checkPreflight(preflight: Preflight, minFreeKb?: Readonly<Record<string, number>>): PreflightProblem[];
  minFreeKbFor(pkgs: readonly PackageRef[]): Record<string, number>;
} {
  return {
    minFreeKbFor(pkgs) {
      const needs: Record<string, number> = { ...rules.defaultMinFreeKb };
      if (pkgs.some((p) => rules.isKernel(p.name))) needs['/boot'] = KERNEL_BOOT_FREE_KB;
      return needs;
    },
    checkPreflight(preflight, minFreeKb = rules.defaultMinFreeKb) {
      const problems: PreflightProblem[] = [];
      const seenPids = new Set<number | null>();
      for (const holder of preflight.lockHolders) {
        if (seenPids.has(holder.pid)) continue;
        seenPids.add(holder.pid);
        problems.push({
          kind: 'lock-held',
          message: `${holder.path} is held by ${holderText(holder)}`,
          holder,
        });
      }
      if (preflight.lockHolders.length === 0) {
        if (preflight.interrupted) problems.push({ kind: 'interrupted', message: rules.interrupted });
        if (preflight.audit.length > 0)
          problems.push({ kind: 'audit', message: rules.audit, details: preflight.audit });
      }
      const byMount = new Map<string, { path: string; availableKb: number; requiredKb: number }>();
      for (const [path, requiredKb] of Object.entries(minFreeKb)) {
        if (requiredKb <= 0) continue;
        const fs = preflight.freeSpace.find((f) => f.path === path);
        if (fs === undefined) continue;
        const prev = byMount.get(fs.mountedOn);
        if (prev === undefined || requiredKb > prev.requiredKb)
          byMount.set(fs.mountedOn, { path, availableKb: fs.availableKb, requiredKb });
      }
      for (const [mountedOn, need] of byMount) {
        if (need.availableKb >= need.requiredKb) continue;
        const on = mountedOn === need.path ? '' : ` (on ${mountedOn})`;
        problems.push({
          kind: 'low-space',
          message: `${need.path}${on} has ${need.availableKb} KiB free, ${need.requiredKb} KiB needed`,
          path: need.path,
          availableKb: need.availableKb,
          requiredKb: need.requiredKb,
        });
      }
      return problems;
    },
  };
}
