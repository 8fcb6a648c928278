import { describe, expect, it } from '@jest/globals';
import type { Diagnostic } from '../model/diagnostics.js';
import { bundledStateSchemas } from '../../engine/load-state.js';
import { checkHostStateFile, checkRolloutStateFile } from './check-state.js';
import type { HostState, RolloutState } from './types.js';

const schemas = bundledStateSchemas();

/** `line:col severity code` of each diagnostic: what a user sees, without the wording. */
const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.at?.line}:${d.at?.col} ${d.severity} ${d.code}`);

// Every field of types.ts, typed with types.ts: `npm run typecheck` proves the field names exist
// there, and the first test proves the schema accepts them.
const web01: HostState = {
  formatVersion: 1,
  host: 'web-01',
  scannedAt: '2026-11-23T09:00:00Z',
  reachable: true,
  os: { family: 'debian', id: 'debian', version: '12', kernel: '6.1.0-27-amd64' },
  packageManager: 'apt',
  bootId: '6f1c0c2e-8d1b-4d57-9a4e-2b7f0e9a1c33',
  rebootRequired: false,
  installed: [
    { name: 'openssl', version: '3.0.15-1~deb12u1', arch: 'amd64' },
    { name: 'linux-image-amd64', version: '6.1.115-1', arch: 'amd64' },
  ],
  updates: [
    {
      name: 'openssl',
      from: '3.0.15-1~deb12u1',
      to: '3.0.17-1~deb12u1',
      arch: 'amd64',
      source: 'bookworm-security',
      classification: 'security',
      severity: 'high',
      advisories: ['DSA-5343-1', 'CVE-2023-0286'],
      releasedAt: '2026-11-10T00:00:00Z',
      rebootRequired: false,
    },
  ],
  held: ['linux-image-amd64'],
};

const unreachable: HostState = {
  ...web01,
  reachable: false,
  error: 'connect ETIMEDOUT 192.0.2.10:22',
  lastReachableAt: '2026-11-20T09:00:00+01:00',
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const checkHost = (value: unknown, file = 'state/hosts/web-01.json', hosts?: ReadonlySet<string>) =>
  checkHostStateFile(file, typeof value === 'string' ? value : json(value), schemas, hosts);

describe('host state files', () => {
  it('quotes a refused value escaped and cut short, whatever it holds', () => {
    const r = checkHost({
      ...web01,
      os: { ...web01.os, kernel: `6.1.0-${'x'.repeat(5000)}` },
      held: ['fleet-held\u001b[2J\u001b[1;1H'],
    });
    expect(r.state).toBeUndefined();
    const messages = r.diagnostics.map((d) => d.message);
    expect(messages).toEqual([
      expect.stringMatching(/^os\.kernel "6\.1\.0-x{70,}…" \(5006 characters\) must be 1-128 letters/),
      "held[0] \"fleet-held\\u001b[2J\\u001b[1;1H\" must be 1-256 letters, digits, '+', '.', '_', ':', '@', '~' or '-', starting with a letter or digit",
    ]);
    expect(messages.every((m) => m.length < 300)).toBe(true);
  });

  it('accepts a file using every field and returns it typed', () => {
    const r = checkHost(web01, 'state/hosts/web-01.json', new Set(['web-01']));
    expect(r.diagnostics).toEqual([]);
    expect(r.state).toEqual(web01);
    expect(checkHost(unreachable).state?.error).toBe('connect ETIMEDOUT 192.0.2.10:22');
  });

  it('reports JSON syntax errors at their line and column', () => {
    const r = checkHost('{\n  "formatVersion": 1,\n  "host": "web-01",,\n}\n');
    expect(r.state).toBeUndefined();
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'json-syntax',
        message: 'invalid JSON: unexpected ","',
        at: { file: 'state/hosts/web-01.json', line: 3, col: 20 },
      },
    ]);
  });

  it('points schema errors at the offending node', () => {
    const text = [
      '{',
      '  "formatVersion": 1,',
      '  "host": "web-01",',
      '  "scannedAt": "2026-11-23 09:00",',
      '  "reachable": true,',
      '  "installed": [{ "name": "openssl;reboot", "version": "3.0.15-1~deb12u1" }],',
      '  "updates": [{ "name": "curl", "from": "7.88.1-10", "to": "$(id)", "classification": "security" }],',
      '  "held": [],',
      '  "scanedAt": "2026-11-23T09:00:00Z"',
      '}',
      '',
    ].join('\n');
    const r = checkHost(text);
    expect(r.state).toBeUndefined();
    expect(brief(r.diagnostics).sort()).toEqual(
      [
        '4:16 error invalid-state',
        '6:27 error invalid-state',
        '7:60 error invalid-state',
        '9:3 error invalid-state',
      ].sort(),
    );
    const messages = r.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain('unknown field "scanedAt" in the document (did you mean "scannedAt"?)');
    expect(messages).toContain('installed[0].name "openssl;reboot" must be 1-256 letters');
    expect(messages).toContain('updates[0].to "$(id)" must be 1-256 letters');
    expect(messages).toContain(
      'scannedAt "2026-11-23 09:00" must be an ISO 8601 date-time with seconds and a zone',
    );
  });

  it('the unknown field is reported at its key', () => {
    const r = checkHost('{\n  "formatVersion": 1,\n  "host": "web-01",\n  "bogus": 1\n}\n');
    const unknown = r.diagnostics.find((d) => d.message.startsWith('unknown field'));
    expect(unknown?.at).toEqual({ file: 'state/hosts/web-01.json', line: 4, col: 3 });
    expect(r.diagnostics.map((d) => d.message)).toContain(
      'the document is missing required field "scannedAt"',
    );
  });

  it('refuses a newer format version with its own code, without listing schema errors', () => {
    const r = checkHost({ formatVersion: 2, host: 'web-01', something: 'new' });
    expect(brief(r.diagnostics)).toEqual(['2:20 error unsupported-state-version']);
    expect(r.diagnostics[0]?.message).toMatch(
      /formatVersion 2 is not supported.*written by a newer patchctl\?/,
    );
    const odd = checkHost({ ...web01, formatVersion: '1' });
    expect(odd.diagnostics.map((d) => d.code)).toEqual(['unsupported-state-version']);
    expect(odd.diagnostics[0]?.message).not.toMatch(/newer/);
  });

  it('requires the file to be named after its host', () => {
    const r = checkHost(web01, 'state/hosts/web-02.json');
    expect(r.state).toBeUndefined();
    expect(brief(r.diagnostics)).toEqual(['3:11 error state-host-mismatch']);
    expect(r.diagnostics[0]?.message).toContain('named after host "web-02" but describes host "web-01"');
  });

  it('warns about state for a host that is in no inventory, and keeps the state', () => {
    const r = checkHost(web01, 'state/hosts/web-01.json', new Set(['web-1', 'db-01']));
    expect(brief(r.diagnostics)).toEqual(['3:11 warning state-for-unknown-host']);
    expect(r.diagnostics[0]?.message).toContain('(did you mean "web-1"?)');
    expect(r.state).toBeDefined();
  });

  it('an unreachable host must say why', () => {
    const { error: _error, ...noError } = unreachable;
    const r = checkHost(noError);
    expect(r.state).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
      'invalid-state: reachable is false, so "error" must say why the host could not be reached',
    ]);
  });

  it("warns when an update's from is not the installed version", () => {
    const state: HostState = {
      ...web01,
      updates: [
        {
          name: 'openssl',
          from: '3.0.14-1~deb12u2',
          to: '3.0.17-1~deb12u1',
          arch: 'amd64',
          classification: 'security',
        },
        { name: 'curl', from: '7.88.1-10+deb12u8', to: '7.88.1-10+deb12u14', classification: 'security' },
        { name: 'linux-image-amd64', from: '6.1.115-1', to: '6.1.115-1', classification: 'security' },
      ],
    };
    const r = checkHost(state);
    expect(r.diagnostics.map((d) => d.code)).toEqual([
      'state-inconsistent',
      'state-inconsistent',
      'state-inconsistent',
    ]);
    expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'the update of openssl (amd64) is from 3.0.14-1~deb12u2, but the installed version is 3.0.15-1~deb12u1',
      'the update of curl upgrades a package that is not installed',
      'the update of linux-image-amd64 does not change its version (6.1.115-1)',
    ]);
    expect(r.state).toBeDefined();
  });

  it('matches updates to installed packages by architecture, and accepts side-by-side kernels', () => {
    const state: HostState = {
      ...web01,
      packageManager: 'dnf',
      installed: [
        { name: 'kernel', version: '5.14.0-503.23.2.el9_5', arch: 'x86_64' },
        { name: 'kernel', version: '5.14.0-503.31.1.el9_5', arch: 'x86_64' },
        { name: 'glibc', version: '2.34-125.el9_5.1', arch: 'x86_64' },
        { name: 'glibc', version: '2.34-100.el9_4.4', arch: 'i686' },
      ],
      updates: [
        {
          name: 'kernel',
          from: '5.14.0-503.31.1.el9_5',
          to: '5.14.0-570.12.1.el9_6',
          arch: 'x86_64',
          classification: 'security',
        },
        {
          name: 'glibc',
          from: '2.34-100.el9_4.4',
          to: '2.34-168.el9_6.14',
          arch: 'i686',
          classification: 'bugfix',
        },
        {
          name: 'glibc',
          from: '2.34-125.el9_5.1',
          to: '2.34-168.el9_6.14',
          arch: 'x86_64',
          classification: 'bugfix',
        },
      ],
      held: [],
    };
    expect(checkHost(state).diagnostics).toEqual([]);
  });

  it('does not expect Windows updates (new KBs) to be installed already', () => {
    const state: HostState = {
      ...web01,
      os: { family: 'windows', id: 'windows', version: '10.0.26100.2033' },
      packageManager: 'winupdate',
      installed: [
        { name: 'KB5044284', version: '2026-10' },
        { name: 'KB4052623', version: '4.18.25090.3' },
      ],
      updates: [
        {
          name: 'KB5046617',
          from: '2026-10',
          to: '2026-11',
          classification: 'security',
          advisories: ['KB5046617'],
        },
        { name: 'KB4052623', from: '4.18.25080.5', to: '4.18.25100.9', classification: 'enhancement' },
      ],
      held: [],
    };
    expect(checkHost(state).diagnostics.map((d) => d.message)).toEqual([
      'the update of KB4052623 is from 4.18.25080.5, but the installed version is 4.18.25090.3',
    ]);
  });

  it('checks lists in any order alike (files from scan are sorted, hand edits may not be)', () => {
    const state: HostState = {
      ...web01,
      installed: [
        { name: 'glibc', version: '2.34-100.el9_4.4', arch: 'i686' },
        { name: 'glibc', version: '2.34-125.el9_5.1', arch: 'x86_64' },
        { name: 'kernel', version: '5.14.0-503.23.2.el9_5', arch: 'x86_64' },
        { name: 'kernel', version: '5.14.0-503.31.1.el9_5', arch: 'x86_64' },
        { name: 'openssl', version: '3.0.15-1~deb12u1' },
      ],
      updates: [
        { name: 'curl', from: '7.88.1-10', to: '7.88.1-11', classification: 'security' },
        { name: 'glibc', from: '2.34-99', to: '2.34-168', arch: 'i686', classification: 'bugfix' },
        { name: 'glibc', from: '2.34-125.el9_5.1', to: '2.34-168', arch: 'x86_64', classification: 'bugfix' },
        { name: 'kernel', from: '5.14.0-1', to: '5.14.0-570', arch: 'x86_64', classification: 'security' },
        {
          name: 'openssl',
          from: '3.0.15-1~deb12u1',
          to: '3.0.17-1~deb12u1',
          arch: 'amd64',
          classification: 'security',
          releasedAt: '2026-11-24T00:00:00Z',
        },
      ],
      held: [],
    };
    const messages = (s: HostState) =>
      checkHost(s).diagnostics.map((d) => d.message.replace(/\[\d+\]/g, '[i]'));
    const sorted = messages(state);
    expect(sorted).toEqual([
      'the update of curl upgrades a package that is not installed',
      'the update of glibc (i686) is from 2.34-99, but the installed version is 2.34-100.el9_4.4',
      'the update of kernel (x86_64) is from 5.14.0-1, but the installed version is 5.14.0-503.23.2.el9_5, 5.14.0-503.31.1.el9_5',
      'updates[i] (openssl) was released at 2026-11-24T00:00:00Z, after the scan at 2026-11-23T09:00:00Z',
    ]);
    const reversed = messages({
      ...state,
      installed: [...state.installed].reverse(),
      updates: [...state.updates].reverse(),
    });
    const kernel = sorted[2]!.replace(
      '5.14.0-503.23.2.el9_5, 5.14.0-503.31.1.el9_5',
      '5.14.0-503.31.1.el9_5, 5.14.0-503.23.2.el9_5',
    );
    expect([...reversed].sort()).toEqual([sorted[0], sorted[1], kernel, sorted[3]].sort());
  });

  it('rejects duplicate installed and update entries', () => {
    const state: HostState = {
      ...web01,
      installed: [web01.installed[0]!, web01.installed[1]!, web01.installed[0]!],
      updates: [web01.updates[0]!, { ...web01.updates[0]!, to: '3.0.18-1~deb12u1' }],
    };
    const r = checkHost(state);
    expect(r.state).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`)).toEqual([
      'error duplicate-state-entry: installed[2] repeats installed[0] (openssl (amd64) 3.0.15-1~deb12u1)',
      'error duplicate-state-entry: updates[1] is a second update for openssl (amd64) (see updates[0])',
    ]);
  });

  it('warns about impossible times', () => {
    const state: HostState = {
      ...unreachable,
      lastReachableAt: '2026-11-24T00:00:00Z',
      updates: [{ ...web01.updates[0]!, releasedAt: '2026-11-23T10:00:00+00:00' }],
    };
    expect(checkHost(state).diagnostics.map((d) => d.message)).toEqual([
      'lastReachableAt 2026-11-24T00:00:00Z is after scannedAt 2026-11-23T09:00:00Z',
      'updates[0] (openssl) was released at 2026-11-23T10:00:00+00:00, after the scan at 2026-11-23T09:00:00Z',
    ]);
  });

  it('reads a JSON document that is not an object as an error', () => {
    expect(brief(checkHost('[]').diagnostics)).toEqual(['1:1 error invalid-state']);
  });
});

const servers: RolloutState = {
  formatVersion: 1,
  rollout: 'servers',
  planDigest: `sha256:${'ab'.repeat(32)}`,
  updatedAt: '2026-11-28T00:00:00Z',
  rings: {
    canary: {
      status: 'completed',
      startedAt: '2026-11-24T18:00:00Z',
      finishedAt: '2026-11-27T23:10:00Z',
      healthySince: '2026-11-28T00:00:00Z',
      failures: 0,
    },
    pilot: {
      status: 'halted',
      startedAt: '2026-11-27T23:30:00Z',
      failures: 3,
      haltedReason: '3 of 10 hosts failed',
    },
    broad: { status: 'pending' },
  },
};

const checkRollout = (value: unknown, file = 'state/rollouts/servers.json', known?: Map<string, string[]>) =>
  checkRolloutStateFile(file, json(value), schemas, known);

describe('rollout state files', () => {
  const known = new Map([['servers', ['canary', 'pilot', 'broad']]]);

  it('accepts a file using every field and returns it typed', () => {
    const r = checkRollout(servers, 'state/rollouts/servers.json', known);
    expect(r.diagnostics).toEqual([]);
    expect(r.state).toEqual(servers);
  });

  it('requires the file to be named after its rollout', () => {
    const r = checkRollout(servers, 'state/rollouts/server.json');
    expect(r.state).toBeUndefined();
    expect(brief(r.diagnostics)).toEqual(['3:14 error state-rollout-mismatch']);
  });

  it("names a shard's progress file after the rollout and the shard, in rollouts/shards/", () => {
    const shard = { ...servers, shard: { index: 2, count: 4 } };
    expect(checkRollout(shard, 'state/rollouts/shards/servers.2-of-4.json', known).diagnostics).toEqual([]);
    expect(brief(checkRollout(shard, 'state/rollouts/shards/servers.1-of-4.json').diagnostics)).toEqual([
      '3:14 error state-rollout-mismatch',
    ]);
    const misplaced = checkRollout(shard, 'state/rollouts/servers.json').diagnostics;
    expect(misplaced.map((d) => d.message)).toEqual([
      "one shard's progress belongs in rollouts/shards/servers.2-of-4.json, not in rollouts/",
    ]);
    const unsharded = checkRollout(servers, 'state/rollouts/shards/servers.json').diagnostics;
    expect(unsharded.map((d) => d.code)).toEqual(['state-rollout-mismatch']);
    const beyond = checkRollout(
      { ...servers, shard: { index: 5, count: 4 } },
      'state/rollouts/shards/servers.5-of-4.json',
    );
    expect(beyond.diagnostics.map((d) => d.code)).toEqual(['state-shard-index']);
  });

  it('warns about progress for a rollout or ring that is not defined', () => {
    const other = new Map([['server', ['canary']]]);
    expect(checkRollout(servers, undefined, other).diagnostics.map((d) => d.message)).toEqual([
      'rollout "servers" is not defined (did you mean "server"?); its progress is ignored',
    ]);
    const fewer = new Map([['servers', ['canary', 'broad']]]);
    const r = checkRollout(servers, undefined, fewer);
    expect(brief(r.diagnostics)).toEqual(['14:5 warning state-for-unknown-ring']);
    expect(r.state).toBeDefined();
  });

  it('rejects bad values at their node and warns about impossible times', () => {
    const bad = checkRollout({ ...servers, rings: { canary: { status: 'done', failures: -1 } } });
    expect(bad.diagnostics.map((d) => d.message)).toEqual([
      'rings.canary.status "done" must be one of pending, in-progress, completed, halted',
      'rings.canary.failures must be >= 0',
    ]);
    const times = checkRollout({
      ...servers,
      rings: {
        canary: {
          status: 'completed',
          startedAt: '2026-11-28T00:00:00Z',
          finishedAt: '2026-11-27T00:00:00Z',
        },
      },
    });
    expect(times.diagnostics.map((d) => d.message)).toEqual([
      'ring "canary" finished (2026-11-27T00:00:00Z) before it started (2026-11-28T00:00:00Z)',
    ]);
    expect(
      checkRollout({
        ...servers,
        rings: { canary: { status: 'pending', startedAt: '2026-11-27T00:00:00Z' } },
      }).diagnostics.map((d) => d.message),
    ).toEqual(['ring "canary" is pending but has a startedAt']);
  });

  it('refuses a newer format version', () => {
    expect(checkRollout({ ...servers, formatVersion: 3 }).diagnostics.map((d) => d.code)).toEqual([
      'unsupported-state-version',
    ]);
  });
});
