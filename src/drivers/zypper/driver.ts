// The zypper driver (SUSE Linux Enterprise, openSUSE): see readme.md for the commands, the scan's
// join of package updates and patches, holds, exit codes and failure classification.
// docs/adding-a-driver.md describes the contract; the OS-level steps are the shared Linux ones.
import { linuxOs } from '../linux/index.js';
import type { CommandResult, PackageDriver, RefreshOutcome } from '../types.js';
import {
  factsCommand,
  installCommand,
  inventoryCommand,
  preflightCommand,
  refreshCommand,
  scanCommand,
} from './commands.js';
import { parseZypperFailure, parseZypperInstall } from './outcome.js';
import { parseFacts } from './parse-facts.js';
import { parseInventory } from './parse-inventory.js';
import { parsePreflight } from './parse-preflight.js';
import { parseUpdateScan } from './parse-update-scan.js';
import { checkPreflight, minFreeKbFor } from './preflight.js';

/** `zypper refresh`: a failure is a result (fetch-failed, lock-held...), never a throw. */
export function parseRefresh(out: CommandResult): RefreshOutcome {
  const failure = parseZypperFailure(out);
  const warnings = `${out.stdout}\n${out.stderr}`
    .split('\n')
    .filter((l) => l.startsWith('Warning: '))
    .map((l) => l.slice('Warning: '.length).trim());
  return failure === undefined ? { ok: true, warnings } : { ok: false, failure, warnings };
}

export const zypper = {
  id: 'zypper',
  shell: 'sh',
  ecosystem: 'rpm',
  // os-release IDs: SLES, SLED, openSUSE Leap and Tumbleweed; ID_LIKE of all of them holds "suse".
  serves: {
    osIds: ['sles', 'sled', 'opensuse-leap', 'opensuse-tumbleweed', 'opensuse', 'suse'],
    osHints: ['sles', 'opensuse'],
  },
  // reboot and the remote lock: the shared Linux module (../linux).
  os: linuxOs,
  facts: factsCommand,
  parseFacts,
  listInstalled: inventoryCommand,
  parseInstalled: parseInventory,
  listUpdates: scanCommand,
  parseUpdateScan,
  refresh: refreshCommand,
  parseRefresh,
  preflight: preflightCommand,
  parsePreflight,
  checkPreflight,
  minFreeKbFor,
  install: installCommand,
  parseInstall: parseZypperInstall,
} satisfies PackageDriver;
