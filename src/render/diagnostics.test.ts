import { describe, expect, it } from '@jest/globals';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { diagnosticsToJson, renderDiagnosticsGithub, renderDiagnosticsText } from './diagnostics.js';

const list: Diagnostic[] = [
  {
    severity: 'error',
    code: 'unknown-group',
    message: 'group "webz" is not defined',
    at: { file: 'policies/a.yaml', line: 7, col: 9 },
  },
  {
    severity: 'warning',
    code: 'odd',
    message: 'a, b: 100%\nnext',
    at: { file: 'x,y.yaml', line: 1, col: 2 },
  },
];

describe('diagnostic renderers', () => {
  it('prints file:line:col severity code: message', () => {
    expect(renderDiagnosticsText(list, false).split('\n')[0]).toBe(
      'policies/a.yaml:7:9 error unknown-group: group "webz" is not defined',
    );
  });
  it('colours only when asked', () => {
    expect(renderDiagnosticsText(list, false)).not.toContain('\u001b[');
    expect(renderDiagnosticsText(list, true)).toContain('\u001b[');
  });
  it('gives tools a flat JSON list', () => {
    expect(diagnosticsToJson(list)[0]).toEqual({
      file: 'policies/a.yaml',
      line: 7,
      col: 9,
      severity: 'error',
      code: 'unknown-group',
      message: 'group "webz" is not defined',
    });
  });
  it('writes GitHub annotations with paths relative to the workspace, escaped', () => {
    const out = renderDiagnosticsGithub(list, '/ws/ops', '/ws').split('\n');
    expect(out[0]).toBe(
      '::error file=ops/policies/a.yaml,line=7,col=9,title=patchctl unknown-group::group "webz" is not defined',
    );
    expect(out[1]).toBe('::warning file=ops/x%2Cy.yaml,line=1,col=2,title=patchctl odd::a, b: 100%25%0Anext');
  });
});
