// Who holds apk's database lock (LOCK_SCRIPT): /proc/locks lines on the lock file's inode, each
// with the holder's command name after a tab. apk takes a whole-file flock (database.c), so the
// holder is a FLOCK line; waiters (`->`) were already left out by the script.
import { readSections } from '../sections.js';
import type { CommandResult, LockHolder } from '../types.js';
import { DRIVER, splitLines } from './common.js';
import { APK_LOCK_FILE } from './scripts.js';

export function parseLockHolders(out: CommandResult): LockHolder[] {
  const s = readSections(DRIVER, 'lock', out, ['lock-file', 'lock-holders']);
  const file = /^(\d+) (\d+) (\/\S+)$/.exec(s.get('lock-file')?.text ?? '');
  if (file === null) return []; // no lock file: nobody ever took the lock
  const inode = file[2] ?? '';
  const holders: LockHolder[] = [];
  for (const line of splitLines(s.get('lock-holders')?.text ?? '')) {
    if (line.trim() === '') continue;
    const tab = line.lastIndexOf('\t');
    const lock = tab === -1 ? line : line.slice(0, tab);
    const command = tab === -1 ? '' : line.slice(tab + 1).trim();
    const t = lock.trim().split(/\s+/);
    const m = /^[0-9a-f]+:[0-9a-f]+:(\d+)$/.exec(t[5] ?? '');
    if (m === null || m[1] !== inode) continue;
    const pid = Number(t[4]);
    const holder: LockHolder = {
      path: APK_LOCK_FILE,
      pid: Number.isSafeInteger(pid) && pid > 0 ? pid : null,
    };
    if (command !== '' && command.length <= 64) holder.command = command;
    holders.push(holder);
  }
  return holders.sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0));
}
