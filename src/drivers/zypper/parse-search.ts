// `zypper --xmlout search -s -t package -- NAME…` (SCAN_SCRIPT's `held-search`): every version of
// the locked packages that the repositories and the rpmdb know, one `<solvable status name kind
// edition arch repository/>` each (captured on the lab's SUSE-like host). list-updates never lists
// a locked package's update, so this is how a held package's candidate is known (readme.md,
// "Holds"). Exit 104 is "no matching item found" (a lock on a name nothing has).
import { DriverOutputError, resultExcerpt } from '../errors.js';
import type { CommandResult } from '../types.js';
import { edition, ZYPPER_ARCH, ZYPPER_PACKAGE_NAME } from './names.js';
import { DRIVER, errorText, fail, readStream } from './stream.js';
import { childNamed } from './xml.js';

export interface ZypperSolvable {
  name: string;
  edition: string;
  arch: string;
  /** `installed`, `other-version`, `not-installed`… */
  status: string;
  /** The repository's name (not its alias; `repos` maps one to the other). */
  repository: string;
}

export function parseSearch(out: CommandResult): ZypperSolvable[] {
  const what = 'zypper search';
  if (out.exitCode === 0 && out.stdout.trim() === '') return []; // no package lock: nothing searched
  const { root, messages } = readStream(what, out);
  if (out.exitCode === 104) return [];
  if (out.exitCode !== 0 && out.exitCode !== 106) {
    const errors = errorText(messages);
    throw new DriverOutputError(
      DRIVER,
      `${what} failed with exit status ${String(out.exitCode)}${errors === '' ? '' : `: ${errors}`}`,
      resultExcerpt(out),
    );
  }
  const list = childNamed(root, 'search-result');
  if (list === undefined) throw fail(`${what}: no <search-result> in the output`, out.stdout);
  const solvables = (childNamed(list, 'solvable-list')?.children ?? []).filter((c) => c.name === 'solvable');
  const result: ZypperSolvable[] = [];
  for (const s of solvables) {
    if ((s.attrs.get('kind') ?? 'package') !== 'package') continue;
    const name = s.attrs.get('name') ?? '';
    const arch = s.attrs.get('arch') ?? '';
    const ed = edition(s.attrs.get('edition'));
    if (!ZYPPER_PACKAGE_NAME.test(name) || !ZYPPER_ARCH.test(arch) || ed === undefined) {
      throw fail(
        `${what}: unreadable solvable at line ${s.line}: name ${JSON.stringify(name)}, edition ${JSON.stringify(s.attrs.get('edition'))}, arch ${JSON.stringify(arch)}`,
        out.stdout.slice(0, 2000),
      );
    }
    result.push({
      name,
      edition: ed,
      arch,
      status: s.attrs.get('status') ?? '',
      repository: s.attrs.get('repository') ?? '',
    });
  }
  return result;
}

/** `zypper --xmlout repos`: repository name → alias (the alias is what patchctl records as `source`). */
export function parseRepos(out: CommandResult): Map<string, string> {
  const what = 'zypper repos';
  const { root, messages } = readStream(what, out);
  // 6: no repositories defined (then there is nothing to map).
  if (out.exitCode === 6) return new Map();
  if (out.exitCode !== 0) {
    const errors = errorText(messages);
    throw new DriverOutputError(
      DRIVER,
      `${what} failed with exit status ${String(out.exitCode)}${errors === '' ? '' : `: ${errors}`}`,
      resultExcerpt(out),
    );
  }
  const list = childNamed(root, 'repo-list');
  const byName = new Map<string, string>();
  for (const r of (list?.children ?? []).filter((c) => c.name === 'repo')) {
    const alias = r.attrs.get('alias') ?? '';
    const name = r.attrs.get('name') ?? alias;
    if (alias !== '') byName.set(name, alias);
  }
  return byName;
}
