// The Io every command gets (safeIo, wired by main): redaction, the terminal sanitiser, CI
// workflow commands, and the refusal of secrets too short to redact (docs/security.md).
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import { configureRedaction } from '../platform/redact.js';
import { captureIo } from '../test-support/capture-io.js';
import { safeIo } from './io.js';
import { main } from './main.js';

const CANARY = 'canary-"quoted"\\-s3cr3t';

describe('safeIo', () => {
  afterEach(() => configureRedaction({}));

  it('redacts, escapes control sequences and defuses workflow commands on stdout and stderr', () => {
    configureRedaction({ API_TOKEN: CANARY });
    const raw = captureIo();
    const io = safeIo(raw, { colour: false });
    io.stdout(`token ${CANARY} json ${JSON.stringify(CANARY)}\n::add-mask::x\n`);
    io.stderr('\u001b[2J\u001b[8mhidden ##[error]fake\n');
    expect(raw.text()).toEqual({
      stdout: 'token [redacted] json "[redacted]"\n:\\u003aadd-mask::x\n',
      stderr: '\\u001b[2J\\u001b[8mhidden ##\\u005berror]fake\n',
    });
  });

  it('lets patchctl’s own colours through when colour is on, and nothing else', () => {
    const raw = captureIo({ isTTY: true });
    const c = new Chalk({ level: 1 });
    safeIo(raw, { colour: true }).stdout(`${c.green('✓')} ${c.red.bold('x')} \u001b[8mhidden\u001b[0m\n`);
    expect(raw.text().stdout).toBe(`${c.green('✓')} ${c.red.bold('x')} \\u001b[8mhidden\\u001b[0m\n`);
  });

  it('writes intended workflow commands through workflowCommand only, redacted', () => {
    configureRedaction({ API_TOKEN: CANARY });
    const raw = captureIo();
    const io = safeIo(raw, { colour: false });
    io.workflowCommand?.(`::error file=a.yaml,line=1::bad ${CANARY}\n`);
    io.stdout('::error::not ours\n');
    expect(raw.text().stdout).toBe('::error file=a.yaml,line=1::bad [redacted]\n:\\u003aerror::not ours\n');
  });

  it('redacts what the spinner draws, and leaves its cursor codes alone', () => {
    configureRedaction({ API_TOKEN: CANARY });
    let drawn = '';
    const stream = Object.assign(Object.create(process.stderr) as NodeJS.WriteStream, {
      write: (chunk: string) => {
        drawn += chunk;
        return true;
      },
    });
    const io = safeIo(captureIo({ progressStream: stream }), { colour: true });
    io.progressStream?.write(`\u001b[2K\u001b[1G⠋ ${CANARY}`);
    expect(drawn).toBe('\u001b[2K\u001b[1G⠋ [redacted]');
  });
});

describe('secrets too short to redact', () => {
  const starter = new URL('../../examples/starter/', import.meta.url);
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-short-secret-')), 'repo');
    cpSync(starter, dir, { recursive: true, dereference: true });
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  /** Every file of the repository with its size and time: what a command wrote shows here. */
  function listing(): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name);
        const st = statSync(file);
        return `${path.relative(dir, file)} ${st.size} ${st.mtimeMs}`;
      })
      .sort();
  }

  async function run(args: string[], env: Record<string, string>) {
    const io = captureIo({ cwd: dir, env });
    const code = await main([...args, '-C', dir], io);
    return { code, ...io.text() };
  }

  it.each(['plan', 'scan', 'apply', 'report', 'status'])(
    '%s refuses a secret-named variable shorter than 6 characters before anything is written',
    async (command) => {
      const before = listing();
      const r = await run(command === 'plan' ? ['plan', '--out', 'plan.json'] : [command], {
        DB_PASS: 'abc',
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^patchctl: the environment variable DB_PASS .*only 3 character.*\`${command}\` refuses to run.*PATCHCTL_NOT_SECRET=DB_PASS`,
        ),
      );
      expect(r.stderr).not.toContain('abc');
      expect(existsSync(path.join(dir, 'plan.json'))).toBe(false);
      expect(listing()).toEqual(before);
    },
  );

  it('runs once the variable is declared not secret, and validate runs anyway', async () => {
    expect((await run(['plan'], { DB_PASS: 'abc', PATCHCTL_NOT_SECRET: 'DB_PASS' })).code).toBe(0);
    expect((await run(['validate'], { DB_PASS: 'abc' })).code).toBe(0);
  });

  it('refuses a short secret that the Config names, once the repository is loaded', async () => {
    const config = path.join(dir, 'patchctl.yaml');
    const text = readFileSync(config, 'utf8');
    writeFileSync(config, text.replace('# passphraseEnv: PATCHCTL_SSH_PASSPHRASE', 'passphraseEnv: LAB_KEY'));
    const r = await run(['plan'], { LAB_KEY: 'abcd', PATCHCTL_NOT_SECRET: 'LAB_KEY' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/LAB_KEY \(named by patchctl.yaml ssh.passphraseEnv\) holds a secret of only 4/);
    // And redacts a long one, whatever its name.
    const ok = await run(['plan', '--format', 'json'], { LAB_KEY: 'ubuntu' });
    expect(ok.code).toBe(0);
  });
});
