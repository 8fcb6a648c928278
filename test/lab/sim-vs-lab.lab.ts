// The simulated fleet stays honest (issue 6): one scenario — scan, apply, report on three hosts
// — on the real lab and on the simulated fleet must give the same compliance report, modulo the
// things that differ by nature (times, run ids, digests, boot ids). Registered from lab.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import { startSimFleet } from '../../src/sim/fleet.js';
import { LAB_REPO, lab, patchctlInBackground } from './lab-helpers.js';

/** scan, apply, then the compliance.json the apply wrote. */
async function scenario(repo: string): Promise<unknown> {
  for (const args of [
    ['scan', '-C', repo],
    ['apply', '-C', repo, '--auto-approve', '--no-color'],
  ]) {
    // In the background: the simulated hosts answer from this process's event loop.
    const r = await patchctlInBackground(args).done;
    if (r.status !== 0)
      throw new Error(`patchctl ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return JSON.parse(readFileSync(path.join(repo, 'reports', 'compliance.json'), 'utf8')) as unknown;
}

/** Times, run ids, digests and boot ids differ between any two runs: replace them by their kind. */
function normalise(value: unknown): unknown {
  if (typeof value === 'string')
    return value
      .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g, '<time>')
      .replace(/\d{8}T\d{6}Z-[0-9a-f]{8}/g, '<run>')
      .replace(/sha256:[0-9a-f]{12,64}/g, '<digest>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<boot-id>')
      .replace(/\d{4}-\d{2}-\d{2}/g, '<date>');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Who ran it (user@machine) is the controller's, not the fleet's.
      out[k] = k === 'who' ? '<who>' : normalise(v);
      // Hosts of one ring finish in either order; evidence is listed by finishing time.
      if (k === 'evidence' && Array.isArray(out[k]))
        out[k] = [...(out[k] as { host: string }[])].sort((a, b) => (a.host < b.host ? -1 : 1));
    }
    return out;
  }
  return value;
}

export function simVsLabScenarios(labIsUsable: () => boolean): void {
  describe('the simulated fleet against the lab', () => {
    afterAll(() => {
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it('scan + apply + report on 3 hosts gives the same compliance report on both', async () => {
      if (!labIsUsable()) return;
      const up = lab(['up', '--hosts', '3']);
      if (up.status !== 0) throw new Error(`lab up failed:\n${up.stdout}\n${up.stderr}`);
      const real = await scenario(LAB_REPO);

      const scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-sim-vs-lab-'));
      const fleet = await startSimFleet({ hosts: 3 });
      try {
        const simulated = await scenario(fleet.writeRepository(path.join(scratch, 'repo')));
        expect(normalise(simulated)).toEqual(normalise(real));
      } finally {
        await fleet.stop();
        rmSync(scratch, { recursive: true, force: true });
      }
    }, 300_000);
  });
}
