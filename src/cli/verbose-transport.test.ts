// `-v` shows each remote command as it runs, its exit status and duration, secrets redacted
// (issue 16).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { batchCommand } from '../drivers/linux/batch.js';
import { configureRedaction, secretForms } from '../platform/redact.js';
import type { SimFleet } from '../sim/fleet.js';
import { startSimFleet } from '../sim/fleet.js';
import { captureIo } from '../test-support/capture-io.js';
import { FakeTransport } from '../transports/fake/index.js';
import { TransportError } from '../transports/errors.js';
import { main } from './main.js';
import { verboseTransport } from './verbose-transport.js';

const SECRET = 'Kanarie-Geheim-7Tw9';

afterEach(() => configureRedaction({}));

function recorded(fake: FakeTransport): { t: ReturnType<typeof verboseTransport>; lines: string[] } {
  const lines: string[] = [];
  let now = 0;
  const t = verboseTransport(fake, {
    say: (l) => lines.push(l),
    clock: () => (now += 250),
  });
  return { t, lines };
}

describe('verboseTransport', () => {
  it('says the host, the quoted command line, then its exit status and duration', async () => {
    const fake = new FakeTransport('web-01').on(['apt-get'], { exitCode: 100, stdout: 'E: nope' });
    const { t, lines } = recorded(fake);
    const out = await t.run({ argv: ['apt-get', 'install', '-y', 'openssl=3.0.17-1'], sudo: true });
    expect(out.exitCode).toBe(100);
    expect(lines).toEqual([
      "web-01#1 $ exec sudo -n -- env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'apt-get' 'install' '-y' 'openssl=3.0.17-1'\n",
      'web-01#1 exit 100 (0.25 s)\n',
    ]);
  });

  it('shows a batch as its parts, each with its exit status', async () => {
    const fake = new FakeTransport('web-01')
      .on(['uname'], { stdout: '6.1.0\n' })
      .on(['cat'], { exitCode: 1, stderr: 'no such file' });
    const { t, lines } = recorded(fake);
    await t.run(
      batchCommand([{ argv: ['uname', '-r'] }, { argv: ['cat', '/run/reboot-required'], sudo: true }]),
    );
    expect(lines).toEqual([
      'web-01#1 $ batch of 2 (as root):\n',
      "web-01#1   [1] exec env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'uname' '-r'\n",
      "web-01#1   [2] exec env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'cat' '/run/reboot-required'\n",
      'web-01#1 exit 0; parts exit 0, 1 (0.25 s)\n',
    ]);
  });

  it('says a command that could not run, and passes the error on', async () => {
    const fake = new FakeTransport('web-01').on(['true'], {
      error: new TransportError('unreachable', 'web-01', 'connect ECONNREFUSED'),
    });
    const { t, lines } = recorded(fake);
    await expect(t.run({ argv: ['true'] })).rejects.toThrow('ECONNREFUSED');
    expect(lines[1]).toMatch(/^web-01#1 not run: .*ECONNREFUSED.* \(0\.25 s\)\n$/);
  });

  it('never shows a canary secret of a command line, and never shows output', async () => {
    configureRedaction({ HOOK_TOKEN: SECRET });
    const fake = new FakeTransport('web-01').on(['curl'], { stdout: `token=${SECRET}` });
    const { t, lines } = recorded(fake);
    await t.run({ argv: ['curl', `https://ci:${SECRET}@x.example/`], env: { HOOK_TOKEN: SECRET } });
    const text = lines.join('');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('Kanarie');
    expect(secretForms(SECRET).filter((f) => text.includes(f))).toEqual([]);
  });
});

describe('patchctl scan -v (issue 16)', () => {
  let fleet: SimFleet | undefined;
  let scratch = '';
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  it('shows every remote command of the simulated fleet on stderr, with exit and duration, no secret', async () => {
    fleet = await startSimFleet({ hosts: 2, latencyMs: 1 });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-verbose-'));
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    const io = captureIo({ cwd: dir, env: { REPO_TOKEN: SECRET } });
    expect(await main(['scan', '-C', dir, '--no-refresh', '-v'], io)).toBe(0);
    const { stdout, stderr } = io.text();
    for (const host of ['lab-01', 'lab-02']) {
      expect(stderr).toMatch(new RegExp(`^${host}#1 \\$ `, 'm'));
      expect(stderr).toMatch(
        new RegExp(`^${host}#\\d+ exit 0(; parts exit [0-9, ]+)? \\(\\d+\\.\\d\\d s\\)$`, 'm'),
      );
    }
    expect(stderr).toMatch(/'dpkg-query'/);
    expect(stdout).not.toMatch(/#\d+ (\$|exit)/);
    expect(stderr + stdout).not.toContain('Kanarie');

    const quiet = captureIo({ cwd: dir });
    expect(await main(['scan', '-C', dir, '--no-refresh', '-q', '-v'], quiet)).toBe(0);
    expect(quiet.text()).toEqual({ stdout: '', stderr: '' });
    const plain = captureIo({ cwd: dir });
    expect(await main(['scan', '-C', dir, '--no-refresh'], plain)).toBe(0);
    expect(plain.text().stderr).toBe('');
  });
});
