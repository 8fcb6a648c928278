import { isValidZone, suggestZone } from '../../schedule/zones.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { Located } from '../repository.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Every zone named anywhere must be a real IANA zone: windows are evaluated in it. */
export const timezones: Rule = (repo) => {
  const out: Diagnostic[] = [];
  const check = (zone: string | undefined, where: Located<unknown>, path: Path): void => {
    if (zone === undefined || isValidZone(zone)) return;
    const hint = suggestZone(zone);
    out.push(
      diagnostic(
        'error',
        'unknown-timezone',
        `"${zone}" is not an IANA time zone${hint ? ` (did you mean ${hint}?)` : ' (e.g. Europe/Berlin, America/New_York, UTC)'}`,
        where,
        path,
      ),
    );
  };
  if (repo.config) check(repo.config.doc.spec.timezone, repo.config, ['spec', 'timezone']);
  for (const inv of repo.inventories) {
    check(inv.doc.spec.defaults?.timezone, inv, ['spec', 'defaults', 'timezone']);
    inv.doc.spec.hosts.forEach((h, i) => check(h.timezone, inv, ['spec', 'hosts', i, 'timezone']));
  }
  for (const w of repo.windows) check(w.doc.spec.timezone, w, ['spec', 'timezone']);
  for (const b of repo.blackouts) check(b.doc.spec.timezone, b, ['spec', 'timezone']);
  return out;
};
