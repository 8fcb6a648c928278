import type { CommandResult } from './types.js';

/** The default cap on each of stdout and stderr of one command: 8 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * Collects one output stream up to `maxBytes` bytes; the rest is counted and dropped (the stream
 * is still drained, so the remote side never blocks). Decoded as UTF-8 at the end, so characters
 * split across chunks come out whole.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(
    private readonly name: string,
    private readonly maxBytes = DEFAULT_MAX_OUTPUT_BYTES,
  ) {}

  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    this.total += buffer.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return;
    const part = buffer.length <= room ? buffer : buffer.subarray(0, room);
    this.chunks.push(part);
    this.kept += part.length;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  /**
   * The text; when over the cap, cut at a character boundary and followed by the marker line
   * `[patchctl: <name> truncated: kept the first N of M bytes]`.
   */
  text(): string {
    const all = Buffer.concat(this.chunks, this.kept);
    if (!this.truncated) return all.toString('utf8');
    const cut = all.subarray(0, utf8Boundary(all));
    return `${cut.toString('utf8')}\n[patchctl: ${this.name} truncated: kept the first ${cut.length} of ${this.total} bytes]\n`;
  }
}

/** The length of `buffer` without a trailing incomplete UTF-8 sequence. */
function utf8Boundary(buffer: Buffer): number {
  const end = buffer.length;
  for (let back = 1; back <= 4 && back <= end; back += 1) {
    const byte = buffer[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}

/**
 * The CommandResult of a command that ended (or was stopped at its timeout), from what a transport
 * saw of it: its exit, its capped output and when it started (performance.now()).
 */
export function endedResult(ended: {
  exitCode: number | null;
  exitSignal: string | undefined;
  timedOut: boolean;
  stdout: CappedOutput;
  stderr: CappedOutput;
  started: number;
}): CommandResult {
  const { exitSignal, timedOut, stdout, stderr } = ended;
  const result: CommandResult = {
    exitCode: timedOut ? null : ended.exitCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    durationMs: Math.round(performance.now() - ended.started),
  };
  if (exitSignal !== undefined && !timedOut) result.signal = exitSignal;
  if (timedOut) result.timedOut = true;
  if (stdout.truncated || stderr.truncated) result.truncated = true;
  return result;
}
