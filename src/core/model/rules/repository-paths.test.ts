import { describe, expect, it } from '@jest/globals';
import { MINIMAL_CONFIG, runRule, where } from '../../../test-support/repo-builder.js';
import { pathProblem, repositoryPaths } from './repository-paths.js';

describe('repositoryPaths', () => {
  it.each(['inventory', 'ops/inventory', './a/../b', 'state'])('accepts %s', (p) =>
    expect(pathProblem(p)).toBeUndefined(),
  );
  it.each(['/etc', '../outside', 'a/../../b', 'C:\\x'])('refuses %s', (p) =>
    expect(pathProblem(p)).toBeDefined(),
  );
  it('points at the offending path in patchctl.yaml', () => {
    const d = runRule(repositoryPaths, {
      'patchctl.yaml': `${MINIMAL_CONFIG}  paths:\n    state: ../shared-state\n`,
    });
    expect(where(d)).toEqual(['patchctl.yaml:8:12 error path-outside-repository']);
  });
});
