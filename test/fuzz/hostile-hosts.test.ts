// Issue 12, "Done when": random and hostile host outputs through scan, plan, apply and report.
//
// Each run starts a small simulated fleet (src/sim/fleet.ts: real SSH servers in this process)
// and replaces one or two of its hosts by hostile ones: the fleet's `tamper` rewrites their
// replies to commands fast-check picks (facts, reboot-required, installed packages, pending
// updates, pre-flight, apt-get update, install, the remote lock, reboot, hooks and health
// checks) with generated text — random bytes, ESC/CSI/OSC sequences, C1 controls, bidi
// overrides, NUL, invalid UTF-8, the canary secret raw, JSON-escaped and percent-encoded,
// lines that are CI workflow commands, spreadsheet formulas, huge and truncated output, wrong
// exit codes, another command's reply — placed where a real host puts text (an os-release
// field, a package name, a lock holder, an apt error, a hook's output) or anywhere. The fleet
// then goes through scan, plan (text, JSON, Markdown, --out), apply (the saved plan or one made
// now, text or JSON), report (every format and the CI job summary), status and a last plan.
// Every run must hold (docs/security.md):
// - exit 0, 1 or 2 only (3 would mean a stored state made the repository invalid), no internal
//   error, no stack trace;
// - every state file valid (loadObservedState: no error), journals readable (readJournals), the
//   saved plan and the JSON reports valid against their schemas, JSON output parseable;
// - the well-behaved hosts' state files byte for byte those of a fleet without hostile hosts;
// - no output (stdout, stderr, every file written) holds a control character other than tab and
//   newline (and the CRLF line ends of compliance.csv), an ESC, C1, bidi or other format
//   control, any form of the canary secret, or a line a CI runner would read as a command.
//
// The seed is fixed so that CI is reproducible; PATCHCTL_FUZZ_SEED and PATCHCTL_FUZZ_RUNS
// override it and the number of runs, PATCHCTL_FUZZ_SHRINK=1 shrinks a counterexample (slow:
// every step is a whole fleet). A failure prints the seed, the path and the counterexample;
// PATCHCTL_FUZZ_SEED=<seed> PATCHCTL_FUZZ_PATH=<path> PATCHCTL_FUZZ_RUNS=1 runs that case again.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { main } from '../../src/cli/main.js';
import { parseJsonStrict } from '../../src/core/model/strict-json.js';
import { checkJsonText } from '../../src/core/state/check-json.js';
import {
  INSTALL_WRAPPER_NAME,
  factsCommand,
  preflightCommand,
  rebootRequiredCommand,
  updatesCommand,
} from '../../src/drivers/apt/commands.js';
import { linuxFactsCommand } from '../../src/drivers/linux/index.js';
import { readJournals } from '../../src/engine/apply/journal.js';
import { validateRepository } from '../../src/engine/load-repo.js';
import { loadObservedState } from '../../src/engine/load-state.js';
import { checkPlanText } from '../../src/engine/plan-file.js';
import { secretForms } from '../../src/platform/redact.js';
import { bundledSchemas } from '../../src/engine/schemas.js';
import type { SimReply } from '../../src/sim/apt-host.js';
import { parseCommandLine } from '../../src/transports/command-line.js';
import { simHostNames, startSimFleet } from '../../src/sim/fleet.js';
import { captureIo } from '../../src/test-support/capture-io.js';

const SEED = Number(process.env.PATCHCTL_FUZZ_SEED ?? 12122026);
const RUNS = Number(process.env.PATCHCTL_FUZZ_RUNS ?? 12);
const SHRINK = process.env.PATCHCTL_FUZZ_SHRINK === '1';

/** The canary: long, with the characters escaping changes (`"`, `\`, `%`, `@`, `:`). */
const CANARY = 'Fz"Kanarie\\Geheim%2F@:q7Tw';
/** A secret-named variable (redact.ts isSecretName): every command gets it. */
const ENV = { PATCHCTL_FUZZ_TOKEN: CANARY };
/** Part of every form of the canary this test feeds (escaping leaves letters alone). */
const ANCHOR = 'Kanarie';

const HOOK = '/usr/local/bin/fleet-hook';
const HEALTH = '/usr/local/bin/fleet-health';
/** Bounded waits: a hostile host's lock or reboot must not hold a run for minutes. */
const APPLY_FLAGS = ['--auto-approve', '--reboot-timeout', '3s', '--lock-timeout', '2s'];

// ---- what a hostile host says ------------------------------------------------------------------

const jsonInner = (s: string): string => JSON.stringify(s).slice(1, -1);
const userinfo = (() => {
  const u = new URL('https://ci@apt.example/');
  u.password = CANARY;
  return u.password;
})();

const CONTROL_PIECES = [
  '\u001b[2J',
  '\u001b[1;1H',
  '\u001b[8mhidden\u001b[0m',
  '\u001b]0;pwned\u0007',
  '\u001b]8;;http://evil.example\u001b\\link\u001b]8;;\u001b\\',
  '\u001bP+q\u001b\\',
  '\u009b31m',
  '\u0090q\u009c',
  '\u0085',
  '\u202eevil\u202c',
  '\u2066',
  '\u200f',
  '\u061c',
  '\u2028',
  '\ufeff',
  '\u0000',
  '\r',
  '\r\n',
  '\u0007',
  '\b\b\b',
  '\u007f',
  '\u000b',
  '\f',
  '\ud800',
  '\udfff',
];
const CANARY_PIECES = [
  CANARY,
  jsonInner(CANARY),
  jsonInner(jsonInner(CANARY)),
  encodeURIComponent(CANARY),
  encodeURI(CANARY),
  `https://ci:${userinfo}@apt.example/private`,
  `token=${CANARY}`,
];
const WORKFLOW_PIECES = [
  '::add-mask::x',
  '::stop-commands::pwned',
  '  ::error file=x,line=1::fake annotation',
  '\t::warning::w',
  '\u00a0::notice::n',
  '::set-output name=x::y',
  'see ##[error]fake',
  '##[group]g',
  '##vso[task.setvariable variable=x]y',
];
const FORMULA_PIECES = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://evil.example","click")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  '\uff1d1',
];
const MARKUP_PIECES = [
  '<script>alert(1)</script>',
  '| a | b |',
  '```',
  '</details>',
  ']]></x>',
  '"quoted", comma',
  '\\',
  '$(reboot)',
  '@team',
];
const PLAIN_PIECES = ['fleet-tools', '1.1', 'lab-02', 'E: ', ' ', 'amd64', '@@patchctl:end@@'];

/** Any one control or format character: C0, DEL, C1, bidi marks, embeddings, overrides, isolates. */
const controlChar = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e),
    fc.constantFrom(0x2066, 0x2067, 0x2068, 0x2069, 0xfeff),
  )
  .map((code) => String.fromCharCode(code));

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CONTROL_PIECES) },
  { weight: 2, arbitrary: controlChar },
  { weight: 4, arbitrary: fc.constantFrom(...CANARY_PIECES) },
  { weight: 3, arbitrary: fc.constantFrom(...WORKFLOW_PIECES) },
  { weight: 1, arbitrary: fc.constantFrom(...FORMULA_PIECES) },
  { weight: 1, arbitrary: fc.constantFrom(...MARKUP_PIECES) },
  { weight: 1, arbitrary: fc.constantFrom(...PLAIN_PIECES) },
  { weight: 2, arbitrary: fc.constant('\n') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
);
const payload = fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => ps.join(''));

/** How the command is recognised (by the words of its command line). */
type Kind =
  | 'facts'
  | 'reboot-required'
  | 'installed'
  | 'updates'
  | 'preflight'
  | 'refresh'
  | 'install'
  | 'lock'
  | 'reboot'
  | 'hook'
  | 'health'
  | 'other';
const KINDS: readonly Kind[] = [
  'facts',
  'reboot-required',
  'installed',
  'updates',
  'preflight',
  'refresh',
  'install',
  'lock',
  'reboot',
  'hook',
  'health',
];

type Exit = 'keep' | number;
type Mutation =
  /** The realistic place for host text in this command's output (shaped(), by variant). */
  | { kind: 'shaped'; variant: number; payload: string }
  | { kind: 'replace'; stdout: string; stderr: string; exit: Exit }
  | {
      kind: 'inject';
      stream: 'stdout' | 'stderr';
      line: number;
      at: 'replace' | 'before' | 'after' | 'inside';
      payload: string;
      exit: Exit;
    }
  | { kind: 'truncate'; fraction: number; exit: Exit }
  | { kind: 'huge'; stream: 'stdout' | 'stderr'; payload: string; kb: number; exit: Exit }
  | { kind: 'exit'; exit: number }
  /** The reply the fleet last gave to another kind of command (any host). */
  | { kind: 'replay'; of: Kind; exit: Exit }
  /** Bytes that are not UTF-8 at these places of stdout (applied last). */
  | { kind: 'invalid-utf8'; at: number[]; bytes: number[] };

interface Attack {
  /** Which command; `any` is every command. */
  target: Kind | 'any';
  /** Only its nth reply on the host (0 = the first), or every one. */
  nth: number | null;
  mutation: Mutation;
}

interface HostileHost {
  /** 1-based: lab-01 is the canary. */
  index: number;
  attacks: Attack[];
}

interface Scenario {
  hosts: number;
  hostile: HostileHost[];
  scanFormat: 'text' | 'json';
  savedPlan: boolean;
  applyFormat: 'text' | 'json';
}

const exit: fc.Arbitrary<Exit> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('keep' as const) },
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 2, 75, 100, 127, 255) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
);

/** Sequences no UTF-8 decoder accepts: stray continuation, lone lead, overlong, surrogate, > U+10FFFF. */
const INVALID_UTF8 = [
  [0xff],
  [0x80],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('shaped' as const), variant: fc.nat(9), payload }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), stdout: payload, stderr: payload, exit }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('inject' as const),
      stream: fc.constantFrom('stdout' as const, 'stderr' as const),
      line: fc.nat(200),
      at: fc.constantFrom('replace' as const, 'before' as const, 'after' as const, 'inside' as const),
      payload,
      exit,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('truncate' as const),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      exit,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge' as const),
      stream: fc.constantFrom('stdout' as const, 'stderr' as const),
      payload,
      kb: fc.integer({ min: 100, max: 400 }),
      exit,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('exit' as const), exit: fc.integer({ min: 0, max: 255 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replay' as const), of: fc.constantFrom(...KINDS), exit }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('invalid-utf8' as const),
      at: fc.array(fc.nat(100_000), { minLength: 1, maxLength: 4 }),
      bytes: fc.array(fc.nat(INVALID_UTF8.length - 1), { minLength: 1, maxLength: 4 }),
    }),
  },
);

/** Commands whose output patchctl shows or stores (errors, lock holders, hook output) come up more often. */
const TALKATIVE: readonly Kind[] = ['refresh', 'install', 'lock', 'preflight', 'updates', 'hook', 'health'];

const attack: fc.Arbitrary<Attack> = fc.record({
  target: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...TALKATIVE) },
    { weight: 4, arbitrary: fc.constantFrom(...KINDS) },
    { weight: 1, arbitrary: fc.constant('any' as const) },
  ),
  nth: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat(2) }),
  mutation,
});

const scenario: fc.Arbitrary<Scenario> = fc.integer({ min: 3, max: 4 }).chain((hosts) =>
  fc.record({
    hosts: fc.constant(hosts),
    hostile: fc.uniqueArray(
      fc.record({
        index: fc.integer({ min: 1, max: hosts }),
        attacks: fc.array(attack, { minLength: 1, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 2, selector: (h) => h.index },
    ),
    scanFormat: fc.constantFrom('text' as const, 'json' as const),
    savedPlan: fc.boolean(),
    applyFormat: fc.constantFrom('text' as const, 'json' as const),
  }),
);

// ---- the hostile hosts (the fleet's tamper) ----------------------------------------------------

const SCRIPTS = new Map<string, Kind>([
  [factsCommand().argv[2] ?? '', 'facts'],
  [linuxFactsCommand().argv[2] ?? '', 'facts'],
  [rebootRequiredCommand().argv[2] ?? '', 'reboot-required'],
  [updatesCommand().argv[2] ?? '', 'updates'],
  [preflightCommand().argv[2] ?? '', 'preflight'],
]);

function kindOf(line: string): Kind {
  const [program, a1, a2, a3, a4, a5] = parseCommandLine(line)?.argv ?? [];
  if (program === 'sh' && a1 === '-c') {
    const script = SCRIPTS.get(a2 ?? '');
    if (script !== undefined) return script;
    if (a3 === 'patchctl-lock') return 'lock';
    if (a3 === INSTALL_WRAPPER_NAME && a4 === 'apt-get') return a5 === 'update' ? 'refresh' : 'install';
  }
  if (program === 'dpkg-query') return 'installed';
  if (program === 'reboot') return 'reboot';
  if (program === HOOK) return 'hook';
  if (program === HEALTH) return 'health';
  return 'other';
}

/** `text` with the first match of `re` replaced by what `f` makes of it (no `$` patterns). */
function sub(text: string, re: RegExp, f: (m: RegExpExecArray) => string): string {
  const m = re.exec(text);
  return m === null ? text : text.slice(0, m.index) + f(m) + text.slice(m.index + m[0].length);
}

/** Where a real host puts text of its own in this command's reply, with `p` in it. */
function shaped(kind: Kind, r: SimReply, variant: number, p: string): SimReply {
  const out = (stdout: string): SimReply => ({ ...r, stdout });
  const fail = (exitCode: number, stdout: string, stderr: string): SimReply => ({
    ...r,
    exitCode,
    stdout,
    stderr,
  });
  const section = (name: string, text: string): string =>
    sub(r.stdout, new RegExp(`@@patchctl:${name}@@\\n`), (m) => `${m[0]}${text}`);
  const v = (n: number): number => variant % n;
  switch (kind) {
    case 'facts':
    case 'reboot-required':
      switch (kind === 'reboot-required' ? 5 : v(6)) {
        case 0:
          return out(sub(r.stdout, /^VERSION_ID=.*$/m, () => `VERSION_ID="${p}"`));
        case 1:
          return out(sub(r.stdout, /^PRETTY_NAME=.*$/m, () => `PRETTY_NAME="${p}"`));
        case 2:
          return out(sub(r.stdout, /(@@patchctl:kernel@@\n).*/, (m) => `${m[1] ?? ''}${p}`));
        case 3:
          return out(sub(r.stdout, /(@@patchctl:boot-id@@\n).*/, (m) => `${m[1] ?? ''}${p}`));
        case 4:
          return out(sub(r.stdout, /(@@patchctl:dpkg-arch@@\n).*/, (m) => `${m[1] ?? ''}${p}`));
        default:
          return out(
            sub(
              sub(r.stdout, /(@@patchctl:reboot-required@@\n)no/, (m) => `${m[1] ?? ''}yes`),
              /@@patchctl:reboot-required-pkgs@@\n/,
              (m) => `${m[0]}${p}\n`,
            ),
          );
      }
    case 'installed':
      switch (v(3)) {
        case 0:
          return out(`${p}\tamd64\t1.0\tinstall ok installed\t${p}\t1.0\n${r.stdout}`);
        case 1:
          return out(sub(r.stdout, /^(fleet-tools\tall\t)[^\t]*/m, (m) => `${m[1] ?? ''}${p}`));
        default:
          return out(sub(r.stdout, /^(fleet-crypto\tall\t[^\t]*\t)[^\t]*/m, (m) => `${m[1] ?? ''}${p}`));
      }
    case 'updates':
      switch (v(4)) {
        case 0:
          return out(section('held', `${p}\n`));
        case 1:
          return out(sub(r.stdout, /^Inst /m, (m) => `Inst ${p} [1.0] (1.1 Fleet:12/fleet [all])\n${m[0]}`));
        case 2:
          return out(sub(r.stdout, /^(Inst fleet-tools \[1\.0\] \()1\.1/m, (m) => `${m[1] ?? ''}${p}`));
        default:
          return out(sub(r.stdout, /Fleet-Security:12\/fleet-security/, () => p));
      }
    case 'preflight':
      switch (v(3)) {
        case 0: {
          // A process holding the dpkg lock: /proc/locks names it by the lock file's inode.
          const inode = /@@patchctl:lock-files@@\n\d+ (\d+) /.exec(r.stdout)?.[1] ?? '1';
          return out(section('lock-holders', `1: POSIX  ADVISORY  WRITE 4242 00:28:${inode} 0 EOF\t${p}\n`));
        }
        case 1:
          return out(
            section(
              'dpkg-audit',
              `The following packages are only half configured, probably due to problems\n ${p}  ${p}\n\n`,
            ),
          );
        default:
          return out(sub(r.stdout, /^overlay .*$/m, () => `overlay ${p}`));
      }
    case 'refresh':
      return fail(
        100,
        r.stdout,
        `E: Failed to fetch https://ci:${userinfo}@apt.example/private/dists/bookworm/InRelease  401  Unauthorized\nE: ${p}\n`,
      );
    case 'install':
      return v(2) === 0
        ? fail(
            100,
            r.stdout,
            `${r.stderr}dpkg: error processing package ${p} (--configure):\nE: Sub-process /usr/bin/dpkg returned an error code (1)\n`,
          )
        : out(`${r.stdout}Setting up ${p} ...\n`);
    case 'lock':
      switch (v(3)) {
        case 0:
          return fail(75, `busy\n${p}\n`, '');
        case 1:
          return fail(75, `reserved\n${p}\n600\n`, '');
        default:
          return fail(1, '', `patchctl-lock: ${p}\n`);
      }
    case 'reboot':
      return fail(1, '', `${p}\n`);
    case 'hook':
    case 'health':
      return fail(1 + v(2), `${p}\n`, v(2) === 0 ? `${p}\n` : '');
    case 'other':
      return { ...r, stderr: `${r.stderr}${p}\n` };
  }
}

function mutate(kind: Kind, r: SimReply, m: Mutation, last: ReadonlyMap<Kind, SimReply>): SimReply {
  const code = (e: Exit, from: SimReply = r): number => (e === 'keep' ? from.exitCode : e);
  switch (m.kind) {
    case 'shaped':
      return shaped(kind, r, m.variant, m.payload);
    case 'replace':
      return { ...r, stdout: m.stdout, stderr: m.stderr, exitCode: code(m.exit) };
    case 'inject': {
      const lines = r[m.stream].split('\n');
      const i = m.line % lines.length;
      const line = lines[i] ?? '';
      const half = line.length >> 1;
      lines[i] =
        m.at === 'replace'
          ? m.payload
          : m.at === 'before'
            ? m.payload + line
            : m.at === 'after'
              ? line + m.payload
              : line.slice(0, half) + m.payload + line.slice(half);
      return { ...r, [m.stream]: lines.join('\n'), exitCode: code(m.exit) };
    }
    case 'truncate':
      return {
        ...r,
        stdout: r.stdout.slice(0, Math.floor(r.stdout.length * m.fraction)),
        stderr: r.stderr.slice(0, Math.floor(r.stderr.length * m.fraction)),
        exitCode: code(m.exit),
      };
    case 'huge': {
      const unit = `${m.payload}\n`;
      return {
        ...r,
        [m.stream]: r[m.stream] + unit.repeat(Math.ceil((m.kb * 1024) / unit.length)),
        exitCode: code(m.exit),
      };
    }
    case 'exit':
      return { ...r, exitCode: m.exit };
    case 'replay': {
      const other = last.get(m.of);
      return other ? { ...r, stdout: other.stdout, stderr: other.stderr, exitCode: code(m.exit, other) } : r;
    }
    case 'invalid-utf8':
      return r; // bytes: see corrupt()
  }
}

/** stdout as bytes with invalid UTF-8 spliced in (the fleet writes a Buffer as it is). */
function corrupt(stdout: string, ms: readonly Extract<Mutation, { kind: 'invalid-utf8' }>[]): Buffer {
  let bytes = Buffer.from(stdout, 'utf8');
  for (const m of ms) {
    m.at.forEach((at, i) => {
      const pos = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      const bad = Buffer.from(INVALID_UTF8[m.bytes[i % m.bytes.length] ?? 0] ?? [0xff]);
      bytes = Buffer.concat([bytes.subarray(0, pos), bad, bytes.subarray(pos)]);
    });
  }
  return bytes;
}

/**
 * The fleet's tamper for a scenario: every host answers hooks and health checks with exit 0 (the
 * programs exist there); hostile hosts then have their replies rewritten by their attacks.
 * A tamper that throws would end the process from a timer: its errors are kept in `errors`.
 */
function makeTamper(hostile: readonly HostileHost[], errors: string[]) {
  const byHost = new Map(hostile.map((h) => [hostName(h.index), h.attacks]));
  const seen = new Map<string, number>();
  const last = new Map<Kind, SimReply>();
  return (host: string, command: string, answered: SimReply): SimReply => {
    try {
      const kind = kindOf(command);
      let r: SimReply =
        kind === 'hook' || kind === 'health'
          ? { ...answered, exitCode: 0, stdout: 'ok\n', stderr: '' }
          : answered;
      last.set(kind, r);
      const attacks = byHost.get(host);
      if (attacks === undefined) return r;
      const key = `${host} ${kind}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const chosen = attacks.filter(
        (a) => (a.target === 'any' || a.target === kind) && (a.nth === null || a.nth === n),
      );
      if (chosen.length === 0) return r;
      for (const a of chosen) r = mutate(kind, r, a.mutation, last);
      // A lock command that answered something else has ended: no channel left open.
      if (kind === 'lock') r = { ...r, effects: r.effects.filter((e) => e.kind !== 'hold') };
      const bad = chosen.flatMap((a) => (a.mutation.kind === 'invalid-utf8' ? [a.mutation] : []));
      return bad.length === 0 ? r : { ...r, stdout: corrupt(r.stdout, bad) as unknown as string };
    } catch (err) {
      errors.push(`tamper(${host}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return answered;
    }
  };
}

function hostName(index: number): string {
  return simHostNames(index)[index - 1] ?? '';
}

// ---- one fleet, end to end ---------------------------------------------------------------------

interface Output {
  /** What it is: `scan --format text: stdout`, `state/hosts/lab-01.json`… */
  where: string;
  text: string;
  csv?: boolean;
}

interface FleetRun {
  codes: { command: string; code: number }[];
  outputs: Output[];
  /** state/hosts/<host>.json after scan, and after the whole run. */
  afterScan: Map<string, string>;
  afterAll: Map<string, string>;
  /** Hosts whose packages changed (apply patched them). */
  patched: Set<string>;
  /** The status of every host-finished event of the run's journals. */
  finished: { host: string; status: string }[];
  problems: string[];
}

/** Adds hooks and health checks (their programs are the host's: their output is host text). */
function addHooks(dir: string): void {
  const policies = path.join(dir, 'policies/lab.yaml');
  const text = readFileSync(policies, 'utf8');
  const hooks = [
    '  windows: [always]',
    '  hooks:',
    '    pre:',
    `      - command: [${HOOK}, pre]`,
    '    post:',
    `      - command: [${HOOK}, post]`,
    '    healthCheck:',
    `      command: [${HEALTH}, policy]`,
    '',
  ].join('\n');
  const withHooks = text.split('  windows: [always]\n').join(hooks);
  if (withHooks === text)
    throw new Error('policies/lab.yaml changed: no `windows: [always]` to add hooks after');
  writeFileSync(policies, withHooks);
  const rollout = path.join(dir, 'rollouts/lab.yaml');
  const rings = readFileSync(rollout, 'utf8');
  const withCheck = rings.replace(
    '      groups: [canary]\n',
    `      groups: [canary]\n      healthCheck:\n        command: [${HEALTH}, ring]\n`,
  );
  if (withCheck === rings)
    throw new Error('rollouts/lab.yaml changed: no canary ring to add a health check to');
  writeFileSync(rollout, withCheck);
}

function filesUnder(dir: string, rel: string): string[] {
  try {
    return readdirSync(path.join(dir, rel), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
      .sort();
  } catch {
    return [];
  }
}

function hostStates(dir: string): Map<string, string> {
  return new Map(
    filesUnder(dir, 'state/hosts').map((f) => [
      path.basename(f, '.json'),
      readFileSync(path.join(dir, f), 'utf8'),
    ]),
  );
}

async function runFleet(
  hosts: number,
  hostile: readonly HostileHost[],
  s: Omit<Scenario, 'hosts' | 'hostile'>,
): Promise<FleetRun> {
  const tamperErrors: string[] = [];
  const fleet = await startSimFleet({
    hosts,
    seed: 12,
    rebootDelayMs: 20,
    rebootDowntimeMs: 50,
    tamper: makeTamper(hostile, tamperErrors),
  });
  const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-fuzz-'));
  const run: FleetRun = {
    codes: [],
    outputs: [],
    afterScan: new Map(),
    afterAll: new Map(),
    patched: new Set(),
    finished: [],
    problems: [],
  };
  const versionsBefore = new Map(fleet.hosts.map((h) => [h.name, JSON.stringify(h.state.versions())]));
  try {
    const dir = fleet.writeRepository(path.join(scratch, 'repo'));
    addHooks(dir);
    const summary = path.join(scratch, 'step-summary.md');
    writeFileSync(summary, '');
    const patchctl = async (args: string[], json = false): Promise<number> => {
      const io = captureIo({
        cwd: dir,
        env: { ...ENV, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      });
      const name = args.join(' ');
      let code: number;
      try {
        code = await main([...args, '-C', dir], io);
      } catch (err) {
        run.problems.push(
          `${name}: main() threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        code = -1;
      }
      const { stdout, stderr } = io.text();
      run.codes.push({ command: name, code });
      run.outputs.push(
        { where: `${name}: stdout`, text: stdout },
        { where: `${name}: stderr`, text: stderr },
      );
      if (json && code !== 3) {
        try {
          JSON.parse(stdout);
        } catch (err) {
          run.problems.push(`${name}: stdout is not JSON (${String(err)}): ${excerpt(stdout, 0)}`);
        }
      }
      return code;
    };

    await patchctl(['scan', '--format', s.scanFormat], s.scanFormat === 'json');
    run.afterScan = hostStates(dir);
    await patchctl(['plan']);
    await patchctl(['plan', '--format', 'markdown']);
    await patchctl(['plan', '--format', 'json', '--out', 'plan.json'], true);
    const saved = path.join(dir, 'plan.json');
    checkFile(
      run,
      'plan.json (as saved)',
      () => checkPlanText(saved, readFileSync(saved, 'utf8')).diagnostics,
    );
    const applyArgs = [
      'apply',
      ...(s.savedPlan ? ['plan.json'] : []),
      ...APPLY_FLAGS,
      '--format',
      s.applyFormat,
    ];
    await patchctl(applyArgs, s.applyFormat === 'json');
    await patchctl(['report', '--format', 'md,json,junit,csv']);
    await patchctl(['status']);
    await patchctl(['status', '--format', 'json'], true);
    await patchctl(['plan', '--detailed-exitcode']);
    run.afterAll = hostStates(dir);
    for (const h of fleet.hosts)
      if (JSON.stringify(h.state.versions()) !== versionsBefore.get(h.name)) run.patched.add(h.name);

    // Every file written, and whether it is what its schema says.
    const { repository, diagnostics } = validateRepository(dir);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (!repository || errors.length > 0)
      run.problems.push(`the repository is invalid: ${excerpt(JSON.stringify(errors), 0)}`);
    else {
      const loaded = loadObservedState(dir, repository);
      const bad = loaded.diagnostics.filter((d) => d.severity === 'error');
      if (bad.length > 0) run.problems.push(`state/ does not load: ${excerpt(JSON.stringify(bad), 0)}`);
    }
    checkFile(run, 'state/runs', () => {
      for (const journal of readJournals(path.join(dir, 'state/runs'), { within: dir }))
        for (const e of journal.events)
          if (e.type === 'host-finished') run.finished.push({ host: e.host, status: e.status });
      return [];
    });
    checkFile(run, 'plan.json', () => checkPlanText(saved, readFileSync(saved, 'utf8')).diagnostics);
    const schemas = bundledSchemas();
    const written = [...filesUnder(dir, 'state'), ...filesUnder(dir, 'reports'), 'plan.json'];
    for (const rel of written) {
      const bytes = readFileSync(path.join(dir, rel));
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        run.problems.push(`${rel} is not UTF-8`);
        text = bytes.toString('utf8');
      }
      run.outputs.push({ where: rel, text, csv: rel.endsWith('.csv') });
      if (rel.endsWith('.json')) {
        const schema =
          rel === 'reports/compliance.json'
            ? 'compliance.schema.json'
            : rel.startsWith('reports/history/')
              ? 'compliance-history.schema.json'
              : undefined;
        checkFile(run, rel, () => {
          if (schema !== undefined)
            return checkJsonText(rel, text, schemas.validatorForFile(schema), { code: 'invalid' })
              .diagnostics;
          const parsed = parseJsonStrict(rel, text);
          return parsed.ok ? [] : [parsed.diagnostic];
        });
      }
    }
    run.outputs.push({ where: 'GITHUB_STEP_SUMMARY', text: readFileSync(summary, 'utf8') });
    // A run that starts no host writes no journal (a held ring, every host unknown); one that
    // patched a host always does.
    if (run.patched.size > 0 && !written.some((f) => f.startsWith('state/runs/') && f.endsWith('.jsonl')))
      run.problems.push(`apply patched ${[...run.patched].join(', ')} but wrote no journal`);
  } finally {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  run.problems.push(...tamperErrors);
  return run;
}

function checkFile(run: FleetRun, what: string, check: () => readonly { message: string }[]): void {
  try {
    const problems = check();
    if (problems.length > 0) run.problems.push(`${what}: ${excerpt(JSON.stringify(problems), 0)}`);
  } catch (err) {
    run.problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---- what no output may hold -------------------------------------------------------------------

/** C0 but tab and newline, DEL, C1, bidi and other format controls, separators, BOM, lone surrogates. */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Lines a CI runner would run (actions/runner ActionCommand.TryParseV2 and TryParse; Azure's
 * `##vso[`): after leading white space (.NET's, NEL included), `::` then a name then `::`; or
 * `##[` anywhere. Lines end at LF, CR or CRLF.
 */
function workflowCommands(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => {
    const trimmed = line.replace(/^[\s\u0085]+/, '');
    return (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 2) || /##(vso)?\[/i.test(line);
  });
}

const FORMS = secretForms(CANARY);
const DECODERS: readonly ((t: string) => string)[] = [
  // HTML/XML character references (Markdown cells, JUnit)
  (t) =>
    t.replace(
      /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos));/gi,
      (m, dec?: string, hex?: string, name?: string) => {
        const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
        if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : m;
        return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[(name ?? '').toLowerCase()] ?? m;
      },
    ),
  // JSON string escapes and patchctl's visible ones (\x1b)
  (t) =>
    t.replace(
      /\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(["\\/bfnrt]))/g,
      (_m, u?: string, x?: string, c?: string) => {
        if (u !== undefined || x !== undefined) return String.fromCharCode(parseInt(u ?? x ?? '', 16));
        return (
          ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c ?? ''] ?? c ?? ''
        );
      },
    ),
  // percent-encoding
  (t) =>
    t.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    }),
  // quotes doubled inside a CSV field
  (t) => t.replace(/""/g, '"'),
];

/**
 * A form of the canary in `text`: one redact.ts removes, or one of those under up to four layers
 * of escaping (JSON, character references, percent-encoding, CSV quotes) that decoding reveals.
 */
function canaryIn(text: string): string | undefined {
  if (!text.includes(ANCHOR)) return undefined;
  const known = (v: string): string | undefined => FORMS.find((f) => v.includes(f));
  const form = known(text);
  if (form !== undefined) return form;
  let views = new Set([text]);
  const seen = new Set(views);
  for (let depth = 0; depth < 4 && views.size > 0; depth++) {
    const next = new Set<string>();
    for (const v of views)
      for (const decode of DECODERS) {
        const d = decode(v);
        if (seen.has(d)) continue;
        seen.add(d);
        next.add(d);
        const f = known(d);
        if (f !== undefined) return `(decoded) ${excerpt(d, d.indexOf(f))}`;
      }
    views = next;
  }
  return undefined;
}

/** Around `at`, as a JSON string (control characters visible), at most ~160 characters. */
function excerpt(text: string, at: number): string {
  const from = Math.max(0, at - 60);
  return JSON.stringify(
    `${from > 0 ? '…' : ''}${text.slice(from, at + 100)}${text.length > at + 100 ? '…' : ''}`,
  );
}

/** Everything wrong with one output. */
function outputProblems(o: Output): string[] {
  const problems: string[] = [];
  const body = o.csv ? o.text.replace(/\r\n/g, '\n') : o.text;
  const unsafe = UNSAFE.exec(body);
  if (unsafe)
    problems.push(
      `${o.where}: control character ${JSON.stringify(unsafe[0])} at ${excerpt(body, unsafe.index)}`,
    );
  const secret = canaryIn(o.text);
  if (secret !== undefined) {
    const at = o.text.indexOf(secret);
    problems.push(
      `${o.where}: the canary secret (${JSON.stringify(secret)})${at >= 0 ? ` at ${excerpt(o.text, at)}` : ''}`,
    );
  }
  const commands = workflowCommands(o.text);
  if (commands.length > 0)
    problems.push(`${o.where}: workflow command line(s) ${excerpt(commands.join('\n'), 0)}`);
  if (/internal error/i.test(o.text))
    problems.push(`${o.where}: internal error ${excerpt(o.text, o.text.search(/internal error/i))}`);
  const frame = /^ {4}at \S.*(?::\d+:\d+\)?|<anonymous>\)?)$/m.exec(o.text);
  if (frame) problems.push(`${o.where}: stack trace ${excerpt(o.text, frame.index)}`);
  return problems;
}

// ---- the property ------------------------------------------------------------------------------

describe('hostile hosts, fuzzed, through scan, plan, apply and report', () => {
  /** The fleet without hostile hosts: the well-behaved hosts' state files must be these. */
  let control: FleetRun;

  beforeAll(async () => {
    control = await runFleet(4, [], { scanFormat: 'text', savedPlan: true, applyFormat: 'text' });
  }, 120_000);

  it('the checks catch what they must, and let escaped text through', () => {
    const bad = (text: string, csv = false): number => outputProblems({ where: 'x', text, csv }).length;
    for (const text of [
      'a\u001b[2Jb',
      'x\u009b31m',
      'evil\u202e',
      'nul\u0000',
      'line\r\n',
      'lone \ud800',
      `token ${CANARY}`,
      `{"e": "${jsonInner(jsonInner(jsonInner(CANARY)))}"}`,
      jsonInner(jsonInner(jsonInner(jsonInner(jsonInner(CANARY))))),
      `see ${encodeURIComponent(CANARY)}`,
      `| ${jsonInner(CANARY).replace(/\\/g, '&#92;')} |`,
      '  ::error file=a::fake',
      '\u00a0::add-mask::x',
      'ok\n::stop-commands::t',
      'a ##[error]b',
      'patchctl: internal error (a bug in patchctl)',
      'Error: x\n    at main (file:///x/main.js:10:3)',
    ])
      expect([text, bad(text)]).toEqual([text, 1]);
    expect(bad('a,b\r\nc,"d\re"\r\n', true)).toBe(1);
    for (const text of [
      '{"error": "\\u001b[2J \\u202e"}',
      'E: x\\x1b[2J\\u202eevil',
      ':\\u003aadd-mask::x ##\\u005berror]y',
      'https://ci:[redacted]@apt.example/',
      'tab\tand newline\n',
      'Kanarie alone is no secret',
    ])
      expect([text, bad(text)]).toEqual([text, 0]);
    expect(bad('a,b\r\nc,d\r\n', true)).toBe(0);
  });

  it('a fleet without hostile hosts is patched cleanly (the baseline the runs compare with)', () => {
    expect(control.problems).toEqual([]);
    expect(control.codes.filter((c) => c.code !== 0 && !c.command.includes('--detailed-exitcode'))).toEqual(
      [],
    );
    expect(control.outputs.flatMap(outputProblems)).toEqual([]);
    expect([...control.afterScan.keys()]).toEqual(['lab-01', 'lab-02', 'lab-03', 'lab-04']);
    expect([...control.patched].sort()).toEqual(['lab-01', 'lab-02', 'lab-03', 'lab-04']);
    expect(control.finished.map((f) => f.status)).toEqual(['patched', 'patched', 'patched', 'patched']);
    for (const [host, text] of control.afterAll) {
      expect([host, text]).not.toEqual([host, control.afterScan.get(host)]); // patched and rescanned
      expect(JSON.parse(text)).toMatchObject({ reachable: true });
    }
  });

  it('no hostile host crashes patchctl, breaks another host, or gets a control character or the secret out', async () => {
    const started = Date.now();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        runs++;
        const run = await runFleet(s.hosts, s.hostile, s);
        const problems = [...run.problems];
        for (const { command, code } of run.codes)
          if (![0, 1, 2].includes(code)) problems.push(`\`patchctl ${command}\` exited ${code}`);
        problems.push(...run.outputs.flatMap(outputProblems));
        const hostile = new Set(s.hostile.map((h) => hostName(h.index)));
        for (const host of simHostNames(s.hosts)) {
          if (hostile.has(host)) continue;
          const scanned = control.afterScan.get(host);
          const patched = control.afterAll.get(host);
          if (run.afterScan.get(host) !== scanned)
            problems.push(
              `well-behaved ${host}: its state after scan differs from the fleet without hostile hosts`,
            );
          const now = run.afterAll.get(host);
          const expected = run.patched.has(host) ? patched : scanned;
          if (now !== expected)
            problems.push(
              `well-behaved ${host} (${run.patched.has(host) ? 'patched' : 'not patched'}): its state after apply is not the one of the fleet without hostile hosts: ${excerpt(now ?? '(none)', 0)}`,
            );
          for (const f of run.finished.filter((e) => e.host === host && e.status !== 'patched'))
            problems.push(`well-behaved ${host}: journaled as ${f.status}`);
        }
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      {
        seed: SEED,
        numRuns: RUNS,
        endOnFailure: !SHRINK,
        ...(process.env.PATCHCTL_FUZZ_PATH ? { path: process.env.PATCHCTL_FUZZ_PATH } : {}),
      },
    );
    console.log(
      `hostile-hosts fuzz: ${runs} runs, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 600_000);
});
