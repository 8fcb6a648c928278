// What a host prints is redacted as it arrives (redactingTransport), not only at the outputs: a
// secret the host printed already escaped twice (a JSON log line holding JSON) is quoted once more
// in patchctl's message and once more in the state file, deeper than the output layer looks for.
// Found by test/fuzz/hostile-hosts.test.ts.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';

import { configureRedaction, secretForms } from '../platform/redact.js';
import type { SimFleet } from '../sim/fleet.js';
import { startSimFleet } from '../sim/fleet.js';
import { captureIo } from '../test-support/capture-io.js';
import type { CommandResult, Transport } from '../transports/types.js';
import { main } from './main.js';
import { redactingTransport } from './ssh-connector.js';
import { batchCommand, batchOutput, unbatch } from '../drivers/linux/index.js';

const SECRET = 'Fz"Kanarie\\Geheim%2F@:q7Tw';
const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);
/** The secret as a JSON string inside a JSON string. */
const TWICE = jsonInner(jsonInner(SECRET));

let fleet: SimFleet | undefined;
let scratch = '';

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  scratch = '';
  configureRedaction(process.env);
});

describe('sshConnector', () => {
  it('redacts a secret a host prints escaped twice: scan prints and stores it redacted', async () => {
    fleet = await startSimFleet({
      hosts: 1,
      seed: 12,
      // The host's package list gives a version that holds the secret, JSON-escaped twice.
      tamper: (_host, command, reply) =>
        command.includes("'dpkg-query'")
          ? {
              ...reply,
              stdout: reply.stdout.replace(/^(fleet-tools\tall\t)[^\t]*/m, (_m, p: string) => p + TWICE),
            }
          : reply,
    });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-connector-'));
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    const io = captureIo({ cwd: dir, env: { REPO_TOKEN: SECRET } });
    expect(await main(['scan', '-C', dir], io)).toBe(1); // the version is not one
    const state = readdirSync(path.join(dir, 'state/hosts')).map((f) =>
      readFileSync(path.join(dir, 'state/hosts', f), 'utf8'),
    );
    for (const text of [io.text().stdout, io.text().stderr, ...state]) {
      expect(text).not.toContain('Kanarie');
      expect(secretForms(SECRET).filter((f) => text.includes(f))).toEqual([]);
    }
    expect(io.text().stdout).toContain('has no valid version ("[redacted]")');
  });

  it('redactingTransport redacts the output of run and of a hold that was refused', async () => {
    configureRedaction({ REPO_TOKEN: SECRET });
    const said: CommandResult = {
      exitCode: 75,
      stdout: `busy\nowner ${TWICE}\n`,
      stderr: `E: https://ci:${encodeURIComponent(SECRET)}@x/\n`,
      durationMs: 1,
    };
    const inner: Transport = {
      id: 'fake',
      host: 'h',
      run: () => Promise.resolve(said),
      hold: () => Promise.resolve({ held: false, result: said }),
      close: () => Promise.resolve(),
    };
    const t = redactingTransport(inner);
    const expected = { ...said, stdout: 'busy\nowner [redacted]\n', stderr: 'E: https://ci:[redacted]@x/\n' };
    expect(await t.run({ argv: ['x'] })).toEqual(expected);
    expect(await t.hold?.({ argv: ['x'] }, { ready: 'locked' })).toEqual({ held: false, result: expected });
    expect([t.id, t.host]).toEqual(['fake', 'h']);
  });

  it('redactingTransport redacts each command of a batch, whose output arrives base64-encoded', async () => {
    configureRedaction({ REPO_TOKEN: SECRET });
    const cmd = batchCommand([{ argv: ['a'] }, { argv: ['b'] }]);
    const parts = [
      { exitCode: 0, stdout: `owner ${TWICE}\n`, stderr: '', durationMs: 1 },
      { exitCode: 3, stdout: '', stderr: `E: https://ci:${encodeURIComponent(SECRET)}@x/\n`, durationMs: 1 },
    ];
    const answering = (stdout: string): Transport => ({
      id: 'fake',
      host: 'h',
      run: () => Promise.resolve({ exitCode: 0, stdout, stderr: '', durationMs: 1 }),
      close: () => Promise.resolve(),
    });
    const out = await redactingTransport(answering(batchOutput(parts))).run(cmd);
    expect(unbatch(out, 2).map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual([
      [0, 'owner [redacted]\n', ''],
      [3, '', 'E: https://ci:[redacted]@x/\n'],
    ]);
    // Output that is not a readable batch is not passed on: its encoded text could hide a secret.
    const broken = batchOutput(parts).replace('@@patchctl:end@@', '');
    expect((await redactingTransport(answering(broken)).run(cmd)).stdout).toBe('');
  });
});

describe('hostConnector', () => {
  it('builds each host transport through the registry, and never one for an unregistered transport', async () => {
    const { check, doc } = await import('../test-support/repo-builder.js');
    const { hostConnector } = await import('./ssh-connector.js');
    const repository = check({
      'inventory/i.yaml': doc(
        'Inventory',
        'i',
        'hosts:\n  - { name: web-1, address: 192.0.2.10 }\n  - { name: win-1, transport: winrm, os: windows }',
      ),
    }).repository;
    const connect = await hostConnector(
      '/nonexistent-patchctl-repo',
      repository,
      {},
      { acceptNewHostKeys: false },
    );
    const [web, win] = repository.hosts;
    if (!web || !win) throw new Error('hosts');
    const t = connect(web);
    expect([t.id, t.host]).toEqual(['ssh', 'web-1']);
    await t.close();
    expect(() => connect(win)).toThrow('win-1: transport winrm has no registered plug-in');
  });
});
