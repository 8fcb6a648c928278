// `rpm -qa --qf RPM_QUERY_FORMAT`: the shared RPM parser (../rpm/parse-installed.ts), in dnf's name.
import type { CommandResult } from '../types.js';
import { parseRpmQuery, parseRpmQueryResult, type RpmInventory } from '../rpm/parse-installed.js';
import { DRIVER } from './text.js';

export type { RpmInventory, RpmPackage } from '../rpm/parse-installed.js';

export const parseInstalled = (out: CommandResult): RpmInventory => parseRpmQueryResult(DRIVER, out);

export const parseInstalledText = (text: string): RpmInventory => parseRpmQuery(DRIVER, text);
