// The pipelines in examples/ci/ (issue 5), run step by step against the lab the way the CI
// systems would: each `run:` (GitHub Actions) or `script:` line (GitLab CI) in bash, in a
// clone of a git repository whose origin is a local bare repository, with the CI's variables.
// `gh` and `curl` (which would talk to GitHub's and GitLab's APIs and download patchctl's release
// tarball) and `npm install --global` are stand-ins that record what they were asked: `gh` and
// `curl` keep the comments and notes they were given, so that a second push finds and edits the
// first one; `curl` serves a tarball file for the release URL and `npm` accepts only a file
// that exists. Everything else — patchctl, git, ssh, ssh-agent, sha256sum, apt on the hosts — is
// real. Registered from lab.test.ts so that one lab runs at a time.
//
// The three-ring rollout (issue 16) runs on the real clock: apply has no --at (windows and bake
// times are judged by the controller's clock when each host starts), so the repository's rings
// bake for BAKE_SECONDS and the test runs the scheduled job once at once (a no-op: the ring
// bakes) and once after the bake time (the next ring), as a 30-minute schedule would with a
// bake time of hours.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import YAML from 'yaml';

import { LAB_CLIENT_KEY, LAB_REPO, PROJECT, lab, labStatus, patchctl, versionsOn } from './lab-helpers.js';

const GITHUB = path.join(PROJECT, 'examples', 'ci', 'github');
const GITLAB = path.join(PROJECT, 'examples', 'ci', 'gitlab', '.gitlab-ci.yml');
const GITLAB_SHARDED = path.join(PROJECT, 'examples', 'ci', 'gitlab', 'sharded.gitlab-ci.yml');
const PACKAGES = ['fleet-crypto', 'fleet-held', 'fleet-kernel', 'fleet-tools', 'fleet-utils'];
/** The bake time of every ring of the three-ring rollout. */
const BAKE_SECONDS = 20;
const MARKER = '<!-- patchctl-plan -->';

/**
 * The stand-ins for gh, curl and npm (one node script, the tool's name first): each records its
 * arguments (and the body it sends) in $CALLS; gh keeps pull request comments and curl merge
 * request notes in a store next to $CALLS, as the APIs would.
 */
const STAND_IN = String.raw`
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
const [tool, ...args] = process.argv.slice(2);
const calls = process.env.CALLS;
const n = readdirSync(calls).length;
writeFileSync(path.join(calls, n + '-' + tool + '.args'), args.join(' ') + '\n');
const after = (flag) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
let body;
if (after('--body-file') !== undefined) body = readFileSync(after('--body-file'), 'utf8');
for (const a of args) {
  const m = /^body=?@(.*)$/.exec(a);
  if (m) body = readFileSync(m[1], 'utf8');
}
if (body !== undefined) writeFileSync(path.join(calls, n + '-' + tool + '.body'), body);
const storeFile = path.join(path.dirname(calls), tool + '-store.json');
const store = existsSync(storeFile) ? JSON.parse(readFileSync(storeFile, 'utf8')) : { next: 1000, items: [] };
const save = () => writeFileSync(storeFile, JSON.stringify(store));
const fail = (text) => { process.stderr.write(text + '\n'); process.exit(22); };
const withValue = new Set(['--method', '--jq', '-F', '-f', '-H', '--header', '--request', '--output', '--data-urlencode', '--body-file']);
const operands = args.filter((a, i) => !a.startsWith('-') && !withValue.has(args[i - 1]));
if (tool === 'npm') {
  if (args[0] === 'install' && args[1] === '--global' && args.length === 3 && existsSync(args[2])) {
    console.log('(patchctl is on PATH already)');
    process.exit(0);
  }
  fail('unexpected npm ' + args.join(' '));
} else if (tool === 'gh' && operands[0] === 'pr' && operands[1] === 'comment') {
  if (args.includes('--edit-last')) fail('the stand-in does not do --edit-last');
  store.items.push({ id: store.next++, pr: operands[2], body, user: { login: 'github-actions[bot]', type: 'Bot' } });
  save();
} else if (tool === 'gh' && operands[0] === 'api') {
  const route = operands[1];
  const list = /^repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(route);
  const one = /^repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(route);
  if (list && (after('--method') ?? 'GET') === 'GET') {
    const json = JSON.stringify(store.items.filter((c) => c.pr === list[1]));
    if (after('--jq') === undefined) process.stdout.write(json);
    else {
      const jq = spawnSync('jq', ['-r', after('--jq')], { input: json, encoding: 'utf8' });
      process.stdout.write(jq.stdout);
      if (jq.status !== 0) fail(jq.stderr);
    }
  } else if (one && after('--method') === 'PATCH') {
    const c = store.items.find((x) => String(x.id) === one[1]);
    if (!c) fail('gh: HTTP 404: Not Found');
    c.body = body;
    save();
  } else fail('unexpected gh ' + args.join(' '));
} else if (tool === 'gh') {
  fail('unexpected gh ' + args.join(' '));
} else {
  const url = operands.find((a) => a.startsWith('http'));
  if (url === undefined) fail('curl: no URL');
  if (after('--output') !== undefined) {
    if (!url.endsWith('.tgz') || !existsSync(process.env.PATCHCTL_TEST_TARBALL)) fail('curl: (22) 404 ' + url);
    copyFileSync(process.env.PATCHCTL_TEST_TARBALL, after('--output'));
    process.exit(0);
  }
  const method = after('--request') ?? (body === undefined ? 'GET' : 'POST');
  const u = new URL(url);
  const notes = /\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(u.pathname);
  if (!notes) fail('curl: unexpected URL ' + url);
  if (method === 'GET' && notes[2] === undefined)
    process.stdout.write(JSON.stringify(store.items.filter((x) => x.mr === notes[1])));
  else if (method === 'POST' && notes[2] === undefined) {
    const note = { id: store.next++, mr: notes[1], body, system: false };
    store.items.push(note);
    save();
    process.stdout.write(JSON.stringify(note));
  } else if (method === 'PUT' && notes[2] !== undefined) {
    const note = store.items.find((x) => String(x.id) === notes[2]);
    if (!note) fail('curl: (22) The requested URL returned error: 404');
    note.body = body;
    save();
    process.stdout.write(JSON.stringify(note));
  } else fail('curl: unexpected ' + method + ' ' + url);
}
`;

/** The rings of the three-ring rollout: lab-01, then lab-03 (both take every update), then lab-02. */
const THREE_RINGS = `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: lab
  description: The canary, a pilot, then every other host; each ring bakes before the next.
spec:
  rings:
    - name: canary
      groups: [canary]
      maxParallel: 1
      bakeTime: ${BAKE_SECONDS}s
      failureBudget:
        maxFailed: 0
    - name: pilot
      groups: [pilot]
      bakeTime: ${BAKE_SECONDS}s
      failureBudget:
        maxFailed: 0
    - name: rest
      rest: true
      maxParallel: '100%'
      failureBudget:
        maxFailedPercent: 50
`;

interface StepResult {
  name: string;
  status: number;
  output: string;
}

/** A scratch world: an origin repository, stand-in tools, an empty git configuration. */
class World {
  readonly root = mkdtempSync(path.join(tmpdir(), 'patchctl-pipelines-'));
  readonly origin = path.join(this.root, 'origin.git');
  readonly bin = path.join(this.root, 'bin');
  readonly home = path.join(this.root, 'home');
  readonly calls = path.join(this.root, 'calls');
  /** What the release URL serves: a file standing in for `npm pack`'s tarball. */
  readonly tarball = path.join(this.root, 'patchctl-0.1.0.tgz');
  /** The pipelines' pinned-install variables, set to the stand-in tarball's sha256. */
  readonly pins: Record<string, string>;
  private clones = 0;

  constructor(options: { threeRings?: boolean } = {}) {
    mkdirSync(this.bin);
    mkdirSync(this.home);
    mkdirSync(this.calls);
    writeFileSync(path.join(this.root, 'gitconfig'), '');
    this.tool('patchctl', `exec node ${JSON.stringify(path.join(PROJECT, 'bin', 'patchctl'))} "$@"`);
    const standIn = path.join(this.root, 'stand-in.mjs');
    writeFileSync(standIn, STAND_IN);
    for (const name of ['gh', 'curl', 'npm'])
      this.tool(name, `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(standIn)} ${name} "$@"`);
    writeFileSync(this.tarball, 'patchctl 0.1.0, as `npm pack` would make it\n');
    this.pins = {
      PATCHCTL_TARBALL_SHA256: createHash('sha256').update(readFileSync(this.tarball)).digest('hex'),
    };
    // The repository a team would keep: the lab's documents and its first scan, on main.
    const seed = path.join(this.root, 'seed');
    cpSync(LAB_REPO, seed, { recursive: true });
    // The pipelines give patchctl its key through an ssh-agent (examples/ci/README.md).
    const config = path.join(seed, 'patchctl.yaml');
    const configured = readFileSync(config, 'utf8')
      .replace(/^ *identityFile: .*\n/m, '')
      .replace(/^( *)useAgent: false$/m, '$1useAgent: true');
    expect(configured).toMatch(/useAgent: true/);
    expect(configured).not.toMatch(/identityFile/);
    writeFileSync(config, configured);
    if (options.threeRings === true) {
      writeFileSync(path.join(seed, 'rollouts', 'lab.yaml'), THREE_RINGS);
      writeFileSync(
        path.join(seed, 'groups', 'pilot.yaml'),
        `apiVersion: patchctl/v1
kind: Group
metadata:
  name: pilot
  description: The pilot ring (a host that takes every update, like the canary).
spec:
  hosts: [lab-03]
`,
      );
    }
    this.git(seed, 'init', '-q', '-b', 'main');
    this.git(seed, 'add', '-A');
    this.git(
      seed,
      '-c',
      'user.name=Ops',
      '-c',
      'user.email=ops@example.net',
      'commit',
      '-qm',
      'patchctl documents',
    );
    this.git(this.root, 'clone', '-q', '--bare', seed, this.origin);
  }

  env(extra: Record<string, string>): Record<string, string> {
    return {
      PATH: `${this.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: this.home,
      LC_ALL: 'C',
      CI: 'true',
      CALLS: this.calls,
      PATCHCTL_TEST_TARBALL: this.tarball,
      GIT_CONFIG_GLOBAL: path.join(this.root, 'gitconfig'),
      GIT_CONFIG_NOSYSTEM: '1',
      ...extra,
    };
  }

  git(cwd: string, ...args: string[]): string {
    const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: this.env({}) });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** A fresh clone of origin at `ref`, as a CI checkout. */
  checkout(ref: string, detach = false): string {
    const dir = path.join(this.root, `checkout-${++this.clones}`);
    this.git(this.root, 'clone', '-q', this.origin, dir);
    if (detach) this.git(dir, 'checkout', '-q', '--detach', ref);
    else this.git(dir, 'checkout', '-q', ref);
    return dir;
  }

  /** The stand-in tools' calls since the last look, as [tool, args, body?]. */
  takeCalls(): { tool: string; args: string; body?: string }[] {
    const files = readdirSync(this.calls).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    const calls = files
      .filter((f) => f.endsWith('.args'))
      .map((f) => {
        const base = f.slice(0, -'.args'.length);
        const body = path.join(this.calls, `${base}.body`);
        return {
          tool: base.replace(/^\d+-/, ''),
          args: readFileSync(path.join(this.calls, f), 'utf8').trim(),
          ...(existsSync(body) ? { body: readFileSync(body, 'utf8') } : {}),
        };
      });
    for (const f of files) rmSync(path.join(this.calls, f));
    return calls;
  }

  private tool(name: string, body: string): void {
    const file = path.join(this.bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
}

function bash(script: string, cwd: string, env: Record<string, string>): { status: number; output: string } {
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/**
 * Runs one job of a GitHub Actions workflow: every `run:` step in order (actions with `uses:`
 * are what the runner provides: the test does their part), `${{ … }}` from `context`, workflow
 * `env:` (the pinned-install variables replaced by the world's, unless `pins: false`),
 * GITHUB_ENV carried from step to step, each step's GITHUB_OUTPUT for `steps.ID.outputs.X`.
 * A step's `if:` is `always()` or `steps.ID.outputs.X == 'v'`; after a failing step only
 * `always()` steps run, as in Actions.
 */
function runGithubJob(
  world: World,
  file: string,
  job: string,
  workspace: string,
  context: Record<string, string>,
  options: { pins?: boolean; runnerTemp?: string } = {},
): { steps: StepResult[]; summary: string; outputs: string; temp: string } {
  const workflow = YAML.parse(readFileSync(path.join(GITHUB, file), 'utf8')) as {
    env?: Record<string, string | number>;
    jobs: Record<
      string,
      {
        steps: {
          name?: string;
          id?: string;
          if?: string;
          uses?: string;
          run?: string;
          env?: Record<string, string>;
        }[];
      }
    >;
  };
  const steps = workflow.jobs[job]?.steps;
  if (!steps) throw new Error(`${file} has no job ${job}`);
  const temp = options.runnerTemp ?? mkdtempSync(path.join(world.root, 'runner-'));
  const summary = path.join(temp, 'step-summary.md');
  const githubEnv = path.join(temp, 'github-env');
  writeFileSync(summary, '');
  writeFileSync(githubEnv, '');
  const expr = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, key: string) => {
      const value = context[key];
      if (value === undefined) throw new Error(`${file}: no value for \${{ ${key} }} in the test`);
      return value;
    });
  const pairs = (text: string): [string, string][] =>
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  const stepOutputs = new Map<string, Record<string, string>>();
  let outputs = '';
  const results: StepResult[] = [];
  for (const step of steps) {
    if (step.uses !== undefined || step.run === undefined) continue;
    const failedBefore = results.some((r) => r.status !== 0);
    const condition = step.if?.trim();
    if (condition === 'always()') {
      // runs whatever happened before
    } else if (failedBefore) continue;
    else if (condition !== undefined) {
      const m = /^steps\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$/.exec(condition);
      if (!m) throw new Error(`${file}: the test cannot evaluate if: ${condition}`);
      if (stepOutputs.get(m[1] ?? '')?.[m[2] ?? ''] !== m[3]) continue;
    }
    const githubOutput = path.join(temp, `github-output-${results.length}`);
    writeFileSync(githubOutput, '');
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))]));
    const env = world.env({
      ...Object.fromEntries(Object.entries(workflow.env ?? {}).map(([k, v]) => [k, String(v)])),
      ...(options.pins === false ? {} : world.pins),
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_ENV: githubEnv,
      GITHUB_OUTPUT: githubOutput,
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'ops/patching',
      RUNNER_TEMP: temp,
      ...(context['github.sha'] === undefined ? {} : { GITHUB_SHA: context['github.sha'] }),
      ...Object.fromEntries(pairs(readFileSync(githubEnv, 'utf8'))),
      ...stepEnv,
    });
    const r = bash(expr(step.run), workspace, env);
    results.push({ name: step.name ?? step.id ?? step.run.slice(0, 40), ...r });
    const written = readFileSync(githubOutput, 'utf8');
    outputs += written;
    if (step.id !== undefined) stepOutputs.set(step.id, Object.fromEntries(pairs(written)));
  }
  return { steps: results, summary: readFileSync(summary, 'utf8'), outputs, temp };
}

/**
 * Runs one GitLab CI job: the file's `variables:` (the pinned-install ones replaced by the
 * world's, unless `pins: false`) under the pipeline's, then default before_script and script,
 * each line in one shell, as the runner does; then after_script in a shell of its own,
 * whatever the outcome.
 */
function runGitlabJob(
  world: World,
  job: string,
  workspace: string,
  variables: Record<string, string>,
  file = GITLAB,
  options: { pins?: boolean } = {},
): StepResult {
  const config = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as Record<
    string,
    { script?: unknown[]; before_script?: unknown[]; after_script?: unknown[] }
  > & { variables?: Record<string, string> };
  const lines = (list: unknown[] | undefined): string[] => (list ?? []).flat(3).map(String);
  const script = [...lines(config.default?.before_script), ...lines(config[job]?.script)];
  if (script.length === 0) throw new Error(`${path.basename(file)} has no job ${job}`);
  const env = world.env({
    ...(config.variables ?? {}),
    ...(options.pins === false ? {} : world.pins),
    GITLAB_CI: 'true',
    CI_PROJECT_DIR: workspace,
    CI_COMMIT_SHA: world.git(workspace, 'rev-parse', 'HEAD').trim(),
    ...variables,
  });
  const main = bash(script.join('\n'), workspace, env);
  const after = lines(config[job]?.after_script);
  if (after.length === 0) return { name: job, ...main };
  const cleanup = bash(after.join('\n'), workspace, env);
  return {
    name: job,
    status: main.status !== 0 ? main.status : cleanup.status,
    output: `${main.output}${cleanup.output}`,
  };
}

function failed(steps: readonly StepResult[]): string {
  const bad = steps.find((s) => s.status !== 0);
  return bad ? `step "${bad.name}" exited ${bad.status}:\n${bad.output}` : '';
}

/** A developer's change on a branch: an exception that waives fleet-crypto on lab-01. */
function pushExceptionBranch(world: World, branch: string): string {
  const dir = world.checkout('main');
  world.git(dir, 'checkout', '-q', '-b', branch);
  mkdirSync(path.join(dir, 'exceptions'), { recursive: true });
  const expires = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  writeFileSync(
    path.join(dir, 'exceptions', 'crypto.yaml'),
    `apiVersion: patchctl/v1
kind: PatchException
metadata:
  name: crypto-freeze
spec:
  hosts: [lab-01]
  packages: [fleet-crypto]
  reason: the vendor certifies the new crypto library next month
  owner: ops@example.net
  ticket: CHG-1234
  expires: "${expires}"
`,
  );
  world.git(dir, 'add', '-A');
  world.git(
    dir,
    '-c',
    'user.name=Dev',
    '-c',
    'user.email=dev@example.net',
    'commit',
    '-qm',
    'Waive fleet-crypto on lab-01',
  );
  world.git(dir, 'push', '-q', 'origin', branch);
  return world.git(dir, 'rev-parse', 'HEAD').trim();
}

function freshLab(hosts = 2): void {
  lab(['down'], 120_000);
  const up = lab(['up', '--hosts', String(hosts)]);
  if (up.status !== 0) throw new Error(`lab up failed:\n${up.stdout}\n${up.stderr}`);
  const scan = patchctl(['scan', '-C', LAB_REPO]);
  if (scan.status !== 0) throw new Error(`scan failed:\n${scan.stdout}\n${scan.stderr}`);
}

/** What origin's main says each lab host should have, checked against dpkg on the hosts. */
function expectReportMatchesHosts(world: World): void {
  const main = world.checkout('main');
  const report = JSON.parse(readFileSync(path.join(main, 'reports', 'compliance.json'), 'utf8')) as {
    hosts: { host: string; missing: { package: string; from: string }[] }[];
    evidence: { host: string; changes: { package: string; to: string }[]; verification: string }[];
  };
  for (const h of labStatus().hosts) {
    const installed = versionsOn(h.address, PACKAGES);
    for (const e of report.evidence.filter((x) => x.host === h.name && x.verification === 'passed'))
      for (const c of e.changes)
        expect(`${h.name} ${c.package} ${installed[c.package]}`).toBe(`${h.name} ${c.package} ${c.to}`);
    for (const m of report.hosts.find((x) => x.host === h.name)?.missing ?? [])
      if (m.package in installed)
        expect(`${h.name} ${m.package} ${installed[m.package]}`).toBe(`${h.name} ${m.package} ${m.from}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const originMain = (world: World): string =>
  world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();

/** The rings' status in origin's state/rollouts/lab.json. */
function ringsOnMain(world: World): Record<string, string> {
  const main = world.checkout('main');
  const file = path.join(main, 'state/rollouts/lab.json');
  if (!existsSync(file)) return {};
  const rollout = JSON.parse(readFileSync(file, 'utf8')) as { rings: Record<string, { status: string }> };
  return Object.fromEntries(Object.entries(rollout.rings).map(([r, p]) => [r, p.status]));
}

/** No file the pipelines wrote (workspaces, runner temp, home) holds the private key. */
function expectKeyInNoFile(world: World, key: string): void {
  const line = key.split('\n').find((l) => l.length > 40 && !l.startsWith('-----'));
  if (line === undefined) throw new Error('the lab key has no body line');
  const r = spawnSync('grep', ['-rlF', '--exclude-dir=.git', line, world.root], { encoding: 'utf8' });
  expect(r.stdout).toBe('');
}

/**
 * A three-ring rollout driven as the CI system would: the merge's review and gated apply, then
 * the scheduled job until every ring completed. `schedule()` runs the scheduled job and returns
 * its output; `approve()` the gate (the test is the approver).
 */
async function threeRingRollout(world: World, schedule: () => string, approve: () => string): Promise<void> {
  const docs = originMain(world);
  // A scheduled run before anyone approved: the merged documents wait for the gate.
  expect(schedule()).toContain('no approved rollout yet');
  expect(originMain(world)).toBe(docs);

  expect(approve()).toMatch(/Ring canary: completed/);
  expect(
    world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'patchctl-approved^{commit}').trim(),
  ).toBe(docs);
  expect(ringsOnMain(world)).toEqual({ canary: 'completed' });
  let head = originMain(world);
  expect(head).not.toBe(docs);

  for (const ring of ['pilot', 'rest']) {
    // At once: the ring before bakes, so no host starts and nothing is committed or pushed.
    const baking = schedule();
    expect(baking).toContain('Nothing to commit: the run started no host and changed no file.');
    expect(originMain(world)).toBe(head);
    await sleep((BAKE_SECONDS + 2) * 1000);
    const next = schedule();
    expect(next).toMatch(new RegExp(`Ring ${ring}: completed`));
    expect(next).toMatch(/Committed \d+ files in [0-9a-f]{12}/);
    expect(originMain(world)).not.toBe(head);
    head = originMain(world);
  }
  expect(ringsOnMain(world)).toEqual({ canary: 'completed', pilot: 'completed', rest: 'completed' });
  // Once the rollout is done, a scheduled run has nothing to do: no commit, no push.
  const idle = schedule();
  expect(idle).toMatch(/No changes: nothing to apply\.|Nothing to commit/);
  expect(originMain(world)).toBe(head);
  const log = world.git(world.root, '--git-dir', world.origin, 'log', '--format=%an|%s', `${docs}..main`);
  expect(log.trim().split('\n')).toEqual([
    expect.stringMatching(/^patchctl\|patchctl apply run \S+ \(plan sha256:[0-9a-f]{12}\): 1 patched$/),
    expect.stringMatching(/^patchctl\|patchctl apply run \S+ \(plan sha256:[0-9a-f]{12}\): 1 patched$/),
    expect.stringMatching(/^patchctl\|patchctl apply run \S+ \(plan sha256:[0-9a-f]{12}\): 1 patched$/),
  ]);
  expectReportMatchesHosts(world);
}

export function pipelineScenarios(labIsUsable: () => boolean): void {
  describe('examples/ci pipelines, run against the lab', () => {
    let world: World;
    const key = () => (existsSync(LAB_CLIENT_KEY) ? readFileSync(LAB_CLIENT_KEY, 'utf8') : '');

    afterAll(() => {
      if (world) rmSync(world.root, { recursive: true, force: true });
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    describe('GitHub Actions', () => {
      beforeAll(() => {
        if (!labIsUsable()) return;
        freshLab(3);
        world = new World({ threeRings: true });
      }, 600_000);

      it('installs patchctl only from the pinned tarball whose sha256 matches: a wrong one fails before npm', () => {
        if (!labIsUsable()) return;
        const run = (pins: boolean) =>
          runGithubJob(world, 'patchctl-apply.yml', 'plan', world.checkout('main'), {}, { pins });
        const wrong = run(false); // the file's placeholder sha256, not the tarball's
        expect(wrong.steps.map((s) => `${s.name} ${s.status}`)).toEqual([
          'Install patchctl (pinned, checksum verified) 1',
        ]);
        expect(wrong.steps[0]?.output).toMatch(/patchctl\.tgz: FAILED/);
        const calls = world.takeCalls();
        expect(calls.map((c) => c.tool)).toEqual(['curl']);
        expect(calls[0]?.args).toMatch(/--output \S+\/patchctl\.tgz https:\/\/\S+\/patchctl-0\.1\.0\.tgz$/);
        const right = run(true);
        expect(failed(right.steps)).toBe('');
        const npm = world.takeCalls().filter((c) => c.tool === 'npm');
        expect(npm.map((c) => c.args)).toEqual([`install --global ${right.temp}/patchctl.tgz`]);
        // Every workflow installs that way, never by a bare npm name.
        for (const file of readdirSync(GITHUB)) {
          const text = readFileSync(path.join(GITHUB, file), 'utf8');
          expect(
            `${file}: ${String(/npm install --global (?!"\$RUNNER_TEMP\/patchctl\.tgz")\S+/.exec(text.replace(/^\s*#.*$/gm, '')))}`,
          ).toBe(`${file}: null`);
          expect(text).toContain('sha256sum --check --strict -');
        }
      });

      it('pull request: validates, and keeps ONE comment with the plan, created once and then edited', () => {
        if (!labIsUsable()) return;
        world.takeCalls();
        const head = pushExceptionBranch(world, 'waive-crypto');
        const base = originMain(world);
        const context = {
          'github.event.pull_request.base.sha': base,
          'github.event.pull_request.number': '7',
          'github.token': 'test-token',
        };
        const run = runGithubJob(
          world,
          'patchctl-pull-request.yml',
          'plan',
          world.checkout(head, true),
          context,
        );
        expect(failed(run.steps)).toBe('');
        expect(run.steps.map((s) => s.name)).toEqual([
          'Install patchctl (pinned, checksum verified)',
          'Validate',
          'Plan the base branch',
          'Plan',
          'Comment on the pull request',
          'Exceptions that need review',
        ]);
        const first = world.takeCalls().filter((c) => c.tool === 'gh');
        expect(first.map((c) => c.args.split(' ').slice(0, 2).join(' '))).toEqual([
          'api --paginate',
          'pr comment',
        ]);
        expect(first[1]?.args).toMatch(/^pr comment 7 --body-file \S+comment\.md$/);
        expect(first[1]?.body?.startsWith(`${MARKER}\n`)).toBe(true);
        expect(first[1]?.body).toContain('Effect of this change');
        expect(first[1]?.body).toMatch(/exception crypto-freeze.*fleet-crypto.*lab-01/s);
        // plan and exceptions filled the job summary; the base plan did not.
        expect(run.summary.match(/Effect of this change/g)?.length).toBe(1);
        expect(run.summary).toContain('crypto-freeze');

        // The next push: the same comment is edited, no second one.
        const again = runGithubJob(
          world,
          'patchctl-pull-request.yml',
          'plan',
          world.checkout(head, true),
          context,
        );
        expect(failed(again.steps)).toBe('');
        const second = world.takeCalls().filter((c) => c.tool === 'gh');
        expect(second.map((c) => c.args.replace(/@\S+comment\.md/, '@FILE'))).toEqual([
          expect.stringMatching(/^api --paginate repos\/ops\/patching\/issues\/7\/comments --jq /),
          'api --method PATCH repos/ops/patching/issues/comments/1000 -F body=@FILE',
        ]);
        expect(second[1]?.body).toContain('Effect of this change');
        const store = JSON.parse(readFileSync(path.join(world.root, 'gh-store.json'), 'utf8')) as {
          items: unknown[];
        };
        expect(store.items).toHaveLength(1);
      });

      it('merge to main: plan for review, the gated apply of that plan, then scheduled runs take three rings to the end', async () => {
        if (!labIsUsable()) return;
        const file = 'patchctl-apply.yml';
        const workflow = YAML.parse(readFileSync(path.join(GITHUB, file), 'utf8')) as {
          on: { schedule: { cron: string }[] };
          jobs: Record<string, { environment?: string; 'runs-on': unknown; if?: string }>;
        };
        expect(workflow.on.schedule[0]?.cron).toBeDefined();
        expect(workflow.jobs.apply?.environment).toBe('patchctl-fleet');
        expect(workflow.jobs.apply?.['runs-on']).toEqual(['self-hosted', 'linux', 'patchctl']);
        expect(workflow.jobs.continue?.['runs-on']).toEqual(['self-hosted', 'linux', 'patchctl']);
        expect(workflow.jobs.continue?.if).toBe("github.event_name == 'schedule'");
        const secrets = { 'secrets.PATCHCTL_SSH_KEY': key() };
        const schedule = (): string => {
          const run = runGithubJob(world, file, 'continue', world.checkout('main'), secrets);
          expect(failed(run.steps)).toBe('');
          expect(run.steps.at(-1)?.name).toBe('Stop the SSH agent');
          return run.steps.map((s) => s.output).join('\n');
        };
        const approve = (): string => {
          const sha = originMain(world);
          // The merge's run: the plan job saves the plan the reviewers read.
          const planned = runGithubJob(world, file, 'plan', world.checkout('main'), { 'github.sha': sha });
          expect(failed(planned.steps)).toBe('');
          expect(planned.summary).toContain('<b>ring pilot</b>');
          // download-artifact of "plan" into runner.temp/reviewed
          const temp = mkdtempSync(path.join(world.root, 'runner-'));
          mkdirSync(path.join(temp, 'reviewed'));
          cpSync(path.join(planned.temp, 'plan.json'), path.join(temp, 'reviewed', 'plan.json'));
          // A reviewer approves: the gated job runs, with the reviewed plan.
          const applied = runGithubJob(
            world,
            file,
            'apply',
            world.checkout('main'),
            { ...secrets, 'github.sha': sha },
            { runnerTemp: temp },
          );
          expect(failed(applied.steps)).toBe('');
          expect(applied.steps.find((s) => s.name.startsWith('Apply the reviewed plan'))?.output).toMatch(
            /Committed \d+ files in [0-9a-f]{12}; pushed to origin main/,
          );
          return applied.steps.map((s) => s.output).join('\n');
        };
        await threeRingRollout(world, schedule, approve);
        expectKeyInNoFile(world, key());
      }, 600_000);

      it('nightly: scans, reports, commits both and pushes', () => {
        if (!labIsUsable()) return;
        const before = originMain(world);
        const workspace = world.checkout('main');
        const run = runGithubJob(world, 'patchctl-nightly.yml', 'scan-and-report', workspace, {
          'secrets.PATCHCTL_SSH_KEY': key(),
        });
        expect(failed(run.steps)).toBe('');
        const subjects = world.git(
          world.root,
          '--git-dir',
          world.origin,
          'log',
          '--format=%s',
          `${before}..main`,
        );
        expect(subjects).toMatch(
          /^patchctl report \d{4}-\d{2}-\d{2}: [\d.]+% in compliance \(run \S+, plan sha256:[0-9a-f]{12}\)\npatchctl scan: Scanned 3 of 3 hosts\.\n$/,
        );
        expectReportMatchesHosts(world);
      });
    });

    describe('GitLab CI', () => {
      beforeAll(() => {
        if (!labIsUsable()) return;
        freshLab(3);
        rmSync(world?.root ?? path.join(tmpdir(), 'none'), { recursive: true, force: true });
        world = new World({ threeRings: true });
      }, 600_000);

      it('merge request: keeps ONE note with the plan and the effect of the change, posted once then edited', () => {
        if (!labIsUsable()) return;
        world.takeCalls();
        const head = pushExceptionBranch(world, 'waive-crypto');
        const variables = {
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_MERGE_REQUEST_DIFF_BASE_SHA: originMain(world),
          CI_MERGE_REQUEST_IID: '3',
          CI_PROJECT_ID: '42',
          CI_API_V4_URL: 'https://gitlab.example.net/api/v4',
          PATCHCTL_GITLAB_TOKEN: 'test-token',
        };
        const notes = 'https://gitlab.example.net/api/v4/projects/42/merge_requests/3/notes';
        const r = runGitlabJob(world, 'patchctl-plan', world.checkout(head, true), variables);
        expect(r.output).toBe(r.status === 0 ? r.output : 'the job to succeed');
        const first = world.takeCalls().filter((c) => c.tool === 'curl' && c.args.includes('/notes'));
        expect(first.map((c) => c.args.split(' ').find((a) => a.startsWith('https:')))).toEqual([
          `${notes}?sort=asc&order_by=created_at&per_page=100`,
          notes,
        ]);
        expect(first[1]?.args).toContain('--request POST');
        expect(first[1]?.body?.startsWith(`${MARKER}\n`)).toBe(true);
        expect(first[1]?.body).toMatch(/exception crypto-freeze.*fleet-crypto.*lab-01/s);
        const again = runGitlabJob(world, 'patchctl-plan', world.checkout(head, true), variables);
        expect(again.output).toBe(again.status === 0 ? again.output : 'the job to succeed');
        const second = world.takeCalls().filter((c) => c.tool === 'curl' && c.args.includes('/notes'));
        expect(second.map((c) => c.args.split(' ').find((a) => a.startsWith('https:')))).toEqual([
          `${notes}?sort=asc&order_by=created_at&per_page=100`,
          `${notes}/1000`,
        ]);
        expect(second[1]?.args).toContain('--request PUT');
        expect(second[1]?.body).toMatch(/exception crypto-freeze/);
      });

      it('a wrong sha256 fails the job before npm runs', () => {
        if (!labIsUsable()) return;
        world.takeCalls();
        const r = runGitlabJob(
          world,
          'patchctl-review',
          world.checkout('main', true),
          { CI_PIPELINE_SOURCE: 'push' },
          GITLAB,
          {
            pins: false,
          },
        );
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/patchctl\.tgz: FAILED/);
        expect(world.takeCalls().map((c) => c.tool)).toEqual(['curl']);
      });

      it('default branch: review, the manual gated apply of that plan, then scheduled pipelines take three rings to the end; the nightly job reports', async () => {
        if (!labIsUsable()) return;
        const config = YAML.parse(readFileSync(GITLAB, 'utf8'), { merge: true }) as Record<
          string,
          { rules?: { if?: string; when?: string }[]; tags?: string[]; environment?: { name: string } }
        >;
        expect(config['patchctl-apply']?.rules?.at(-1)?.when).toBe('manual');
        expect(config['patchctl-apply']?.environment?.name).toBe('patchctl-fleet');
        expect(config['patchctl-continue']?.rules?.[0]?.if).toContain('$CI_PIPELINE_SOURCE == "schedule"');
        for (const job of ['patchctl-apply', 'patchctl-continue', 'patchctl-nightly'])
          expect(`${job} ${String(config[job]?.tags)}`).toBe(`${job} patchctl`);
        const variables = {
          CI_COMMIT_REF_NAME: 'main',
          CI_COMMIT_BRANCH: 'main',
          CI_DEFAULT_BRANCH: 'main',
          PATCHCTL_PUSH_URL: world.origin,
          PATCHCTL_SSH_KEY: key(),
        };
        const schedule = (): string => {
          // GitLab checks out the pipeline's commit detached.
          const r = runGitlabJob(world, 'patchctl-continue', world.checkout(originMain(world), true), {
            ...variables,
            CI_PIPELINE_SOURCE: 'schedule',
            PATCHCTL_SCHEDULE: 'rollout',
          });
          expect(r.output).toBe(r.status === 0 ? r.output : 'the job to succeed');
          return r.output;
        };
        const approve = (): string => {
          const sha = originMain(world);
          const push = { ...variables, CI_PIPELINE_SOURCE: 'push' };
          const review = world.checkout(sha, true);
          const planned = runGitlabJob(world, 'patchctl-review', review, push);
          expect(planned.output).toBe(planned.status === 0 ? planned.output : 'the job to succeed');
          expect(readFileSync(path.join(review, 'plan.md'), 'utf8')).toContain('<b>ring pilot</b>');
          // The approver starts the manual job; its `needs:` brings the review job's artifacts.
          const gated = world.checkout(sha, true);
          for (const f of ['plan.json', 'plan.md']) cpSync(path.join(review, f), path.join(gated, f));
          const applied = runGitlabJob(world, 'patchctl-apply', gated, push);
          expect(applied.output).toBe(applied.status === 0 ? applied.output : 'the job to succeed');
          return applied.output;
        };
        await threeRingRollout(world, schedule, approve);
        const nightly = runGitlabJob(world, 'patchctl-nightly', world.checkout('main', true), {
          ...variables,
          CI_PIPELINE_SOURCE: 'schedule',
          PATCHCTL_SCHEDULE: 'nightly',
        });
        expect(nightly.output).toBe(nightly.status === 0 ? nightly.output : 'the job to succeed');
        expect(world.git(world.root, '--git-dir', world.origin, 'log', '-1', '--format=%s', 'main')).toMatch(
          /^patchctl report /m,
        );
        expectKeyInNoFile(world, key());
      }, 600_000);
    });

    describe('sharded (README.md, "Sharding"): GitHub matrix and GitLab parallel jobs', () => {
      beforeEach(() => {
        if (!labIsUsable()) return;
        freshLab();
        rmSync(world?.root ?? path.join(tmpdir(), 'none'), { recursive: true, force: true });
        world = new World();
      }, 600_000);

      /** After two stages: both rings done on origin's main, every host patched once, as reported. */
      const expectBothRingsPatched = (): void => {
        const main = world.checkout('main');
        const rollout = JSON.parse(readFileSync(path.join(main, 'state/rollouts/lab.json'), 'utf8')) as {
          rings: Record<string, { status: string }>;
        };
        expect(Object.fromEntries(Object.entries(rollout.rings).map(([r, p]) => [r, p.status]))).toEqual({
          canary: 'completed',
          rest: 'completed',
        });
        expect(existsSync(path.join(main, 'state/rollouts/shards'))).toBe(false);
        const report = JSON.parse(readFileSync(path.join(main, 'reports/compliance.json'), 'utf8')) as {
          evidence: { host: string; verification: string }[];
        };
        expect(report.evidence.map((e) => `${e.host} ${e.verification}`).sort()).toEqual([
          'lab-01 passed',
          'lab-02 passed',
        ]);
        expectReportMatchesHosts(world);
      };

      it('GitHub: each run plans, applies 4 shards as a matrix, merges and pushes; two runs do both rings', () => {
        if (!labIsUsable()) return;
        const file = 'patchctl-apply-sharded.yml';
        const workflow = YAML.parse(readFileSync(path.join(GITHUB, file), 'utf8')) as {
          env: { SHARDS: number };
          jobs: { apply: { strategy: { matrix: { shard: number[] } } } };
        };
        const shards = workflow.jobs.apply.strategy.matrix.shard;
        expect(shards).toEqual(Array.from({ length: workflow.env.SHARDS }, (_, i) => i + 1));
        for (const stage of [1, 2]) {
          const sha = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
          const planWorkspace = world.checkout(sha, true);
          const planned = runGithubJob(world, file, 'plan', planWorkspace, {});
          expect(failed(planned.steps)).toBe('');
          expect(planned.outputs).toBe('changes=true\n');
          const artifacts = path.join(world.root, `artifacts-${stage}`);
          for (const shard of shards) {
            const workspace = world.checkout(sha, true);
            cpSync(path.join(planWorkspace, 'plan.json'), path.join(workspace, 'plan.json'));
            const applied = runGithubJob(world, file, 'apply', workspace, {
              'matrix.shard': String(shard),
              'secrets.PATCHCTL_SSH_KEY': key(),
            });
            expect(failed(applied.steps)).toBe('');
            // upload-artifact of state/: the folder's contents, as shard-N.
            cpSync(path.join(workspace, 'state'), path.join(artifacts, `shard-${shard}`), {
              recursive: true,
            });
          }
          const workspace = world.checkout('main');
          // download-artifact with a pattern: each artifact in shards/<name>/.
          cpSync(artifacts, path.join(workspace, 'shards'), { recursive: true });
          const merged = runGithubJob(world, file, 'merge', workspace, {});
          expect(failed(merged.steps)).toBe('');
          expect(merged.steps.find((s) => s.name.startsWith('Merge the shards'))?.output).toMatch(
            /Committed \d+ files in [0-9a-f]{12} .*\nPushed to origin/s,
          );
        }
        expectBothRingsPatched();
      });

      it('GitLab: plan, parallel apply jobs and the merge job, one pipeline per ring', () => {
        if (!labIsUsable()) return;
        const config = YAML.parse(readFileSync(GITLAB_SHARDED, 'utf8')) as {
          'patchctl-shard-apply': { parallel: number };
          'patchctl-shard-plan': { script: string[] };
        };
        const total = config['patchctl-shard-apply'].parallel;
        expect(config['patchctl-shard-plan'].script.join('\n')).toContain(`--shards ${total} `);
        const variables = {
          CI_PIPELINE_SOURCE: 'schedule',
          CI_COMMIT_REF_NAME: 'main',
          CI_COMMIT_BRANCH: 'main',
          CI_DEFAULT_BRANCH: 'main',
          PATCHCTL_SCHEDULE: 'rollout',
          PATCHCTL_PUSH_URL: world.origin,
          PATCHCTL_SSH_KEY: key(),
        };
        for (let stage = 1; stage <= 2; stage++) {
          const sha = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
          const planWorkspace = world.checkout(sha, true);
          const plan = runGitlabJob(world, 'patchctl-shard-plan', planWorkspace, variables, GITLAB_SHARDED);
          expect(plan.output).toBe(plan.status === 0 ? plan.output : 'the job to succeed');
          const merge = world.checkout(sha, true);
          for (let index = 1; index <= total; index++) {
            const workspace = world.checkout(sha, true);
            cpSync(path.join(planWorkspace, 'plan.json'), path.join(workspace, 'plan.json'));
            const job = runGitlabJob(
              world,
              'patchctl-shard-apply',
              workspace,
              { ...variables, CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(total) },
              GITLAB_SHARDED,
            );
            expect(job.output).toBe(job.status === 0 ? job.output : 'the job to succeed');
            // The artifact (shards/) is extracted into the merge job's checkout.
            cpSync(path.join(workspace, 'shards'), path.join(merge, 'shards'), { recursive: true });
          }
          const merged = runGitlabJob(world, 'patchctl-shard-merge', merge, variables, GITLAB_SHARDED);
          expect(merged.output).toBe(merged.status === 0 ? merged.output : 'the job to succeed');
        }
        expectBothRingsPatched();
        expect(
          world.git(world.root, '--git-dir', world.origin, 'log', '-1', '--format=%an|%s', 'main'),
        ).toMatch(/^patchctl\|patchctl report /);
      });
    });
  });
}
