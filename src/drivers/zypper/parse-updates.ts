// `zypper --xmlout list-updates`: the package updates the solver would install (readme.md,
// "Scan"). Each is `<update kind="package" name edition edition-old arch>` with a `<source
// alias>`; older zypper (the salt fixture) prints no `edition-old`. Updates of locked packages, and
// updates whose dependencies cannot be met, are not listed at all (captured).
import type { CommandResult } from '../types.js';
import { edition, ZYPPER_ARCH, ZYPPER_PACKAGE_NAME } from './names.js';
import { DRIVER, errorText, fail, readStream, type ZypperMessage } from './stream.js';
import { childNamed, type XmlElement } from './xml.js';
import { DriverOutputError } from '../errors.js';
import { resultExcerpt } from '../errors.js';

export interface ZypperPackageUpdate {
  name: string;
  arch: string;
  /** The installed edition (`edition-old`); absent from older zypper's output. */
  from?: string;
  /** The candidate edition, `[epoch:]version-release`. */
  to: string;
  /** The alias of the repository the candidate comes from. */
  repo?: string;
}

export interface UpdateList {
  /** In zypper's order. */
  updates: ZypperPackageUpdate[];
  /** Exit status 106: some repositories could not be refreshed and were skipped: the list may be incomplete. */
  repositoriesSkipped: boolean;
  /** warning and error messages, for the scan's report. */
  warnings: string[];
}

/** The `<update>` elements of `<update-list>` and `<blocked-update-list>` under `<update-status>`. */
export function updateElements(root: XmlElement, what: string, stdout: string): XmlElement[] {
  const status = childNamed(root, 'update-status');
  if (status === undefined) throw fail(`${what}: no <update-status> in the output`, stdout);
  return status.children
    .filter((c) => c.name === 'update-list' || c.name === 'blocked-update-list')
    .flatMap((list) => list.children.filter((u) => u.name === 'update'));
}

export const warningsOf = (messages: readonly ZypperMessage[]): string[] =>
  messages.filter((m) => m.type === 'warning' || m.type === 'error').map((m) => m.text);

/** Exit statuses after which list-updates/list-patches output is complete (106: some repositories skipped). */
function checkListExit(what: string, out: CommandResult, messages: readonly ZypperMessage[]): void {
  if (out.exitCode === 0 || out.exitCode === 106) return;
  const errors = errorText(messages);
  throw new DriverOutputError(
    DRIVER,
    `${what} failed with exit status ${String(out.exitCode)}${errors === '' ? '' : `: ${errors}`}`,
    resultExcerpt(out),
  );
}

export function parseListUpdates(out: CommandResult): UpdateList {
  const what = 'zypper list-updates';
  const { root, messages } = readStream(what, out);
  checkListExit(what, out, messages);
  const updates: ZypperPackageUpdate[] = [];
  for (const u of updateElements(root, what, out.stdout)) {
    if (u.attrs.get('kind') !== 'package') continue;
    const name = u.attrs.get('name') ?? '';
    const arch = u.attrs.get('arch') ?? '';
    const to = edition(u.attrs.get('edition'));
    const oldText = u.attrs.get('edition-old');
    const from = edition(oldText);
    if (
      !ZYPPER_PACKAGE_NAME.test(name) ||
      !ZYPPER_ARCH.test(arch) ||
      to === undefined ||
      (oldText !== undefined && from === undefined)
    ) {
      throw fail(
        `${what}: unreadable update at line ${u.line}: name ${JSON.stringify(name)}, arch ${JSON.stringify(arch)}, edition ${JSON.stringify(u.attrs.get('edition'))}, edition-old ${JSON.stringify(oldText)}`,
        out.stdout.slice(0, 2000),
      );
    }
    const update: ZypperPackageUpdate = { name, arch, to };
    if (from !== undefined) update.from = from;
    const repo = childNamed(u, 'source')?.attrs.get('alias');
    if (repo !== undefined && repo !== '') update.repo = repo;
    updates.push(update);
  }
  return { updates, repositoriesSkipped: out.exitCode === 106, warnings: warningsOf(messages) };
}
