// Several commands in one round trip (docs/architecture.md, "Round trips"): apply asks a host
// for its facts, pre-flight and package database at once, and after the install for its facts,
// package database and pending updates at once. Each part is rendered by the transport's own
// quoting (transports/quote.ts commandLine: scrubbed environment, quoted words) and reaches the
// script only as a positional parameter; the script itself is a constant. Each part's output is
// base64-encoded, so that a part that prints section markers of its own (the drivers' scripts
// do) cannot be confused with the batch's. The batch runs as root when any part needs root.
// It writes no file: on a host whose disk is full it still answers.
import { commandLine } from '../../transports/quote.js';
import { DriverOutputError, excerptOf, resultExcerpt } from '../errors.js';
import { splitSections } from '../sections.js';
import type { CommandResult, RemoteCommand } from '../types.js';

/** `$0` of BATCH_SCRIPT: the name its own messages carry, and how a batch is recognised. */
export const BATCH_NAME = 'patchctl-batch';

/**
 * Runs each positional parameter as `sh -c LINE`, stdin closed, and prints per part its stdout
 * in base64 as it comes, its exit status, then its stderr in base64; the end marker last. No
 * temporary file: a host whose disk is full still answers (its pre-flight must say so). The
 * part's stderr and exit status come back through fd 4 into `e` (stderr first, `rc=N` last).
 */
export const BATCH_SCRIPT = [
  'export LC_ALL=C',
  'set -f',
  'exec 3>&1',
  'i=0',
  'for line in "$@"; do',
  '  printf \'\\n@@patchctl:part-%s@@\\n\' "$i"',
  '  e=$( { { sh -c "$line" </dev/null 2>&4; echo "rc=$?" >&4; } | base64 >&3; } 4>&1 )',
  '  rc=${e##*rc=}',
  '  printf \'\\n@@patchctl:rc=%s@@\\n@@patchctl:part-%s-stderr@@\\n\' "$rc" "$i"',
  '  printf \'%s\' "${e%rc=*}" | base64',
  '  i=$((i + 1))',
  'done',
  "printf '\\n@@patchctl:end@@\\n'",
  '',
].join('\n');

/** One command that runs `parts` in order, each as the transport would run it alone. */
export function batchCommand(parts: readonly RemoteCommand[]): RemoteCommand {
  if (parts.length === 0) throw new Error('batchCommand: no parts');
  const lines = parts.map((p) => {
    if (p.stdin !== undefined) throw new Error('batchCommand: a part cannot take standard input');
    return commandLine({ ...p, sudo: false });
  });
  const cmd: RemoteCommand = { argv: ['sh', '-c', BATCH_SCRIPT, BATCH_NAME, ...lines] };
  if (parts.some((p) => p.sudo === true)) cmd.sudo = true;
  return cmd;
}

/** The command lines of a batch (what batchCommand put in it), or undefined when `argv` is not one. */
export function batchParts(argv: readonly string[]): string[] | undefined {
  if (argv[0] !== 'sh' || argv[1] !== '-c' || argv[2] !== BATCH_SCRIPT || argv[3] !== BATCH_NAME)
    return undefined;
  return argv.slice(4);
}

/** What BATCH_SCRIPT prints for these results of its parts (the simulated hosts answer with it). */
export function batchOutput(
  results: readonly Pick<CommandResult, 'exitCode' | 'stdout' | 'stderr'>[],
): string {
  const b64 = (text: string): string => (text === '' ? '' : `${Buffer.from(text).toString('base64')}\n`);
  const parts = results.map(
    (r, i) =>
      `\n@@patchctl:part-${i}@@\n@@patchctl:rc=${r.exitCode ?? 255}@@\n${b64(r.stdout)}` +
      `\n@@patchctl:part-${i}-stderr@@\n${b64(r.stderr)}`,
  );
  return `${parts.join('')}\n@@patchctl:end@@\n`;
}

const BASE64 = /^[A-Za-z0-9+/=\n]*$/;

/**
 * The results of a batch's `count` parts, in order. Each has its own exit status, stdout and
 * stderr; its duration is the batch's. A batch that did not run to its end, or whose output is
 * not what BATCH_SCRIPT prints, is a DriverOutputError: nothing of it is trusted.
 */
export function unbatch(out: CommandResult, count: number): CommandResult[] {
  const fail = (detail: string, excerpt = resultExcerpt(out)): DriverOutputError =>
    new DriverOutputError('linux', `batched commands: ${detail}`, excerpt);
  if (out.timedOut === true) throw fail('timed out');
  if (out.truncated === true) throw fail('output was truncated');
  const { sections, complete } = splitSections(out.stdout);
  if (!complete || out.exitCode !== 0) {
    const how =
      out.exitCode === null ? `ended by ${out.signal ?? 'a signal'}` : `exit status ${out.exitCode}`;
    throw fail(`the batch did not run to its end (${how})`);
  }
  const decode = (name: string): string => {
    const text = sections.get(name)?.text;
    if (text === undefined) throw fail(`the output lacks part ${name}`, excerptOf(out.stdout));
    if (!BASE64.test(text)) throw fail(`part ${name} is not base64`, excerptOf(text));
    return Buffer.from(text, 'base64').toString('utf8');
  };
  const results: CommandResult[] = [];
  for (let i = 0; i < count; i++) {
    const rc = sections.get(`part-${i}`)?.rc;
    if (rc === undefined) throw fail(`part ${i} has no exit status`, excerptOf(out.stdout));
    results.push({
      exitCode: rc,
      stdout: decode(`part-${i}`),
      stderr: decode(`part-${i}-stderr`),
      durationMs: out.durationMs,
    });
  }
  if (sections.has(`part-${count}`))
    throw fail(`more than the ${count} parts asked for`, excerptOf(out.stdout));
  return results;
}
