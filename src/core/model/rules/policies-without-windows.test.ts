import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { policiesWithoutWindows } from './policies-without-windows.js';

const files = (spec: string) => ({
  'inventory/a.yaml': hosts('web-1'),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'p',
    `appliesTo: { selector: { matchLabels: { role: web } } }\n${spec}`,
  ),
});

describe('policiesWithoutWindows', () => {
  it('warns on a policy that names no windows: it patches and reboots at any time', () => {
    const d = runRule(policiesWithoutWindows, files('reboot: ifRequired'));
    expect(where(d)).toEqual(['policies/p.yaml:4:9 warning policy-without-windows']);
    expect(d[0]?.message).toContain('its hosts reboot, at any time');
    expect(d[0]?.message).toContain('"windows: []"');
  });
  it('is quiet when it says any time explicitly (windows: []), or names windows', () => {
    expect(runRule(policiesWithoutWindows, files('windows: []'), { allowInvalid: true })).toEqual([]);
    expect(runRule(policiesWithoutWindows, files('windows: [w]'), { allowInvalid: true })).toEqual([]);
  });
});
