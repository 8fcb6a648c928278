// The simulated RPM hosts' data must be the lab's (lab/lib/rpm.mjs): the sim-vs-lab test compares
// their reports, and a package or advisory changed on one side only would make it fail far from
// the cause. This says where.
import { describe, expect, it } from '@jest/globals';

// @ts-expect-error -- lab/ is plain JavaScript, without type declarations
import { ADVISORIES, RPM_PACKAGES } from '../../lab/lib/rpm.mjs';
import { RPM_LAB_ADVISORIES, RPM_LAB_PACKAGES } from './rpm-packages.js';

interface LabPackage {
  name: string;
  old: string[];
  new: string[];
  kernel?: boolean;
  failingPre?: boolean;
  held?: boolean;
  summary: string;
}

describe('the simulated RPM packages are the lab’s', () => {
  it('same packages, versions, kernel, failing %pre, lock and summaries', () => {
    const shape = (p: LabPackage) => ({
      name: p.name,
      old: [...p.old],
      new: [...p.new],
      kernel: p.kernel === true,
      failingPre: p.failingPre === true,
      held: p.held === true,
      summary: p.summary,
    });
    expect(RPM_LAB_PACKAGES.map((p) => shape({ ...p, old: [...p.old], new: [...p.new] }))).toEqual(
      (RPM_PACKAGES as LabPackage[]).map(shape),
    );
  });

  it('same advisories', () => {
    expect(RPM_LAB_ADVISORIES.map((a) => ({ ...a, rebootSuggested: a.rebootSuggested === true }))).toEqual(
      (ADVISORIES as (typeof RPM_LAB_ADVISORIES)[number][]).map((a) => ({
        ...a,
        rebootSuggested: a.rebootSuggested === true,
      })),
    );
  });
});
