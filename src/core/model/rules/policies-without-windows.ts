import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * A policy without `windows` patches and reboots its hosts at any time, the middle of a working
 * day included. That may be what is meant (lab machines, a fast lane), so it can be said: an
 * explicit `windows: []` means "any time" and is not reported (README "PatchPolicy").
 */
export const policiesWithoutWindows: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const p of repo.policies) {
    if (p.doc.spec.windows !== undefined) continue;
    out.push(
      diagnostic(
        'warning',
        'policy-without-windows',
        `policy "${p.doc.metadata.name}" names no maintenance windows, so its updates start, and its hosts ${p.doc.spec.reboot === 'never' ? 'are patched' : 'reboot'}, at any time; list its windows, or write "windows: []" to say that any time is intended`,
        p,
        ['metadata', 'name'],
      ),
    );
  }
  return out;
};
