#!/usr/bin/env node
// `npm run demo`: what patchctl does today, on the built-in example fleets.
// Creates a fresh repository with `patchctl init`, validates it, then validates the larger
// enterprise example and shows what a reviewer sees when a pull request breaks a rule.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'patchctl');
const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-demo-'));

function run(title, args, { expect = 0 } = {}) {
  console.log(`\n$ patchctl ${args.join(' ')}    # ${title}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  console.log(`(exit ${r.status})`);
  if (r.status !== expect) {
    console.error(`demo: expected exit ${expect}, got ${r.status}`);
    process.exitCode = 1;
  }
}

try {
  run('a new, commented example repository', ['init', 'fleet']);
  run('it validates as written', ['validate', '-C', 'fleet']);
  const enterprise = path.join(root, 'examples', 'enterprise');
  // Its exceptions carry fixed dates, so it is judged at a fixed time.
  run('a larger fleet: three sites, Linux and Windows', [
    'validate',
    '-C',
    enterprise,
    '--at',
    '2026-12-01T00:00:00Z',
  ]);

  run('what apply would do on the starter fleet, ring by ring', [
    'plan',
    '-C',
    path.join(root, 'examples', 'starter'),
    '--at',
    '2026-12-01T00:00:00Z',
  ]);

  // A pull request that mistypes a group.
  cpSync(path.join(scratch, 'fleet'), path.join(scratch, 'broken'), { recursive: true });
  const policyFile = path.join(scratch, 'broken', 'policies', 'security.yaml');
  const policy = readFileSync(policyFile, 'utf8');
  const group = /groups:\s*\[\s*([A-Za-z0-9._-]+)/.exec(policy)?.[1];
  if (group) writeFileSync(policyFile, policy.replace(`[${group}`, `[${group}-typo`));
  run('a broken change, as CI sees it', ['validate', '-C', 'broken'], { expect: 3 });
  run('the same, as pull-request annotations', ['validate', '-C', 'broken', '--format', 'github'], {
    expect: 3,
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
