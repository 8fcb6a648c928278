// The few git facts patchctl records. git is optional: outside a work tree these are null.
import { spawnSync } from 'node:child_process';

/** The commit checked out in `dir`, with "-dirty" when tracked files differ from it. */
export function gitCommit(dir: string): string | null {
  const head = spawnSync('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], {
    encoding: 'utf8',
  });
  if (head.status !== 0 || !head.stdout) return null;
  const commit = head.stdout.trim();
  const status = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no', '--', '.'], {
    encoding: 'utf8',
  });
  return status.status === 0 && status.stdout.trim() !== '' ? `${commit}-dirty` : commit;
}
