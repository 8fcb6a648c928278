// The apt driver (Debian, Ubuntu and derivatives): see readme.md for the commands, the
// classification rule and the fixtures.
import { linuxOs } from '../linux/index.js';
import type { PackageDriver } from '../types.js';
import {
  factsCommand,
  installCommand,
  installedCommand,
  preflightCommand,
  refreshCommand,
  updatesCommand,
} from './commands.js';
import { parseFacts } from './parse-facts.js';
import { parseInstall, parseRefresh } from './parse-install.js';
import { parseInstalled } from './parse-installed.js';
import { parsePreflight } from './parse-preflight.js';
import { parseUpdateScan } from './parse-updates.js';
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
  parseUpdateScan,
  refresh: refreshCommand,
  parseRefresh,
  preflight: preflightCommand,
  parsePreflight,
  checkPreflight,
  minFreeKbFor,
  install: installCommand,
  parseInstall,
} satisfies PackageDriver;
