// Issue 12, end to end through the command line: files that are not what they seem, shard
// checkouts that are not trusted, and documents that must never be dropped without a word. Each
// case was reproduced against the landed code (a hang, a copied /etc/shadow, a crash, a Blackout
// silently gone); here it must be a clear error naming the file, or the document read.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { main } from '../src/cli/main.js';
import { captureIo } from '../src/test-support/capture-io.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IN_BLACKOUT = '2026-12-24T10:00:00Z';
const RUN = '20261201T020000Z-1a2b3c4d';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const STACK_TRACE = /\n\s+at .*:\d+:\d+\)?\n/;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of examples/starter (documents and state/hosts), in a folder of its own. */
function starter(): string {
  const base = mkdtempSync(path.join(tmpdir(), 'patchctl-hardening-'));
  dirs.push(base);
  const repo = path.join(base, 'repo');
  cpSync(path.join(root, 'examples', 'starter'), repo, { recursive: true, dereference: true });
  return repo;
}

async function patchctl(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ cwd: dir });
  const [command = '', ...rest] = args;
  const code = await main([command, '-C', dir, ...rest], io);
  const { stdout, stderr } = io.text();
  return { code, stdout, stderr };
}

function mkfifo(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
}

/** Every path under `dir` with its type and size (links not followed). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(path.join(dir, name));
    out[name] =
      `${st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other'} ${st.isDirectory() ? 0 : st.size} ${st.mtimeMs}`;
  }
  return out;
}

const event = (e: Record<string, unknown>): string =>
  `${JSON.stringify({ at: '2026-12-01T02:00:00Z', runId: RUN, ...e })}\n`;
const runStarted = event({ type: 'run-started', planDigest: DIGEST });
const hostFinished = (over: Record<string, unknown> = {}): string =>
  event({
    type: 'host-finished',
    planDigest: DIGEST,
    host: 'fra-web-01',
    ring: 'canary',
    status: 'patched',
    actions: [{ package: 'openssl', from: '3.0.15-1~deb12u1', to: '3.0.17-1~deb12u1' }],
    ...over,
  });

describe('documents are never dropped without a word', () => {
  /** How many hosts' updates the plan holds back for a blackout. */
  async function blackoutSkips(repo: string): Promise<number> {
    const r = await patchctl(repo, ['plan', '--at', IN_BLACKOUT, '--format', 'json']);
    expect(r.stderr).toBe('');
    const plan = JSON.parse(r.stdout) as { rings: { hosts: { skipped: { reason: string }[] }[] }[] };
    return plan.rings.flatMap((g) => g.hosts.flatMap((h) => h.skipped)).filter((s) => s.reason === 'blackout')
      .length;
  }

  it('a year-end Blackout saved with CR-only line ends still holds the fleet back', async () => {
    const repo = starter();
    const freeze = path.join(repo, 'windows', 'freeze.yaml');
    const held = await blackoutSkips(repo);
    expect(held).toBeGreaterThan(0);
    // Before: the whole file read as one comment line; `validate` said valid, the freeze was gone.
    writeFileSync(freeze, readFileSync(freeze, 'utf8').replace(/\n/g, '\r'));
    const v = await patchctl(repo, ['validate', '--at', IN_BLACKOUT, '--format', 'json']);
    expect(v.code).toBe(0);
    expect(await blackoutSkips(repo)).toBe(held);
    // And CRLF, for good measure.
    writeFileSync(freeze, readFileSync(freeze, 'utf8').replace(/\r/g, '\r\n'));
    expect(await blackoutSkips(repo)).toBe(held);
    rmSync(freeze);
    expect(await blackoutSkips(repo)).toBe(0);
  });

  it('freeze.YAML (upper-case extension) is read like freeze.yaml', async () => {
    const repo = starter();
    const held = await blackoutSkips(repo);
    renameSync(path.join(repo, 'windows', 'freeze.yaml'), path.join(repo, 'windows', 'freeze.YAML'));
    expect(await blackoutSkips(repo)).toBe(held);
    const v = await patchctl(repo, ['validate', '--at', IN_BLACKOUT]);
    expect(v.code).toBe(0);
  });

  it('a repeated key in a state file is an error at its line, not "the last one wins"', async () => {
    const repo = starter();
    const file = path.join(repo, 'state', 'hosts', 'fra-web-01.json');
    const text = readFileSync(file, 'utf8').replace(
      '"reachable": true,',
      '"reachable": true,\n  "reachable": false,',
    );
    writeFileSync(file, text);
    const r = await patchctl(repo, ['plan', '--at', IN_BLACKOUT]);
    expect(r.code).toBe(3);
    const line = text.slice(0, text.indexOf('"reachable": false')).split('\n').length;
    expect(r.stderr).toContain(`state/hosts/fra-web-01.json:${line}:3 error json-duplicate-key`);
  });
});

describe('report --merge does not follow links nor trust journals', () => {
  it('refuses a shard whose runs/x.jsonl is a link to a secret: nothing is copied, nothing written', async () => {
    const repo = starter();
    const job = path.join(path.dirname(repo), 'job');
    cpSync(repo, job, { recursive: true });
    const secret = path.join(path.dirname(repo), 'shadow');
    writeFileSync(secret, 'root:$6$SECRET-HASH:19000:0:99999:7:::\n');
    mkdirSync(path.join(job, 'state', 'runs'), { recursive: true });
    symlinkSync(secret, path.join(job, 'state', 'runs', `${RUN}.jsonl`));
    const before = tree(repo);
    const r = await patchctl(repo, ['report', '--merge', job, '--at', IN_BLACKOUT]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${path.join(job, 'state', 'runs', `${RUN}.jsonl`)} is a symbolic link: patchctl never follows links in a shard checkout`,
    );
    expect(r.stderr).not.toContain('SECRET-HASH');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    // Before: /etc/shadow's content landed in state/runs/ (and in git with --commit --push).
    expect(tree(repo)).toEqual(before);
    expect(existsSync(path.join(repo, 'state', 'runs'))).toBe(false);
  });

  it("refuses a shard's journal event with wrong types or an unknown status, naming file:line:col", async () => {
    const repo = starter();
    const job = path.join(path.dirname(repo), 'job');
    cpSync(repo, job, { recursive: true });
    const bad = hostFinished({ status: 'done' });
    mkdirSync(path.join(job, 'state', 'runs'));
    writeFileSync(path.join(job, 'state', 'runs', `${RUN}.jsonl`), runStarted + bad);
    const before = tree(repo);
    const r = await patchctl(repo, ['report', '--merge', job, '--at', IN_BLACKOUT]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${path.join(job, 'state', 'runs', `${RUN}.jsonl`)}:2:${bad.indexOf('"done"') + 1} error invalid-journal-event: status "done" must be one of`,
    );
    expect(tree(repo)).toEqual(before);
  });

  it('report and status refuse a journal event with wrong types instead of crashing', async () => {
    const repo = starter();
    const bad = hostFinished({ actions: 'openssl' });
    mkdirSync(path.join(repo, 'state', 'runs'));
    writeFileSync(
      path.join(repo, 'state', 'runs', `${RUN}.jsonl`),
      runStarted + bad + event({ type: 'run-finished', halted: false }),
    );
    for (const args of [['report', '--at', IN_BLACKOUT], ['status']]) {
      const r = await patchctl(repo, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `${RUN}.jsonl:2:${bad.indexOf('"openssl"') + 1}: not a journal event: actions must be of type array`,
      );
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
    }
    expect(existsSync(path.join(repo, 'reports'))).toBe(false);
  });
});

describe('files that are not what they seem', () => {
  it('a FIFO as state/runs/x.jsonl is refused at once by status, report and plan --out is untouched', async () => {
    const repo = starter();
    // Before: reading it blocked for ever (this test would never end).
    mkfifo(path.join(repo, 'state', 'runs', `${RUN}.jsonl`));
    for (const args of [['status'], ['report', '--at', IN_BLACKOUT]]) {
      const r = await patchctl(repo, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${RUN}.jsonl is a named pipe (FIFO), not a regular file`);
    }
  });

  it('a directory named x.jsonl is a clear error, not an internal one', async () => {
    const repo = starter();
    mkdirSync(path.join(repo, 'state', 'runs', `${RUN}.jsonl`), { recursive: true });
    const r = await patchctl(repo, ['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${RUN}.jsonl is a directory, not a regular file`);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a history file that is a FIFO or a link to /dev/zero is skipped with a warning', async () => {
    const repo = starter();
    mkfifo(path.join(repo, 'reports', 'history', '2026-11-30.json'));
    symlinkSync('/dev/zero', path.join(repo, 'reports', 'history', '2026-11-29.json'));
    const r = await patchctl(repo, ['report', '--at', IN_BLACKOUT, '--verbose']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2026-11-30\.json is a named pipe \(FIFO\), not a regular file; skipped/);
    expect(r.stderr).toMatch(/2026-11-29\.json leads out of .* through a symbolic link.*; skipped/);
  });

  it('a FIFO as the repository known_hosts stops scan at once, before any host', async () => {
    const repo = starter();
    rmSync(path.join(repo, 'known_hosts'));
    mkfifo(path.join(repo, 'known_hosts'));
    const before = tree(path.join(repo, 'state'));
    const r = await patchctl(repo, ['scan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('known_hosts is a named pipe (FIFO), not a regular file');
    expect(tree(path.join(repo, 'state'))).toEqual(before);
  });

  it('plan --out never replaces a FIFO, a symbolic link or a directory (think --out /dev/null as root)', async () => {
    const repo = starter();
    const outside = path.dirname(repo);
    mkfifo(path.join(outside, 'out.fifo'));
    writeFileSync(path.join(outside, 'keep.txt'), 'keep me\n');
    symlinkSync(path.join(outside, 'keep.txt'), path.join(outside, 'out-link.json'));
    mkdirSync(path.join(outside, 'out-dir'));
    for (const [target, what] of [
      ['out.fifo', 'a named pipe (FIFO)'],
      ['out-link.json', 'a symbolic link'],
      ['out-dir', 'a directory'],
    ] as const) {
      const before = tree(outside);
      const r = await patchctl(repo, ['plan', '--at', IN_BLACKOUT, '--out', path.join(outside, target)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `${path.join(outside, target)} is ${what}: patchctl only ever replaces a regular file, so nothing was written`,
      );
      expect(tree(outside)).toEqual(before);
    }
    expect(lstatSync(path.join(outside, 'out.fifo')).isFIFO()).toBe(true);
    expect(readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep me\n');
  });
});
