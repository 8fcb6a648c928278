import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Folders named in patchctl.yaml must stay inside the repository (it is what git reviews). */
export const repositoryPaths: Rule = (repo) => {
  const out: Diagnostic[] = [];
  const config = repo.config;
  for (const [key, value] of Object.entries(config?.doc.spec.paths ?? {})) {
    const problem = typeof value === 'string' ? pathProblem(value) : undefined;
    if (config && problem) {
      out.push(
        diagnostic('error', 'path-outside-repository', `paths.${key} "${value}" ${problem}`, config, [
          'spec',
          'paths',
          key,
        ]),
      );
    }
  }
  return out;
};

/** Undefined for a relative path that stays inside the repository. */
export function pathProblem(rel: string): string | undefined {
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel)) return 'must be relative to the repository';
  const parts: string[] = [];
  for (const part of rel.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return 'points outside the repository';
      parts.pop();
    } else parts.push(part);
  }
  return undefined;
}
