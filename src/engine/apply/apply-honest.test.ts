// Issue 13: apply refuses, per host, what it cannot drive (a transport other than ssh, a host of
// another OS family than the driver serves) and never writes such a host's state; and a host's
// `reboot: never` wins over other policies' modes, as the plan says.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Plan, PlanHost } from '../../core/plan/types.js';
import { apt } from '../../drivers/apt/index.js';
import { FakeFleet, type FakeTransport } from '../../transports/fake/index.js';
import type { RemoteCommand } from '../../transports/types.js';
import { loadRepository } from '../load-repo.js';
import { isFailure } from './apply.js';
import { runApply } from './run-apply.js';

const FIX = new URL('../../drivers/apt/__fixtures__/', import.meta.url);
const fx = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

const policy = (name: string, extra: string): string => `apiVersion: patchctl/v1
kind: PatchPolicy
metadata:
  name: ${name}
spec:
  appliesTo: { groups: [servers] }
  rollout: main
  classification: [all]
${extra}`;

const FILES: Record<string, string> = {
  'patchctl.yaml': `apiVersion: patchctl/v1
kind: Config
metadata:
  name: lab
spec:
  timezone: UTC
  concurrency: 4
`,
  'inventory/hosts.yaml': `apiVersion: patchctl/v1
kind: Inventory
metadata:
  name: lab
spec:
  defaults:
    labels: { role: web }
  hosts:
    - name: web-1
    - name: rocky-1
    - name: win-1
      transport: winrm
      os: windows
`,
  'groups/groups.yaml': `apiVersion: patchctl/v1
kind: Group
metadata:
  name: servers
spec:
  selector:
    matchLabels: { role: web }
`,
  'rollouts/main.yaml': `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: main
spec:
  rings:
    - name: all
      rest: true
      failureBudget: { maxFailed: 5 }
`,
};

const same =
  (built: RemoteCommand) =>
  (cmd: RemoteCommand): boolean =>
    JSON.stringify(cmd.argv) === JSON.stringify(built.argv);
const installScript = apt.install([{ name: 'fleet-base', version: '1.1' }]).argv.slice(0, 3);
const isInstall = (cmd: RemoteCommand): boolean =>
  JSON.stringify(cmd.argv.slice(0, 3)) === JSON.stringify(installScript);
const installedLine = (version: string): string =>
  `fleet-base\tamd64\t${version}\tinstall ok installed\tfleet-base\t${version}\n`;

/** A Debian host (or, with `os`, the same host claiming another OS); `reboot` gives it a new boot id. */
function host(t: FakeTransport, os?: { id: string; like: string }): void {
  let done = false;
  let boot = 0;
  const facts = (): string => {
    const text = fx('lab-facts.stdout').replace(
      '692d43d6-a1f8-4a26-b872-9093ba7e3726',
      `692d43d6-a1f8-4a26-b872-9093ba7e372${boot}`,
    );
    if (!os) return text;
    return text.replace(/^ID=.*$/m, `ID=${os.id}\nID_LIKE="${os.like}"`);
  };
  t.on(['sh', '-c', /flock/, 'patchctl-lock'], { stdout: 'locked\n' });
  t.on(['sh', '-c', /flock/, 'patchctl-lock', 'reserve'], { stdout: 'ok\n' }); // the latest rule wins
  t.on(same(apt.preflight()), { stdout: fx('lab-preflight-clean.stdout') });
  t.on(same(apt.listInstalled()), () => ({ stdout: installedLine(done ? '1.1' : '1.0') }));
  t.on(same(apt.facts()), () => ({ stdout: facts() }));
  t.on(same(apt.listUpdates()), { stdout: fx('lab-updates.stdout') });
  t.on(isInstall, () => {
    done = true;
    return { stdout: fx('lab-install-ok.stdout'), stderr: fx('lab-install-ok.stderr') };
  });
  t.on(
    (cmd) => cmd.argv[0] === 'reboot',
    () => {
      boot++;
      return { stdout: '' };
    },
  );
}

function planHost(name: string, policy = 'p'): PlanHost {
  return {
    host: name,
    window: null,
    actions: [
      {
        type: 'upgrade',
        package: 'fleet-base',
        from: '1.0',
        to: '1.1',
        classification: 'security',
        severity: 'high',
        advisories: [],
        policy,
      },
    ],
    skipped: [],
    packageManager: 'apt',
  };
}

function planOf(hosts: PlanHost[]): Plan {
  return {
    formatVersion: 1,
    createdAt: '2026-12-01T00:00:00Z',
    at: '2026-12-01T00:00:00Z',
    inputsDigest: `sha256:${'2e'.repeat(32)}`,
    inputs: {},
    gitCommit: null,
    summary: {
      hosts: hosts.length,
      hostsWithChanges: hosts.length,
      updates: hosts.length,
      reboots: 0,
      skipped: 0,
    },
    rings: [{ name: 'all', rollout: 'main', earliestStart: '2026-12-01T00:00:00Z', hosts }],
  };
}

let dir: string;
const clock = DateTime.fromISO('2026-12-01T02:30:00Z', { setZone: true });

function writeRepo(policies: string, files: Record<string, string> = FILES): void {
  for (const [rel, text] of Object.entries({ ...files, 'policies/p.yaml': policies })) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

async function apply(
  plan: Plan,
  fleet: FakeFleet,
  policies = policy('p', '  reboot: ifRequired\n'),
  files: Record<string, string> = FILES,
) {
  writeRepo(policies, files);
  const loaded = loadRepository(dir, { at: clock }); // throws ConfigError on an invalid repository
  const connected: string[] = [];
  const run = await runApply({
    dir,
    repository: loaded.repository,
    plan,
    now: () => clock,
    env: {},
    connect: (h) => {
      connected.push(h.name);
      return fleet.transport(h.name);
    },
    sleep: () => Promise.resolve(),
    rebootPollMs: 1,
    rebootTimeoutMs: 50,
  });
  return { run, connected };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-apply-honest-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const stateFile = (name: string): string => path.join(dir, 'state', 'hosts', `${name}.json`);

describe('apply refuses per host what it cannot drive (issue 13)', () => {
  it('never connects to a winrm host over ssh, and never rewrites its state', async () => {
    const windowsState = '{ "a Windows host state": "kept as it is" }\n';
    mkdirSync(path.dirname(stateFile('win-1')), { recursive: true });
    writeFileSync(stateFile('win-1'), windowsState);
    const fleet = new FakeFleet((t) => host(t));
    const { run, connected } = await apply(planOf([planHost('web-1'), planHost('win-1')]), fleet);
    expect(run.result.hosts.map((h) => [h.host, h.status])).toEqual(
      expect.arrayContaining([
        ['web-1', 'patched'],
        ['win-1', 'unsupported'],
      ]),
    );
    const win = run.result.hosts.find((h) => h.host === 'win-1');
    expect(win?.error).toBe('transport winrm is not supported by this version: nothing was done on the host');
    expect(win?.actions).toEqual([]);
    expect(connected).toEqual(['web-1']);
    expect(readFileSync(stateFile('win-1'), 'utf8')).toBe(windowsState);
    expect(run.stateFiles).toEqual(['state/hosts/web-1.json']);
    // A refused planned host is not done: apply exits non-zero on it (cli/commands/apply.ts).
    expect(isFailure('unsupported')).toBe(true);
  });

  it('refuses a host whose OS family the driver does not serve, on its facts, before anything but read-only queries, and writes no state', async () => {
    const fleet = new FakeFleet((t) =>
      host(t, t.host === 'rocky-1' ? { id: 'rocky', like: 'rhel centos fedora' } : undefined),
    );
    const { run } = await apply(planOf([planHost('rocky-1')]), fleet);
    const [r] = run.result.hosts;
    expect(r?.status).toBe('unsupported');
    expect(r?.error).toMatch(/^the host runs rocky \S+ \(\w+ family\), which the apt driver does not serve/);
    const t = fleet.transport('rocky-1');
    // The facts come in the same round trip as the read-only pre-flight and package list
    // (docs/architecture.md, "Round trips"); nothing that changes the host is sent.
    expect(t.calls.filter((c) => isInstall(c) || same(apt.refresh())(c) || c.argv[0] === 'reboot')).toEqual(
      [],
    );
    expect(t.calls.filter((c) => c.inBatch !== undefined).map((c) => c.argv)).toEqual([
      apt.facts().argv,
      apt.preflight().argv,
      apt.listInstalled().argv,
    ]);
    expect(run.stateFiles).toEqual([]);
    expect(() => readFileSync(stateFile('rocky-1'), 'utf8')).toThrow();
  });
});

describe("apply opens each host's driver from the plan (issue 14)", () => {
  it('refuses, per host, one whose package manager has no driver or that the plan names none for; the others in the ring are patched', async () => {
    const fleet = new FakeFleet((t) => host(t));
    const { packageManager: _none, ...unnamed } = planHost('rocky-1');
    const plan = planOf([planHost('web-1'), { ...planHost('win-1'), packageManager: 'winupdate' }, unnamed]);
    // win-1's transport is refused first (issue 13): give it ssh's, so its driver is what is refused.
    const files = {
      ...FILES,
      'inventory/hosts.yaml': (FILES['inventory/hosts.yaml'] ?? '').replace('      transport: winrm\n', ''),
    };
    const { run, connected } = await apply(plan, fleet, undefined, files);
    expect(run.result.hosts.map((h) => [h.host, h.status, h.error])).toEqual(
      expect.arrayContaining([
        ['web-1', 'patched', undefined],
        [
          'win-1',
          'unsupported',
          'package manager winupdate is not supported by this version: nothing was done on the host',
        ],
        ['rocky-1', 'unsupported', expect.stringMatching(/^the plan names no package manager for the host/)],
      ]),
    );
    expect(connected).toEqual(['web-1']);
    expect(run.stateFiles).toEqual(['state/hosts/web-1.json']);
  });
});

describe('apply: `reboot: never` wins (issue 13)', () => {
  const kernelAlways = policy('kernel', '  priority: 40\n  include: [fleet-*]\n  reboot: always\n');
  const rebooted = (fleet: FakeFleet): number =>
    fleet.transport('web-1').calls.filter((c) => c.argv[0] === 'reboot').length;

  it('a policy that always reboots reboots the host (baseline)', async () => {
    const fleet = new FakeFleet((t) => host(t));
    const { run } = await apply(planOf([planHost('web-1', 'kernel')]), fleet, kernelAlways);
    expect(run.result.hosts[0]?.error).toBeUndefined();
    expect(run.result.hosts[0]?.status).toBe('patched');
    expect(rebooted(fleet)).toBe(1);
  });

  it('never reboots while a whole-host `reboot: never` policy applies, even one without updates there', async () => {
    const fleet = new FakeFleet((t) => host(t));
    const db = policy('db', '  reboot: never\n');
    const { run } = await apply(planOf([planHost('web-1', 'kernel')]), fleet, `${kernelAlways}---\n${db}`);
    expect(run.result.hosts[0]?.status).toMatch(/^patched/);
    expect(rebooted(fleet)).toBe(0);
  });

  it('reboots when the `never` policy allows the other one explicitly', async () => {
    const fleet = new FakeFleet((t) => host(t));
    const db = policy('db', '  reboot: never\n  allowRebootBy: [kernel]\n');
    const { run } = await apply(planOf([planHost('web-1', 'kernel')]), fleet, `${kernelAlways}---\n${db}`);
    expect(run.result.hosts[0]?.status).toBe('patched');
    expect(rebooted(fleet)).toBe(1);
  });
});
