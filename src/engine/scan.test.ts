// scan over scripted transports replaying outputs captured on the lab hosts (drivers/apt/__fixtures__).
// scan probes with the shared Linux facts script (drivers/linux); the stubs answer it with apt's
// lab capture of FACTS_SCRIPT, which starts with the same sections (the parser reads only those).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { HostState } from '../core/state/types.js';
import { escapeControls, hasControlChars } from '../core/text/control-chars.js';
import { apt } from '../drivers/apt/index.js';
import { linuxFactsCommand } from '../drivers/linux/index.js';
import { TransportError } from '../transports/errors.js';
import { FakeTransport } from '../transports/fake/index.js';
import type { RemoteCommand } from '../transports/types.js';
import { check, doc } from '../test-support/repo-builder.js';
import { LocalIoError } from '../errors.js';
import { configureRedaction } from '../platform/redact.js';
import { InvalidHostDataError, rescanHost, scanFleet } from './scan.js';
import { serialiseHostState } from './state-file.js';
import { writeFileAtomic, writeFileAtomicAsync } from '../platform/atomic-write.js';
import { loadObservedState } from './load-state.js';

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
    .on(same(linuxFactsCommand()), { stdout: fixture('lab-facts.stdout') })
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
      ['win-1', 'unsupported'],
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
    // Source packages are kept where they differ: Debian advisories name them (docs/vulnerabilities.md).
    expect(s.installed.find((p) => p.name === 'bsdutils')).toEqual({
      name: 'bsdutils',
      version: '1:2.38.1-5+deb12u3',
      arch: 'amd64',
      source: 'util-linux',
      sourceVersion: '2.38.1-5+deb12u3',
    });
    const text = readFileSync(path.join(dir, 'state', 'hosts', 'web-1.json'), 'utf8');
    expect(text).toBe(serialiseHostState(s));
    expect(readFileSync(path.join(dir, 'state', 'hosts', 'web-1.json'), 'utf8').endsWith('}\n')).toBe(true);
    // Not contacted (no winrm transport yet), but recorded as such (issue 13), never "never scanned".
    expect(stateOf('win-1')).toEqual({
      formatVersion: 1,
      host: 'win-1',
      scannedAt: '2026-12-01T09:00:00Z',
      reachable: false,
      error: 'transport winrm is not supported by this version',
      errorKind: 'unsupported',
      installed: [],
      updates: [],
      held: [],
    });
  });

  it('records a host whose transport it cannot drive as unsupported, keeping its last data and the OS hint', async () => {
    const windows = check({
      'inventory/i.yaml': doc(
        'Inventory',
        'i',
        'hosts:\n  - name: win-1\n    transport: winrm\n    os: windows',
      ),
    }).repository;
    const last = {
      formatVersion: 1 as const,
      host: 'win-1',
      scannedAt: '2026-11-01T09:00:00Z',
      reachable: true,
      os: { family: 'windows', id: 'windows', version: '10.0.26100' },
      installed: [{ name: 'KB1', version: '1' }],
      updates: [],
      held: [],
    };
    mkdirSync(path.join(dir, 'state', 'hosts'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'hosts', 'win-1.json'), serialiseHostState(last));
    const connected: string[] = [];
    const [r] = await scanFleet(dir, windows, {
      concurrency: 1,
      now,
      connect: (h) => {
        connected.push(h.name);
        return aptHost(h.name);
      },
    });
    expect(connected).toEqual([]);
    expect(r).toEqual({
      host: 'win-1',
      status: 'unsupported',
      message: 'transport winrm is not supported by this version (the inventory says os: windows)',
      file: 'state/hosts/win-1.json',
    });
    expect(stateOf('win-1')).toEqual({
      ...last,
      scannedAt: '2026-12-01T09:00:00Z',
      reachable: false,
      error: 'transport winrm is not supported by this version (the inventory says os: windows)',
      errorKind: 'unsupported',
      lastReachableAt: '2026-11-01T09:00:00Z',
    });
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
        .replace(/ID=debian/g, 'ID=haiku')
        .replace(/ID_LIKE=.*/g, ''),
    });
    const results = await scanFleet(dir, repo(), {
      hosts: ['web-1', 'web-2'],
      concurrency: 2,
      now,
      connect: (h) => (h.name === 'web-1' ? mismatch : fedora),
    });
    expect(results.map((r) => r.status)).toEqual(['host-key-mismatch', 'unsupported']);
    expect(results[1]?.message).toMatch(/no package-manager driver/);
    expect(stateOf('web-1')).toMatchObject({
      reachable: false,
      errorKind: 'host-key-mismatch',
      error: 'web-1: the host key of web-1 changed',
      installed: [],
      updates: [],
      held: [],
    });
    // What was seen of the host without a driver is recorded with the reason.
    expect(stateOf('web-2')).toMatchObject({
      reachable: false,
      errorKind: 'unsupported',
      error: expect.stringMatching(
        /^web-2 runs haiku 12 \(haiku family\): patchctl has no package-manager driver/,
      ),
      os: { family: 'haiku', id: 'haiku', version: '12', kernel: '6.18.44-fc-v595' },
    });
  });

  it('probes with the shared Linux facts, then reads the chosen driver in one batch: three round trips with the refresh', async () => {
    const hosts = new Map<string, FakeTransport>();
    await scanFleet(dir, repo(), {
      hosts: ['web-1'],
      concurrency: 1,
      now,
      connect: (h) => {
        const t = aptHost(h.name);
        hosts.set(h.name, t);
        return t;
      },
    });
    const t = hosts.get('web-1');
    const calls = t?.calls ?? [];
    // Before issue 14: apt's facts, refresh, installed, updates (4 round trips). Now the neutral
    // probe picks the driver (apt's facts are not sent for that), the refresh runs alone, and the
    // driver's facts, installed and updates share one batch (docs/architecture.md, "Round trips").
    expect(t?.roundTrips).toBe(3);
    expect(calls[0]?.argv).toEqual(linuxFactsCommand().argv);
    expect(calls[0]?.inBatch).toBeUndefined();
    expect(same(apt.refresh())(calls[1] as RemoteCommand)).toBe(true);
    const batched = calls.filter((c) => c.inBatch === 2);
    expect(batched.map((c) => c.argv)).toEqual([
      apt.facts().argv,
      apt.listInstalled().argv,
      apt.listUpdates().argv,
    ]);
    expect(stateOf('web-1')).toMatchObject({ packageManager: 'apt', os: { id: 'debian' } });
  });

  it('a host without a driver costs one command: the Linux facts probe', async () => {
    const fedora = new FakeTransport('web-2').on(same(linuxFactsCommand()), {
      stdout: fixture('lab-facts.stdout')
        .replace(/ID=debian/g, 'ID=haiku')
        .replace(/ID_LIKE=.*/g, ''),
    });
    const results = await scanFleet(dir, repo(), {
      hosts: ['web-2'],
      concurrency: 1,
      now,
      connect: () => fedora,
    });
    expect(results.map((r) => r.status)).toEqual(['unsupported']);
    expect(fedora.calls).toHaveLength(1);
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
        aptHost(h.name).on(same(linuxFactsCommand()), { stdout: fixture('lab-facts.stdout'), delayMs: 20 }),
    });
    expect(peak).toBe(2);
  });

  it('writes a state file only through an atomic rename', () => {
    const file = path.join(dir, 'x.json');
    writeFileAtomic(file, 'a');
    expect(readFileSync(file, 'utf8')).toBe('a');
  });
});

// ------------------------------------------------------------------ issue 12

const factsWith = (osRelease: string) =>
  fixture('lab-facts.stdout').replace(/(@@patchctl:os-release@@\n)[^@]*/, `$1${osRelease}\n`);

/** An apt host whose replies are the captures, with some replaced (what a broken or hostile host sends). */
function hostileHost(host: string, replies: { facts?: string; updates?: string } = {}): FakeTransport {
  return new FakeTransport(host)
    .on(same(linuxFactsCommand()), { stdout: replies.facts ?? fixture('lab-facts.stdout') })
    .on(same(apt.facts()), { stdout: replies.facts ?? fixture('lab-facts.stdout') })
    .on(same(apt.refresh()), { stdout: fixture('lab-refresh-ok.stdout') })
    .on(same(apt.listInstalled()), { stdout: fixture('host-installed.stdout') })
    .on(same(apt.listUpdates()), { stdout: replies.updates ?? fixture('lab-updates.stdout') });
}

const inventoryOf = (...names: string[]) =>
  check({
    'inventory/i.yaml': doc('Inventory', 'i', `hosts:\n${names.map((n) => `  - name: ${n}`).join('\n')}`),
  }).repository;

const errorsLoading = (repository: ReturnType<typeof inventoryOf>) =>
  loadObservedState(dir, repository).diagnostics.filter((d) => d.severity === 'error');

const stateText = (host: string) => readFileSync(path.join(dir, 'state', 'hosts', `${host}.json`), 'utf8');
const at = () => DateTime.fromISO('2026-12-01T09:00:00Z', { setZone: true });

describe('one host can break the whole fleet (issue 12)', () => {
  const fleet = () => inventoryOf('ansi', 'good', 'kernel', 'sid');
  const hostile: Record<string, { facts?: string; updates?: string }> = {
    // Debian testing before base-files 12.3: neither VERSION_ID nor VERSION_CODENAME.
    sid: { facts: factsWith(fixture('os-release.debian-bookworm-sid.txt')) },
    // One word for the parser, 300 characters for the state (at most 128).
    kernel: { facts: fixture('lab-facts.stdout').replace('6.18.44-fc-v595', `6.18.44-${'x'.repeat(292)}`) },
    // ANSI codes in a held package's name (apt-mark showhold prints what dpkg has).
    ansi: {
      updates: fixture('lab-updates.stdout').replace(
        /(@@patchctl:held@@\n)fleet-held/,
        '$1fleet-held\u001b[2J\u001b[1;1H',
      ),
    },
  };

  it('stores what the state schema accepts, marks the rest invalid-host-data, and the repository stays valid', async () => {
    const repository = fleet();
    await scanFleet(dir, repository, { concurrency: 4, now: at, connect: (h) => aptHost(h.name) });
    const before = stateOf('kernel');
    const results = await scanFleet(dir, repository, {
      concurrency: 4,
      now: () => at().plus({ hours: 1 }),
      connect: (h) => hostileHost(h.name, hostile[h.name]),
    });
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['ansi', 'invalid-host-data'],
      ['good', 'scanned'],
      ['kernel', 'invalid-host-data'],
      ['sid', 'scanned'],
    ]);
    // Which field, what value: escaped and cut short.
    const kernel = results[2]?.message ?? '';
    expect(kernel).toMatch(
      /^kernel: the host reported data patchctl refuses to store: os\.kernel "6\.18\.44-x+…" \(300 characters\) must be/,
    );
    expect(kernel.length).toBeLessThan(400);
    const ansi = results[0]?.message ?? '';
    expect(ansi).toContain('held[0] "fleet-held\\u001b[2J\\u001b[1;1H" must be');
    expect(hasControlChars(ansi)).toBe(false);
    // Every file written reads back: plan, apply, report and status go on for every host.
    expect(errorsLoading(repository)).toEqual([]);
    expect(loadObservedState(dir, repository).state.hosts.size).toBe(4);
    expect(stateOf('sid').os).toMatchObject({ id: 'debian', version: 'bookworm' });
    // The invalid host keeps its last good data, marked with the reason.
    expect(stateOf('kernel')).toEqual({
      ...before,
      scannedAt: '2026-12-01T10:00:00Z',
      reachable: false,
      error: kernel,
      errorKind: 'invalid-host-data',
      lastReachableAt: '2026-12-01T09:00:00Z',
    });
    expect(escapeControls(stateText('ansi'))).toBe(stateText('ansi'));
  });

  it('writes a minimal valid record for a host whose first scan is invalid', async () => {
    const repository = fleet();
    const [r] = await scanFleet(dir, repository, {
      hosts: ['kernel'],
      concurrency: 1,
      now: at,
      connect: (h) => hostileHost(h.name, hostile[h.name]),
    });
    expect(r).toMatchObject({ status: 'invalid-host-data', file: 'state/hosts/kernel.json' });
    expect(stateOf('kernel')).toEqual({
      formatVersion: 1,
      host: 'kernel',
      scannedAt: '2026-12-01T09:00:00Z',
      reachable: false,
      error: r?.message,
      errorKind: 'invalid-host-data',
      installed: [],
      updates: [],
      held: [],
    });
    expect(errorsLoading(repository)).toEqual([]);
  });

  it('rescanHost (apply, after patching) stores the last good data marked invalid and throws InvalidHostDataError', async () => {
    const repository = fleet();
    await scanFleet(dir, repository, {
      hosts: ['kernel'],
      concurrency: 1,
      now: at,
      connect: (h) => aptHost(h.name),
    });
    const before = stateOf('kernel');
    const thrown = await rescanHost(
      dir,
      'state',
      'kernel',
      hostileHost('kernel', hostile.kernel),
      at().plus({ hours: 2 }),
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(InvalidHostDataError);
    expect(thrown).toMatchObject({
      host: 'kernel',
      file: 'state/hosts/kernel.json',
      reason: expect.stringMatching(/^the host reported data patchctl refuses to store: os\.kernel/),
    });
    expect(stateOf('kernel')).toMatchObject({
      installed: before.installed,
      reachable: false,
      errorKind: 'invalid-host-data',
      lastReachableAt: '2026-12-01T09:00:00Z',
    });
    expect(errorsLoading(repository)).toEqual([]);
    // Valid data is stored as before.
    await expect(rescanHost(dir, 'state', 'sid', hostileHost('sid', hostile.sid), at())).resolves.toBe(
      'state/hosts/sid.json',
    );
  });
});

describe('what a host says is stored as one bounded, escaped line (issue 12)', () => {
  it('escapes control characters, caps the length and redacts secrets of a transport error', async () => {
    const repository = inventoryOf('web-1');
    const noisy = new FakeTransport('web-1').on(/.*/, {
      error: new TransportError(
        'unreachable',
        'web-1',
        `connect failed\u001b[2J\u001b[1;1H token=s3cr3t-t0ken-value\n::add-mask::x ${'A'.repeat(10_000)}`,
      ),
    });
    const [r] = await scanFleet(dir, repository, {
      concurrency: 1,
      now: at,
      connect: () => noisy,
      redact: (t) => t.split('s3cr3t-t0ken-value').join('[redacted]'),
    });
    const { error, errorKind } = stateOf('web-1');
    expect(errorKind).toBe('unreachable');
    expect(error).toBe(r?.message);
    expect(error?.length).toBeLessThanOrEqual(1024);
    expect(error).toMatch(
      /^web-1: connect failed\\x1b\[2J\\x1b\[1;1H token=\[redacted\]\\n::add-mask::x A+…$/,
    );
    expect(hasControlChars(error ?? '')).toBe(false);
    expect(stateText('web-1')).not.toContain('s3cr3t');
    expect(errorsLoading(repository)).toEqual([]);
  });

  it('checks what the redaction layer leaves, so a secret in host data never reaches state/', async () => {
    configureRedaction({ CI_TOKEN: 'fleet-tok3n-9f8e7d' });
    try {
      const repository = inventoryOf('web-1', 'web-2');
      const leaky = new FakeTransport('web-1').on(/.*/, {
        error: new TransportError(
          'unreachable',
          'web-1',
          'GET https://ci:fleet-tok3n-9f8e7d@repo.example/ failed',
        ),
      });
      // A held "package" named like the secret: redacted, it is no package name any more.
      const held = hostileHost('web-2', {
        updates: fixture('lab-updates.stdout').replace(
          /(@@patchctl:held@@\n)fleet-held/,
          '$1fleet-tok3n-9f8e7d',
        ),
      });
      const results = await scanFleet(dir, repository, {
        concurrency: 2,
        now: at,
        connect: (h) => (h.name === 'web-1' ? leaky : held),
      });
      expect(results.map((r) => r.status)).toEqual(['unreachable', 'invalid-host-data']);
      expect(results[0]?.message).toBe('web-1: GET https://ci:[redacted]@repo.example/ failed');
      expect(results[1]?.message).toContain('held[0] "[redacted]" must be');
      for (const host of ['web-1', 'web-2']) expect(stateText(host)).not.toContain('fleet-tok3n-9f8e7d');
      expect(errorsLoading(repository)).toEqual([]);
    } finally {
      configureRedaction(process.env);
    }
  });
});

describe('local I/O errors are not the host’s (issue 12)', () => {
  const enospc = (file: string) =>
    LocalIoError.from(
      Object.assign(new Error(`ENOSPC: no space left on device, write`), {
        code: 'ENOSPC',
        syscall: 'write',
      }),
      'write',
      file,
    );

  it('a full state/ leaves the host’s state as it was, is reported as local, and no new host starts', async () => {
    const repository = inventoryOf('a', 'b', 'c');
    await scanFleet(dir, repository, { concurrency: 1, now: at, connect: (h) => aptHost(h.name) });
    const before = { b: stateText('b'), c: stateText('c') };
    const connected: string[] = [];
    const results = await scanFleet(dir, repository, {
      concurrency: 1,
      now: () => at().plus({ days: 1 }),
      connect: (h) => {
        connected.push(h.name);
        return aptHost(h.name);
      },
      writeFile: async (file, text) => {
        if (file.endsWith(`${path.sep}b.json`)) throw enospc(file);
        await writeFileAtomicAsync(file, text);
      },
    });
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['a', 'scanned'],
      ['b', 'local-error'],
      ['c', 'not-started'],
    ]);
    const bFile = path.join(dir, 'state', 'hosts', 'b.json');
    expect(results[1]).toEqual({
      host: 'b',
      status: 'local-error',
      message: `cannot write ${bFile}: no space left on the device (ENOSPC)`,
    });
    expect(results[2]?.message).toContain('the scan stopped after a local error (cannot write');
    expect(connected).toEqual(['a', 'b']);
    // Never written over: b is not marked unreachable, c was not touched.
    expect(stateText('b')).toBe(before.b);
    expect(stateText('c')).toBe(before.c);
    expect(stateOf('b').reachable).toBe(true);
  });

  it('a host whose scan failed is not marked either when its state cannot be written', async () => {
    const repository = inventoryOf('a');
    await scanFleet(dir, repository, { concurrency: 1, now: at, connect: (h) => aptHost(h.name) });
    const before = stateText('a');
    const down = new FakeTransport('a').on(/.*/, {
      error: new TransportError('unreachable', 'a', 'connect ETIMEDOUT 192.0.2.1:22'),
    });
    const [r] = await scanFleet(dir, repository, {
      concurrency: 1,
      now: at,
      connect: () => down,
      writeFile: (file) => Promise.reject(enospc(file)),
    });
    expect(r?.status).toBe('local-error');
    expect(stateText('a')).toBe(before);
  });

  it('a state/hosts that is a file (ENOTDIR) stops the scan before any host is contacted', async () => {
    const repository = inventoryOf('a', 'b');
    mkdirSync(path.join(dir, 'state'));
    writeFileSync(path.join(dir, 'state', 'hosts'), 'not a folder\n');
    const connected: string[] = [];
    const results = await scanFleet(dir, repository, {
      concurrency: 1,
      now: at,
      connect: (h) => {
        connected.push(h.name);
        return aptHost(h.name);
      },
    });
    expect(results.map((r) => r.status)).toEqual(['local-error', 'not-started']);
    expect(results[0]?.message).toBe(
      'cannot read state/hosts/a.json: a part of the path is not a directory (ENOTDIR)',
    );
    expect(connected).toEqual([]);
    expect(readFileSync(path.join(dir, 'state', 'hosts'), 'utf8')).toBe('not a folder\n');
  });

  it('reads the previous state safely: a FIFO or a link to /dev/zero is refused, not read, for that host only', async () => {
    const repository = inventoryOf('fifo', 'ok', 'zero');
    const hostsDir = path.join(dir, 'state', 'hosts');
    mkdirSync(hostsDir, { recursive: true });
    execFileSync('mkfifo', [path.join(hostsDir, 'fifo.json')]);
    symlinkSync('/dev/zero', path.join(hostsDir, 'zero.json'));
    const results = await scanFleet(dir, repository, {
      concurrency: 1,
      now: at,
      connect: (h) => aptHost(h.name),
    });
    expect(results.map((r) => [r.host, r.status])).toEqual([
      ['fifo', 'local-error'],
      ['ok', 'scanned'],
      ['zero', 'local-error'],
    ]);
    expect(results[0]?.message).toBe('state/hosts/fifo.json is a named pipe (FIFO), not a regular file');
    expect(results[2]?.message).toMatch(/^state\/hosts\/zero\.json leads out of .* \(to \/dev\/zero\)/);
    expect(lstatSync(path.join(hostsDir, 'fifo.json')).isFIFO()).toBe(true);
    expect(lstatSync(path.join(hostsDir, 'zero.json')).isSymbolicLink()).toBe(true);
  });
});
