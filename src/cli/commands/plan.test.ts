import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(r.stdout).toMatch(
      /\nPlan: \d+ updates on \d+ hosts, \d+ reboots?(, \d+ may reboot)?, \d+ skipped\.( Not planned: [^\n]+\.)?\n$/,
    );
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

  it('--shards N gives every host a shard, and counts per shard that add up (text, JSON, markdown)', async () => {
    const r = await run('--shards', '3', '--format', 'json', '--out', 'plan.json');
    expect(r.code).toBe(0);
    const saved = readPlanFile(path.join(dir, 'plan.json')); // schema-checked
    expect(JSON.parse(r.stdout)).toEqual(saved);
    expect(saved.shards?.count).toBe(3);
    const hosts = saved.rings.flatMap((x) => x.hosts);
    expect(hosts.every((h) => h.shard !== undefined && h.shard >= 1 && h.shard <= 3)).toBe(true);
    const perShard = saved.shards?.summary ?? [];
    expect(perShard.reduce((n, s) => n + s.hosts, 0)).toBe(saved.summary.hosts);
    expect(perShard.reduce((n, s) => n + s.updates, 0)).toBe(saved.summary.updates);
    // The split changes nothing else of the plan.
    const plain = JSON.parse((await run('--format', 'json')).stdout) as typeof saved;
    const { shards: _shards, ...rest } = saved;
    expect({
      ...rest,
      rings: rest.rings.map((x) => ({ ...x, hosts: x.hosts.map(({ shard: _s, ...h }) => h) })),
    }).toEqual(plain);

    const text = await run('--shards', '3');
    expect(text.stdout).toContain('Shards (apply --shard i/3):\n  1/3: ');
    const md = await run('--shards', '3', '--format', 'markdown');
    expect(md.stdout).toContain('Split into 3 shards for `apply --shard i/3`:');
    expect(md.stdout).toContain('| Shard | Hosts | With changes | Updates | Reboots | Skipped |');
  });

  it('refuses a number of shards that is not one', async () => {
    for (const bad of ['0', 'x', '1001', '2.5']) {
      const r = await run('--shards', bad);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `--shards "${bad}": the number of shards must be a whole number from 1 to 1000`,
      );
    }
  });

  it('exits 2 with --detailed-exitcode when there are changes, 0 when there are none', async () => {
    expect((await run('--detailed-exitcode')).code).toBe(2);
    // (An unknown host is an error since issue 13: hosts-option.test.ts.)
    expect((await run('--detailed-exitcode', '--hosts', 'no-such-host')).code).toBe(1);
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

  it('accounts for every update in state: an action or a skip (unsupported hosts: a note saying why)', async () => {
    const plan = JSON.parse((await run('--format', 'json')).stdout) as {
      rings: {
        hosts: {
          host: string;
          state: string;
          note?: string;
          actions: { type: string }[];
          skipped: unknown[];
        }[];
      }[];
    };
    for (const h of plan.rings.flatMap((r) => r.hosts)) {
      if (h.state === 'unsupported') {
        expect(h.note).toMatch(/^unsupported: /);
        continue;
      }
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

describe('patchctl plan --compare', () => {
  const FREEZE = `apiVersion: patchctl/v1
kind: PatchException
metadata:
  name: web-freeze
spec:
  hosts: [fra-web-02, nyc-web-02]
  packages: [curl, libcurl4, openssl]
  reason: Release freeze for the web shop until the January launch.
  owner: web-team@example.net
  ticket: CHG-2001
  created: '2026-11-30'
  expires: '2027-01-15'
`;

  it('shows in the pull-request comment what an added exception now skips, and in the job summary', async () => {
    expect((await run('--out', '../base-plan.json')).code).toBe(0);
    writeFileSync(path.join(dir, 'exceptions', 'web-freeze.yaml'), FREEZE);
    const summary = path.join(path.dirname(dir), 'summary.md');
    writeFileSync(summary, '');
    const io = captureIo({ cwd: dir, env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    const code = await main(
      ['plan', '--at', AT, '--format', 'markdown', '--compare', '../base-plan.json'],
      io,
    );
    expect(code).toBe(0);
    const out = io.text().stdout;
    expect(out).toMatch(/^### patchctl plan: /);
    // The copy is outside git: the base plan is named by its inputs digest alone.
    expect(out).toMatch(/\n#### Effect of this change \(compared with inputs sha256:[0-9a-f]{12}\)\n/);
    expect(out).toContain('**Now skipped:** 3 updates on 2 hosts\n');
    expect(out).toContain(
      '- waived by exception web-freeze (expires 2027-01-15): **curl** 7.88.1-10+deb12u14 on fra-web-02; ' +
        '**libcurl4** 7.88.1-10+deb12u14 on fra-web-02; **openssl** 3.0.2-0ubuntu1.20 on nyc-web-02\n',
    );
    expect(out).not.toContain('**Unblocked:**');
    expect(out.indexOf('#### Effect')).toBeLessThan(out.indexOf('| Hosts |'));
    expect(readFileSync(summary, 'utf8')).toBe(`${out}\n`);

    // Removing it again, compared with a plan that has it: unblocked.
    expect((await run('--out', '../with-freeze.json')).code).toBe(0);
    rmSync(path.join(dir, 'exceptions', 'web-freeze.yaml'));
    const back = await run('--compare', '../with-freeze.json');
    expect(back.stdout).toContain('Effect of this change (compared with ');
    expect(back.stdout).toContain(
      '  + unblocked, was waived by exception web-freeze (expires 2027-01-15): curl 7.88.1-10+deb12u14 on fra-web-02; ',
    );
    expect(back.stdout).toMatch(
      /\nPlan: \d+ updates on \d+ hosts, \d+ reboots?(, \d+ may reboot)?, \d+ skipped\.( Not planned: [^\n]+\.)?\n$/,
    );
  });

  it('says so when nothing changed, and leaves --format json exactly the plan document', async () => {
    await run('--out', '../base-plan.json');
    expect((await run('--format', 'markdown', '--compare', '../base-plan.json')).stdout).toContain(
      'No host or package changes compared with the base branch.',
    );
    writeFileSync(path.join(dir, 'exceptions', 'web-freeze.yaml'), FREEZE);
    const json = await run('--format', 'json', '--compare', '../base-plan.json');
    expect(json.stdout).toBe((await run('--format', 'json')).stdout);
  });

  it('exits 1 naming the file, without a stack trace, for a missing or bad base plan', async () => {
    const bad = path.join(path.dirname(dir), 'bad.json');
    writeFileSync(bad, '{"formatVersion": 1, "rings": [');
    const r = await run('--compare', '../bad.json', '--out', 'plan.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchctl: .*bad\.json:1:\d+: not a plan: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(path.join(dir, 'plan.json'))).toBe(false);

    writeFileSync(bad, '{"formatVersion": 1, "rings": []}');
    const invalid = await run('--compare', '../bad.json');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/bad\.json:1:1: not a valid plan: /);

    const missing = await run('--compare', '../nope.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^patchctl: cannot read plan .*nope\.json: no such file or directory \(ENOENT\)\n$/,
    );
  });
});

describe('a saved plan, as apply loads it', () => {
  it('is accepted while its inputs are unchanged and refused, naming the files, once they change', async () => {
    const { loadSavedPlan } = await import('../../engine/make-plan.js');
    await run('--out', 'plan.json');
    const file = path.join(dir, 'plan.json');
    expect(loadSavedPlan(dir, file).plan.summary.hosts).toBeGreaterThan(0);
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

describe('patchctl plan: a host whose key changed (issue 12)', () => {
  it('says so in every format, prominently, and warns on stderr, keeping the exit status', async () => {
    const file = path.join(dir, 'state', 'hosts', 'fra-web-01.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          ...state,
          reachable: false,
          error: 'the host key of fra-web-01 does not match known_hosts',
          errorKind: 'host-key-mismatch',
          lastReachableAt: state.scannedAt,
        },
        null,
        2,
      )}\n`,
    );
    const warning =
      "warning host-key-changed: fra-web-01: its host key changed since it was pinned in known_hosts (possible interception); verify the host's new key out of band, then update known_hosts\n";
    const text = await run();
    expect(text.code).toBe(0);
    expect(text.stderr).toBe(warning);
    expect(text.stdout).toMatch(
      /\n {2}fra-web-01 +!! host key changed \(possible interception\): verify the host's new key and update known_hosts \(last scan 2026-11-30 22:39:14 UTC: the host key of fra-web-01 does not match known_hosts\)\n/,
    );
    expect(text.stdout).toMatch(/\n +- skipped .*: host key changed\n/);
    expect(text.stdout).not.toMatch(/fra-web-01 .*\? unreachable/);

    const md = await run('--format', 'markdown');
    expect(md.stderr).toBe(warning);
    expect(md.stdout).toContain(
      '- **⚠️ Host key changed (possible interception), not planned:** fra-web-01 — host key changed',
    );

    const json = await run('--format', 'json', '--detailed-exitcode');
    expect(json.code).toBe(2);
    expect(json.stderr).toBe(warning);
    const plan = JSON.parse(json.stdout) as { rings: { hosts: { host: string; note?: string }[] }[] };
    const host = plan.rings.flatMap((r) => r.hosts).find((h) => h.host === 'fra-web-01');
    expect(host?.note).toMatch(/^host key changed \(possible interception\)/);
  });
});

describe('patchctl plan: readable for people and quiet for scripts (issue 16)', () => {
  it('shows window times in the window zone next to UTC', async () => {
    const r = await run();
    expect(r.stdout).toContain(
      'window fra-servers-monthly 2026-12-11 22:00 → 2026-12-12 04:00 Europe/Berlin (21:00 → 2026-12-12 03:00 UTC)',
    );
    expect(r.stdout).toContain(
      'window nyc-servers-monthly 2026-12-19 01:00 → 05:00 America/New_York (06:00 → 10:00 UTC)',
    );
    expect(r.stdout).toContain('earliest start 2026-12-02 12:00 Europe/Berlin (11:00 UTC)');
    const md = await run('--format', 'markdown');
    expect(md.stdout).toContain(
      '2026-12-11 22:00 → 2026-12-12 04:00 Europe/Berlin (21:00 → 2026-12-12 03:00 UTC)',
    );
  });

  it('--summary prints counts per ring and no host or skip lines; json is byte-identical with it', async () => {
    const full = await run();
    const r = await run('--summary');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('- skipped');
    expect(r.stdout).not.toContain('fra-web-01');
    expect(r.stdout).toMatch(/ring canary · [^\n]*\n {2}\d+ hosts? with work: \d+ updates?/);
    expect(r.stdout).toMatch(/\n {2}\d+ skipped: \d+ [a-z]/);
    expect(r.stdout).toContain('(3 KEV, 3 emergency)');
    // The same closing line as the full plan.
    expect(r.stdout.split('\n').at(-2)).toBe(full.stdout.split('\n').at(-2));
    expect(r.stdout.split('\n').length).toBeLessThan(full.stdout.split('\n').length / 4);
    const json = await run('--format', 'json');
    const jsonSummary = await run('--format', 'json', '--summary');
    expect(jsonSummary.stdout).toBe(json.stdout);
    const detailed = await run('--summary', '--detailed-exitcode');
    expect(detailed.code).toBe(2);
    expect(detailed.stdout).toBe(r.stdout);
  });

  it('-q prints the plan and nothing else: no "Saved the plan" line, no --verbose warnings', async () => {
    const plain = await run('--out', 'plan.json');
    expect(plain.stdout).toContain('Saved the plan to plan.json');
    const quiet = await run('-q', '-v', '--out', 'plan.json', '--detailed-exitcode');
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(plain.stdout.replace(/\nSaved the plan to [^\n]*\n$/, ''));
    expect(existsSync(path.join(dir, 'plan.json'))).toBe(true);
  });
});
