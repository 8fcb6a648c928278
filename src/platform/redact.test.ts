import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UsageError } from '../errors.js';
import { JournalWriter } from '../engine/apply/journal.js';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-write.js';
import {
  CONFIG_ENV_NOT_SECRET,
  CONFIG_SECRET_ENV_KEYS,
  MIN_SECRET_LENGTH,
  REDACTED,
  assertRedactable,
  configSecretEnvNames,
  configureRedaction,
  isSecretName,
  redactOutput,
  redactorFor,
  refuseShortSecrets,
  registerSecretEnvNames,
  secretForms,
} from './redact.js';

/** A canary with the characters that escaping changes: quote, backslash, %, :, @, /, space. */
const CANARY = 'c4n@ry "qu0te" back\\slash 50%:/x';

describe('isSecretName', () => {
  it.each([
    'GITHUB_TOKEN',
    'CI_JOB_TOKEN',
    'DB_PASSWORD',
    'DB_PASS',
    'PGPASSWORD',
    'MYSQL_PW',
    'PATCHCTL_SSH_PASSPHRASE',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'API_KEY',
    'apiKey',
    'npm_config__authToken',
    'SSH_PRIVATE_KEY',
    'GOOGLE_CREDENTIALS',
    'CI_JOB_JWT_V2',
    'BASIC_AUTH',
    'clientSecret',
  ])('%s is a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each([
    'TOX_TESTENV_PASSENV',
    'SSH_AUTH_SOCK',
    'GIT_ASKPASS',
    'SUDO_ASKPASS',
    'PASSWORD_STORE_DIR',
    'TOKENIZERS_PARALLELISM',
    'AWS_ACCESS_KEY_ID',
    'GOOGLE_APPLICATION_CREDENTIALS_FILE',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'AUTH_METHOD',
    'SSH_KEY_PATH',
    'PWD',
    'HOME',
    'GIT_AUTHOR_NAME',
    'KEYBOARD',
    'PATCHCTL_NOT_SECRET',
  ])('%s is not a secret', (name) => expect(isSecretName(name)).toBe(false));
});

describe('redactorFor', () => {
  it('removes the values of secret-looking variables and of the named ones', () => {
    const redact = redactorFor(
      {
        DB_PASSWORD: 'hunter22-canary',
        GITHUB_TOKEN: 'ghp_abcdef123456',
        LAB_KEY_PHRASE: 'open-sesame-1',
        HOME: '/root',
        SHORT_TOKEN: 'abc',
      },
      ['LAB_KEY_PHRASE'],
    );
    expect(redact('login hunter22-canary failed; ghp_abcdef123456; open-sesame-1; /root; abc')).toBe(
      `login ${REDACTED} failed; ${REDACTED}; ${REDACTED}; /root; abc`,
    );
  });

  it('replaces a secret that contains another one whole', () => {
    const redact = redactorFor({ A_TOKEN: 'secret-1', B_TOKEN: 'secret-1-longer' });
    expect(redact('x secret-1-longer y secret-1')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('is the identity without secrets', () => {
    expect(redactorFor({ PATH: '/usr/bin' })('/usr/bin')).toBe('/usr/bin');
  });

  it('finds a secret in its escaped forms: JSON, twice JSON, percent-encoding, URL userinfo, the renderers', () => {
    const redact = redactorFor({ REPO_TOKEN: CANARY });
    const url = new URL('https://ci@repo.example/debian');
    url.password = CANARY;
    const carriers = [
      CANARY,
      JSON.stringify({ error: CANARY }),
      JSON.stringify({ line: JSON.stringify({ error: CANARY }) }),
      `E: Failed to fetch ${url.href} 401`,
      `?token=${encodeURIComponent(CANARY)}`,
      `?token=${encodeURIComponent(CANARY).toLowerCase()}`,
      new URLSearchParams({ token: CANARY }).toString(),
      ...secretForms(CANARY),
    ];
    for (const text of carriers) {
      const out = redact(`before ${text} after`);
      expect([text, out.includes(REDACTED)]).toEqual([text, true]);
      for (const form of secretForms(CANARY)) expect(out).not.toContain(form);
    }
  });

  it('takes the password of a URL held by any variable', () => {
    const redact = redactorFor({ PIP_INDEX_URL: 'https://ci:p%40ssw0rd-canary@pypi.example/simple' });
    expect(redact('fetch https://ci:p%40ssw0rd-canary@pypi.example/simple; auth p@ssw0rd-canary')).toBe(
      `fetch https://ci:${REDACTED}@pypi.example/simple; auth ${REDACTED}`,
    );
  });

  it('leaves a variable listed in PATCHCTL_NOT_SECRET alone', () => {
    const redact = redactorFor({
      BUILD_TOKEN_KIND: 'ordinary-words',
      PATCHCTL_NOT_SECRET: 'BUILD_TOKEN_KIND',
    });
    expect(redact('ordinary-words')).toBe('ordinary-words');
  });
});

describe('secrets too short to redact', () => {
  it(`refuses a secret-named variable shorter than ${MIN_SECRET_LENGTH} characters, naming it and the way out`, () => {
    const run = () => assertRedactable({ DB_PASS: 'abc', HOME: '/root' }, [], 'scan');
    expect(run).toThrow(UsageError);
    expect(run).toThrow(
      /DB_PASS .*only 3 character\(s\).*`scan` refuses to run.*PATCHCTL_NOT_SECRET=DB_PASS/,
    );
    try {
      run();
    } catch (err) {
      expect((err as UsageError).exitCode).toBe(1);
      expect((err as Error).message).not.toContain('abc');
    }
  });

  it('accepts an empty one, a long one and one listed as not secret', () => {
    expect(() => assertRedactable({ DB_PASS: '' }, [], 'plan')).not.toThrow();
    expect(() => assertRedactable({ DB_PASS: 'long-enough' }, [], 'plan')).not.toThrow();
    expect(() =>
      assertRedactable({ DB_PASS: 'abc', PATCHCTL_NOT_SECRET: 'X, DB_PASS' }, [], 'plan'),
    ).not.toThrow();
  });

  it('refuses a short secret the Config names, whatever PATCHCTL_NOT_SECRET says', () => {
    const env = { LAB_KEY: 'abcd', PATCHCTL_NOT_SECRET: 'LAB_KEY' };
    expect(() => assertRedactable(env, [{ name: 'LAB_KEY', namedBy: 'ssh.passphraseEnv' }], 'apply')).toThrow(
      /LAB_KEY \(named by patchctl.yaml ssh.passphraseEnv\) holds a secret of only 4 character/,
    );
  });
});

describe('the Config variables that hold secrets', () => {
  /** Every property of the Config schema whose name ends in Env, as `ssh.passphraseEnv`. */
  function envKeys(node: unknown, prefix: string[]): string[] {
    if (typeof node !== 'object' || node === null) return [];
    const out: string[] = [];
    const props = (node as { properties?: Record<string, unknown> }).properties ?? {};
    for (const [key, child] of Object.entries(props)) {
      if (key.endsWith('Env')) out.push([...prefix, key].join('.'));
      out.push(...envKeys(child, [...prefix, key]));
    }
    return out;
  }

  it('are decided for every *Env setting of the schema', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../schemas/config.schema.json', import.meta.url), 'utf8'),
    ) as { properties: { spec: unknown } };
    const keys = envKeys(schema.properties.spec, []);
    expect(keys.length).toBeGreaterThan(0);
    expect([...keys].sort()).toEqual([...CONFIG_SECRET_ENV_KEYS, ...CONFIG_ENV_NOT_SECRET].sort());
  });

  it('are read from the Config document', () => {
    const config = {
      doc: { spec: { ssh: { passphraseEnv: 'P' }, winrm: { passwordEnv: 'W', userEnv: 'U' } } },
    };
    expect(configSecretEnvNames({ config } as never)).toEqual([
      { name: 'P', namedBy: 'ssh.passphraseEnv' },
      { name: 'W', namedBy: 'winrm.passwordEnv' },
    ]);
  });
});

describe('the redaction layer at the output sinks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-redact-'));
    configureRedaction({ REPO_TOKEN: CANARY, LAB_KEY_WORDS: 'key-passphrase-canary' });
  });
  afterEach(() => {
    configureRedaction({});
    rmSync(dir, { recursive: true, force: true });
  });

  const leaks = (text: string): string[] =>
    [...secretForms(CANARY), 'key-passphrase-canary'].filter((f) => text.includes(f));

  it('redacts what is written, then what the repository names once registered', () => {
    expect(redactOutput(`a ${CANARY} b key-passphrase-canary`)).toBe(`a ${REDACTED} b key-passphrase-canary`);
    registerSecretEnvNames([{ name: 'LAB_KEY_WORDS', namedBy: 'ssh.passphraseEnv' }]);
    expect(redactOutput('key-passphrase-canary')).toBe(REDACTED);
  });

  it('refuses short secrets for a command, now and when the repository names one later', () => {
    configureRedaction({ SHORT_PW: 'abc' });
    expect(() => refuseShortSecrets('plan')).toThrow(/SHORT_PW/);
    configureRedaction({ LAB_KEY: 'abcd' });
    expect(() => refuseShortSecrets('plan')).not.toThrow();
    expect(() => registerSecretEnvNames([{ name: 'LAB_KEY', namedBy: 'ssh.passphraseEnv' }])).toThrow(
      /LAB_KEY/,
    );
    // A command that does not refuse (validate) only redacts what it can.
    configureRedaction({ LAB_KEY: 'abcd' });
    expect(() => registerSecretEnvNames(['LAB_KEY'])).not.toThrow();
  });

  it('covers every file written atomically, text or bytes, and every journal line', async () => {
    const state = path.join(dir, 'state', 'hosts', 'h.json');
    writeFileAtomic(state, `${JSON.stringify({ error: `E: https://ci:${encodeURIComponent(CANARY)}@x` })}\n`);
    await writeFileAtomicAsync(path.join(dir, 'plan.json'), JSON.stringify({ note: CANARY }));
    writeFileAtomic(path.join(dir, 'bytes.txt'), Buffer.from(`raw ${CANARY}`, 'utf8'));
    const journal = new JournalWriter(path.join(dir, 'runs', 'r.jsonl'));
    journal.append({
      type: 'host-finished',
      at: '2026-12-01T00:00:00Z',
      runId: 'r',
      planDigest: 'sha256:0',
      host: 'h',
      ring: 'canary',
      status: 'failed',
      actions: [],
      error: `hook said ${CANARY}`,
    });
    await journal.close();
    for (const file of [state, path.join(dir, 'plan.json'), path.join(dir, 'bytes.txt'), journal.file]) {
      const text = readFileSync(file, 'utf8');
      expect([file, leaks(text)]).toEqual([file, []]);
      expect(text).toContain(REDACTED);
    }
    // Still JSON: [redacted] needs no escaping.
    expect(JSON.parse(readFileSync(journal.file, 'utf8'))).toMatchObject({ error: `hook said ${REDACTED}` });
  });
});
