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
  it('is quiet for Debian, Ubuntu, RHEL-family and SUSE hosts over ssh, and for hosts without an os hint', () => {
    expect(
      runRule(
        undrivenHosts,
        inventory('', [
          'name: a1\n    os: debian',
          'name: a2\n    os: ubuntu\n    transport: ssh',
          'name: a3',
          'name: a4\n    os: rocky',
          'name: a5\n    os: sles',
        ]),
      ),
    ).toEqual([]);
  });
  it('warns once per inventory and setting, where it is written, with the hosts', () => {
    const d = runRule(
      undrivenHosts,
      inventory('defaults:\n  os: alpine\n', [
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
      '2 host(s) of inventory "a" use os alpine, which this version has no package-manager driver for (apt on debian, ubuntu; dnf on rhel, almalinux, rocky, centos, fedora, amazon, oracle; zypper on sles, opensuse): r1, r2; they are reported unsupported and never patched',
    );
    expect(d[1]?.message).toContain(
      'use transport winrm, which this version cannot drive (it connects over ssh, local): w1, w2',
    );
  });
  it('is quiet for transport local (the machine patchctl runs on)', () => {
    expect(where(runRule(undrivenHosts, inventory('', ['name: here\n    transport: local'])))).toEqual([]);
  });
});
