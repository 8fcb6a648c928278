// The shared lock-holder and free-space parts of a pre-flight (docs/adding-a-driver.md,
// "Registries"), read from the apt driver's lab captures (../apt/__fixtures__/SOURCES.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

import { parsePreflight } from '../apt/parse-preflight.js';
import { APT_LOCK_FILES, APT_SPACE_PATHS, PREFLIGHT_SCRIPT } from '../apt/scripts.js';
import { splitSections } from '../sections.js';
import { freeSpaceBody, lockHoldersBody, lockHoldersFrom, parseDfSection } from './preflight.js';

const aptFixture = (name: string) =>
  readFileSync(new URL(`../apt/__fixtures__/${name}`, import.meta.url), 'utf8');

describe('the Linux pre-flight parts', () => {
  it("are what apt's pre-flight script runs, on apt's files and paths", () => {
    expect(PREFLIGHT_SCRIPT).toContain(lockHoldersBody(APT_LOCK_FILES).join('\n'));
    expect(PREFLIGHT_SCRIPT).toContain(freeSpaceBody(APT_SPACE_PATHS).join('\n'));
  });

  it('name the holder of a real held lock, on overlayfs too, and the free space of each path', () => {
    for (const name of ['lab-preflight-lock-held.stdout', 'lab-preflight-lock-held-overlay.stdout']) {
      const stdout = aptFixture(name);
      const { sections } = splitSections(stdout);
      const holders = lockHoldersFrom(
        sections.get('lock-files')?.text ?? '',
        sections.get('lock-holders')?.text ?? '',
      );
      expect(holders.length).toBeGreaterThan(0);
      expect(holders).toEqual(parsePreflight({ stdout, stderr: '', exitCode: 0, durationMs: 0 }).lockHolders);
    }
    const { sections } = splitSections(aptFixture('lab-preflight-clean.stdout'));
    expect(parseDfSection(sections.get('df')?.text ?? '').map((f) => f.path)).toEqual([...APT_SPACE_PATHS]);
    expect(lockHoldersFrom('', '')).toEqual([]);
  });
});
