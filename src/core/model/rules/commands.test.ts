import { describe, expect, it } from '@jest/globals';
import { check, doc, runRule, where } from '../../../test-support/repo-builder.js';
import { runnableCommands } from './commands.js';

const policy = (hooks: string): string =>
  doc('PatchPolicy', 'p', `appliesTo:\n  groups: [all]\nhooks:\n${hooks}`);

const rollout = (healthCheck: string): string =>
  doc(
    'Rollout',
    'r',
    `rings:\n  - name: canary\n    rest: true\n    healthCheck:\n      command: ${healthCheck}`,
  );

describe('hooks and health checks that no host could run', () => {
  it('accepts the commands the documentation shows', () => {
    const d = runRule(runnableCommands, {
      'policies/p.yaml': policy(
        '  pre:\n    - command: [systemctl, stop, myapp]\n  post:\n    - command: [/usr/local/bin/drain, --timeout, "60", "", "a=b", "-x"]\n  healthCheck:\n    command: [curl, -fsS, "http://127.0.0.1/healthz?a=1&b=$x"]',
      ),
      'rollouts/r.yaml': rollout('[systemctl, is-system-running, "😀"]'),
    });
    expect(d).toEqual([]);
  });

  it('reports each refused argument of every pre, post and health-check command at its position', () => {
    const d = runRule(runnableCommands, {
      'policies/p.yaml': policy(
        [
          '  pre:',
          '    - command: [systemctl, stop, myapp]',
          '    - command: ["-rf", x]', // program starting with "-"
          '  post:',
          '    - command: ["A=b", ok]', // program holding "="
          '    - command: ["", ok]', // empty program
          '  healthCheck:',
          '    command: [curl, "a\\0b"]', // NUL through a YAML escape
        ].join('\n'),
      ),
      'rollouts/r.yaml': rollout('[systemctl, "\\ud800"]'), // an unpaired surrogate
    });
    expect(where(d)).toEqual([
      'policies/p.yaml:11:19 error invalid-command',
      'policies/p.yaml:13:19 error invalid-command',
      'policies/p.yaml:14:19 error invalid-command',
      'policies/p.yaml:16:23 error invalid-command',
      'rollouts/r.yaml:10:30 error invalid-command',
    ]);
    expect(d.map((x) => x.message)).toEqual([
      'pre hook 2 of policy p: the program name "-rf" starts with "-"; no host could run this command',
      'post hook 1 of policy p: the program name "A=b" holds "=": env would read it as a variable assignment; no host could run this command',
      'post hook 2 of policy p: the program name (argv[0]) is empty; no host could run this command',
      'health check of policy p: argument 1 holds a NUL byte, which no command line can carry; no host could run this command',
      'health check of ring canary: argument 1 holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry; no host could run this command',
    ]);
  });

  it('makes validate fail (the rule is registered)', () => {
    const r = check({
      'inventory/a.yaml': doc('Inventory', 'a', 'hosts:\n  - name: a\n    address: 192.0.2.1'),
      'rollouts/r.yaml': rollout('["--help"]'),
    });
    expect(where(r.diagnostics.filter((x) => x.code === 'invalid-command'))).toEqual([
      'rollouts/r.yaml:10:19 error invalid-command',
    ]);
  });
});
