import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { captureIo } from '../../test-support/capture-io.js';
import { MINIMAL_CONFIG, doc, hosts } from '../../test-support/repo-builder.js';
import { main } from '../main.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-validate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

const good = {
  'patchctl.yaml': MINIMAL_CONFIG,
  'inventory/a.yaml': hosts('web-1'),
  'groups/web.yaml': doc('Group', 'web', 'hosts: [web-1]'),
};

describe('patchctl validate', () => {
  it('exits 0 on a valid repository and says so', async () => {
    write(good);
    const io = captureIo();
    expect(await main(['validate', '-C', dir], io)).toBe(0);
    expect(io.text().stdout).toBe('valid: 1 host\n');
  });

  it('exits 3 with every diagnostic, each at file:line:col', async () => {
    write({ ...good, 'groups/web.yaml': doc('Group', 'web', 'hosts: [web-1]\nexclude: [nobody]\nfoo: 1') });
    const io = captureIo();
    expect(await main(['validate', '-C', dir], io)).toBe(3);
    const lines = io.text().stdout.trim().split('\n');
    expect(lines).toEqual([
      'groups/web.yaml:8:3 error unknown-field: unknown field "foo" in spec; known fields: selector, hosts, groups, exclude, excludeGroups',
      'invalid: 1 error, 0 warnings',
    ]);
  });

  it('says what it read with --verbose, and only errors with --quiet', async () => {
    write({
      ...good,
      'policies/p.yaml': doc('PatchPolicy', 'p', 'appliesTo:\n  selector:\n    matchLabels: { role: x }'),
    });
    const io = captureIo();
    expect(await main(['validate', '-C', dir, '--verbose'], io)).toBe(0);
    expect(io.text().stdout.split('\n')[0]).toBe(
      'read 1 hosts, 1 groups, 0 rollouts, 0 windows, 0 blackouts, 1 policies, 0 exceptions; judged at 2026-12-01T00:00:00.000Z',
    );
    const quiet = captureIo();
    expect(await main(['validate', '-C', dir, '--quiet'], quiet)).toBe(0);
    expect(quiet.text().stdout).toBe('');
  });

  it('passes warnings unless --strict', async () => {
    write({
      ...good,
      'policies/p.yaml': doc(
        'PatchPolicy',
        'p',
        'appliesTo:\n  selector:\n    matchLabels: { role: nothing }',
      ),
    });
    expect(await main(['validate', '-C', dir], captureIo())).toBe(0);
    expect(await main(['validate', '-C', dir, '--strict'], captureIo())).toBe(3);
  });

  it('prints a JSON list with --format json', async () => {
    write({ ...good, 'groups/web.yaml': doc('Group', 'web', 'hosts: [web-9]') });
    const io = captureIo();
    expect(await main(['validate', '-C', dir, '--format', 'json'], io)).toBe(3);
    expect(JSON.parse(io.text().stdout)).toEqual([
      {
        file: 'groups/web.yaml',
        line: 6,
        col: 11,
        severity: 'error',
        code: 'unknown-host',
        message: 'host "web-9" is not defined (did you mean "web-1"?)',
      },
    ]);
  });

  it('prints GitHub annotations relative to the working directory', async () => {
    write({ ...good, 'groups/web.yaml': doc('Group', 'web', 'hosts: [web-9]') });
    const io = captureIo({ cwd: path.dirname(dir) });
    expect(await main(['validate', '-C', path.basename(dir), '--format', 'github'], io)).toBe(3);
    expect(io.text().stdout).toBe(
      `::error file=${path.basename(dir)}/groups/web.yaml,line=6,col=11,title=patchctl unknown-host::host "web-9" is not defined (did you mean "web-1"?)\n`,
    );
  });

  it('judges exceptions at --at', async () => {
    write({
      ...good,
      'exceptions/e.yaml': doc(
        'PatchException',
        'e',
        'hosts: [web-1]\npackages: [openssl]\nreason: vendor says so, see ticket\nowner: ops\ncreated: "2026-11-20"\nexpires: "2027-01-31"',
      ),
    });
    expect(await main(['validate', '-C', dir, '--at', '2026-12-01T00:00:00Z'], captureIo())).toBe(0);
    const io = captureIo();
    expect(await main(['validate', '-C', dir, '--at', '2027-02-01T00:00:00Z'], io)).toBe(3);
    expect(io.text().stdout).toContain('exceptions/e.yaml:11:12 error exception-expired');
  });

  it('refuses a malformed --at and an unknown format without a stack trace', async () => {
    write(good);
    const io = captureIo();
    expect(await main(['validate', '-C', dir, '--at', 'soon'], io)).toBe(1);
    expect(io.text().stderr).toBe(
      'patchctl: --at "soon" is not an ISO 8601 time (e.g. 2026-12-01T00:00:00Z)\n',
    );
    const io2 = captureIo();
    expect(await main(['validate', '-C', dir, '--format', 'xml'], io2)).toBe(1);
    expect(io2.text().stderr).toMatch(/argument 'xml' is invalid/);
    expect(io2.text().stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing repository and a missing patchctl.yaml as invalid configuration', async () => {
    const io = captureIo();
    expect(await main(['validate', '-C', path.join(dir, 'nope')], io)).toBe(3);
    expect(io.text().stdout).toMatch(/repository-not-found/);
    const io2 = captureIo();
    expect(await main(['validate', '-C', dir], io2)).toBe(3);
    expect(io2.text().stdout).toMatch(/^patchctl.yaml:1:1 error missing-config/);
  });
});
