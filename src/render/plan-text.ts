// The plan for people: reads like terraform's plan output, something to paste into a change
// ticket. Reads the same Plan document that `plan --format json` prints (README.md, "The plan").
// Host text in it is shown escaped (terminalLine), never interpreted.
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { ComparedPlan, PlanChange, PlanComparison } from '../core/plan/compare-plans.js';
import { mapStrings } from '../core/text/map-strings.js';
import { terminalLine } from '../core/text/terminal-text.js';
import type {
  Plan,
  PlanHost,
  PlanHostState,
  PlanRing,
  PlanShards,
  PlanSkip,
  PlanWindow,
  UpgradeAction,
} from '../core/plan/types.js';
import { hostStateOf, isHostKeyChangedNote, PLAN_HOST_STATES } from '../core/plan/types.js';
import type { WindowZones } from './window-time.js';
import { formatInstantInZone, formatSpanInZone } from './window-time.js';

export interface PlanTextOptions {
  color: boolean;
  /** Terminal width; only the one-line lists of host names are fitted to it. Default 80. */
  width?: number;
  /** What changed against a base plan (`plan --compare`), shown above the closing line. */
  comparison?: PlanComparison;
  /** Window name → zone: window times are shown in it, next to UTC (window-time.ts). */
  zones?: WindowZones;
  /**
   * `plan --summary`: per ring, counts only (hosts with work, updates, reboots, skips by reason,
   * KEV and emergency updates), no host lines; for large fleets.
   */
  summary?: boolean;
}

const DEFAULT_WIDTH = 80;
/** Advisories shown per upgrade before "+N". */
const ADVISORIES_SHOWN = 3;
/** Longest host-name column in the compact host lists. */
const MAX_HOST_COLUMN = 32;

export function renderPlanText(document: Plan, options: PlanTextOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(40, options.width ?? DEFAULT_WIDTH);
  // Any string of a plan may come from a host (an unreachable host's error in its note and
  // causes) or from a document: each is made one inert line for a terminal or a CI log, once,
  // here (docs/security.md).
  const plan = mapStrings(document, terminalLine);
  const comparison = options.comparison ? mapStrings(options.comparison, terminalLine) : undefined;
  const out: string[] = [c.bold(planHeader(plan)), ''];
  const zones = options.zones ?? NO_ZONES;
  for (const ring of plan.rings)
    if (options.summary === true) renderRingSummary(out, ring, c, zones);
    else renderRing(out, ring, c, width, zones);
  // Last before the count line: on a terminal, the end of a long plan is what stays in view.
  if (comparison) renderComparison(out, comparison, c);
  if (plan.shards) renderShards(out, plan.shards, c);
  out.push(c.bold(closingLine(plan)));
  return `${out.join('\n')}\n`;
}

const NO_ZONES: WindowZones = new Map();

function renderRing(
  out: string[],
  ring: PlanRing,
  c: ChalkInstance,
  width: number,
  zones: WindowZones,
): void {
  out.push(c.bold(ringHeader(ring, zones)), '');
  const compact: PlanHost[] = [];
  const upToDate: string[] = [];
  for (const h of ring.hosts) {
    // Only a host scanned and with nothing pending is "up to date" (README "The plan": host states).
    if (h.actions.length > 0) renderChangedHost(out, h, c, zones);
    else if (hostStateOf(h) === 'up-to-date' && h.skipped.length === 0 && h.note === undefined)
      upToDate.push(h.host);
    else compact.push(h);
  }
  if (compact.length > 0) {
    const column = Math.min(MAX_HOST_COLUMN, Math.max(...compact.map((h) => h.host.length))) + 2;
    for (const h of compact) renderCompactHost(out, h, column, c);
    out.push('');
  }
  if (upToDate.length > 0) {
    out.push(c.dim(fitNames(`  ${count(upToDate.length, 'host')} up to date: `, upToDate, width)), '');
  }
}

/**
 * A ring in `--summary`: its header, then counts: hosts with work, updates (KEV, emergency),
 * reboots; hosts by what the plan knows about them; skipped updates by reason. No host lines.
 */
function renderRingSummary(out: string[], ring: PlanRing, c: ChalkInstance, zones: WindowZones): void {
  out.push(c.bold(ringHeader(ring, zones)));
  for (const line of ringSummaryLines(ring)) out.push(`  ${line}`);
  out.push('');
}

const HOST_STATE_PHRASE: Record<PlanHostState, string> = {
  planned: 'with work',
  'up-to-date': 'up to date',
  'all-skipped': 'all updates skipped',
  unsupported: 'unsupported',
  unreachable: 'unreachable',
  'scan-failed': 'scan failed',
  'host-key-changed': 'host key changed',
  'never-scanned': 'never scanned',
};

/** The count lines of a ring in `--summary` (shared with tests and other renderers). */
export function ringSummaryLines(ring: PlanRing): string[] {
  let updates = 0;
  let kev = 0;
  let emergency = 0;
  let reboots = 0;
  let mayReboot = 0;
  const states = new Map<PlanHostState, number>();
  const skips = new Map<PlanSkip['reason'], number>();
  for (const h of ring.hosts) {
    const state = hostStateOf(h);
    states.set(state, (states.get(state) ?? 0) + 1);
    for (const a of h.actions) {
      if (a.type === 'reboot') reboots++;
      else {
        updates++;
        if (a.tier === 'kev') kev++;
        if (a.emergency === true) emergency++;
      }
    }
    if (h.mayReboot !== undefined) mayReboot++;
    for (const s of h.skipped) skips.set(s.reason, (skips.get(s.reason) ?? 0) + 1);
  }
  const withWork = states.get('planned') ?? 0;
  const urgent = [kev > 0 ? `${kev} KEV` : '', emergency > 0 ? `${emergency} emergency` : ''].filter(Boolean);
  const work =
    `${count(withWork, 'host')} with work: ${count(updates, 'update')}` +
    `${urgent.length > 0 ? ` (${urgent.join(', ')})` : ''}, ${count(reboots, 'reboot')}` +
    `${mayReboot > 0 ? `, ${mayReboot} may reboot` : ''}`;
  const others = PLAN_HOST_STATES.filter((s) => s !== 'planned' && (states.get(s) ?? 0) > 0).map(
    (s) => `${states.get(s) ?? 0} ${HOST_STATE_PHRASE[s]}`,
  );
  const lines = [work];
  if (others.length > 0) lines.push(`other hosts: ${others.join(', ')}`);
  const skipped = [...skips.values()].reduce((sum, n) => sum + n, 0);
  if (skipped > 0) {
    const byReason = [...skips]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([reason, n]) => `${n} ${SKIP_VERB[reason]}`);
    lines.push(`${skipped} skipped: ${byReason.join(', ')}`);
  }
  return lines;
}

/** `Shards (apply --shard i/4):` and a line of counts per shard. */
function renderShards(out: string[], shards: PlanShards, c: ChalkInstance): void {
  out.push(c.bold(`Shards (apply --shard i/${shards.count}):`));
  for (const s of shards.summary)
    out.push(
      `  ${s.shard}/${shards.count}: ${count(s.hosts, 'host')}, ${s.hostsWithChanges} with changes, ` +
        `${count(s.updates, 'update')}, ${count(s.reboots, 'reboot')}`,
    );
  out.push('');
}

function renderChangedHost(out: string[], h: PlanHost, c: ChalkInstance, zones: WindowZones): void {
  const shard = h.shard === undefined ? '' : ` · shard ${h.shard}`;
  out.push(`  ${c.bold(h.host)} · ${windowPhrase(h.window, zones)}${shard}`);
  if (h.note !== undefined) out.push(`    ${c.red('?')} ${humanizeInstants(h.note)}`);
  for (const a of h.actions) {
    if (a.type === 'upgrade') {
      const line = `    ${c.yellow('~')} ${upgradePhrase(a)}`;
      out.push(a.emergency ? `${line} ${c.magenta.bold('!! emergency')}` : line);
    } else {
      out.push(`    ${c.red('!')} ${c.red('reboot')} (${humanizeInstants(a.reason)})`);
    }
  }
  if (h.mayReboot !== undefined) out.push(`    ${c.yellow('?')} ${c.yellow('may reboot')} (${h.mayReboot})`);
  for (const s of h.skipped) out.push(c.dim(`    - skipped ${skipTarget(s)}: ${skipPhrase(s)}`));
  out.push('');
}

/** A host without actions, on one line per kind of skip: `name  - skipped a 1, b 2: held (…)`. */
function renderCompactHost(out: string[], h: PlanHost, column: number, c: ChalkInstance): void {
  const name = h.host.length < column ? h.host.padEnd(column) : `${h.host} `;
  const indent = ' '.repeat(column + 2);
  let first = true;
  const push = (text: string): void => {
    out.push(first ? `  ${c.bold(name)}${text}` : `${indent}${text}`);
    first = false;
  };
  // A changed host key may be an interception: it stands out from "unreachable" (docs/security.md).
  if (isHostKeyChangedNote(h.note)) push(c.red.bold(`!! ${humanizeInstants(h.note ?? '')}`));
  else if (h.note !== undefined) push(c.red(`? ${humanizeInstants(h.note)}`));
  for (const g of groupSkips(h.skipped, h.note)) {
    push(c.dim(`- skipped ${g.targets.join(', ')}: ${g.phrase}`));
  }
}

interface SkipGroup {
  phrase: string;
  targets: string[];
}

/** Skips with the same phrase, in first-seen order. Under a note, "host unreachable" needs no cause. */
function groupSkips(skips: readonly PlanSkip[], note: string | undefined): SkipGroup[] {
  const groups = new Map<string, SkipGroup>();
  const unreachable = isHostKeyChangedNote(note) ? 'host key changed' : 'host unreachable';
  for (const s of skips) {
    const phrase = note !== undefined && s.reason === 'host-unreachable' ? unreachable : skipPhrase(s);
    const g = groups.get(phrase);
    if (g) g.targets.push(skipTarget(s));
    else groups.set(phrase, { phrase, targets: [skipTarget(s)] });
  }
  return [...groups.values()];
}

/** `12 hosts up to date: a, b, c … +9`, as many names as fit in the width (at least one). */
function fitNames(prefix: string, names: readonly string[], width: number): string {
  let line = prefix;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? '';
    const sep = i === 0 ? '' : ', ';
    const rest = names.length - i - 1;
    const tail = rest > 0 ? ` … +${rest}` : '';
    if (i > 0 && line.length + sep.length + name.length + tail.length > width) {
      return `${line} … +${names.length - i}`;
    }
    line += sep + name;
  }
  return line;
}

/** Host and package names listed per line of the comparison before "+N more". */
const COMPARISON_NAMES_SHOWN = 10;

function renderComparison(out: string[], comparison: PlanComparison, c: ChalkInstance): void {
  const g = groupComparison(comparison);
  out.push(c.bold(`Effect of this change (compared with ${comparedPhrase(comparison.base)}):`));
  if (comparison.atDiffers) out.push(c.yellow(`  ! ${atDiffersPhrase(comparison)}`));
  if (comparison.changes.length === 0) out.push(`  ${NO_COMPARISON_CHANGES}`);
  const packages = (list: CausePackage[]): string => {
    const shown = list
      .slice(0, COMPARISON_NAMES_SHOWN)
      .map((p) => `${p.name}${p.to !== undefined ? ` ${p.to}` : ''} on ${someNames(p.hosts)}`);
    const rest = list.length - shown.length;
    return rest > 0 ? `${shown.join('; ')}; +${count(rest, 'more package')}` : shown.join('; ');
  };
  for (const s of g.nowSkipped)
    out.push(`  ${c.yellow('-')} now skipped, ${s.phrase}: ${packages(s.packages)}`);
  for (const u of g.unblocked)
    out.push(`  ${c.green('+')} unblocked, was ${u.phrase}: ${packages(u.packages)}`);
  for (const o of g.other) out.push(`  ${c.cyan('~')} ${someNames(o.hosts)}: ${o.phrase}`);
  out.push('');
}

function someNames(names: readonly string[]): string {
  const rest = names.length - COMPARISON_NAMES_SHOWN;
  const shown = names.slice(0, COMPARISON_NAMES_SHOWN).join(', ');
  return rest > 0 ? `${shown} +${rest} more` : shown;
}

// ---- the comparison with a base plan, shared with the Markdown renderer -------------------

export const NO_COMPARISON_CHANGES = 'No host or package changes compared with the base branch.';

/** `commit 1a2b3c4, inputs sha256:9f8e7d6c5b4a`: which plan the changes are measured against. */
export function comparedPhrase(base: ComparedPlan): string {
  const inputs = `inputs ${shortDigest(base.inputsDigest)}`;
  return base.gitCommit ? `${commitPhrase(base.gitCommit)}, ${inputs}` : inputs;
}

export function atDiffersPhrase(comparison: PlanComparison): string {
  return (
    `the base plan is for ${formatInstantUtc(comparison.base.at)} and this one for ` +
    `${formatInstantUtc(comparison.head.at)}, so the differences also include what time changes ` +
    '(approvals, windows, expiries), not only this change'
  );
}

export interface CausePackage {
  name: string;
  /** The version, when it is the same on every host. */
  to?: string;
  hosts: string[];
}

export interface CauseGroup {
  /** The skip, for people: `waived by exception db-freeze (expires 2027-01-31)`. */
  phrase: string;
  updates: number;
  hosts: number;
  packages: CausePackage[];
}

export interface ComparisonGroups {
  /** By the cause that now skips them (head's skip). */
  nowSkipped: CauseGroup[];
  /** By the cause that skipped them in the base plan. */
  unblocked: CauseGroup[];
  /** Everything else: the same change on several hosts is one entry. */
  other: { phrase: string; hosts: string[] }[];
}

export function groupComparison(comparison: PlanComparison): ComparisonGroups {
  const nowSkipped = new CauseTally();
  const unblocked = new CauseTally();
  const other = new Map<string, string[]>();
  for (const ch of comparison.changes) {
    if (ch.kind === 'now-skipped') nowSkipped.add(ch.skip, ch.package, ch.to, ch.host);
    else if (ch.kind === 'unblocked') unblocked.add(ch.was, ch.package, ch.to, ch.host);
    else {
      const phrase = otherChangePhrase(ch);
      const hosts = other.get(phrase);
      if (hosts) hosts.push(ch.host);
      else other.set(phrase, [ch.host]);
    }
  }
  return {
    nowSkipped: nowSkipped.groups(),
    unblocked: unblocked.groups(),
    other: [...other].map(([phrase, hosts]) => ({ phrase, hosts: [...new Set(hosts)] })),
  };
}

type OtherChange = Exclude<PlanChange, { kind: 'now-skipped' | 'unblocked' }>;

function otherChangePhrase(ch: OtherChange): string {
  switch (ch.kind) {
    case 'skip-reason-changed':
      return `${ch.package} still skipped, now ${skipPhrase(ch.skip)} (was ${skipPhrase(ch.was)})`;
    case 'version-changed':
      return `${ch.package} upgrades to ${ch.to} instead of ${ch.wasTo}`;
    case 'update-added':
      return `${ch.package} ${ch.to} newly pending, ${ch.skip ? `skipped: ${skipPhrase(ch.skip)}` : 'planned'}`;
    case 'update-removed':
      return `${ch.package} ${ch.to} no longer pending`;
    case 'reboot-added':
      return `now reboots (${humanizeInstants(ch.reason)})`;
    case 'reboot-removed':
      return `no longer reboots (was: ${humanizeInstants(ch.reason)})`;
    case 'ring-changed':
      return `moves from ring ${ch.wasRing} to ring ${ch.ring}`;
    case 'package-manager-changed':
      return `package manager ${ch.was ?? 'unknown'} → ${ch.now ?? 'unknown'}`;
    case 'host-added':
    case 'host-removed': {
      const what = `${count(ch.updates, 'update')}, ${ch.reboot ? 'a reboot' : 'no reboot'}, ${ch.skipped} skipped`;
      return ch.kind === 'host-added'
        ? `new in the plan, ring ${ch.ring}: ${what}`
        : `no longer in the plan (was in ring ${ch.ring}: ${what})`;
    }
  }
}

interface CauseEntry {
  reason: PlanSkip['reason'];
  by: string;
  eligibleAt: Set<string>;
  expires: Set<string>;
  updates: number;
  hosts: Set<string>;
  packages: Map<string, { to: Set<string>; hosts: string[] }>;
}

/** Skips grouped by reason and cause, as the plan's own skip table counts them. */
class CauseTally {
  private readonly entries = new Map<string, CauseEntry>();

  add(s: PlanSkip, pkg: string, to: string, host: string): void {
    // An unreachable host's cause is its own last scan: group those by reason alone.
    const by = s.reason === 'host-unreachable' ? '' : s.by;
    const key = `${s.reason}\u0000${by}`;
    let e = this.entries.get(key);
    if (!e) {
      e = {
        reason: s.reason,
        by,
        eligibleAt: new Set(),
        expires: new Set(),
        updates: 0,
        hosts: new Set(),
        packages: new Map(),
      };
      this.entries.set(key, e);
    }
    e.updates++;
    e.hosts.add(host);
    if (s.eligibleAt !== undefined) e.eligibleAt.add(s.eligibleAt);
    if (s.expires !== undefined) e.expires.add(s.expires);
    let p = e.packages.get(pkg);
    if (!p) {
      p = { to: new Set(), hosts: [] };
      e.packages.set(pkg, p);
    }
    p.to.add(to);
    if (p.hosts[p.hosts.length - 1] !== host) p.hosts.push(host);
  }

  groups(): CauseGroup[] {
    const one = (set: ReadonlySet<string>): string | undefined => (set.size === 1 ? [...set][0] : undefined);
    return [...this.entries.values()]
      .map((e) => ({
        phrase: skipReasonPhrase(e.reason, e.by, one(e.eligibleAt), one(e.expires)),
        updates: e.updates,
        hosts: e.hosts.size,
        packages: [...e.packages]
          .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([name, p]) => {
            const to = one(p.to);
            return { name, ...(to !== undefined ? { to } : {}), hosts: p.hosts };
          }),
      }))
      .sort((a, b) => b.updates - a.updates || (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0));
  }
}

// ---- phrases, shared with the Markdown renderer -------------------------------------------

export function planHeader(plan: Plan): string {
  return `Plan at ${formatInstantUtc(plan.at)} · ${commitPhrase(plan.gitCommit)} · inputs ${shortDigest(plan.inputsDigest)}`;
}

export function commitPhrase(commit: string | null): string {
  if (commit === null || commit === '') return 'not in git';
  const m = /^([0-9a-f]{7})[0-9a-f]*(.*)$/.exec(commit);
  return `commit ${m ? `${m[1]}${m[2]}` : commit}`;
}

export function shortDigest(digest: string): string {
  const m = /^(sha256:)?([0-9a-f]{12})[0-9a-f]*$/.exec(digest);
  return m ? `${m[1] ?? ''}${m[2]}` : digest;
}

export function ringHeader(ring: PlanRing, zones: WindowZones = NO_ZONES): string {
  const parts = [`ring ${ring.name}`];
  if (ring.rollout !== '') parts.push(`rollout ${ring.rollout}`);
  parts.push(count(ring.hosts.length, 'host'));
  parts.push(ringStartPhrase(ring, zones));
  return parts.join(' · ');
}

/**
 * `earliest start …`: when it is the opening of a host's window, in that window's zone next to UTC
 * (window-time.ts); a start set by the ring's gate alone is in UTC.
 */
export function ringStartPhrase(ring: PlanRing, zones: WindowZones = NO_ZONES): string {
  const gate = ring.gate !== undefined ? humanizeInstants(ring.gate) : undefined;
  if (ring.earliestStart === null) return gate ?? 'not scheduled';
  const earliest = ring.earliestStart;
  const window = ring.hosts.find((h) => h.window !== null && h.window.start === earliest)?.window;
  const zone = window ? zones.get(window.name) : undefined;
  const start = `earliest start ${formatInstantInZone(earliest, zone) ?? formatInstantUtc(earliest)}`;
  return gate !== undefined ? `${start} · ${gate}` : start;
}

/** `window NAME 2026-12-08 02:00 → 06:00 Europe/Berlin (01:00 → 05:00 UTC)`: its next opening. */
export function windowPhrase(w: PlanWindow | null, zones: WindowZones = NO_ZONES): string {
  return w ? `window ${w.name} ${windowSpan(w, zones)}` : 'no window needed';
}

/** A window opening in its zone next to UTC (in UTC alone when the zone is not known). */
export function windowSpan(w: PlanWindow, zones: WindowZones = NO_ZONES): string {
  return formatSpanInZone(w.start, w.end, zones.get(w.name)) ?? formatSpanUtc(w.start, w.end);
}

export function upgradePhrase(a: UpgradeAction): string {
  const name = a.arch ? `${a.package}:${a.arch}` : a.package;
  return `${name} ${a.from} → ${a.to} (${upgradeDetails(a).join(', ')})`;
}

/**
 * classification, severity ("severity unknown" for a security update nobody rated), the risk tier
 * when a feed raised it (KEV, EPSS: docs/vulnerabilities.md), the first advisories and "+N".
 */
export function upgradeDetails(a: UpgradeAction): string[] {
  const details: string[] = [a.classification];
  if (a.severity !== null) details.push(a.severity);
  else if (a.classification === 'security') details.push('severity unknown');
  if (a.tier === 'kev') details.push('KEV');
  else if (a.tier === 'epss') details.push('EPSS');
  details.push(...a.advisories.slice(0, ADVISORIES_SHOWN));
  if (a.advisories.length > ADVISORIES_SHOWN) {
    details[details.length - 1] += ` +${a.advisories.length - ADVISORIES_SHOWN}`;
  }
  return details;
}

export function skipTarget(s: PlanSkip): string {
  return s.to === '' ? s.package : `${s.package} ${s.to}`;
}

const SKIP_VERB: Record<PlanSkip['reason'], string> = {
  excluded: 'excluded',
  pinned: 'pinned',
  held: 'held',
  exception: 'waived',
  'not-approved-yet': 'not approved yet',
  'below-severity': 'below the minimum severity set',
  classification: 'classification not selected',
  'no-window': 'no maintenance window',
  blackout: 'blocked',
  'host-unreachable': 'host unreachable',
  'not-in-earlier-ring': 'not yet installed and baked',
};

/** `by` texts that name a document read well after "by": "excluded by policy linux-security". */
const NAMES_A_DOCUMENT = /^(policy|exception|blackout|window|rollout|ring) \S/;

/** Why an update is skipped, for people: `not approved yet by policy x (eligible 2026-12-04 00:00 UTC)`. */
export function skipPhrase(s: PlanSkip): string {
  return skipReasonPhrase(s.reason, s.by, s.eligibleAt, s.expires);
}

export function skipReasonPhrase(
  reason: PlanSkip['reason'],
  by: string,
  eligibleAt?: string,
  expires?: string,
): string {
  const verb = SKIP_VERB[reason];
  const cause = humanizeInstants(by);
  const viaBy = cause !== '' && NAMES_A_DOCUMENT.test(cause) && reason !== 'no-window';
  const notes: string[] = [];
  if (cause !== '' && !viaBy) notes.push(cause);
  if (eligibleAt !== undefined) notes.push(`eligible ${formatInstantUtc(eligibleAt)}`);
  if (expires !== undefined) notes.push(`expires ${formatInstantUtc(expires)}`);
  const head = viaBy ? `${verb} by ${cause}` : verb;
  return notes.length > 0 ? `${head} (${notes.join('; ')})` : head;
}

export function closingLine(plan: Plan): string {
  const s = plan.summary;
  // Hosts patchctl knows nothing current about are never counted as "up to date" (README "The plan").
  const unknown = unknownHostsPhrase(s);
  const notKnown = unknown === undefined ? '' : ` Not planned: ${unknown.phrase}.`;
  if (s.updates === 0 && s.reboots === 0) {
    if (s.hosts === 0) return 'No changes. The plan covers no hosts.';
    const known = s.hosts - (unknown?.hosts ?? 0);
    if (known === 0)
      return `No changes known: patchctl knows nothing current about any host (${unknown?.phrase}).`;
    if (s.skipped === 0)
      return `No changes. ${count(s.hostsUpToDate ?? known, 'host')} up to date.${notKnown}`;
    return `No changes. Nothing to apply on ${count(known, 'host')}; ${s.skipped} skipped.${notKnown}`;
  }
  const may = s.mayReboot ? `, ${s.mayReboot} may reboot` : '';
  return `Plan: ${count(s.updates, 'update')} on ${count(s.hostsWithChanges, 'host')}, ${count(s.reboots, 'reboot')}${may}, ${s.skipped} skipped.${notKnown}`;
}

/**
 * `3 never scanned, 2 unsupported, 1 unreachable, 1 scan failed`: the hosts the plan knows
 * nothing current about, by state; undefined when there are none (or the plan predates the counts).
 */
export function unknownHostsPhrase(s: Plan['summary']): { hosts: number; phrase: string } | undefined {
  const parts: [number | undefined, string][] = [
    [s.hostsNeverScanned, 'never scanned'],
    [s.hostsUnsupported, 'unsupported'],
    [s.hostsUnreachable, 'unreachable'],
    [s.hostsScanFailed, 'scan failed'],
  ];
  const shown = parts.filter(([n]) => (n ?? 0) > 0) as [number, string][];
  if (shown.length === 0) return undefined;
  return {
    hosts: shown.reduce((sum, [n]) => sum + n, 0),
    phrase: shown.map(([n, what]) => `${n} ${what}`).join(', '),
  };
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// ---- instants ---------------------------------------------------------------------------------

const INSTANT = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const INSTANT_IN_TEXT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})/g;

/** `2026-12-11 22:00` (seconds only when not zero), in UTC; null unless `iso` is an instant with a zone. */
function utcParts(iso: string): { date: string; time: string } | null {
  if (!INSTANT.test(iso)) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  const s = new Date(ms).toISOString();
  const seconds = s.slice(17, 19);
  return { date: s.slice(0, 10), time: seconds === '00' ? s.slice(11, 16) : s.slice(11, 19) };
}

/** `2026-12-11 22:00 UTC`; a date (`2027-02-15`) or anything else that is not an instant stays as it is. */
export function formatInstantUtc(iso: string): string {
  const p = utcParts(iso);
  return p ? `${p.date} ${p.time} UTC` : iso;
}

/** `2026-12-11 22:00 → 2026-12-12 04:00 UTC`, or `2026-12-11 22:00 → 23:30 UTC` within a day. */
export function formatSpanUtc(start: string, end: string): string {
  const a = utcParts(start);
  const b = utcParts(end);
  if (!a || !b) return `${formatInstantUtc(start)} → ${formatInstantUtc(end)}`;
  return `${a.date} ${a.time} → ${a.date === b.date ? '' : `${b.date} `}${b.time} UTC`;
}

/** Instants inside free text (gates, notes, causes) in the same compact UTC form. */
export function humanizeInstants(text: string): string {
  return text.includes('T') ? text.replace(INSTANT_IN_TEXT, (m) => formatInstantUtc(m)) : text;
}
