// One status line redrawn in place on a terminal (a spinner frame and a text), for progress
// displays. It never depends on the terminal reporting a width: the line is drawn only when the
// stream reports a usable width (statusWidth), cut to fit that width, so it always takes exactly
// one terminal line and clearing it is always one carriage return and one erase, whatever the
// width. Without a usable width (0 or no columns: `script` without a size, some CI
// pseudo-terminals) nothing is drawn and the caller prints plain lines (README.md, "Apply").
// (ora, used here before, divided by the reported width: 0 columns made it clear an infinite
// number of lines, at 100% CPU, before any host started.)

/** A terminal narrower than this shows no status line: plain lines only. */
export const MIN_STATUS_COLUMNS = 20;

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;

export interface StatusStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: unknown;
}

/** The columns a status line may use on `stream`, or undefined when it reports no usable width. */
export function statusWidth(stream: StatusStream): number | undefined {
  if (stream.isTTY !== true) return undefined;
  const columns = stream.columns;
  return typeof columns === 'number' && Number.isSafeInteger(columns) && columns >= MIN_STATUS_COLUMNS
    ? columns
    : undefined;
}

/**
 * `text` cut to at most `columns` terminal columns, counting every code point from U+1100 on
 * as two (wide characters and emoji; an overestimate for the rest, so the line never wraps).
 */
export function fitColumns(text: string, columns: number): string {
  let used = 0;
  let out = '';
  for (const ch of text) {
    const w = (ch.codePointAt(0) ?? 0) >= 0x1100 ? 2 : 1;
    if (used + w > columns) return `${out.slice(0, Math.max(0, out.length - 1))}…`;
    used += w;
    out += ch;
  }
  return out;
}

export class StatusLine {
  private text = '';
  private frame = 0;
  private drawn = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly stream: StatusStream) {}

  get isActive(): boolean {
    return this.timer !== undefined;
  }

  /** Shows `text` and animates the frame until stop(). */
  start(text: string): void {
    this.text = text;
    if (this.timer === undefined) {
      this.timer = setInterval(() => {
        this.frame = (this.frame + 1) % FRAMES.length;
        this.draw();
      }, FRAME_MS);
      this.timer.unref?.();
    }
    this.draw();
  }

  /** A new text, drawn at once when active. */
  update(text: string): void {
    this.text = text;
    if (this.isActive) this.draw();
  }

  /** Erases the line (the cursor stays at its start), e.g. to print a persistent line. */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\u001b[2K');
    this.drawn = false;
  }

  /** Redraws after clear(), when active. */
  redraw(): void {
    if (this.isActive) this.draw();
  }

  /** Erases the line and stops (idempotent). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    // Read at every draw: a terminal resized to nothing shows nothing, and never loops.
    const width = statusWidth(this.stream);
    if (width === undefined) return this.clear();
    // One column is left free: a line that fills the last column wraps on some terminals.
    const line = fitColumns(`${FRAMES[this.frame] ?? ''} ${this.text}`, width - 1);
    this.stream.write(`\r${line}\u001b[K`);
    this.drawn = true;
  }
}
