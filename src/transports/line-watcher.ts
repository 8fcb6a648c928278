// The ready line of a held command (Transport.hold), as the ssh and local transports watch for it.

/**
 * Watches a byte stream for a line equal to `want` (a trailing CR is ignored). Only a line as long
 * as `want` is kept, so that a long line without a newline costs nothing.
 */
export class LineWatcher {
  private readonly want: Buffer;
  private line = Buffer.alloc(0);
  private tooLong = false;
  private seen = false;

  constructor(want: string) {
    this.want = Buffer.from(want, 'utf8');
  }

  /** Whether the line has been seen, in this chunk or before. */
  push(chunk: Buffer): boolean {
    let start = 0;
    while (!this.seen) {
      const newline = chunk.indexOf(0x0a, start);
      const part = chunk.subarray(start, newline === -1 ? chunk.length : newline);
      if (!this.tooLong) {
        if (this.line.length + part.length > this.want.length + 1) {
          this.tooLong = true;
          this.line = Buffer.alloc(0);
        } else {
          this.line = Buffer.concat([this.line, part]);
        }
      }
      if (newline === -1) break;
      const line = this.line.at(-1) === 0x0d ? this.line.subarray(0, -1) : this.line;
      this.seen = !this.tooLong && line.equals(this.want);
      this.line = Buffer.alloc(0);
      this.tooLong = false;
      start = newline + 1;
    }
    return this.seen;
  }
}
