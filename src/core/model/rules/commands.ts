import { argvProblems } from '../../command/argv.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { Located } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * Hooks and health checks are argument vectors that apply runs on the hosts. One that the
 * quoting function refuses (core/command/argv.ts: a NUL byte, an unpaired surrogate, a program
 * that is empty, starts with `-` or holds `=`) would fail only when apply reaches it: after the
 * canary was patched and rebooted. `validate` reports it at the offending argument instead.
 */
export const runnableCommands: Rule = (repo) => {
  const out: Diagnostic[] = [];
  const check = (
    argv: readonly string[] | undefined,
    what: string,
    where: Located<unknown>,
    path: Path,
  ): void => {
    if (argv === undefined) return;
    for (const p of argvProblems(argv)) {
      const message =
        p.part === 'argument'
          ? `${what}: argument ${p.index ?? 0} ${p.message}; no host could run this command`
          : `${what}: ${p.message}; no host could run this command`;
      const at = p.index === undefined ? path : [...path, p.index];
      out.push(diagnostic('error', 'invalid-command', message, where, at));
    }
  };
  for (const p of repo.policies) {
    const hooks = p.doc.spec.hooks;
    const base = ['spec', 'hooks'];
    hooks?.pre?.forEach((h, i) =>
      check(h.command, `pre hook ${i + 1} of policy ${p.doc.metadata.name}`, p, [
        ...base,
        'pre',
        i,
        'command',
      ]),
    );
    hooks?.post?.forEach((h, i) =>
      check(h.command, `post hook ${i + 1} of policy ${p.doc.metadata.name}`, p, [
        ...base,
        'post',
        i,
        'command',
      ]),
    );
    check(hooks?.healthCheck?.command, `health check of policy ${p.doc.metadata.name}`, p, [
      ...base,
      'healthCheck',
      'command',
    ]);
  }
  for (const r of repo.rollouts) {
    r.doc.spec.rings.forEach((ring, i) =>
      check(ring.healthCheck?.command, `health check of ring ${ring.name}`, r, [
        'spec',
        'rings',
        i,
        'healthCheck',
        'command',
      ]),
    );
  }
  return out;
};
