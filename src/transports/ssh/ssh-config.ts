// OpenSSH client configuration (~/.ssh/config) for the ssh transport (docs/ssh.md): each line is
// parsed by the `ssh-config` package; Include, Host patterns and "first obtained value wins" are
// evaluated here, by ssh_config(5), with the file and line of every value kept for messages.
// Match blocks and ProxyCommand are not supported: a host they may apply to is refused with the
// file and line, never connected some other way (docs/ssh.md, "Not supported").

import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

import { parse as parseSshConfigText } from 'ssh-config';
import type { Line } from 'ssh-config';

import { InputFileError, LocalIoError } from '../../errors.js';
import { readTextSafeIfExists } from '../../platform/safe-fs.js';

/** OpenSSH's READCONF_MAX_DEPTH. */
export const MAX_INCLUDE_DEPTH = 16;
/** A config file is a few KiB; this bounds what a wrong path (a log file, a dump) can cost. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** Where a value was written. */
export interface At {
  file: string;
  line: number;
}

/** A problem in an ssh config file, or a host that needs what is not supported; names file:line. */
export class SshConfigError extends Error {
  constructor(
    readonly at: At | undefined,
    readonly reason: string,
  ) {
    super(at === undefined ? reason : `${at.file}:${at.line}: ${reason}`);
    this.name = 'SshConfigError';
  }
}

export type SshConfigItem =
  | { kind: 'host'; patterns: string[]; at: At }
  | { kind: 'match'; args: string[]; at: At }
  | { kind: 'include'; files: SshConfigFile[]; at: At }
  | { kind: 'option'; keyword: string; args: string[]; at: At };

export interface SshConfigFile {
  file: string;
  items: SshConfigItem[];
}

export interface SshConfigIo {
  /** The file's text, or undefined when it does not exist. */
  readText(file: string): string | undefined;
  /** The names in a directory (empty when it does not exist). */
  listDir(dir: string): string[];
  isDirectory(path: string): boolean;
}

export const nodeSshConfigIo: SshConfigIo = {
  readText: (file) => {
    try {
      return readTextSafeIfExists(file, { maxBytes: MAX_CONFIG_BYTES, label: `ssh config ${file}` });
    } catch (error) {
      if (error instanceof InputFileError || error instanceof LocalIoError)
        throw new SshConfigError(undefined, error.message);
      throw error;
    }
  },
  listDir: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};

export interface LoadOptions {
  /** For `~` and relative Include paths (`~/.ssh`). */
  home: string;
  io?: SshConfigIo;
}

/** Reads `file` and what it includes; undefined when `file` itself does not exist. */
export function loadSshConfig(file: string, options: LoadOptions): SshConfigFile | undefined {
  const io = options.io ?? nodeSshConfigIo;
  const text = io.readText(file);
  if (text === undefined) return undefined;
  return parseFile(file, text, { home: options.home, io }, [resolve(file)]);
}

/** Parses config text (Include paths are read through `options.io`). */
export function parseSshConfig(file: string, text: string, options: LoadOptions): SshConfigFile {
  return parseFile(file, text, { home: options.home, io: options.io ?? nodeSshConfigIo }, [resolve(file)]);
}

function parseFile(
  file: string,
  text: string,
  options: Required<LoadOptions>,
  stack: readonly string[],
): SshConfigFile {
  const items: SshConfigItem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const at: At = { file, line: index + 1 };
    const parsed = parseLine(raw, at);
    if (parsed === undefined) return;
    const { keyword, args } = parsed;
    if (keyword === 'host') {
      if (args.length === 0) throw new SshConfigError(at, 'Host needs at least one pattern');
      items.push({ kind: 'host', patterns: args, at });
    } else if (keyword === 'match') {
      items.push({ kind: 'match', args, at });
    } else if (keyword === 'include') {
      if (args.length === 0) throw new SshConfigError(at, 'Include needs a file name');
      if (stack.length > MAX_INCLUDE_DEPTH) {
        throw new SshConfigError(at, `Include nested more than ${MAX_INCLUDE_DEPTH} levels deep`);
      }
      const files: SshConfigFile[] = [];
      for (const pattern of args) {
        for (const path of expandIncludePath(pattern, options)) {
          const real = resolve(path);
          if (stack.includes(real)) {
            throw new SshConfigError(at, `Include of ${path} is a cycle (${[...stack, real].join(' -> ')})`);
          }
          let included: string | undefined;
          try {
            included = options.io.readText(path);
          } catch (error) {
            if (error instanceof SshConfigError) throw new SshConfigError(at, error.reason);
            throw error;
          }
          if (included !== undefined) files.push(parseFile(path, included, options, [...stack, real]));
        }
      }
      items.push({ kind: 'include', files, at });
    } else {
      if (args.length === 0) throw new SshConfigError(at, `${keyword} has no value`);
      items.push({ kind: 'option', keyword, args, at });
    }
  });
  return { file, items };
}

/** One line through the `ssh-config` parser: its lower-cased keyword and arguments, if any. */
function parseLine(raw: string, at: At): { keyword: string; args: string[] } | undefined {
  if (raw.trim() === '' || raw.trim().startsWith('#')) return undefined;
  let nodes: Line[];
  try {
    nodes = [...parseSshConfigText(raw)];
  } catch (error) {
    throw new SshConfigError(
      at,
      `cannot parse this line: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const node = nodes.find((n) => 'param' in n && n.param !== '');
  if (node === undefined || !('param' in node)) return undefined;
  const value = node.value;
  const args = typeof value === 'string' ? (value === '' ? [] : [value]) : value.map((v) => v.val);
  return { keyword: node.param.toLowerCase(), args };
}

/** `~`, then relative to ~/.ssh (ssh_config(5), Include), then glob(3) over the path. */
function expandIncludePath(pattern: string, options: Required<LoadOptions>): string[] {
  let path = pattern;
  if (path === '~') path = options.home;
  else if (path.startsWith('~/')) path = join(options.home, path.slice(2));
  if (!isAbsolute(path)) path = join(options.home, '.ssh', path);
  if (!/[*?[]/.test(path)) return [path];
  const parts = path.split(sep).filter((p) => p !== '');
  let found: string[] = [sep];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const re = globRegExp(part, false);
      const names = options.io
        .listDir(base)
        .filter((n) => re.test(n) && !(n.startsWith('.') && !part.startsWith('.')))
        .sort();
      for (const name of names) {
        const full = join(base, name);
        if (last || options.io.isDirectory(full)) next.push(full);
      }
    }
    found = next;
  }
  return found;
}

// ------------------------------------------------------------------------------- patterns

/** A shell glob (`*`, `?`, `[...]`) as a whole-string RegExp. */
function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[\\^$.|+(){}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's');
}

/** An ssh_config(5) pattern: `*` any run of characters, `?` exactly one; case-insensitive. */
export function sshPatternMatch(pattern: string, text: string): boolean {
  let re = '';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.|+(){}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is').test(text);
}

/** A pattern list: false when a negated pattern matches, else whether a plain one does. */
export function sshPatternListMatch(patterns: readonly string[], text: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (sshPatternMatch(p.slice(1), text)) return false;
    } else if (sshPatternMatch(p, text)) matched = true;
  }
  return matched;
}

// ------------------------------------------------------------------------------- evaluation

export interface Obtained {
  value: string;
  at: At;
}

/** What the config says about one host, before tokens are expanded. */
export interface SshConfigHost {
  /** The name looked up (as in `ssh ALIAS`). */
  alias: string;
  hostName?: Obtained;
  user?: Obtained;
  port?: Obtained;
  /** Every IdentityFile that applies, in order. */
  identityFiles: Obtained[];
  /** ProxyJump or ProxyCommand, whichever came first (they exclude each other, as in OpenSSH). */
  proxy?: { kind: 'jump' | 'command' } & Obtained;
}

export interface LookupOptions {
  /** The remote user as known before the config (inventory), for `Match user`. */
  user?: string | undefined;
  localUser: string;
}

/** The values that apply to `alias`, first obtained first (ssh_config(5)). */
export function lookupSshConfig(config: SshConfigFile, alias: string, options: LookupOptions): SshConfigHost {
  const host: SshConfigHost = { alias, identityFiles: [] };
  const original = alias.toLowerCase();
  const walk = (file: SshConfigFile, startActive: boolean): void => {
    let active = startActive;
    for (const item of file.items) {
      switch (item.kind) {
        case 'host':
          active = startActive && sshPatternListMatch(item.patterns, original);
          break;
        case 'match':
          active = false;
          if (startActive && !matchCannotApply(item.args, host, original, options)) {
            throw new SshConfigError(
              item.at,
              `Match blocks are not supported, and this one may apply to ${alias}; use Host blocks, ` +
                `or point patchctl at another file (ssh.configFile or the inventory's sshConfig)`,
            );
          }
          break;
        case 'include':
          if (active) for (const f of item.files) walk(f, true);
          break;
        case 'option':
          if (active) obtain(host, item.keyword, item.args, item.at);
          break;
      }
    }
  };
  walk(config, true);
  return host;
}

function obtain(host: SshConfigHost, keyword: string, args: string[], at: At): void {
  const value = args.join(' ');
  switch (keyword) {
    case 'hostname':
      host.hostName ??= { value, at };
      break;
    case 'user':
      host.user ??= { value, at };
      break;
    case 'port':
      if (host.port === undefined) {
        if (!/^[0-9]{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
          throw new SshConfigError(at, `Port ${JSON.stringify(value)} is not a port number`);
        }
        host.port = { value, at };
      }
      break;
    case 'identityfile':
      host.identityFiles.push({ value, at });
      break;
    case 'proxyjump':
      host.proxy ??= { kind: 'jump', value, at };
      break;
    case 'proxycommand':
      host.proxy ??= { kind: 'command', value, at };
      break;
    default:
      // Other options (ciphers, forwarding, StrictHostKeyChecking...) do not apply: patchctl has
      // its own host key policy (docs/security.md) and uses none of ssh's other features.
      break;
  }
}

const ARGUMENT_FREE = new Set(['all', 'canonical', 'final']);
const EVALUATED = new Set(['host', 'originalhost', 'user', 'localuser']);

/**
 * Whether a Match line certainly does not apply: one of its criteria that can be judged without
 * running anything (host, originalhost, user, localuser) is false. `exec` is never run.
 */
function matchCannotApply(
  args: string[],
  host: SshConfigHost,
  original: string,
  options: LookupOptions,
): boolean {
  for (let i = 0; i < args.length; i++) {
    const keyword = (args[i] as string).toLowerCase();
    if (ARGUMENT_FREE.has(keyword)) continue;
    const value = args[i + 1];
    i += 1;
    if (value === undefined || !EVALUATED.has(keyword)) continue;
    const patterns = value.split(',');
    const subject =
      keyword === 'host'
        ? (host.hostName?.value.replace(/%h/g, original) ?? original)
        : keyword === 'originalhost'
          ? original
          : keyword === 'user'
            ? (options.user ?? host.user?.value ?? options.localUser)
            : options.localUser;
    if (!sshPatternListMatch(patterns, subject.toLowerCase())) return true;
  }
  return false;
}

// ------------------------------------------------------------------------------- tokens

/** Expands `%x` tokens from `tokens`; any other token is an error naming `at` and `what`. */
export function expandTokens(
  text: string,
  tokens: Readonly<Record<string, string>>,
  at: At,
  what: string,
): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const t = text[i + 1];
    i += 1;
    if (t === '%') out += '%';
    else if (t !== undefined && Object.hasOwn(tokens, t)) out += tokens[t];
    else {
      const known = ['%%', ...Object.keys(tokens).map((k) => `%${k}`)].join(' ');
      throw new SshConfigError(
        at,
        t === undefined
          ? `${what} ends with a lone %`
          : `%${t} is not supported in ${what} (supported: ${known})`,
      );
    }
  }
  return out;
}

/** `~` and `~/x` in `home`. */
export function expandTilde(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}
