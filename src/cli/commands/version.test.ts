import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { captureIo } from '../../test-support/capture-io.js';
import { main, VERSION } from '../main.js';

describe('patchctl version', () => {
  it('prints the version, the commit of this checkout, Node.js and the platform', async () => {
    const io = captureIo();
    expect(await main(['version'], io)).toBe(0);
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const lines = io.text().stdout.split('\n');
    expect(lines[0]).toBe(`patchctl ${VERSION}`);
    expect(lines[1]).toMatch(new RegExp(`^commit: {3}${head}(-dirty)?$`));
    expect(lines).toContain(`node:     ${process.version}`);
    expect(lines).toContain(`platform: ${process.platform} ${process.arch}`);
  });

  it('--format json', async () => {
    const io = captureIo();
    expect(await main(['version', '--format', 'json'], io)).toBe(0);
    const facts = JSON.parse(io.text().stdout) as Record<string, string>;
    expect(facts).toMatchObject({ version: VERSION, node: process.version, platform: process.platform });
    expect(facts.commit).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
  });

  it('--version still prints the version alone', async () => {
    const io = captureIo();
    await main(['--version'], io);
    expect(io.text().stdout).toBe(`${VERSION}\n`);
  });
});
