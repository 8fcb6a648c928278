import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { resolveGroups } from '../groups.js';
import { MINIMAL_CONFIG, check, doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { exceptionValidity } from './exceptions.js';

const exception = (extra: string) => ({
  'inventory/a.yaml': hosts('web-1'),
  'exceptions/e.yaml': doc(
    'PatchException',
    'legacy-openssl',
    `hosts: [web-1]\npackages: [openssl]\nreason: vendor app breaks with 3.x\nowner: alice@example.net\n${extra}`,
  ),
});
const at = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

describe('exceptionValidity', () => {
  it('accepts a current exception within the maximum', () => {
    expect(
      runRule(exceptionValidity, exception('created: "2026-11-20"\nexpires: "2027-02-15"'), { at }),
    ).toEqual([]);
  });
  it('refuses a UTC offset that does not exist, saying why', () => {
    const d = runRule(exceptionValidity, exception('expires: 2027-01-15T12:00:00+25:00'), { at });
    expect(where(d)).toEqual(['exceptions/e.yaml:10:12 error invalid-date']);
    expect(d[0]?.message).toBe(
      'expires "2027-01-15T12:00:00+25:00" is not a real date: UTC offsets run from -12:00 to +14:00',
    );
  });
  it('fails an exception expired at --at', () => {
    const d = runRule(exceptionValidity, exception('created: "2026-09-01"\nexpires: "2026-11-30"'), { at });
    expect(where(d)).toEqual(['exceptions/e.yaml:11:12 error exception-expired']);
  });
  it('is a warning for the commands that act, naming the owner and what becomes due', () => {
    const { repository } = check(exception('created: "2026-09-01"\nexpires: "2026-11-30"'), { at });
    const ctx = { at, members: resolveGroups(repository), advisoryFiles: new Set<string>() };
    const acting = exceptionValidity(repository, { ...ctx, purpose: 'act' });
    expect(where(acting)).toEqual(['exceptions/e.yaml:11:12 warning exception-expired']);
    expect(acting[0]?.message).toBe(
      'exception "legacy-openssl" (owner alice@example.net) expired on 2026-11-30: it waives nothing now, so the updates it waived are due again on its 1 host(s); renew it (new expiry, review) or delete it',
    );
    expect(where(exceptionValidity(repository, { ...ctx, purpose: 'validate' }))).toEqual([
      'exceptions/e.yaml:11:12 error exception-expired',
    ]);
  });
  it('treats a bare date as lasting through that day in the Config zone', () => {
    const files = exception('expires: "2026-12-01"');
    expect(runRule(exceptionValidity, files, { at: DateTime.fromISO('2026-12-01T22:00:00Z') })).toHaveLength(
      1,
    ); // 23:00 Berlin: still valid, expiring
    expect(runRule(exceptionValidity, files, { at: DateTime.fromISO('2026-12-01T23:30:00Z') })[0]?.code).toBe(
      'exception-expired',
    );
  });
  it('fails an exception longer than the Config maximum, measured from created', () => {
    const d = runRule(exceptionValidity, exception('created: "2026-11-01"\nexpires: "2027-06-01"'), { at });
    expect(where(d)).toEqual(['exceptions/e.yaml:11:12 error exception-too-long']);
    expect(d[0]?.message).toContain('at most 90d');
  });
  it('uses the maximum from the Config', () => {
    const files = {
      ...exception('created: "2026-11-20"\nexpires: "2027-02-15"'),
      'patchctl.yaml': `${MINIMAL_CONFIG}  exceptions:\n    maxDuration: 30d\n`,
    };
    expect(runRule(exceptionValidity, files, { at })[0]?.code).toBe('exception-too-long');
  });
  it('measures from --at when created is missing or in the future', () => {
    expect(runRule(exceptionValidity, exception('expires: "2027-06-01"'), { at })[0]?.code).toBe(
      'exception-too-long',
    );
    expect(
      runRule(exceptionValidity, exception('created: "2027-05-01"\nexpires: "2027-06-01"'), { at })[0]?.code,
    ).toBe('exception-too-long');
  });
  it('rejects impossible dates and expiry before creation', () => {
    expect(runRule(exceptionValidity, exception('expires: "2027-02-30"'), { at })[0]?.code).toBe(
      'invalid-date',
    );
    expect(
      runRule(exceptionValidity, exception('created: "2027-01-10"\nexpires: "2027-01-01"'), { at })[0]?.code,
    ).toBe('exception-ends-before-start');
  });
  it('warns when an exception expires within two weeks', () => {
    const d = runRule(exceptionValidity, exception('created: "2026-11-20"\nexpires: "2026-12-10"'), { at });
    expect(where(d)).toEqual(['exceptions/e.yaml:11:12 warning exception-expiring']);
  });
  it('needs a target and a subject', () => {
    const d = runRule(
      exceptionValidity,
      {
        'exceptions/e.yaml': doc(
          'PatchException',
          'x',
          'reason: nothing at all here\nowner: bob\nexpires: "2026-12-20"',
        ),
      },
      { at },
    );
    expect(d.map((x) => x.code)).toEqual(['exception-without-target', 'exception-without-subject']);
  });
});
