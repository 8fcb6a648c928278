// PREFLIGHT_SCRIPT's output (scripts.ts) as the contract's Preflight (readme.md, "Pre-flight"):
// lock holders from /proc/locks and from libzypp's pid file, what SUSE tells of an interrupted
// transaction (a package rpm lists twice for one name and arch that is not installonly, i.e.
// multiversion: ../rpm/readme.md, "Duplicates") and of a broken system (`zypper verify --dry-run`),
// free space.
import { lockHoldersFrom, parseDfSection } from '../linux/preflight.js';
import { duplicatesOf, parseInstallonly, parseRpmQueryResult } from '../rpm/parse-installed.js';
import { readSections } from '../sections.js';
import type { CommandResult, LockHolder, Preflight } from '../types.js';
import { parseLockHolder } from './outcome.js';
import { sectionResult } from './parse-inventory.js';
import { DRIVER, fail } from './stream.js';

const splitLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.trim() !== '');

/** `zypper verify --dry-run` lines that are not its progress or its all-clear. */
const VERIFY_NOISE =
  /^(Loading repository data\.\.\.|Reading installed packages\.\.\.|Dependencies of all installed packages are satisfied\.|Warning: Repository .* appears to be outdated\..*|Retrieving repository .*|Building repository .*)$/;

export function parsePreflight(out: CommandResult): Preflight {
  const s = readSections(DRIVER, 'preflight', out, [
    'lock-files',
    'lock-holders',
    'zypp-pid',
    'rpm-qa',
    'installonly',
    'verify',
    'df',
  ]);
  const lockHolders: LockHolder[] = lockHoldersFrom(
    s.get('lock-files')?.text ?? '',
    s.get('lock-holders')?.text ?? '',
  );
  // libzypp's pid file names the holder even where /proc/locks cannot (another PID namespace).
  const pidHolder = parseLockHolder({
    exitCode: 0,
    stdout: s.get('zypp-pid')?.text ?? '',
    stderr: '',
    durationMs: out.durationMs,
  });
  if (pidHolder !== undefined && !lockHolders.some((h) => h.pid === pidHolder.pid)) {
    lockHolders.unshift(pidHolder);
  }
  const { packages } = parseRpmQueryResult(DRIVER, sectionResult(s.get('rpm-qa'), out));
  const installonly = parseInstallonly(s.get('installonly')?.text ?? '');
  const dupes = [...new Set(duplicatesOf(packages, installonly).map((p) => `${p.name}.${p.arch}`))];
  const verify = s.get('verify');
  if (verify?.rc === undefined) throw fail('preflight: zypper verify recorded no exit status', out.stdout);
  // 0: satisfied. Held locks make zypper wait or exit 7: not an audit finding (the holder is).
  const audit =
    verify.rc === 0 || verify.rc === 7
      ? []
      : [
          `zypper verify exited ${verify.rc}`,
          ...splitLines(verify.text)
            .map((l) => l.trimEnd())
            .filter((l) => !VERIFY_NOISE.test(l.trim()))
            .slice(0, 20),
        ];
  return {
    lockHolders,
    interrupted: dupes.length > 0,
    audit: dupes.length > 0 ? [...dupes.map((d) => `rpm lists ${d} twice`), ...audit] : audit,
    freeSpace: parseDfSection(s.get('df')?.text ?? ''),
  };
}
