// `patchctl apply` up to the point where it would connect: every case here stops before, because
// the starter's hosts are documentation addresses that must never be contacted.
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
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
    expect(await main(['plan', '--ring', 'canary', '--out', 'plan.json'], captureIo({ cwd: dir }))).toBe(0);
    const r = await apply(['plan.json', '--ring', 'pilot']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('patchctl: ring "pilot" is not in the plan (rings: canary)\n');
    expectNoRun();
  });

  it('refuses a ring no rollout has, with a saved plan or a plan made now (issue 13)', async () => {
    await savedPlan();
    for (const args of [['plan.json'], ['--auto-approve']]) {
      const r = await apply([...args, '--ring', 'nosuch']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'patchctl: --ring: no ring named "nosuch" (rings: canary, pilot, broad, unassigned)\n',
      );
    }
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

describe('patchctl apply: a saved plan is re-derived, never trusted (issue 12)', () => {
  /** Saves a plan, lets `edit` change it, writes it back. */
  async function tampered(edit: (plan: Plan) => void): Promise<void> {
    const plan = await savedPlan();
    edit(plan);
    writeFileSync(path.join(dir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  }
  const hostOf = (plan: Plan, name: string) => {
    const h = plan.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
    if (!h) throw new Error(`no host ${name}`);
    return h;
  };

  it('refuses an upgrade the repository does not decide, added to plan.json, naming it', async () => {
    // fra-web-02's policy takes security updates only: its systemd bugfix is skipped.
    await tampered((plan) => {
      const h = hostOf(plan, 'fra-web-02');
      const skip = h.skipped.find((s) => s.package === 'systemd');
      if (!skip) throw new Error('systemd is not skipped on fra-web-02');
      h.skipped = h.skipped.filter((s) => s !== skip);
      h.actions.splice(0, 0, {
        type: 'upgrade',
        package: 'systemd',
        from: '252.38-1~deb12u1',
        to: skip.to,
        classification: 'security',
        severity: 'high',
        advisories: [],
        policy: 'security-servers',
      });
      // Counts that agree with the edit: the content itself must be refused.
      plan.summary.updates++;
      plan.summary.skipped--;
    });
    const r = await apply(['plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'patchctl: plan.json is not what the repository decides (edited, or not made by this patchctl from these inputs): nothing was applied\n',
    );
    expect(r.stderr).toContain(
      '  plan.json: ring standard/canary host fra-web-02: action upgrade systemd 252.38-1~deb12u1 → 252.39-1~deb12u1 (policy security-servers) is not what the repository decides\n',
    );
    expect(r.stderr).toContain('  plan.json: ring standard/canary host fra-web-02: skip of systemd');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expectNoRun();
  });

  it('refuses a renamed ring and a rollout name that would become a path, writing nothing outside', async () => {
    await tampered((plan) => {
      const ring = plan.rings[0];
      if (!ring) throw new Error('no ring');
      ring.name = 'canary-light';
    });
    const renamed = await apply(['plan.json', '--auto-approve']);
    expect(renamed.code).toBe(1);
    expect(renamed.stderr).toMatch(
      /plan\.json: host fra-web-02 is in ring standard\/canary-light of the plan; the repository puts it in ring standard\/canary\n/,
    );
    expectNoRun();

    await tampered((plan) => {
      for (const ring of plan.rings) ring.rollout = '../../../../outside';
    });
    const escaped = await apply(['plan.json']);
    expect(escaped.code).toBe(1);
    expect(escaped.stderr).toContain(
      'plan.json: host fra-web-02 is in ring "../../../../outside/canary" of the plan; the repository puts it in ring standard/canary',
    );
    expectNoRun();
    for (const up of ['..', '../..', '../../..', '../../../..'])
      expect(existsSync(path.resolve(dir, 'state', 'rollouts', up, 'outside.json'))).toBe(false);
  });

  it('refuses a plan whose gates, windows or counts differ from the repository', async () => {
    // The broad ring: since issue 13 the pilot ring's hosts (dnf, winrm) are unsupported, so it has no work.
    await tampered((plan) => {
      const broad = plan.rings[2];
      if (!broad) throw new Error('no broad ring');
      broad.earliestStart = '2026-12-01T00:00:00Z';
      delete broad.gate;
    });
    const gate = await apply(['plan.json']);
    expect(gate.code).toBe(1);
    expect(gate.stderr).toContain(
      'plan.json: ring standard/broad: earliestStart 2026-12-01T00:00:00Z is not what the repository decides (2026-12-19T06:00:00Z)',
    );
    expectNoRun();

    await tampered((plan) => {
      plan.summary.hosts = 1;
    });
    const counts = await apply(['plan.json']);
    expect(counts.code).toBe(1);
    expect(counts.stderr).toMatch(/plan\.json: summary \{"hosts":1,.*\} does not count the plan/);
    expectNoRun();
  });

  it('refuses a plan whose inputs were edited to match its digest no more', async () => {
    await tampered((plan) => {
      delete plan.inputs['policies/security.yaml'];
    });
    const r = await apply(['plan.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'patchctl: plan.json: its inputsDigest is not the digest of its inputs: the plan was edited; make it again with patchctl plan --out\n',
    );
    expectNoRun();
  });
});

describe('patchctl apply --resume: the journal names the plan, inside the repository only (issue 12)', () => {
  const runId = '20261201T000000Z-1a2b3c4d';
  /** A journal of an earlier run whose run-started event names `planFile`. */
  function journal(planFile: string): void {
    const runs = path.join(dir, 'state', 'runs');
    mkdirSync(runs, { recursive: true });
    const started = {
      type: 'run-started',
      at: '2026-12-01T00:00:00Z',
      runId,
      planDigest: `sha256:${'a'.repeat(64)}`,
      planFile,
    };
    writeFileSync(path.join(runs, `${runId}.jsonl`), `${JSON.stringify(started)}\n`);
  }
  const nothingOf = (text: string) => {
    expect(text).not.toMatch(/root|Unexpected token/);
    expect(text).not.toMatch(/\n\s+at /);
  };

  it.each([
    ['../../../../etc/passwd'],
    ['inventory/runs/20261201T000000Z-1a2b3c4d.plan.json'],
    ['state/runs/20261201T000000Z-99999999.plan.json'],
  ])('refuses a planFile %s, reading nothing', async (planFile) => {
    journal(planFile);
    const r = await apply(['--resume']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    nothingOf(r.stderr);
    expect(r.stderr).toMatch(/^patchctl: .*state\/runs\/20261201T000000Z-1a2b3c4d\.jsonl/);
    expect(existsSync(path.join(dir, 'state', 'apply.lock'))).toBe(false);
  });

  it("refuses a run plan that is not the plan of the journal's run", async () => {
    await savedPlan();
    journal(`state/runs/${runId}.plan.json`);
    cpSync(path.join(dir, 'plan.json'), path.join(dir, 'state', 'runs', `${runId}.plan.json`));
    const r = await apply(['--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `patchctl: state/runs/${runId}.plan.json is not the plan run ${runId} applied (its inputsDigest differs from the journal's planDigest): plan again\n`,
    );
    expect(existsSync(path.join(dir, 'state', 'apply.lock'))).toBe(false);
  });

  it('refuses a run plan that is a link out of state/runs/', async () => {
    journal(`state/runs/${runId}.plan.json`);
    symlinkSync('/etc/passwd', path.join(dir, 'state', 'runs', `${runId}.plan.json`));
    const r = await apply(['--resume']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `patchctl: state/runs/${runId}.plan.json leads out of state/runs/ (to /etc/passwd) through a symbolic link: apply --resume reads only the plan a run saved there\n`,
    );
    nothingOf(r.stderr);
  });
});
