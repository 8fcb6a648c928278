// What every simulated Linux host shares, whatever its package manager (docs/architecture.md,
// "Two fleets"; the shared Linux module of docs/adding-a-driver.md, "Registries"): the sudo check,
// batches (drivers/linux/batch.ts), the neutral Linux facts, reboot and the remote per-host lock
// with its reservation (drivers/linux/remote-lock.ts). A subclass answers its driver's own
// commands in answerDriver. Commands are recognised by rebuilding them with the drivers' own
// builders and comparing the whole command line: anything else exits 127. Pure: no sockets, no
// timers; the fleet (fleet.ts) carries out the effects.
import { batchOutput, batchParts, linuxFactsCommand, linuxOs } from '../drivers/linux/index.js';
import {
  REMOTE_LOCK_DIR,
  REMOTE_RESERVATION_DIR,
  remoteLockCommand,
  remoteReserveCommand,
} from '../drivers/linux/remote-lock.js';
import type { ParsedLine } from '../transports/command-line.js';
import { parseCommandLine } from '../transports/command-line.js';
import { commandLine } from '../transports/quote.js';
import type { RemoteCommand } from '../transports/types.js';
import type {
  ReplyRewrite,
  SimFamily,
  SimLockHolder,
  SimReply,
  SimReservation,
  SimulatedHost,
} from './simulated-host.js';

export interface LinuxHostOptions {
  hostname: string;
  /** Seeds boot ids (and whatever else the host draws). */
  seed?: number;
  kernel?: string;
  diskFreeKb?: number;
  sudoAllowed?: boolean;
  now?: () => Date;
}

/** The kernel of the lab captures (lab hosts share the machine's kernel). */
export const DEFAULT_KERNEL = '6.18.44-fc-v595';

/** A command line the host answers, with whether it runs as root (sudo, or in a root batch). */
export interface SimCommand {
  line: string;
  parsed: ParsedLine;
  root: boolean;
  /** Whether `line` is exactly what the transport sends for `cmd` (with or without sudo). */
  is(cmd: RemoteCommand | undefined): boolean;
}

export abstract class SimLinuxHost implements SimulatedHost {
  abstract readonly family: SimFamily;
  abstract readonly osId: string;
  readonly hostname: string;
  kernel: string;
  bootId: string;
  bootCount = 0;
  rebootRequired = false;
  diskFreeKb: number;
  sudoAllowed: boolean;
  remoteLockOwner: string | undefined;
  reservation: SimReservation | undefined;
  readonly commands: string[] = [];
  protected readonly random: () => number;
  protected readonly now: () => Date;
  /** Which hold of the remote lock is the current one (a release of an older one is a no-op). */
  private lockHold = 0;

  constructor(options: LinuxHostOptions, defaultDiskFreeKb: number) {
    this.hostname = options.hostname;
    this.random = mulberry32(options.seed ?? hashString(options.hostname));
    this.now = options.now ?? (() => new Date());
    this.kernel = options.kernel ?? DEFAULT_KERNEL;
    this.diskFreeKb = options.diskFreeKb ?? defaultDiskFreeKb;
    this.sudoAllowed = options.sudoAllowed ?? true;
    this.bootId = this.newBootId();
  }

  abstract get packageLock(): SimLockHolder | undefined;
  abstract set packageLock(holder: SimLockHolder | undefined);
  abstract versions(): Record<string, string>;
  abstract installedVersions(name: string): string[];

  /** /etc/os-release. */
  protected abstract osRelease(): string;
  /** The reply to one of the driver's own commands, or undefined when it is none of them. */
  protected abstract answerDriver(cmd: SimCommand): SimReply | undefined;
  /** What a boot resets besides the shared state (/run is fresh). */
  protected abstract onBoot(): void;

  /** /run/reboot-required exists (Debian's and Ubuntu's hooks write it; absent elsewhere). */
  protected debianRebootFlag(): boolean {
    return false;
  }

  boot(): void {
    this.bootId = this.newBootId();
    this.bootCount++;
    this.rebootRequired = false;
    this.remoteLockOwner = undefined;
    this.onBoot();
  }

  respond(line: string, _stdin?: string, rewrite: ReplyRewrite = (_l, r) => r): SimReply {
    this.commands.push(line);
    return rewrite(line, this.answer(line, false, rewrite));
  }

  /** `inRootBatch`: a command of a batch run as root (its own line has no sudo). */
  private answer(line: string, inRootBatch: boolean, rewrite: ReplyRewrite): SimReply {
    const parsed = parseCommandLine(line);
    if (parsed === undefined) return unknown(line);
    if (parsed.sudo && !this.sudoAllowed) return reply(1, '', 'sudo: a password is required\n');
    const root = parsed.sudo || inRootBatch;
    const batch = batchParts(parsed.argv);
    if (batch !== undefined) return this.batch(batch, root, rewrite);
    const is = (cmd: RemoteCommand | undefined): boolean => sameLine(cmd, line);
    if (is(linuxFactsCommand())) return reply(0, sections(this.linuxFactsSections()), '');
    if (is(linuxOs.reboot())) return this.reboot(root);
    const { argv } = parsed;
    if (argv[0] === 'sh' && argv[3] === 'patchctl-lock' && (argv.length === 9 || argv.length === 10)) {
      const [mode, dir = '', reservationDir = '', runId = '', owner = '', seconds = ''] = argv.slice(4);
      const paths = { dir, reservationDir };
      const real = dir === REMOTE_LOCK_DIR && reservationDir === REMOTE_RESERVATION_DIR;
      if (real && mode === 'take' && is(remoteLockCommand(owner, runId, paths)))
        return this.remoteLock(owner, runId);
      const s = /^[1-9]\d{0,7}$/.test(seconds) ? Number(seconds) : 0;
      if (real && mode === 'reserve' && s > 0 && is(remoteReserveCommand(owner, runId, s, paths)))
        return this.reserveRemoteLock(owner, runId, s);
    }
    return this.answerDriver({ line, parsed, root, is }) ?? unknown(line);
  }

  /** drivers/linux/batch.ts: each command answered in turn, as BATCH_SCRIPT reports them. */
  private batch(lines: readonly string[], root: boolean, rewrite: ReplyRewrite): SimReply {
    const replies = lines.map((l) => rewrite(l, this.answer(l, root, rewrite)));
    let waitMs = 0;
    for (const r of replies) {
      for (const e of r.effects) {
        if (e.kind !== 'wait') return reply(2, '', `sim: a batched command cannot ${e.kind}\n`);
        waitMs += e.ms;
      }
    }
    const out = reply(0, batchOutput(replies), '');
    if (waitMs > 0) out.effects.push({ kind: 'wait', ms: waitMs });
    return out;
  }

  /** The shared Linux facts script's sections (drivers/linux/scripts.ts LINUX_FACTS_BODY). */
  protected linuxFactsSections(): [string, string][] {
    return [
      ['os-release', this.osRelease()],
      ['kernel', `${this.kernel}\n`],
      ['boot-id', `${this.bootId}\n`],
      ['reboot-required', this.debianRebootFlag() ? 'yes\n' : 'no\n'],
    ];
  }

  private reboot(root: boolean): SimReply {
    // The lab's stand-in for reboot (base.mjs REBOOT_SCRIPT).
    if (!root) return reply(1, '', 'reboot: must be root\n');
    return {
      ...reply(0, '', 'reboot: the system is going down for reboot NOW\n'),
      effects: [{ kind: 'reboot' }],
    };
  }

  /** The lock script's take (drivers/linux/remote-lock.ts): the flock, then another run's reservation. */
  private remoteLock(owner: string, runId: string): SimReply {
    if (this.remoteLockOwner !== undefined) return reply(75, `busy\n${this.remoteLockOwner}\n`, '');
    const refused = this.reservedByAnother(runId);
    if (refused) return refused;
    const r = this.reservation;
    if (r && runId !== '' && r.runId === runId && r.bootId !== this.bootId) this.reservation = undefined;
    this.remoteLockOwner = owner;
    const hold = ++this.lockHold;
    const release = (): SimReply => {
      if (this.lockHold === hold) this.remoteLockOwner = undefined;
      return reply(0, '', '');
    };
    return { ...reply(0, 'locked\n', ''), effects: [{ kind: 'hold', release }] };
  }

  /** The lock script's reserve: by the run holding the lock (or with the lock free). */
  private reserveRemoteLock(owner: string, runId: string, seconds: number): SimReply {
    const holder = this.remoteLockOwner;
    if (holder !== undefined && (owner === '' || holder !== owner)) return reply(75, `busy\n${holder}\n`, '');
    const refused = this.reservedByAnother(runId);
    if (refused) return refused;
    const now = this.hostSeconds();
    this.reservation = { runId, owner, expires: now + seconds, ttl: seconds, bootId: this.bootId };
    return reply(0, 'ok\n', '');
  }

  /** Another run's reservation in force refuses the lock; an expired one is removed. */
  private reservedByAnother(runId: string): SimReply | undefined {
    const r = this.reservation;
    if (r === undefined || (runId !== '' && r.runId === runId)) return undefined;
    const now = this.hostSeconds();
    if (now >= r.expires) {
      this.reservation = undefined;
      return undefined;
    }
    // The host's clock went back: never longer than the reservation's lifetime from now.
    if (r.expires - now > r.ttl) r.expires = now + r.ttl;
    return reply(75, `reserved\n${r.owner}\n${r.expires - now}\n`, '');
  }

  /** `date +%s` on the host. */
  protected hostSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private newBootId(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

export function reply(exitCode: number, stdout: string, stderr: string): SimReply {
  return { exitCode, stdout, stderr, effects: [] };
}

export function unknown(line: string): SimReply {
  const shown = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  return reply(127, '', `patchctl-sim: no simulation of this command (exit 127): ${shown}\n`);
}

/** Whether `line` is exactly what the transport sends for `cmd` (with or without sudo). */
export function sameLine(cmd: RemoteCommand | undefined, line: string): boolean {
  if (cmd === undefined) return false;
  if (commandLine({ ...cmd, sudo: false }) === line) return true;
  return cmd.sudo === true && commandLine(cmd) === line;
}

/** The command a builder makes, or undefined when it refuses its arguments. */
export function tryBuild(build: () => RemoteCommand): RemoteCommand | undefined {
  try {
    return build();
  } catch {
    return undefined;
  }
}

/** The driver scripts' section markers (`s NAME`, `r $?`, `s end`: drivers/sections.ts). */
export function sections(parts: readonly (readonly [string, string, number?])[]): string {
  let out = '';
  for (const [name, text, rc] of parts) {
    out += `\n@@patchctl:${name}@@\n${text}`;
    if (rc !== undefined) out += `\n@@patchctl:rc=${rc}@@\n`;
  }
  return `${out}\n@@patchctl:end@@\n`;
}

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One `s NAME` section of a driver's script: its lines, and whether it prints an exit status (`r …`). */
export interface ScriptSection {
  name: string;
  body: string;
  hasRc: boolean;
}

/**
 * The sections a driver's constant script prints, in order (drivers/sections.ts: `s NAME`, `r $?`,
 * `s end`). A simulated host answers a script section by section from the script itself, so that a
 * section the driver adds, moves or drops changes the answer with it.
 */
export function scriptSections(script: string): ScriptSection[] {
  const out: ScriptSection[] = [];
  let current: ScriptSection | undefined;
  for (const line of script.split('\n')) {
    const m = /^s ([A-Za-z0-9_-]+)$/.exec(line);
    if (m !== null) {
      if (m[1] === 'end') break;
      current = { name: m[1] ?? '', body: '', hasRc: false };
      out.push(current);
      continue;
    }
    if (current === undefined) continue;
    current.body += `${line}\n`;
    if (/^\s*r \$/.test(line)) current.hasRc = true;
  }
  return out;
}

/** What a host prints for one section: its text, and its exit status when the section has one. */
export type SectionAnswer = (section: ScriptSection) => readonly [string, number?];

/**
 * A script's whole answer, section by section from `answers`; undefined when the script has a
 * section the host does not know (the host then answers 127: a driver change it was not taught).
 */
export function answerScript(
  script: string,
  answers: Readonly<Record<string, SectionAnswer>>,
): string | undefined {
  const parts: [string, string, number?][] = [];
  for (const s of scriptSections(script)) {
    const answer = answers[s.name];
    if (answer === undefined) return undefined;
    const [text, rc] = answer(s);
    parts.push(s.hasRc ? [s.name, text, rc ?? 0] : [s.name, text]);
  }
  return sections(parts);
}
