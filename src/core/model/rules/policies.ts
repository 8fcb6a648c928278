import type { Diagnostic } from '../diagnostics.js';
import { hostsMatching } from '../groups.js';
import { isEmptySelector } from '../selector.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * A policy that can never match anything is almost always a mistake (a typo in a label, a
 * group that lost its members, a package excluded as soon as it is included).
 */
export const policiesThatMatchNothing: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  for (const p of repo.policies) {
    const s = p.doc.spec;
    const name = p.doc.metadata.name;
    if ((s.appliesTo.groups ?? []).length === 0 && isEmptySelector(s.appliesTo.selector)) {
      out.push(
        diagnostic(
          'error',
          'policy-without-target',
          `policy "${name}" applies to nothing: give appliesTo groups or a selector`,
          p,
          ['spec', 'appliesTo'],
          'key',
        ),
      );
      continue;
    }
    const unknownGroup = (s.appliesTo.groups ?? []).some((g) => !ctx.members.has(g));
    const hosts = hostsMatching(repo.hosts, ctx.members, s.appliesTo);
    if (hosts.size === 0 && !unknownGroup) {
      out.push(
        diagnostic(
          'warning',
          'policy-matches-no-host',
          `policy "${name}" matches no host in the inventory`,
          p,
          ['spec', 'appliesTo'],
          'key',
        ),
      );
    }
    const excluded = new Set(s.exclude ?? []);
    const include = s.include ?? [];
    if (include.length > 0 && include.every((g) => excluded.has(g) || excluded.has('*'))) {
      out.push(
        diagnostic(
          'warning',
          'policy-matches-no-package',
          `policy "${name}" excludes every package it includes, so it can never select an update`,
          p,
          ['spec', 'exclude'],
          'key',
        ),
      );
    }
    const classes = s.classification ?? [];
    if (classes.includes('all') && classes.length > 1) {
      out.push(
        diagnostic(
          'warning',
          'redundant-classification',
          `classification "all" already covers ${classes.filter((c) => c !== 'all').join(', ')}`,
          p,
          ['spec', 'classification'],
        ),
      );
    }
  }
  return out;
};
