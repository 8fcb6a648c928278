import path from 'node:path';
import type { CheckedFeed } from '../advisories.js';
import type { Diagnostic } from '../diagnostics.js';
import { CONFIG_DEFAULTS, configSpec } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

const READ =
  'patchctl reads CISA KEV (JSON or CSV), EPSS (CSV), OSV records (JSON), findings files and the sync manifest (docs/vulnerabilities.md)';

/** What a feed that is not a list of advisories is, for the emergency track's warning. */
const NOT_A_LIST: Partial<Record<CheckedFeed['kind'], string>> = {
  epss: 'EPSS scores, not a list of advisories (set `emergency.epss: true` to let EPSS decide)',
  findings: "a scanner's findings for one host, not a list of advisories",
  sync: 'the sync manifest, not a list of advisories',
};

/**
 * The emergency track is only as good as the feed it reads, and a wrong feed turns it off
 * without a word: a file under advisories/ that is none of the kinds patchctl reads (a `.txt`,
 * a `.csv.gz` not unpacked, a CSV with another header), a policy that names a file patchctl
 * does not read or that lists no advisory, a catalogue with nothing in it. (A feed name that
 * names no file is an error of references.ts; a JSON file that is none of the kinds, and a
 * feed with bad records, are reported where they are, by advisories.ts.)
 */
export const emergencyFeeds: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const configured = configSpec(repo).paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const base = path.posix.normalize(configured.replace(/\\/g, '/')).replace(/\/+$/, '');
  const inRepo = (name: string) => (base === '.' || base === '' ? name : `${base}/${name}`);
  const read = ctx.feeds === undefined ? undefined : new Set(ctx.feeds.map((f) => f.file));
  for (const name of [...ctx.advisoryFiles].sort()) {
    const lower = name.toLowerCase();
    if (lower.endsWith('.json')) continue; // read, and reported by advisories.ts when unknown
    // Without the checked feeds (a rule run alone) a CSV may be a feed: say nothing of it.
    if (lower.endsWith('.csv') && (read === undefined || read.has(inRepo(name)))) continue;
    out.push({
      severity: 'warning',
      code: 'advisory-file-unread',
      message: `${inRepo(name)} is not read: ${READ}; nothing in it reaches the emergency track or the risk tiers (see advisories/README.md)`,
      at: { file: inRepo(name), line: 1, col: 1 },
    });
  }
  if (ctx.feeds === undefined) return out; // feeds not checked (a rule run alone)
  const feeds = new Map(ctx.feeds.map((f) => [f.file, f] as const));
  for (const p of repo.policies) {
    const track = p.doc.spec.emergency;
    if (!track || track.enabled === false) continue;
    (track.feeds ?? []).forEach((name, i) => {
      if (!ctx.advisoryFiles.has(name)) return; // unknown-advisory-feed
      const feed = feeds.get(inRepo(name));
      const where = ['spec', 'emergency', 'feeds', i];
      const notAList = feed ? NOT_A_LIST[feed.kind] : undefined;
      if (!feed || notAList) {
        out.push(
          diagnostic(
            'warning',
            'emergency-feed-unread',
            notAList
              ? `the emergency track of policy "${p.doc.metadata.name}" reads nothing from ${inRepo(name)}: it is ${notAList}; name a KEV catalogue or OSV records here`
              : `the emergency track of policy "${p.doc.metadata.name}" reads nothing from ${inRepo(name)}: ${READ}; name the KEV catalogue here`,
            p,
            where,
          ),
        );
      } else if (feed.ids.length === 0 && !feed.refused) {
        out.push(
          diagnostic(
            'warning',
            'emergency-feed-empty',
            `${inRepo(name)} lists no advisory, so the emergency track of policy "${p.doc.metadata.name}" takes no update; refresh it (see advisories/README.md)`,
            p,
            where,
          ),
        );
      }
    });
  }
  return out;
};
