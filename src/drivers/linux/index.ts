// The shared Linux module (docs/adding-a-driver.md, "Registries"): the OS-level steps that apt,
// dnf, zypper and apk hosts have in common, so that neither the engine nor each driver rebuilds
// them. Builders return commands and parsers read results; no I/O here.
import type { OsSteps, RemoteCommand } from '../types.js';
import { batchCommand, unbatch } from './batch.js';
import { linuxRemoteLock } from './remote-lock.js';
import { LINUX_FACTS_SCRIPT } from './scripts.js';

export {
  LINUX_FACTS_SECTIONS,
  linuxFactsFrom,
  osFactsFrom,
  osVersionFrom,
  parseLinuxFacts,
  parseOsRelease,
  UNKNOWN_OS_VERSION,
} from './facts.js';
export { LINUX_FACTS_BODY, LINUX_FACTS_SCRIPT, SCRIPT_PRELUDE, script } from './scripts.js';

/** The package-manager-neutral facts probe (scan runs it before it knows the host's driver). */
export function linuxFactsCommand(): RemoteCommand {
  return { argv: ['sh', '-c', LINUX_FACTS_SCRIPT] };
}

export { linuxRemoteLock, lockFailureReason, type RemoteLockPaths } from './remote-lock.js';

export { BATCH_NAME, BATCH_SCRIPT, batchCommand, batchOutput, batchParts, unbatch } from './batch.js';

/** The OS-level steps of a Linux host: `reboot` as root, the flock remote lock in /run/lock, sh batches. */
export const linuxOs: OsSteps = {
  reboot: () => ({ argv: ['reboot'], sudo: true }),
  lock: linuxRemoteLock(),
  batch: batchCommand,
  unbatch,
};
