import type { Diagnostic } from '../diagnostics.js';
import { hostsMatching } from '../groups.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * A host uses the windows of its policy whose groups contain it (core/plan/calendar.ts). When
 * none of a policy's windows is for any of its hosts, its updates never start: every one is
 * skipped as `no-window`, plan after plan. (Emergency updates that ignore windows still go.)
 */
export const windowsCoveringNoHost: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const windows = new Map(repo.windows.map((w) => [w.doc.metadata.name, w.doc] as const));
  for (const p of repo.policies) {
    const names = p.doc.spec.windows ?? [];
    if (names.length === 0) continue; // any time: policies-without-windows.ts
    const docs = names.map((n) => windows.get(n));
    if (docs.some((w) => w === undefined || w.spec.groups.some((g) => !ctx.members.has(g)))) continue;
    const hosts = hostsMatching(repo.hosts, ctx.members, p.doc.spec.appliesTo);
    if (hosts.size === 0) continue; // policy-matches-no-host
    const covered = [...hosts].some((h) =>
      docs.some((w) => w?.spec.groups.some((g) => ctx.members.get(g)?.has(h) === true)),
    );
    if (covered) continue;
    out.push(
      diagnostic(
        'warning',
        'windows-cover-no-host',
        `none of policy "${p.doc.metadata.name}"'s windows (${names.join(', ')}) is for any of its ${hosts.size} host(s): a host uses the listed windows whose groups contain it, so this policy's updates never start (plan skips them as no-window); list a window for its hosts, or add its hosts' groups to a window`,
        p,
        ['spec', 'windows'],
        'key',
      ),
    );
  }
  return out;
};
