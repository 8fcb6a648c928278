export type { Rule, RuleContext } from './rule.js';
import { runnableCommands } from './commands.js';
import { exceptionValidity } from './exceptions.js';
import { groupCycles } from './group-cycles.js';
import { hostAddresses } from './host-addresses.js';
import { jumpHosts } from './jump-hosts.js';
import { localHostSettings } from './local-host-settings.js';
import { pinConstraints } from './pins.js';
import { policiesThatMatchNothing } from './policies.js';
import { unresolvedReferences } from './references.js';
import { durations, recurrences } from './schedules.js';
import { timezones } from './timezones.js';
import { windowOverlaps } from './window-overlaps.js';
import { emergencyFeeds } from './emergency-feeds.js';
import { feedAge } from './feed-age.js';
import { emptyTargets } from './empty-targets.js';
import { policiesWithoutWindows } from './policies-without-windows.js';
import { shadowedPolicies } from './shadowed-policies.js';
import { undrivenHosts } from './undriven-hosts.js';
import { windowsCoveringNoHost } from './windows-cover-no-host.js';
import { windowsThatNeverOpen } from './windows-never-open.js';
import { repositoryPaths } from './repository-paths.js';
import { ringMembership, ringPercentages, ringShapes } from './rings.js';
import type { Rule } from './rule.js';
import { uniqueDocumentNames, uniqueHostNames } from './unique-names.js';

/** Every cross-document rule, in the order their diagnostics are most useful. */
export const RULES: readonly Rule[] = [
  repositoryPaths,
  uniqueDocumentNames,
  uniqueHostNames,
  hostAddresses,
  jumpHosts,
  unresolvedReferences,
  groupCycles,
  ringShapes,
  ringPercentages,
  ringMembership,
  timezones,
  durations,
  recurrences,
  windowOverlaps,
  exceptionValidity,
  policiesThatMatchNothing,
  pinConstraints,
  runnableCommands,
  // The traps that leave a repository valid while patching silently stops (README "What validate warns about").
  shadowedPolicies,
  emptyTargets,
  windowsCoveringNoHost,
  policiesWithoutWindows,
  windowsThatNeverOpen,
  emergencyFeeds,
  feedAge,
  undrivenHosts,
  localHostSettings,
];
