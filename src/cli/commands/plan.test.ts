import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readPlanFile } from '../../engine/plan-file.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const AT = '2026-12-01T00:00:00Z';
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-plan-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(['plan', '--at', AT, ...args], io);
  return { code, ...io.text() };
}

describe('patchctl plan', () => {
  it('prints the human plan, ending with the count line, and exits 0 without --detailed-exitcode', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Plan at 2026-12-01 00:00 UTC/);
    expect(r.stdout).toMatch(/\nPlan: \d+ updates on \d+ hosts, \d+ reboots?, \d+ skipped\.\n$/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('colours on a terminal, never with NO_COLOR or --no-color', async () => {
    const tty = captureIo({ cwd: dir, isTTY: true });
    await main(['plan', '--at', AT], tty);
    expect(tty.text().stdout).toContain('\u001b[');
    const noColor = captureIo({ cwd: dir, isTTY: true, env: { NO_COLOR: '1' } });
    await main(['plan', '--at', AT], noColor);
    expect(noColor.text().stdout).not.toContain('\u001b[');
    const flag = captureIo({ cwd: dir, isTTY: true });
    await main(['plan', '--at', AT, '--no-color'], flag);
    expect(flag.text().stdout).not.toContain('\u001b[');
  });

  it('exits 2 with --detailed-exitcode when there are changes, 0 when there are none', async () => {
    expect((await run('--detailed-exitcode')).code).toBe(2);
    expect((await run('--detailed-exitcode', '--hosts', 'no-such-host')).code).toBe(0);
  });

  it('gives byte-identical JSON for the same inputs and --at, valid against the plan schema', async () => {
    const a = await run('--format', 'json');
    const b = await run('--format', 'json');
    expect(a.stdout).toBe(b.stdout);
    const plan = JSON.parse(a.stdout) as { summary: { hosts: number }; inputsDigest: string };
    expect(plan.summary.hosts).toBeGreaterThan(0);
    expect(plan.inputsDigest).toMatch(/^sha256:/);
    writeFileSync(path.join(dir, 'printed.json'), a.stdout);
    expect(() => readPlanFile(path.join(dir, 'printed.json'))).not.toThrow(); // schema-checked
  });

  it('accounts for every update in state: an action or a skip', async () => {
    const plan = JSON.parse((await run('--format', 'json')).stdout) as {
      rings: { hosts: { host: string; actions: { type: string }[]; skipped: unknown[] }[] }[];
    };
    for (const h of plan.rings.flatMap((r) => r.hosts)) {
      const state = JSON.parse(readFileSync(path.join(dir, 'state', 'hosts', `${h.host}.json`), 'utf8')) as {
        updates: unknown[];
      };
      const upgrades = h.actions.filter((a) => a.type === 'upgrade').length;
      expect({ host: h.host, n: upgrades + h.skipped.length }).toEqual({
        host: h.host,
        n: state.updates.length,
      });
    }
  });

  it('saves the plan with --out, and the saved plan reads back', async () => {
    const r = await run('--out', 'plan.json');
    expect(r.stdout).toContain('Saved the plan to plan.json');
    const saved = readPlanFile(path.join(dir, 'plan.json'));
    expect(JSON.parse((await run('--format', 'json')).stdout)).toEqual(saved);
  });

  it('filters by ring and hosts', async () => {
    const plan = JSON.parse((await run('--format', 'json', '--ring', 'canary')).stdout) as {
      rings: { name: string }[];
    };
    expect(plan.rings.map((r) => r.name)).toEqual(['canary']);
    const one = JSON.parse((await run('--format', 'json', '--hosts', 'fra-web-01,nyc-web-01')).stdout) as {
      rings: { hosts: { host: string }[] }[];
    };
    expect(one.rings.flatMap((r) => r.hosts.map((h) => h.host)).sort()).toEqual(['fra-web-01', 'nyc-web-01']);
  });

  it('prints a Markdown comment and appends it to the GitHub job summary in Actions', async () => {
    const summary = path.join(path.dirname(dir), 'summary.md');
    writeFileSync(summary, '');
    const io = captureIo({ cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(await main(['plan', '--at', AT, '--format', 'markdown'], io)).toBe(0);
    expect(io.text().stdout).toMatch(/^### patchctl plan/);
    expect(readFileSync(summary, 'utf8')).toBe(`${io.text().stdout}\n`);
  });

  it('exits 3 on invalid configuration and on a malformed state file, naming the file', async () => {
    writeFileSync(path.join(dir, 'state', 'hosts', 'fra-web-01.json'), '{"formatVersion": 1, "host": ');
    const r = await run();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/state\/hosts\/fra-web-01\.json:1:\d+ error json-syntax/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a saved plan, as apply loads it', () => {
  it('is accepted while its inputs are unchanged and refused, naming the files, once they change', async () => {
    const { loadSavedPlan } = await import('../../engine/make-plan.js');
    await run('--out', 'plan.json');
    const file = path.join(dir, 'plan.json');
    expect(loadSavedPlan(dir, file).summary.hosts).toBeGreaterThan(0);
    const state = path.join(dir, 'state', 'hosts', 'fra-web-01.json');
    writeFileSync(state, readFileSync(state, 'utf8').replace('"reachable": true', '"reachable": true '));
    writeFileSync(
      path.join(dir, 'groups', 'extra.yaml'),
      'apiVersion: patchctl/v1\nkind: Group\nmetadata: { name: extra }\nspec: { hosts: [] }\n',
    );
    expect(() => loadSavedPlan(dir, file)).toThrow(
      /the plan is stale: its inputs changed since it was made \(changed state\/hosts\/fra-web-01\.json, added groups\/extra\.yaml\)/,
    );
  });
});
