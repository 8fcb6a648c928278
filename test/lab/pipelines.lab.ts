// The pipelines in examples/ci/ (issue 5), run step by step against the lab the way the CI
// systems would: each `run:` (GitHub Actions) or `script:` line (GitLab CI) in bash, in a
// clone of a git repository whose origin is a local bare repository, with the CI's variables.
// `gh` and `curl` (which would talk to GitHub's and GitLab's APIs) and `npm install --global`
// are stand-ins that record what they were asked; everything else — patchctl, git, ssh, apt
// on the hosts — is real. Registered from lab.test.ts so that one lab runs at a time.
import { spawnSync } from 'node:child_process';
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
  private clones = 0;

  constructor() {
    mkdirSync(this.bin);
    mkdirSync(this.home);
    mkdirSync(this.calls);
    writeFileSync(path.join(this.root, 'gitconfig'), '');
    this.tool('patchctl', `exec node ${JSON.stringify(path.join(PROJECT, 'bin', 'patchctl'))} "$@"`);
    // Records its arguments, and keeps the file a --body-file or body@FILE argument names.
    const recorder = (name: string) =>
      this.tool(
        name,
        `n=$(ls "$CALLS" | wc -l); printf '%s\\n' "$*" > "$CALLS/$n-${name}.args"
prev=
for a in "$@"; do
  case "$prev" in --body-file) cp "$a" "$CALLS/$n-${name}.body" ;; esac
  case "$a" in body@*) cp "\${a#body@}" "$CALLS/$n-${name}.body" ;; esac
  prev=$a
done
exit 0`,
      );
    recorder('gh');
    recorder('curl');
    this.tool(
      'npm',
      `case "$*" in "install --global patchctl"*) echo "(patchctl is on PATH already)"; exit 0 ;; esac
echo "unexpected npm $*" >&2; exit 1`,
    );
    // The repository a team would keep: the lab's documents and its first scan, on main.
    const seed = path.join(this.root, 'seed');
    cpSync(LAB_REPO, seed, { recursive: true });
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
 * and the patchctl installation are what the runner provides), `${{ … }}` from `context`,
 * GITHUB_ENV carried from step to step. Stops at the first failing step, as Actions does.
 */
function runGithubJob(
  world: World,
  file: string,
  job: string,
  workspace: string,
  context: Record<string, string>,
): { steps: StepResult[]; summary: string; outputs: string } {
  const workflow = YAML.parse(readFileSync(path.join(GITHUB, file), 'utf8')) as {
    env?: Record<string, string | number>;
    jobs: Record<
      string,
      { steps: { name?: string; id?: string; uses?: string; run?: string; env?: Record<string, string> }[] }
    >;
  };
  const steps = workflow.jobs[job]?.steps;
  if (!steps) throw new Error(`${file} has no job ${job}`);
  const temp = mkdtempSync(path.join(world.root, 'runner-'));
  const summary = path.join(temp, 'step-summary.md');
  const githubEnv = path.join(temp, 'github-env');
  const githubOutput = path.join(temp, 'github-output');
  writeFileSync(summary, '');
  writeFileSync(githubEnv, '');
  writeFileSync(githubOutput, '');
  const expr = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, key: string) => {
      const value = context[key];
      if (value === undefined) throw new Error(`${file}: no value for \${{ ${key} }} in the test`);
      return value;
    });
  const results: StepResult[] = [];
  for (const step of steps) {
    if (step.uses !== undefined || step.id === 'install-patchctl' || step.run === undefined) continue;
    const carried = Object.fromEntries(
      readFileSync(githubEnv, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v))]));
    const env = world.env({
      ...Object.fromEntries(Object.entries(workflow.env ?? {}).map(([k, v]) => [k, String(v)])),
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_ENV: githubEnv,
      GITHUB_OUTPUT: githubOutput,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: temp,
      ...carried,
      ...stepEnv,
    });
    const r = bash(expr(step.run), workspace, env);
    results.push({ name: step.name ?? step.id ?? step.run.slice(0, 40), ...r });
    if (r.status !== 0) break;
  }
  return {
    steps: results,
    summary: readFileSync(summary, 'utf8'),
    outputs: readFileSync(githubOutput, 'utf8'),
  };
}

/**
 * Runs one GitLab CI job: default before_script then script, each line in one shell, as the
 * runner does; then after_script in a shell of its own, whatever the outcome.
 */
function runGitlabJob(
  world: World,
  job: string,
  workspace: string,
  variables: Record<string, string>,
  file = GITLAB,
): StepResult {
  const config = YAML.parse(readFileSync(file, 'utf8'), { merge: true }) as Record<
    string,
    { script?: unknown[]; before_script?: unknown[]; after_script?: unknown[] }
  >;
  const lines = (list: unknown[] | undefined): string[] => (list ?? []).flat(3).map(String);
  const script = [...lines(config.default?.before_script), ...lines(config[job]?.script)];
  if (script.length === 0) throw new Error(`${path.basename(file)} has no job ${job}`);
  const env = world.env({ GITLAB_CI: 'true', CI_PROJECT_DIR: workspace, ...variables });
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

function freshLab(): void {
  lab(['down'], 120_000);
  const up = lab(['up', '--hosts', '2']);
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
        freshLab();
        world = new World();
      }, 600_000);

      it('pull request: validates, and comments the plan opening with the exception it adds', () => {
        if (!labIsUsable()) return;
        const head = pushExceptionBranch(world, 'waive-crypto');
        const base = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
        const workspace = world.checkout(head, true);
        const run = runGithubJob(world, 'patchctl-pull-request.yml', 'plan', workspace, {
          'github.event.pull_request.base.sha': base,
          'github.event.pull_request.number': '7',
          'github.token': 'test-token',
        });
        expect(failed(run.steps)).toBe('');
        expect(run.steps.map((s) => s.name)).toEqual([
          'Validate',
          'Plan the base branch',
          'Plan',
          'Comment on the pull request',
          'Exceptions that need review',
        ]);
        const [comment] = world.takeCalls();
        expect(comment?.tool).toBe('gh');
        expect(comment?.args).toMatch(/^pr comment 7 --edit-last --body-file \S+plan\.md$/);
        expect(comment?.body).toContain('Effect of this change');
        expect(comment?.body).toMatch(/exception crypto-freeze.*fleet-crypto.*lab-01/s);
        // plan and exceptions filled the job summary; the base plan did not.
        expect(run.summary.match(/Effect of this change/g)?.length).toBe(1);
        expect(run.summary).toContain('crypto-freeze');
      });

      it('merge to main: applies, commits journal, state and reports as patchctl, and pushes', () => {
        if (!labIsUsable()) return;
        const before = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
        const workspace = world.checkout('main');
        const run = runGithubJob(world, 'patchctl-apply.yml', 'apply', workspace, {
          'secrets.PATCHCTL_SSH_KEY': key(),
        });
        expect(failed(run.steps)).toBe('');
        expect(run.steps.at(-1)?.output).toMatch(
          /Committed \d+ files in [0-9a-f]{12}; pushed to origin main/,
        );
        const log = world.git(
          world.root,
          '--git-dir',
          world.origin,
          'log',
          '--format=%an <%ae>|%s',
          `${before}..main`,
        );
        expect(log).toMatch(
          /^patchctl <patchctl@localhost>\|patchctl apply run \S+ \(plan sha256:[0-9a-f]{12}\): 2 patched\n$/,
        );
        const files = world
          .git(world.root, '--git-dir', world.origin, 'show', '--name-only', '--format=', 'main')
          .trim()
          .split('\n');
        expect(files).toEqual(
          expect.arrayContaining([
            'reports/compliance.md',
            'reports/compliance.json',
            'state/hosts/lab-01.json',
          ]),
        );
        expect(files.some((f) => /^state\/runs\/.*\.jsonl$/.test(f))).toBe(true);
        expect(files.every((f) => f.startsWith('state/') || f.startsWith('reports/'))).toBe(true);
        expect(run.summary).toContain('# Patch compliance report');
        expectReportMatchesHosts(world);
      });

      it('nightly: scans, reports, commits both and pushes', () => {
        if (!labIsUsable()) return;
        const before = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
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
          /^patchctl report \d{4}-\d{2}-\d{2}: [\d.]+% in compliance \(run \S+, plan sha256:[0-9a-f]{12}\)\npatchctl scan: Scanned 2 of 2 hosts\.\n$/,
        );
        expectReportMatchesHosts(world);
      });
    });

    describe('GitLab CI', () => {
      beforeAll(() => {
        if (!labIsUsable()) return;
        freshLab();
        rmSync(world?.root ?? path.join(tmpdir(), 'none'), { recursive: true, force: true });
        world = new World();
      }, 600_000);

      it('merge request: posts the plan with the effect of the change as a note', () => {
        if (!labIsUsable()) return;
        const head = pushExceptionBranch(world, 'waive-crypto');
        const base = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
        const workspace = world.checkout(head, true);
        const r = runGitlabJob(world, 'patchctl-plan', workspace, {
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_MERGE_REQUEST_DIFF_BASE_SHA: base,
          CI_MERGE_REQUEST_IID: '3',
          CI_PROJECT_ID: '42',
          CI_API_V4_URL: 'https://gitlab.example.net/api/v4',
          PATCHCTL_GITLAB_TOKEN: 'test-token',
          PATCHCTL_SSH_KEY: key(),
        });
        expect(r.output).toBe(r.status === 0 ? r.output : 'the job to succeed');
        const note = world.takeCalls().find((c) => c.tool === 'curl');
        expect(note?.args).toContain('https://gitlab.example.net/api/v4/projects/42/merge_requests/3/notes');
        expect(note?.body).toMatch(/exception crypto-freeze.*fleet-crypto.*lab-01/s);
      });

      it('default branch: applies, commits and pushes back to the branch; the nightly job reports', () => {
        if (!labIsUsable()) return;
        const before = world.git(world.root, '--git-dir', world.origin, 'rev-parse', 'main').trim();
        const variables = {
          CI_PIPELINE_SOURCE: 'push',
          CI_COMMIT_REF_NAME: 'main',
          CI_COMMIT_BRANCH: 'main',
          CI_DEFAULT_BRANCH: 'main',
          PATCHCTL_PUSH_URL: world.origin,
          PATCHCTL_SSH_KEY: key(),
        };
        // GitLab checks out the pipeline's commit detached.
        const apply = runGitlabJob(world, 'patchctl-apply', world.checkout(before, true), variables);
        expect(apply.output).toBe(apply.status === 0 ? apply.output : 'the job to succeed');
        expect(world.git(world.root, '--git-dir', world.origin, 'log', '-1', '--format=%s', 'main')).toMatch(
          /^patchctl apply run \S+ \(plan sha256:[0-9a-f]{12}\): 2 patched$/m,
        );
        expectReportMatchesHosts(world);
        const nightly = runGitlabJob(world, 'patchctl-nightly', world.checkout('main', true), {
          ...variables,
          CI_PIPELINE_SOURCE: 'schedule',
        });
        expect(nightly.output).toBe(nightly.status === 0 ? nightly.output : 'the job to succeed');
        expect(world.git(world.root, '--git-dir', world.origin, 'log', '-1', '--format=%s', 'main')).toMatch(
          /^patchctl report /m,
        );
      });
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
          expect(merged.steps[0]?.output).toMatch(
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
