import path from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { CONFIG_DEFAULTS, configSpec } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

const READ =
  "patchctl reads JSON feeds only: CISA's KEV catalogue as JSON (known_exploited_vulnerabilities.json) and OSV records";

/**
 * The emergency track is only as good as the feed it reads, and a wrong feed turns it off
 * without a word: CISA's `kev.csv` saved next to (or instead of) the JSON catalogue, a policy
 * that names a file patchctl does not read, a catalogue with nothing in it. (A feed name that
 * names no file is an error of references.ts; a JSON file that is neither KEV nor OSV is
 * reported where it is, by advisories.ts.)
 */
export const emergencyFeeds: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const configured = configSpec(repo).paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const base = path.posix.normalize(configured.replace(/\\/g, '/')).replace(/\/+$/, '');
  const inRepo = (name: string) => (base === '.' || base === '' ? name : `${base}/${name}`);
  for (const name of [...ctx.advisoryFiles].sort()) {
    if (name.toLowerCase().endsWith('.json')) continue;
    out.push({
      severity: 'warning',
      code: 'advisory-file-unread',
      message: `${inRepo(name)} is not read: ${READ}; nothing in it reaches the emergency track (see advisories/README.md)`,
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
      if (!feed) {
        out.push(
          diagnostic(
            'warning',
            'emergency-feed-unread',
            `the emergency track of policy "${p.doc.metadata.name}" reads nothing from ${inRepo(name)}: ${READ}; name the JSON catalogue here`,
            p,
            where,
          ),
        );
      } else if (feed.ids.length === 0) {
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
