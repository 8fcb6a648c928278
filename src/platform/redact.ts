// Secrets live in the environment (docs/security.md, "Secrets") and must never reach an output, a journal, a
// state file or a report. One redaction layer sits at the output sinks, so nothing can bypass it:
// every terminal write (the CLI wraps its Io, src/cli/io.ts), every file patchctl writes
// (atomic-write.ts), every journal line (apply/journal.ts) and the CI job summary. See
// docs/security.md ("Secrets").
//
// - Which values: those of environment variables whose names look secret (isSecretName: the
//   name is cut into words at `_`, `-` and camelCase humps, so TOX_TESTENV_PASSENV and
//   SSH_AUTH_SOCK are not secrets and PGPASSWORD, npm_config__authToken are), the passwords in
//   URLs held by any variable (`https://ci:TOKEN@host`), and the variables the repository's
//   Config names (ssh.passphraseEnv, winrm.passwordEnv), registered once the repository is
//   loaded. PATCHCTL_NOT_SECRET=NAME,... lists variables that only look secret.
// - Which forms: the raw value and the forms the value takes once escaped on its way out (JSON
//   strings, percent-encoding and URL userinfo, the terminal, Markdown, CSV, XML and workflow-
//   command escapes of src/core/text), each also inside a JSON string.
// - How short: a value shorter than MIN_SECRET_LENGTH cannot be removed without mangling
//   ordinary text, so a command that prints or writes host text refuses to run with one
//   (refuseShortSecrets) rather than leave it unredacted.
import type { Repository } from '../core/model/repository.js';
import { configSpec } from '../core/model/repository.js';
import { escapeControls, escapeControlsJsonSafe, oneLine } from '../core/text/control-chars.js';
import { markdownText, xmlAttr, xmlText } from '../core/text/report-cells.js';
import { terminalLine, terminalText } from '../core/text/terminal-text.js';
import {
  defuseWorkflowCommands,
  escapeWorkflowData,
  escapeWorkflowProperty,
} from '../core/text/workflow-commands.js';
import { UsageError } from '../errors.js';

/** Shorter values would redact ordinary words: refused instead (refuseShortSecrets). */
export const MIN_SECRET_LENGTH = 6;
export const REDACTED = '[redacted]';
/** Lists (comma-separated) variables whose names look secret but whose values are not. */
export const NOT_SECRET_VARIABLE = 'PATCHCTL_NOT_SECRET';

export type Redactor = (text: string) => string;

// ---- which variables are secrets ----------------------------------------------------------------

/** A word of the name that ends with one of these makes it secret: PGPASSWORD, GITHUBTOKEN. */
const SECRET_SUFFIXES = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'ACCESSKEY',
  'PRIVATEKEY',
  'CREDENTIAL',
] as const;
/** Words that make a name secret only as a whole word (PASS, not PASSENV or ASKPASS). */
const SECRET_WORDS = new Set(['PASS', 'PW', 'AUTH', 'CREDS', 'JWT', 'PSK']);
/** KEY is a secret after one of these: API_KEY, PRIVATE_KEY (not KEY_ID or SSH_KEY_PATH). */
const KEY_QUALIFIERS = new Set([
  'API',
  'ACCESS',
  'PRIVATE',
  'SECRET',
  'SIGNING',
  'ENCRYPTION',
  'MASTER',
  'CLIENT',
  'DEPLOY',
  'SSH',
  'LICENSE',
  'SESSION',
  'HMAC',
]);
/** A name ending with one of these holds where or what a secret is, not the secret itself. */
const DESCRIPTOR_WORDS = new Set([
  'FILE',
  'FILES',
  'PATH',
  'DIR',
  'DIRS',
  'SOCK',
  'SOCKET',
  'URL',
  'URI',
  'ENDPOINT',
  'HOST',
  'PORT',
  'USER',
  'USERNAME',
  'NAME',
  'ID',
  'TYPE',
  'METHOD',
  'MODE',
  'ENV',
  'VAR',
  'CMD',
  'COMMAND',
  'PROGRAM',
  'HELPER',
  'LENGTH',
  'SIZE',
  'TIMEOUT',
  'TTL',
  'ENABLED',
  'DISABLED',
  'REQUIRED',
]);

/** `npm_config__authToken` → NPM CONFIG AUTH TOKEN. */
export function nameWords(name: string): string[] {
  return name
    .split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)
    .filter((w) => w !== '')
    .map((w) => w.toUpperCase());
}

/** Whether an environment variable's name says its value is a secret. */
export function isSecretName(name: string): boolean {
  if (name === NOT_SECRET_VARIABLE) return false;
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined || DESCRIPTOR_WORDS.has(last)) return false;
  return words.some((w, i) => {
    const plain = w.length > 1 && w.endsWith('S') ? w.slice(0, -1) : w;
    if (SECRET_SUFFIXES.some((s) => w.endsWith(s) || plain.endsWith(s))) return true;
    if (SECRET_WORDS.has(w)) return true;
    return w === 'KEY' && i > 0 && KEY_QUALIFIERS.has(words[i - 1] ?? '');
  });
}

/** The variables PATCHCTL_NOT_SECRET lists. */
function notSecretNames(env: Readonly<Record<string, string | undefined>>): Set<string> {
  return new Set(
    (env[NOT_SECRET_VARIABLE] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
  );
}

/** A variable the repository names as holding a secret, and the Config key that names it. */
export interface SecretEnvName {
  name: string;
  /** e.g. `ssh.passphraseEnv`, for the refusal message. */
  namedBy?: string;
}

/**
 * The Config keys that name secret-holding variables. Every property of the Config schema
 * whose name ends in `Env` is listed here or in CONFIG_ENV_NOT_SECRET (redact.test.ts checks).
 */
export const CONFIG_SECRET_ENV_KEYS = ['ssh.passphraseEnv', 'winrm.passwordEnv'] as const;
/** winrm.userEnv holds a user name: it appears in logs and prompts, it is no credential. */
export const CONFIG_ENV_NOT_SECRET = ['winrm.userEnv'] as const;

/** The variables the repository's Config names as holding secrets. */
export function configSecretEnvNames(repo: Pick<Repository, 'config'>): SecretEnvName[] {
  const spec = configSpec(repo);
  const out: SecretEnvName[] = [];
  if (spec.ssh?.passphraseEnv) out.push({ name: spec.ssh.passphraseEnv, namedBy: 'ssh.passphraseEnv' });
  if (spec.winrm?.passwordEnv) out.push({ name: spec.winrm.passwordEnv, namedBy: 'winrm.passwordEnv' });
  // Webhook URLs carry their token in the path or query (docs/notifications.md).
  for (const w of spec.notifications?.webhooks ?? [])
    if (w.urlEnv) out.push({ name: w.urlEnv, namedBy: `notifications.webhooks[${w.name}].urlEnv` });
  return out;
}

interface SecretValue {
  name: string;
  value: string;
  namedBy?: string;
}

/** Values of secret-named and named variables, and the passwords of URLs in any variable. */
function secretValues(
  env: Readonly<Record<string, string | undefined>>,
  named: readonly SecretEnvName[],
): { secrets: SecretValue[]; urlPasswords: string[] } {
  const notSecret = notSecretNames(env);
  const byName = new Map(named.map((n) => [n.name, n]));
  const secrets: SecretValue[] = [];
  const urlPasswords: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const n = byName.get(name);
    if (n) secrets.push({ name, value, ...(n.namedBy !== undefined ? { namedBy: n.namedBy } : {}) });
    else if (!notSecret.has(name) && isSecretName(name)) secrets.push({ name, value });
    urlPasswords.push(...passwordsInUrls(value));
  }
  return { secrets, urlPasswords };
}

/** `scheme://user:PASSWORD@host`: the password as written and decoded. */
function passwordsInUrls(value: string): string[] {
  if (!value.includes('://')) return [];
  const out: string[] = [];
  for (const m of value.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#@\s:]*:([^/?#@\s]+)@/g)) {
    const written = m[1] ?? '';
    out.push(written);
    try {
      out.push(decodeURIComponent(written));
    } catch {
      // not valid percent-encoding: the written form is all there is
    }
  }
  return out;
}

// ---- which forms of a secret are removed ----------------------------------------------------------

/** What a JSON string holds between its quotes. */
function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Same, with every non-ASCII character as \uXXXX (Python's json.dumps, many loggers). */
function asciiJsonInner(s: string): string {
  return jsonInner(s).replace(
    /[^\u0020-\u007e]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The userinfo of a URL as WHATWG URL writes it (`https://user:PASSWORD@host`). */
function userinfoForm(s: string): string {
  try {
    const u = new URL('http://host/');
    u.password = s;
    return u.password;
  } catch {
    return s;
  }
}

function formEncoded(s: string): string {
  return new URLSearchParams({ v: s }).toString().slice(2);
}

/** The raw value and every form patchctl's own escapes or common encodings give it. */
export function secretForms(secret: string): string[] {
  const percent = [encodeURIComponent(secret), encodeURI(secret), userinfoForm(secret), formEncoded(secret)];
  const base = [
    secret,
    escapeControls(secret),
    oneLine(secret),
    terminalText(secret),
    terminalLine(secret),
    escapeControlsJsonSafe(secret),
    defuseWorkflowCommands(escapeControlsJsonSafe(secret)), // what safeIo writes
    markdownText(secret),
    secret.replace(/"/g, '""'), // inside a quoted CSV field
    xmlText(secret),
    xmlAttr(secret),
    escapeWorkflowData(secret),
    escapeWorkflowProperty(secret),
    ...percent,
    ...percent.map((p) => p.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())),
  ];
  const forms = new Set<string>();
  for (const b of base) {
    forms.add(b);
    forms.add(jsonInner(b));
    forms.add(jsonInner(jsonInner(b)));
    forms.add(asciiJsonInner(b));
  }
  return [...forms];
}

function buildRedactor(secrets: readonly string[]): Redactor {
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(secretForms))]
    .filter((f) => f.length >= MIN_SECRET_LENGTH)
    // Longest first, so that a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
    return out;
  };
}

/**
 * A redactor for the values of secret-looking variables of `env`, plus the variables the
 * repository names explicitly (e.g. Config `ssh.passphraseEnv`), whatever their names. Values
 * shorter than MIN_SECRET_LENGTH are left alone here: refuseShortSecrets decides about them.
 */
export function redactorFor(
  env: Readonly<Record<string, string | undefined>>,
  alsoNames: readonly (string | SecretEnvName | undefined)[] = [],
): Redactor {
  const { secrets, urlPasswords } = secretValues(env, toNames(alsoNames));
  return buildRedactor([...secrets.map((s) => s.value), ...urlPasswords]);
}

function toNames(list: readonly (string | SecretEnvName | undefined)[]): SecretEnvName[] {
  return list.flatMap((n) => (n === undefined ? [] : [typeof n === 'string' ? { name: n } : n]));
}

/** Throws (exit 1) when a secret of `env` is too short to be redacted; names the variable. */
export function assertRedactable(
  env: Readonly<Record<string, string | undefined>>,
  named: readonly (string | SecretEnvName | undefined)[],
  command: string,
): void {
  const { secrets } = secretValues(env, toNames(named));
  const short = secrets
    .filter((s) => s.value.length < MIN_SECRET_LENGTH)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const first = short[0];
  if (!first) return;
  const why = first.namedBy
    ? `the environment variable ${first.name} (named by patchctl.yaml ${first.namedBy}) holds a secret of ` +
      `only ${first.value.length} character(s)`
    : `the environment variable ${first.name} looks like a secret (by its name) and its value has ` +
      `only ${first.value.length} character(s)`;
  const others =
    short.length > 1
      ? ` (also: ${short
          .slice(1)
          .map((s) => s.name)
          .join(', ')})`
      : '';
  const wayOut = first.namedBy
    ? 'Use a longer secret.'
    : `Use a longer secret or unset the variable; if it is not a secret, list it in ` +
      `${NOT_SECRET_VARIABLE} (comma-separated), e.g. ${NOT_SECRET_VARIABLE}=${short
        .filter((s) => !s.namedBy)
        .map((s) => s.name)
        .join(',')}.`;
  throw new UsageError(
    `${why}${others}: patchctl removes secrets of at least ${MIN_SECRET_LENGTH} characters from everything ` +
      `it prints and writes and cannot remove a shorter one without mangling ordinary text, so ` +
      `\`${command}\` refuses to run. ${wayOut} (docs/security.md)`,
  );
}

// ---- the process-wide layer the output sinks use -------------------------------------------------

interface Registry {
  env: Readonly<Record<string, string | undefined>>;
  named: SecretEnvName[];
  /** The command that refuses short secrets, once refuseShortSecrets was called. */
  refusing?: string;
  redact: Redactor;
}

let registry: Registry | undefined;

function active(): Registry {
  registry ??= { env: process.env, named: [], redact: redactorFor(process.env) };
  return registry;
}

/**
 * Starts the redaction layer over `env` (the CLI calls this first, with its Io's environment;
 * without it, the process environment is used). Forgets names registered before.
 */
export function configureRedaction(env: Readonly<Record<string, string | undefined>>): void {
  registry = { env, named: [], redact: redactorFor(env) };
}

/**
 * For a command that prints or writes host text: refuses now (UsageError, exit 1) a secret
 * too short to redact, and refuses later ones as registerSecretEnvNames learns them.
 */
export function refuseShortSecrets(command: string): void {
  const r = active();
  r.refusing = command;
  assertRedactable(r.env, r.named, command);
}

/**
 * Adds variables the repository names as holding secrets (loadRepository calls this with
 * configSecretEnvNames). Throws when one is too short and the command refuses short secrets.
 */
export function registerSecretEnvNames(names: readonly (string | SecretEnvName | undefined)[]): void {
  const r = active();
  const added = toNames(names).filter((n) => !r.named.some((m) => m.name === n.name));
  if (added.length === 0) return;
  if (r.refusing !== undefined) assertRedactable(r.env, added, r.refusing);
  r.named.push(...added);
  r.redact = redactorFor(r.env, r.named);
}

/** Text on its way out (a terminal, a file, a journal line), secrets replaced by [redacted]. */
export function redactOutput(text: string): string {
  return active().redact(text);
}

/** Same, for data that may be bytes: UTF-8 text is redacted, other bytes pass unchanged. */
export function redactOutputData(data: string | Uint8Array): string | Uint8Array {
  if (typeof data === 'string') return redactOutput(data);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return data;
  }
  const redacted = redactOutput(text);
  return redacted === text ? data : Buffer.from(redacted, 'utf8');
}
