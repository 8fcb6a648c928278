// Pending upgrades (UPDATES_SCRIPT): `apk list --upgradable`, the world file and the kernel packages.
//
// Classification: apk itself says nothing about security. Alpine has no security repository (main
// and community carry both kinds of fix) and no per-package advisory metadata in the index: the
// security database (secdb, keyed by origin) is an advisory feed, read elsewhere. So a scan
// classifies every apk update as `bugfix` ("not known to be a security fix") with no severity,
// advisories or release date; a feed that lists the origin's fixed version is what may make it
// `security`. Repository names are never used to guess.
import { compareApkVersions } from '../../core/versions/apk.js';
import { byNameThenArch } from '../../core/state/order.js';
import type { PendingUpdate } from '../../core/state/types.js';
import { DriverOutputError, excerptOf, resultExcerpt } from '../errors.js';
import { readSections } from '../sections.js';
import type { CommandResult, UpdateScan } from '../types.js';
import { DRIVER, fail } from './common.js';
import { parseApkList, type ApkListEntry } from './parse-installed.js';
import { heldFromWorld, parseWorld } from './parse-world.js';
import { parseKernelPackages } from './parse-reboot.js';

export interface ApkUpdateScan extends UpdateScan {
  /** Candidate's name → origin (source package), for the secdb/OSV feeds. */
  origins: ReadonlyMap<string, string>;
  /** apk's warnings during the listing (a stale index, say). */
  warnings: string[];
}

/**
 * `WARNING: opening from cache URL: No such file or directory` (apk 2.x) and its apk 3 forms: a
 * repository whose index apk could not read contributes nothing, so an empty list would lie.
 */
const INDEX_UNAVAILABLE = /^WARNING: (opening from cache|opening|fetching|updating and opening) (\S+): (.+)$/;

/**
 * One update per package name: the newest candidate (apk's ordering) that apk lists as upgradable.
 * apk lists every newer version its repositories carry; world constraints may still refuse some
 * (those packages are reported as held).
 */
export function updatesFromList(entries: readonly ApkListEntry[], excerpt: string): ApkListEntry[] {
  const newest = new Map<string, ApkListEntry>();
  for (const e of entries) {
    if (e.upgradableFrom === undefined) {
      throw fail(`apk list --upgradable: ${e.name} ${e.version} is not marked upgradable`, excerpt);
    }
    if (compareApkVersions(e.upgradableFrom, e.version) >= 0) {
      throw fail(
        `apk list --upgradable: ${e.name} ${e.version} is not newer than ${e.upgradableFrom}`,
        excerpt,
      );
    }
    const seen = newest.get(e.name);
    if (seen === undefined || compareApkVersions(seen.version, e.version) < 0) newest.set(e.name, e);
  }
  return [...newest.values()];
}

export function parseUpdateScan(out: CommandResult): ApkUpdateScan {
  const s = readSections(DRIVER, 'updates', out, ['world', 'upgradable']);
  const worldSection = s.get('world');
  if (worldSection?.rc !== 0)
    throw new DriverOutputError(DRIVER, 'cannot read /etc/apk/world', resultExcerpt(out));
  const world = parseWorld(worldSection.text);
  const listing = s.get('upgradable');
  const text = listing?.text ?? '';
  if (listing?.rc !== 0) {
    const errors = text.split('\n').filter((l) => l.startsWith('ERROR: '));
    throw fail(
      `apk list --upgradable failed (exit status ${String(listing?.rc)})${errors.length > 0 ? `: ${errors.join(' / ')}` : ''}`,
      text,
    );
  }
  const { entries, messages } = parseApkList(text);
  const unavailable = messages.filter((m) => INDEX_UNAVAILABLE.test(m));
  if (unavailable.length > 0) {
    throw new DriverOutputError(
      DRIVER,
      `the package index of ${unavailable.length} repositor${unavailable.length > 1 ? 'ies is' : 'y is'} not available, so the list of updates would be incomplete: refresh (apk update) first`,
      excerptOf(unavailable.join('\n')),
    );
  }
  const kernels = new Set(
    (s.get('kernel-packages')?.rc === 0 ? parseKernelPackages(s.get('kernel-packages')?.text ?? '') : []).map(
      (k) => k.name,
    ),
  );
  const origins = new Map<string, string>();
  const updates: PendingUpdate[] = updatesFromList(entries, text).map((e) => {
    origins.set(e.name, e.origin);
    const u: PendingUpdate = {
      name: e.name,
      from: e.upgradableFrom ?? '',
      to: e.version,
      arch: e.arch,
      classification: 'bugfix',
    };
    if (kernels.has(e.name)) u.rebootRequired = true;
    return u;
  });
  return {
    updates: updates.sort(byNameThenArch),
    held: heldFromWorld(world),
    keptBack: [],
    origins,
    warnings: messages.filter((m) => m.startsWith('WARNING: ')).map((m) => m.slice('WARNING: '.length)),
  };
}

export function parseUpdates(out: CommandResult): PendingUpdate[] {
  return parseUpdateScan(out).updates;
}
