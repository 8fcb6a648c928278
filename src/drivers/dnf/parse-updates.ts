// UPDATES_SCRIPT's output: check-update, updateinfo list and info, holds → an UpdateScan.
import type { PendingUpdate } from '../../core/state/types.js';
import type { CommandResult, UpdateScan } from '../types.js';
import { readSections } from '../sections.js';
import { combineUpdates } from './combine.js';
import { checkUpdateStatus, parseCheckUpdateText } from './parse-check-update.js';
import { heldNames, parseExcludes, parseVersionlockList } from './parse-holds.js';
import { parseRpmQuery, type RpmPackage } from '../rpm/parse-installed.js';
import type { Section } from '../sections.js';
import { parseUpdateinfoInfo, parseUpdateinfoList } from './parse-updateinfo.js';
import { DRIVER, fail, splitLines } from './text.js';

/** The first `Error:` line of a dnf output, or its last line. */
function dnfError(text: string): string {
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  return lines.find((l) => l.startsWith('Error:')) ?? lines[lines.length - 1] ?? 'no output';
}

/**
 * The scan. `from` versions come from the script's own `rpm-qa` section (the contract hands the parser
 * only this result), or from `installed` (parseInstalled's `packages`) when given.
 */
export function parseUpdateScan(out: CommandResult, given?: readonly RpmPackage[]): UpdateScan {
  const s = readSections(DRIVER, 'updates', out, [
    'check-update',
    'updateinfo-list',
    'updateinfo-info',
    ...(given === undefined ? ['rpm-qa'] : []),
  ]);
  const installed = given ?? installedFrom(s.get('rpm-qa'), out.stdout);
  const cu = s.get('check-update');
  const status = checkUpdateStatus(cu?.rc);
  if (status === 'error') {
    throw fail(
      `dnf check-update failed (exit status ${String(cu?.rc)}): ${dnfError(cu?.text ?? '')}`,
      cu?.text ?? out.stdout,
    );
  }
  const candidates = status === 'none' ? [] : parseCheckUpdateText(cu?.text ?? '');
  if (status === 'updates' && candidates.length === 0) {
    throw fail(
      'dnf check-update exited 100 (updates available) but listed none that could be read',
      cu?.text ?? '',
    );
  }
  for (const name of ['updateinfo-list', 'updateinfo-info'] as const) {
    const sec = s.get(name);
    if (sec?.rc !== 0) {
      throw fail(
        `dnf ${name.replace('-', ' ')} failed (exit status ${String(sec?.rc)}): ${dnfError(sec?.text ?? '')}`,
        sec?.text ?? '',
      );
    }
  }
  const updates = combineUpdates({
    installed,
    candidates,
    advisories: parseUpdateinfoList(s.get('updateinfo-list')?.text ?? ''),
    details: parseUpdateinfoInfo(s.get('updateinfo-info')?.text ?? ''),
  });
  const holds = {
    locked: parseVersionlockList(s.get('versionlock')?.text ?? ''),
    excludes: parseExcludes(s.get('excludes')?.text ?? ''),
  };
  const held = heldNames(
    holds,
    installed.map((p) => p.name),
  );
  return { updates, held, keptBack: [] };
}

function installedFrom(qa: Section | undefined, stdout: string): RpmPackage[] {
  if (qa?.rc !== 0) throw fail(`rpm -qa failed (exit status ${String(qa?.rc)})`, qa?.text ?? stdout);
  return parseRpmQuery(DRIVER, qa.text).packages;
}

/** The pending updates alone (the contract's parseUpdates). */
export const parseUpdates = (out: CommandResult): PendingUpdate[] => parseUpdateScan(out).updates;
