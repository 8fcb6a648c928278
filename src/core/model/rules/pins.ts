import { parseConstraint } from '../../versions/index.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * Version pins are constraints in each host's own ecosystem (dpkg order on apt hosts, rpm order
 * on dnf/zypper hosts). A pin that neither can read would hold its package back everywhere.
 */
export const pinConstraints: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const p of repo.policies) {
    p.doc.spec.pins?.forEach((pin, i) => {
      const deb = parseConstraint('deb', pin.version);
      const rpm = parseConstraint('rpm', pin.version);
      if (deb.ok || rpm.ok) return;
      out.push(
        diagnostic('error', 'invalid-pin', `pin ${pin.package} "${pin.version}": ${deb.message}`, p, [
          'spec',
          'pins',
          i,
          'version',
        ]),
      );
    });
  }
  return out;
};
