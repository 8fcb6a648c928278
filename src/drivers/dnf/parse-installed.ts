// `rpm -qa --qf RPM_QUERY_FORMAT`: the installed packages. gpg-pubkey entries (imported signing
// keys, arch `(none)`) are not packages and are left out; `warning:` lines are skipped; an `error:`
// line (a damaged rpmdb) or any other line that is not seven tab-separated fields is refused.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { DriverOutputError, resultExcerpt } from '../errors.js';
import type { CommandResult } from '../types.js';
import { compareEvr, evrOf } from './nevra.js';
import { DRIVER, fail, quoteLine, splitLines } from './text.js';

export interface RpmPackage {
  name: string;
  /** null for `(none)`. */
  epoch: string | null;
  version: string;
  release: string;
  arch: string;
  /** The source RPM file name; null for `(none)`. */
  sourceRpm: string | null;
  /** Seconds since the epoch. */
  installTime: number;
}

export interface RpmInventory {
  /** Sorted by name then arch; an installonly package (kernel) appears once per installed version. */
  installed: InstalledPackage[];
  packages: RpmPackage[];
}

/** Lenient on what a real host may hold (non-ASCII names), strict on shape. */
const NAME = /^[^\s/]+$/;
const FIELD = /^[^\s:/-]+$/;
const ARCH = /^[A-Za-z0-9_]+$/;

export function parseInstalled(out: CommandResult): RpmInventory {
  if (out.timedOut === true || out.truncated === true || out.exitCode !== 0) {
    const why =
      out.timedOut === true
        ? 'timed out'
        : out.truncated === true
          ? 'output truncated'
          : out.exitCode === null
            ? `ended by ${out.signal ?? 'a signal'}`
            : `exit status ${out.exitCode}`;
    throw new DriverOutputError(DRIVER, `rpm -qa failed (${why})`, resultExcerpt(out));
  }
  const dbError = splitLines(out.stderr).find((l) => l.startsWith('error: '));
  if (dbError !== undefined)
    throw fail(`rpm -qa: the rpm database reports ${quoteLine(dbError)}`, out.stderr);
  return parseInstalledText(out.stdout);
}

export function parseInstalledText(text: string): RpmInventory {
  const packages: RpmPackage[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '' || line.startsWith('warning: ')) continue;
    if (line.startsWith('error: ')) throw fail(`rpm -qa: the rpm database reports ${quoteLine(line)}`, text);
    const f = line.split('\t');
    const [name = '', epoch = '', version = '', release = '', arch = '', source = '', time = ''] = f;
    if (name === 'gpg-pubkey' && f.length === 7) continue;
    if (
      f.length !== 7 ||
      !NAME.test(name) ||
      !(epoch === '(none)' || /^\d{1,10}$/.test(epoch)) ||
      !FIELD.test(version) ||
      !FIELD.test(release) ||
      !ARCH.test(arch) ||
      !/^\d{1,12}$/.test(time)
    ) {
      throw fail(`rpm -qa: unexpected line ${quoteLine(line)}`, line);
    }
    packages.push({
      name,
      epoch: epoch === '(none)' ? null : epoch,
      version,
      release,
      arch,
      sourceRpm: source === '(none)' || source === '' ? null : source,
      installTime: Number(time),
    });
  }
  if (packages.length === 0) throw fail('rpm -qa listed no packages at all', text);
  packages.sort((a, b) => byNameThenArch(a, b) || compareEvr(evrOf(a), evrOf(b)));
  return {
    installed: packages.map((p) => ({ name: p.name, version: evrOf(p), arch: p.arch })),
    packages,
  };
}
