// Private keys and ssh-agent for the ssh transport. Passphrases are read from the environment
// variable the Config names (never from the repository), used once to decrypt, and never kept,
// logged or put in an error message.

import type { ParsedKey } from 'ssh2';
import ssh2 from 'ssh2';

import { readFileSafe } from '../../platform/safe-fs.js';
import { InputFileError, LocalIoError } from '../../errors.js';

/** A private key file is a few KiB; an RSA key of 16384 bits with comments stays far below this. */
const MAX_IDENTITY_BYTES = 1024 * 1024;

export type Environment = Readonly<Record<string, string | undefined>>;

export interface CredentialOptions {
  /** Path of a private key on the controller (absolute, or relative to the working directory). */
  identityFile?: string | undefined;
  /** The name of the environment variable that holds the key's passphrase. */
  passphraseEnv?: string | undefined;
  /**
   * More keys, tried after `identityFile`, in order (docs/ssh.md). An `optional` one (from the ssh
   * config) that does not exist, or is encrypted without a passphrase, is skipped, as ssh does.
   */
  moreIdentityFiles?: readonly IdentityFileOption[] | undefined;
  /** Offer the keys of the ssh-agent at SSH_AUTH_SOCK. Default: when no required key is set. */
  useAgent?: boolean | undefined;
}

export interface IdentityFileOption {
  file: string;
  optional: boolean;
}

export interface Credentials {
  /** Tried first, in order. */
  privateKeys: ParsedKey[];
  /** The agent socket. */
  agent?: string;
  /** What is tried, for messages: `key ~/.ssh/id_ed25519, ssh-agent`. */
  description: string;
}

/** Why credentials could not be loaded; the transport turns it into an auth-failed error. */
export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/**
 * Loads credentials once per (identityFile, passphraseEnv, useAgent) and shares them: one
 * keyring per run spares decrypting a key once per host.
 */
export class SshKeyring {
  private readonly cache = new Map<string, Promise<Credentials>>();

  constructor(private readonly env: Environment = process.env) {}

  load(options: CredentialOptions): Promise<Credentials> {
    const cacheKey = JSON.stringify([
      options.identityFile,
      options.moreIdentityFiles ?? [],
      options.passphraseEnv,
      options.useAgent,
    ]);
    let loaded = this.cache.get(cacheKey);
    if (loaded === undefined) {
      loaded = loadCredentials(options, this.env);
      this.cache.set(cacheKey, loaded);
    }
    return loaded;
  }
}

export async function loadCredentials(options: CredentialOptions, env: Environment): Promise<Credentials> {
  const described: string[] = [];
  const credentials: Credentials = { privateKeys: [], description: '' };
  const { identityFile, passphraseEnv } = options;
  if (identityFile !== undefined) {
    credentials.privateKeys.push(await loadPrivateKey(identityFile, passphraseEnv, env));
    described.push(`key ${identityFile}`);
  }
  const skipped: string[] = [];
  const tried = new Set(identityFile === undefined ? [] : [identityFile]);
  for (const { file, optional } of options.moreIdentityFiles ?? []) {
    if (tried.has(file)) continue;
    tried.add(file);
    try {
      credentials.privateKeys.push(await loadPrivateKey(file, passphraseEnv, env));
      described.push(`key ${file}`);
    } catch (error) {
      if (!(error instanceof CredentialsError) || !optional) throw error;
      skipped.push(error.message);
    }
  }
  const required = identityFile !== undefined || (options.moreIdentityFiles ?? []).some((f) => !f.optional);
  const useAgent = options.useAgent ?? !required;
  if (useAgent) {
    const socket = env.SSH_AUTH_SOCK;
    if (socket !== undefined && socket !== '') {
      credentials.agent = socket;
      described.push('ssh-agent');
    } else if (credentials.privateKeys.length === 0) {
      throw new CredentialsError(
        'ssh.useAgent is set, but SSH_AUTH_SOCK is not: start an ssh-agent or set ssh.identityFile',
      );
    }
  }
  if (described.length === 0) {
    throw new CredentialsError(
      'no way to authenticate: set ssh.identityFile, or ssh.useAgent with a running ssh-agent' +
        (skipped.length > 0 ? ` (skipped from the ssh config: ${skipped.join('; ')})` : ''),
    );
  }
  credentials.description = described.join(', ');
  return credentials;
}

async function loadPrivateKey(
  file: string,
  passphraseEnv: string | undefined,
  env: Environment,
): Promise<ParsedKey> {
  let data: Buffer;
  try {
    // A regular file (a link to one is fine: ~/.ssh is often managed that way), of a key's size:
    // a FIFO would block the run for ever, a link to /dev/zero eat the memory.
    data = readFileSafe(file, { maxBytes: MAX_IDENTITY_BYTES, label: `identity file ${file}` });
  } catch (error) {
    if (error instanceof LocalIoError)
      throw new CredentialsError(`cannot read identity file ${file} (${error.errno ?? 'error'})`);
    if (error instanceof InputFileError) throw new CredentialsError(error.message);
    throw error;
  }
  const passphrase = passphraseEnv === undefined ? undefined : env[passphraseEnv];
  const parsed = ssh2.utils.parseKey(data, passphrase === '' ? undefined : passphrase);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message)) {
      throw new CredentialsError(
        passphraseEnv === undefined
          ? `identity file ${file} is encrypted: name the environment variable that holds its passphrase in ssh.passphraseEnv`
          : `identity file ${file} is encrypted, and the environment variable ${passphraseEnv} (ssh.passphraseEnv) is not set`,
      );
    }
    if (/passphrase|decrypt|integrity/i.test(parsed.message)) {
      throw new CredentialsError(
        `cannot decrypt identity file ${file} with the passphrase from ${passphraseEnv ?? 'the environment'}: wrong passphrase?`,
      );
    }
    throw new CredentialsError(`cannot read identity file ${file}: not a private key ssh2 understands`);
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || !key.isPrivateKey()) {
    throw new CredentialsError(`identity file ${file} holds no private key`);
  }
  return key;
}
