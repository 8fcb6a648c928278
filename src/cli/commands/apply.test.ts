// `patchctl apply` up to the point where it would connect: every case here stops before, because
// the starter's hosts are documentation addresses that must never be contacted.
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Plan } from '../../core/plan/types.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-apply-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
  // A safety net should a regression get past the checks: every SSH connection would go through
  // a jump host on a closed loopback port, never to the documentation addresses.
  const config = path.join(dir, 'patchctl.yaml');
  const text = readFileSync(config, 'utf8');
  const netted = text.replace(/^ {4}# jumpHost: .*$/m, '    jumpHost: patchctl@127.0.0.1:1');
  expect(netted).not.toBe(text);
  writeFileSync(config, netted);
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function apply(args: string[], ask?: (question: string) => Promise<string | undefined>) {
  const io = captureIo({ cwd: dir, ...(ask ? { ask } : {}) });
  const code = await main(['apply', ...args], io);
  return { code, ...io.text() };
}

/** Nothing of a run was started: no journal, no saved plan of a run, no repository lock. */
function expectNoRun(): void {
  expect(existsSync(path.join(dir, 'state', 'runs'))).toBe(false);
  expect(existsSync(path.join(dir, 'state', 'apply.lock'))).toBe(false);
  expect(existsSync(path.join(dir, 'state', 'rollouts'))).toBe(false);
}

async function savedPlan(): Promise<Plan> {
  const io = captureIo({ cwd: dir });
  expect(await main(['plan', '--out', 'plan.json'], io)).toBe(0);
  return JSON.parse(readFileSync(path.join(dir, 'plan.json'), 'utf8')) as Plan;
}

describe('patchctl apply: flags', () => {
  it.each(['0', 'abc', '150%', '0%', '-2', '2.5'])('refuses --concurrency %s', async (value) => {
    const r = await apply(['--auto-approve', '--concurrency', value]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `patchctl: --concurrency "${value}" must be a whole number of at least 1, or a percentage such as 25%\n`,
    );
    expect(r.stdout).toBe('');
    expectNoRun();
  });

  it('refuses a --reboot-timeout or --lock-timeout that is not a duration', async () => {
    const reboot = await apply(['--auto-approve', '--reboot-timeout', 'nope']);
    expect(reboot.code).toBe(1);
    expect(reboot.stderr).toBe('patchctl: --reboot-timeout "nope" is not a duration (e.g. 90s, 10m, 1h)\n');
    const lock = await apply(['--auto-approve', '--lock-timeout', '5']);
    expect(lock.code).toBe(1);
    expect(lock.stderr).toMatch(/^patchctl: --lock-timeout "5" is not a duration/);
    expectNoRun();
  });

  it('refuses a ring the saved plan does not have, naming the rings it has', async () => {
    const plan = await savedPlan();
    expect(plan.rings.length).toBeGreaterThan(0);
    const r = await apply(['plan.json', '--ring', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `patchctl: ring "nosuch" is not in the plan (rings: ${plan.rings.map((x) => x.name).join(', ')})\n`,
    );
    expectNoRun();
  });

  it('refuses a ring that is not in a plan made now', async () => {
    const r = await apply(['--auto-approve', '--ring', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchctl: ring "nosuch" is not in the plan \(rings: /);
    expectNoRun();
  });
});

describe('patchctl apply: approval', () => {
  it('without a plan file and nobody to ask, tells to pass --auto-approve', async () => {
    const r = await apply([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\nPlan: \d+ updates on \d+ hosts/); // the plan is shown first
    expect(r.stderr).toMatch(/^patchctl: apply asks before it patches: pass --auto-approve/);
    expect(r.stderr).toContain('patchctl plan --out FILE');
    expectNoRun();
  });

  it('asks how many hosts it will patch and cancels on any answer but yes', async () => {
    const plan = await savedPlan();
    const hosts = plan.rings.flatMap((x) => x.hosts).filter((h) => h.actions.length > 0).length;
    expect(hosts).toBeGreaterThan(0);
    for (const answer of ['no', 'y', 'YES', '']) {
      const questions: string[] = [];
      const r = await apply([], (q) => {
        questions.push(q);
        return Promise.resolve(answer);
      });
      expect(r.code).toBe(1);
      expect(questions).toEqual([`\nApply this plan to ${hosts} host(s)? Only 'yes' will be accepted: `]);
      expect(r.stdout.endsWith('Apply cancelled.\n')).toBe(true);
      expect(r.stderr).toBe('');
    }
    expectNoRun();
  });

  it('does not ask about a saved plan, but refuses it once a policy changed since', async () => {
    await savedPlan();
    appendFileSync(path.join(dir, 'policies', 'security.yaml'), '# reviewed\n');
    let asked = false;
    const r = await apply(['plan.json'], () => {
      asked = true;
      return Promise.resolve('no');
    });
    expect(asked).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchctl: the plan is stale: .*\(changed policies\/security\.yaml\)/);
    expect(r.stderr).not.toContain('policies/browsers.yaml');
    expectNoRun();
  });
});

describe('patchctl apply: resume and configuration', () => {
  it('--resume without an earlier run says there is nothing to resume', async () => {
    const r = await apply(['--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('patchctl: there is no earlier apply run to resume in state/runs/\n');
    expect(r.stdout).toBe('');
    expectNoRun();
  });

  it('exits 3 on an invalid repository, naming the file', async () => {
    const file = path.join(dir, 'policies', 'security.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('reboot: ifRequired', 'reboot: sometimes'));
    const r = await apply(['--auto-approve']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/policies\/security\.yaml:\d+:\d+/);
    expect(r.stdout).toBe('');
    expectNoRun();
  });
});
