// The dnf driver (RHEL, AlmaLinux, Rocky, CentOS, Fedora, Oracle Linux, Amazon Linux; yum hosts where
// the formats agree): see readme.md for the commands, the rules and the fixtures. Only wiring here.
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
import { parseInventory } from './parse-inventory.js';
import { parsePreflight } from './parse-preflight.js';
import { parseUpdateScan } from './parse-updates.js';
import { checkPreflight, minFreeKbFor } from './preflight.js';

export const dnf = {
  id: 'dnf',
  shell: 'sh',
  ecosystem: 'rpm',
  // os-release IDs (AlmaLinux's ID_LIKE is "rhel centos fedora"; Rocky's "rhel centos fedora";
  // Oracle's "fedora"; Amazon Linux 2023's "fedora") and the inventory's `os` hints.
  serves: {
    osIds: ['rhel', 'centos', 'fedora', 'almalinux', 'rocky', 'ol', 'amzn'],
    osHints: ['rhel', 'almalinux', 'rocky', 'centos', 'fedora', 'amazon', 'oracle'],
  },
  // reboot and the remote lock: the shared Linux module (../linux).
  os: linuxOs,
  facts: factsCommand,
  parseFacts,
  listInstalled: installedCommand,
  parseInstalled: parseInventory,
  listUpdates: updatesCommand,
  parseUpdateScan: (out) => parseUpdateScan(out),
  refresh: refreshCommand,
  parseRefresh,
  preflight: preflightCommand,
  parsePreflight,
  checkPreflight,
  minFreeKbFor,
  install: installCommand,
  parseInstall,
} satisfies PackageDriver;
