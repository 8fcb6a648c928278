// The apt driver (Debian, Ubuntu and derivatives): see readme.md for the commands, the
// classification rule and the fixtures.
import { linuxOs } from '../linux/index.js';
import type { PackageDriver } from '../types.js';
import {
  factsCommand,
  installCommand,
  installedCommand,
  preflightCommand,
  rebootRequiredCommand,
  refreshCommand,
  restartCheckCommand,
  simulateInstallCommand,
  updatesCommand,
} from './commands.js';
import { parseFacts, parseRebootRequired } from './parse-facts.js';
import { parseInstall, parseRefresh } from './parse-install.js';
import { parseInstalled } from './parse-installed.js';
import { parsePreflight } from './parse-preflight.js';
import { parseCheckRestart } from './parse-restart.js';
import { parseUpdateScan, parseUpdates } from './parse-updates.js';
import { checkPreflight, minFreeKbFor } from './preflight.js';

export const apt = {
  id: 'apt',
  shell: 'sh',
  ecosystem: 'deb',
  // Debian, Ubuntu and what names either in ID_LIKE (Raspbian, Mint, Pop!_OS...).
  serves: { osIds: ['debian', 'ubuntu'], osHints: ['debian', 'ubuntu'] },
  // reboot and the remote lock: the shared Linux module (../linux).
  os: linuxOs,
  facts: factsCommand,
  parseFacts,
  listInstalled: installedCommand,
  parseInstalled,
  listUpdates: updatesCommand,
  parseUpdates,
  parseUpdateScan,
  refresh: refreshCommand,
  parseRefresh,
  preflight: preflightCommand,
  parsePreflight,
  checkPreflight,
  minFreeKbFor,
  install: installCommand,
  simulateInstall: simulateInstallCommand,
  parseInstall,
  rebootRequired: rebootRequiredCommand,
  parseRebootRequired,
  restartCheck: restartCheckCommand,
  parseRestartCheck: parseCheckRestart,
} satisfies PackageDriver;
