// Why one feed could not be synced: reported on that feed's line, the other feeds go on.

/** A feed failed for a reason outside patchctl (network, server, content); `message` says why. */
export class FeedFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedFailure';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024 && n % (1024 * 1024 * 1024) === 0) return `${n / 1024 / 1024 / 1024} GiB`;
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / 1024 / 1024} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
