// scan over scripted transports replaying outputs captured on the lab hosts (drivers/apt/__fixtures__).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { HostState } from '../core/state/types.js';
import { apt } from '../drivers/apt/index.js';
import { TransportError } from '../transports/errors.js';
import { FakeTransport } from '../transports/fake/index.js';
import type { RemoteCommand } from '../transports/types.js';
import { check, doc } from '../test-support/repo-builder.js';
import { scanFleet } from './scan.js';
import { serialiseHostState } from './state-file.js';
import { writeFileAtomic } from './atomic-write.js';

const fixtures = new URL('../drivers/apt/__fixtures__/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const same = (built: RemoteCommand) => (cmd: RemoteCommand) => cmd.argv.join('\0') === built.argv.join('\0');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-scan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const repo = () =>
  check({
    'inventory/i.yaml': doc(
      'Inventory',
      'i',
      'hosts:\n  - name: web-1\n  - name: web-2\n  - name: win-1\n    transport: winrm',
    ),
  }).repository;

function aptHost(host: string): FakeTransport {
  return new FakeTransport(host)
    .on(same(apt.facts()), { stdout: fixture('lab-facts.stdout') })
    .on(same(apt.refresh()), { stdout: fixture('lab-refresh-ok.stdout') })
    .on(same(apt.listInstalled()), { stdout: fixture('host-installed.stdout') })
    .on(same(apt.listUpdates()), { stdout: fixture('lab-updates.stdout') });
}

const stateOf = (host: string) =>
  JSON.parse(readFileSync(path.join(dir, 'state', 'hosts', `${host}.json`), 'utf8')) as HostState;

describe('scanFleet', () => {
  let clock = DateTime.fromISO('2026-12-01T09:00:00.123Z', { setZone: true });
  const now = () => clock;

  it('writes a state file per host from what the package manager reports, atomically and sorted', async () => {
    const calls: string[] = [];
    const results = await scanFleet(dir, repo(), {
      concurrency: 2,
      now,
      connect: (h) => {
        calls.push(h.name);
        return aptHost(h.name);
      },
    });
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['web-1', 'scanned'],
      ['web-2', 'scanned'],
      ['win-1', 'skipped'],
    ]);
    expect(calls.sort()).toEqual(['web-1', 'web-2']);
    const s = stateOf('web-1');
    expect(s).toMatchObject({
      formatVersion: 1,
      host: 'web-1',
      reachable: true,
      packageManager: 'apt',
      scannedAt: '2026-12-01T09:00:00Z',
    });
    expect(s.updates.length).toBeGreaterThan(0);
    expect(s.updates.every((u) => u.releasedAt === '2026-12-01T09:00:00Z')).toBe(true);
    const text = readFileSync(path.join(dir, 'state', 'hosts', 'web-1.json'), 'utf8');
    expect(text).toBe(serialiseHostState(s));
    expect(readFileSync(path.join(dir, 'state', 'hosts', 'web-1.json'), 'utf8').endsWith('}\n')).toBe(true);
    expect(existsSync(path.join(dir, 'state', 'hosts', 'win-1.json'))).toBe(false);
  });

  it('keeps first-seen dates, and on failure keeps the last good data marked unreachable', async () => {
    await scanFleet(dir, repo(), { hosts: ['web-1'], concurrency: 1, now, connect: (h) => aptHost(h.name) });
    const first = stateOf('web-1');
    clock = clock.plus({ days: 2 });
    await scanFleet(dir, repo(), { hosts: ['web-1'], concurrency: 1, now, connect: (h) => aptHost(h.name) });
    expect(stateOf('web-1').updates.map((u) => u.releasedAt)).toEqual(first.updates.map((u) => u.releasedAt));
    clock = clock.plus({ days: 1 });
    const down = new FakeTransport('web-1').on(/.*/, {
      error: new TransportError('unreachable', 'web-1', 'connect ETIMEDOUT 192.0.2.1:22'),
    });
    const [r] = await scanFleet(dir, repo(), { hosts: ['web-1'], concurrency: 1, now, connect: () => down });
    expect(r).toMatchObject({
      host: 'web-1',
      status: 'unreachable',
      message: 'web-1: connect ETIMEDOUT 192.0.2.1:22',
    });
    const s = stateOf('web-1');
    expect(s).toMatchObject({
      reachable: false,
      error: 'web-1: connect ETIMEDOUT 192.0.2.1:22',
      lastReachableAt: '2026-12-03T09:00:00Z',
    });
    expect(s.installed).toEqual(first.installed);
    expect(s.updates).toEqual(stateOf('web-1').updates);
  });

  it('reports a host-key mismatch and a host it has no driver for, and writes a first state for a host never reached', async () => {
    const mismatch = new FakeTransport('web-1').on(/.*/, {
      error: new TransportError('host-key-mismatch', 'web-1', 'the host key of web-1 changed'),
    });
    const fedora = new FakeTransport('web-2').on(/.*/, {
      stdout: fixture('lab-facts.stdout')
        .replace(/ID=debian/g, 'ID=fedora')
        .replace(/ID_LIKE=.*/g, ''),
    });
    const results = await scanFleet(dir, repo(), {
      hosts: ['web-1', 'web-2'],
      concurrency: 2,
      now,
      connect: (h) => (h.name === 'web-1' ? mismatch : fedora),
    });
    expect(results.map((r) => r.status)).toEqual(['host-key-mismatch', 'failed']);
    expect(results[1]?.message).toMatch(/no package-manager driver/);
    expect(stateOf('web-1')).toMatchObject({ reachable: false, installed: [], updates: [], held: [] });
  });

  it('scans at most `concurrency` hosts at once', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `h-${i}`);
    const many = check({
      'inventory/i.yaml': doc('Inventory', 'i', `hosts:\n${names.map((n) => `  - name: ${n}`).join('\n')}`),
    }).repository;
    let inFlight = 0;
    let peak = 0;
    await scanFleet(dir, many, {
      concurrency: 2,
      now,
      observer: {
        hostStarted: () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
        },
        hostFinished: () => {
          inFlight--;
        },
      },
      connect: (h) =>
        aptHost(h.name).on(same(apt.facts()), { stdout: fixture('lab-facts.stdout'), delayMs: 20 }),
    });
    expect(peak).toBe(2);
  });

  it('writes a state file only through an atomic rename', () => {
    const file = path.join(dir, 'x.json');
    writeFileAtomic(file, 'a');
    expect(readFileSync(file, 'utf8')).toBe('a');
  });
});
