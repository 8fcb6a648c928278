import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { undrivenHosts } from './undriven-hosts.js';

const inventory = (defaults: string, hostLines: string[]) => ({
  'inventory/a.yaml': doc(
    'Inventory',
    'a',
    `${defaults}hosts:\n${hostLines.map((h) => `  - ${h}`).join('\n')}`,
  ),
});

describe('undrivenHosts', () => {
  it('is quiet for Debian and Ubuntu over ssh, and for hosts without an os hint', () => {
    expect(
      runRule(
        undrivenHosts,
        inventory('', [
          'name: a1\n    os: debian',
          'name: a2\n    os: ubuntu\n    transport: ssh',
          'name: a3',
        ]),
      ),
    ).toEqual([]);
  });
  it('warns once per inventory and setting, where it is written, with the hosts', () => {
    const d = runRule(
      undrivenHosts,
      inventory('defaults:\n  os: rocky\n', [
        'name: r1',
        'name: r2',
        'name: w1\n    transport: winrm\n    os: windows',
        'name: w2\n    transport: winrm\n    os: windows',
        'name: d1\n    os: debian',
      ]),
    );
    expect(where(d)).toEqual([
      'inventory/a.yaml:7:9 warning undriven-hosts',
      'inventory/a.yaml:12:18 warning undriven-hosts',
    ]);
    expect(d[0]?.message).toBe(
      '2 host(s) of inventory "a" use os rocky, which this version has no package-manager driver for (apt on debian, ubuntu): r1, r2; they are reported unsupported and never patched',
    );
    expect(d[1]?.message).toContain(
      'use transport winrm, which this version cannot drive (it connects over ssh): w1, w2',
    );
  });
  it('warns on transport local too', () => {
    expect(where(runRule(undrivenHosts, inventory('', ['name: here\n    transport: local'])))).toEqual([
      'inventory/a.yaml:8:18 warning undriven-hosts',
    ]);
  });
});
