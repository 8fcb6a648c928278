// The plan as a pull-request comment (GitHub, GitLab): a summary table, then one collapsed
// <details> block per ring. Hosts that receive the same changes share a row; skips are counted
// by reason. The comment stays under GitHub's limit by cutting per-host detail, and says so.
import type { PlanComparison } from '../core/plan/compare-plans.js';
import type {
  Plan,
  PlanHost,
  PlanRing,
  PlanShards,
  PlanSkip,
  PlanWindow,
  UpgradeAction,
} from '../core/plan/types.js';
import { isHostKeyChangedNote } from '../core/plan/types.js';
import { markdownText } from '../core/text/report-cells.js';
import type { CauseGroup } from './plan-text.js';
import {
  NO_COMPARISON_CHANGES,
  atDiffersPhrase,
  comparedPhrase,
  count,
  formatInstantUtc,
  groupComparison,
  humanizeInstants,
  planHeader,
  ringStartPhrase,
  skipReasonPhrase,
  unknownHostsPhrase,
  upgradeDetails,
  windowSpan,
} from './plan-text.js';
import type { WindowZones } from './window-time.js';

/** GitHub refuses issue and pull-request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface PlanMarkdownOptions {
  /** Longest comment to produce; default GITHUB_COMMENT_LIMIT. */
  maxLength?: number;
  /** What changed against a base plan (`plan --compare`): shown first, under the title. */
  comparison?: PlanComparison;
  /** Window name → zone: window times are shown in it, next to UTC (window-time.ts). */
  zones?: WindowZones;
}

/** Host names listed per row before "(+N more)". */
const HOST_NAMES_SHOWN = 5;
/** Packages listed per skip reason before "+N more". */
const PACKAGES_SHOWN = 3;
const FULL_PLAN = '`patchctl plan --format text`';

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const limit = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const zones = options.zones ?? new Map<string, string>();
  const blocks = plan.rings.map((ring) => ringBlock(ring, zones));
  // The effect is what a reviewer came for, but it leaves the plan at least half of the limit.
  const effect = options.comparison ? effectSection(options.comparison, Math.floor(limit / 2)) : '';
  const head = headLines(plan, effect);

  // Everything, when it fits (measured lazily: a huge plan stops measuring at the limit).
  let size = head.length;
  for (const b of blocks) {
    size += b.open.length + b.close.length;
    for (const s of b.sections) {
      if (s.rows.length > 0) size += s.header.length + s.footer.length;
      for (const r of s.rows) {
        if (size > limit) break;
        size += text(r).length;
      }
    }
  }
  const out =
    size <= limit
      ? head + blocks.map((b) => assemble(b, () => true, '')).join('')
      : truncated(plan, head, blocks, limit);
  return out.replace(/\n+$/, '\n');
}

// ---- the document ---------------------------------------------------------------------------

interface Row {
  hosts: number;
  render: () => string;
  cached?: string;
}

interface Section {
  /** Summaries (skip table, host lists) are kept before the per-host change rows. */
  kind: 'summary' | 'changes';
  header: string;
  footer: string;
  rows: Row[];
}

interface RingBlock {
  hosts: number;
  open: string;
  close: string;
  sections: Section[];
}

function text(r: Row): string {
  r.cached ??= r.render();
  return r.cached;
}

/** Under the summary of a plan made with `--shards`: the same counts per shard. */
function shardRows(shards: PlanShards): string[] {
  return [
    '',
    `Split into ${shards.count} shards for \`apply --shard i/${shards.count}\`:`,
    '',
    '| Shard | Hosts | With changes | Updates | Reboots | Skipped |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...shards.summary.map(
      (x) =>
        `| ${x.shard} | ${x.hosts} | ${x.hostsWithChanges} | ${x.updates} | ${x.reboots} | ${x.skipped} |`,
    ),
  ];
}

function headLines(plan: Plan, effect: string): string {
  const s = plan.summary;
  // Hosts patchctl knows nothing current about are named, never counted as up to date.
  const unknown = unknownHostsPhrase(s);
  const title =
    s.updates === 0 && s.reboots === 0
      ? unknown === undefined
        ? 'no changes'
        : `no changes known, ${count(unknown.hosts, 'host')} not known`
      : `${count(s.updates, 'update')} on ${count(s.hostsWithChanges, 'host')}`;
  const unknownLine =
    unknown === undefined
      ? []
      : ['', `**Not planned:** ${md(unknown.phrase)} (each host's note below says why).`];
  const mayReboot = s.mayReboot
    ? [
        '',
        `**May reboot:** ${count(s.mayReboot, 'host')} (their policy reboots if the host asks after the install).`,
      ]
    : [];
  return [
    `### patchctl plan: ${title}`,
    '',
    md(planHeader(plan)),
    '',
    // Under the effect, a heading keeps the plan's own table from reading as part of it.
    ...(effect !== '' ? [effect.replace(/\n+$/, '\n'), '#### The plan', ''] : []),
    '| Hosts | With changes | Updates | Reboots | Skipped |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${s.hosts} | ${s.hostsWithChanges} | ${s.updates} | ${s.reboots} | ${s.skipped} |`,
    ...mayReboot,
    ...unknownLine,
    ...(plan.shards ? shardRows(plan.shards) : []),
    '',
    '',
  ].join('\n');
}

function assemble(b: RingBlock, chosen: (r: Row) => boolean, more: string): string {
  const out: string[] = [b.open];
  for (const s of b.sections) {
    const rows = s.rows.filter(chosen);
    if (rows.length === 0) continue;
    out.push(s.header, ...rows.map(text), s.footer);
  }
  out.push(more, b.close);
  return out.join('');
}

function truncated(plan: Plan, head: string, all: readonly RingBlock[], limit: number): string {
  const note = (shown: number): string =>
    `> **Truncated:** ${shown} of ${count(plan.summary.hosts, 'host')} are shown in detail, to stay under ` +
    `${limit === GITHUB_COMMENT_LIMIT ? "GitHub's" : 'a'} ${limit}-character limit for comments. ` +
    `See the full plan with ${FULL_PLAN}.\n\n`;
  const more = (hidden: number): string =>
    `_… ${hidden} more ${hidden === 1 ? 'host' : 'hosts'} not shown here; see the full plan with ${FULL_PLAN}._\n\n`;
  const moreRings = (rings: number, hosts: number): string =>
    `_… ${count(rings, 'more ring')} (${count(hosts, 'host')}) not shown; see the full plan with ${FULL_PLAN}._\n`;

  // The frame of every ring stays; in the rare plan with too many rings even for that, the last go.
  const blocks = [...all];
  const frame = (b: RingBlock): number => b.open.length + b.close.length + more(b.hosts).length;
  const allHosts = Math.max(
    plan.summary.hosts,
    all.reduce((n, b) => n + b.hosts, 0),
  );
  let used = head.length + note(allHosts).length;
  for (const b of blocks) used += frame(b);
  let tail = '';
  while (blocks.length > 0 && used + tail.length > limit) {
    used -= frame(blocks.pop() as RingBlock);
    const dropped = all.slice(blocks.length);
    tail = moreRings(
      dropped.length,
      dropped.reduce((n, b) => n + b.hosts, 0),
    );
  }
  used += tail.length;

  // Summaries first (first fit), then change rows in order until the first that does not fit.
  const chosen = new Set<Row>();
  const opened = new Set<Section>();
  for (const kind of ['summary', 'changes'] as const) {
    fill: for (const b of blocks) {
      for (const s of b.sections) {
        if (s.kind !== kind) continue;
        for (const r of s.rows) {
          const cost = text(r).length + (opened.has(s) ? 0 : s.header.length + s.footer.length);
          if (used + cost <= limit) {
            chosen.add(r);
            opened.add(s);
            used += cost;
          } else if (kind === 'changes') {
            break fill;
          }
        }
      }
    }
  }

  let shown = 0;
  const body = blocks.map((b) => {
    const hostsShown = b.sections.reduce(
      (n, s) => n + s.rows.reduce((m, r) => m + (chosen.has(r) ? r.hosts : 0), 0),
      0,
    );
    shown += hostsShown;
    const hidden = b.hosts - hostsShown;
    return assemble(b, (r) => chosen.has(r), hidden > 0 ? more(hidden) : '');
  });
  return head + note(shown) + body.join('') + tail;
}

// ---- one ring ---------------------------------------------------------------------------------

function ringBlock(ring: PlanRing, zones: WindowZones): RingBlock {
  const changed = ring.hosts.filter((h) => h.actions.length > 0);
  const updates = changed.reduce((n, h) => n + h.actions.filter((a) => a.type === 'upgrade').length, 0);
  const reboots = changed.filter((h) => h.actions.some((a) => a.type === 'reboot')).length;
  const summary = [
    `<b>ring ${md(ring.name)}</b>`,
    ...(ring.rollout !== '' ? [`rollout ${md(ring.rollout)}`] : []),
    `${count(ring.hosts.length, 'host')}, ${changed.length === 0 ? 'none' : changed.length} with changes`,
    `${count(updates, 'update')}, ${count(reboots, 'reboot')}`,
    md(ringStartPhrase(ring, zones)),
  ].join(' · ');
  return {
    hosts: ring.hosts.length,
    open: `<details><summary>${summary}</summary>\n\n`,
    close: '</details>\n\n',
    sections: [changesSection(changed, zones), skipsSection(ring.hosts), listsSection(ring.hosts)],
  };
}

interface ChangeGroup {
  hosts: string[];
  windows: Map<string, PlanWindow | null>;
  changes: string;
}

function changesSection(changed: readonly PlanHost[], zones: WindowZones): Section {
  const groups = new Map<string, ChangeGroup>();
  for (const h of changed) {
    const changes = h.actions
      .map((a) => (a.type === 'upgrade' ? upgradeCell(a) : `**reboot** (${md(humanizeInstants(a.reason))})`))
      .concat(h.mayReboot !== undefined ? [`_may reboot_ (${md(h.mayReboot)})`] : [])
      .join('<br>');
    let g = groups.get(changes);
    if (!g) {
      g = { hosts: [], windows: new Map(), changes };
      groups.set(changes, g);
    }
    g.hosts.push(h.host);
    const w = h.window;
    g.windows.set(w ? `${w.name}\u0000${w.start}\u0000${w.end}` : '', w);
  }
  return {
    kind: 'changes',
    header: '| Hosts | Window | Changes |\n| --- | --- | --- |\n',
    footer: '\n',
    rows: [...groups.values()].map((g) => ({
      hosts: g.hosts.length,
      render: () => `| ${hostNames(g.hosts)} | ${windowCell(g.windows, zones)} | ${g.changes} |\n`,
    })),
  };
}

function upgradeCell(a: UpgradeAction): string {
  const name = a.arch ? `${a.package}:${a.arch}` : a.package;
  const cell = `**${md(name)}** ${md(a.from)} → ${md(a.to)} (${md(upgradeDetails(a).join(', '))})`;
  return a.emergency ? `${cell} **‼ emergency**` : cell;
}

function windowCell(windows: ReadonlyMap<string, PlanWindow | null>, zones: WindowZones): string {
  const [first] = windows.values();
  const shown = first ? `${md(first.name)}<br>${md(windowSpan(first, zones))}` : 'none needed';
  return windows.size > 1 ? `${shown}<br>(+${count(windows.size - 1, 'other window')})` : shown;
}

interface SkipTally {
  reason: PlanSkip['reason'];
  by: string;
  updates: number;
  hosts: number;
  lastHost: string | null;
  packages: Map<string, number>;
  eligibleAt: Set<string>;
  expires: Set<string>;
}

function skipsSection(hosts: readonly PlanHost[]): Section {
  const tallies = new Map<string, SkipTally>();
  for (const h of hosts) {
    for (const s of h.skipped) {
      // The cause of an unreachable host differs per host (scan time, error): count by reason alone.
      const by = s.reason === 'host-unreachable' ? '' : s.by;
      const key = `${s.reason}\u0000${by}`;
      let t = tallies.get(key);
      if (!t) {
        t = {
          reason: s.reason,
          by,
          updates: 0,
          hosts: 0,
          lastHost: null,
          packages: new Map(),
          eligibleAt: new Set(),
          expires: new Set(),
        };
        tallies.set(key, t);
      }
      t.updates++;
      if (t.lastHost !== h.host) {
        t.hosts++;
        t.lastHost = h.host;
      }
      t.packages.set(s.package, (t.packages.get(s.package) ?? 0) + 1);
      if (s.eligibleAt !== undefined) t.eligibleAt.add(s.eligibleAt);
      if (s.expires !== undefined) t.expires.add(s.expires);
    }
  }
  const rows = [...tallies.values()]
    .map((t) => ({ t, phrase: tallyPhrase(t) }))
    .sort((a, b) => b.t.updates - a.t.updates || (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0));
  return {
    kind: 'summary',
    header: '| Skipped | Updates | Hosts | Packages |\n| --- | ---: | ---: | --- |\n',
    footer: '\n',
    rows: rows.map(({ t, phrase }) => ({
      hosts: 0,
      render: () => `| ${md(phrase)} | ${t.updates} | ${t.hosts} | ${topPackages(t.packages)} |\n`,
    })),
  };
}

function tallyPhrase(t: SkipTally): string {
  const one = (set: ReadonlySet<string>): string | undefined => (set.size === 1 ? [...set][0] : undefined);
  const phrase = skipReasonPhrase(t.reason, t.by, one(t.eligibleAt), one(t.expires));
  const from = (set: ReadonlySet<string>, what: string): string =>
    set.size > 1 ? ` (${what} from ${formatInstantUtc([...set].sort()[0] ?? '')})` : '';
  return phrase + from(t.eligibleAt, 'eligible') + from(t.expires, 'expiring');
}

function topPackages(packages: ReadonlyMap<string, number>): string {
  const top = [...packages]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, PACKAGES_SHOWN)
    .map(([name, n]) => (n > 1 ? `${md(name)} (${n})` : md(name)));
  const rest = packages.size - top.length;
  return rest > 0 ? `${top.join(', ')} +${rest} more` : top.join(', ');
}

function listsSection(hosts: readonly PlanHost[]): Section {
  const onlySkipped: string[] = [];
  const upToDate: string[] = [];
  const notes = new Map<string, string[]>();
  for (const h of hosts) {
    if (h.actions.length > 0) continue;
    if (h.note !== undefined) {
      const list = notes.get(h.note);
      if (list) list.push(h.host);
      else notes.set(h.note, [h.host]);
    } else if (h.skipped.length > 0) onlySkipped.push(h.host);
    else upToDate.push(h.host);
  }
  const rows: Row[] = [];
  if (onlySkipped.length > 0) {
    rows.push({
      hosts: onlySkipped.length,
      render: () => `- **Only skipped:** ${hostNames(onlySkipped)}\n`,
    });
  }
  for (const [note, names] of notes) {
    rows.push({
      hosts: names.length,
      // A changed host key may be an interception: never just one more host not planned.
      render: () =>
        `- **${isHostKeyChangedNote(note) ? '⚠️ Host key changed (possible interception), not planned' : 'Not planned'}:** ${hostNames(names)} — ${md(humanizeInstants(note))}\n`,
    });
  }
  if (upToDate.length > 0) {
    rows.push({
      hosts: upToDate.length,
      render: () => `- **Up to date:** ${count(upToDate.length, 'host')}: ${hostNames(upToDate)}\n`,
    });
  }
  return { kind: 'summary', header: '', footer: '\n', rows };
}

function hostNames(names: readonly string[]): string {
  const shown = names.slice(0, HOST_NAMES_SHOWN).map(md).join(', ');
  return names.length > HOST_NAMES_SHOWN ? `${shown} (+${names.length - HOST_NAMES_SHOWN} more)` : shown;
}

// ---- the effect of this change ----------------------------------------------------------------

const FULL_COMPARISON = '`patchctl plan --compare BASE-PLAN.json`';
/** Packages named per cause before "+N more packages". */
const CAUSE_PACKAGES_SHOWN = 10;

/** The comparison with the base plan, at most `budget` characters; ends with a blank line. */
function effectSection(comparison: PlanComparison, budget: number): string {
  const title = `#### Effect of this change (compared with ${md(comparedPhrase(comparison.base))})\n\n`;
  const note = comparison.atDiffers ? `> **Note:** ${md(atDiffersPhrase(comparison))}.\n\n` : '';
  if (comparison.changes.length === 0) return `${title}${note}${NO_COMPARISON_CHANGES}\n\n`;

  const g = groupComparison(comparison);
  const k = comparison.summary.counts;
  const hostsOf = (groups: readonly CauseGroup[]): number =>
    new Set(groups.flatMap((x) => x.packages.flatMap((p) => p.hosts))).size;
  const sections: { header: string; rows: string[] }[] = [
    {
      header: `**Now skipped:** ${count(k['now-skipped'], 'update')} on ${count(hostsOf(g.nowSkipped), 'host')}\n\n`,
      rows: g.nowSkipped.map((x) => `- ${md(x.phrase)}: ${causePackages(x)}\n`),
    },
    {
      header: `**Unblocked:** ${count(k.unblocked, 'update')} on ${count(hostsOf(g.unblocked), 'host')}\n\n`,
      rows: g.unblocked.map((x) => `- was ${md(x.phrase)}: ${causePackages(x)}\n`),
    },
    {
      header: '**Other changes:**\n\n',
      rows: g.other.map((o) => `- ${hostNames(o.hosts)}: ${md(o.phrase)}\n`),
    },
  ];
  const all = sections.reduce((n, s) => n + s.rows.length, 0);
  const more = (n: number): string =>
    `_… ${count(n, 'more line')} of changes not shown; see them all with ${FULL_COMPARISON}._\n\n`;

  let out = title + note;
  let shown = 0;
  let full = false;
  for (const s of sections) {
    if (s.rows.length === 0 || full) continue;
    let part = s.header;
    for (const r of s.rows) {
      // Room is kept for the closing note about what was left out.
      if (out.length + part.length + r.length + 1 + more(all).length > budget) {
        full = true;
        break;
      }
      part += r;
      shown++;
    }
    if (part !== s.header) out += `${part}\n`;
  }
  return shown < all ? out + more(all - shown) : out;
}

function causePackages(group: CauseGroup): string {
  const shown = group.packages
    .slice(0, CAUSE_PACKAGES_SHOWN)
    .map((p) => `**${md(p.name)}**${p.to !== undefined ? ` ${md(p.to)}` : ''} on ${hostNames(p.hosts)}`);
  const rest = group.packages.length - shown.length;
  return rest > 0 ? `${shown.join('; ')}; +${count(rest, 'more package')}` : shown.join('; ');
}

// ---- escaping ----------------------------------------------------------------------------------

/**
 * A value from the plan as inert text, in Markdown and inside HTML blocks (<summary>) alike
 * (src/core/text/report-cells.ts): character references for what Markdown or HTML would act on,
 * visible escapes for control characters and line breaks (docs/security.md).
 */
export function md(value: string): string {
  return markdownText(value);
}
