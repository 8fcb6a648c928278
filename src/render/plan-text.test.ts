import { describe, expect, it } from '@jest/globals';
import type { PlanSkip, SkipReason } from '../core/plan/types.js';
import {
  FRA_WINDOW,
  aHost,
  aPlan,
  aReboot,
  aRing,
  aSkip,
  anUpgrade,
  bigPlan,
  samplePlan,
} from './__fixtures__/plans.js';
import { formatInstantUtc, formatSpanUtc, renderPlanText, skipPhrase } from './plan-text.js';

const plain = (plan: Parameters<typeof renderPlanText>[0], width?: number): string =>
  renderPlanText(plan, { color: false, ...(width !== undefined ? { width } : {}) });

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

const SAMPLE_TEXT = `Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4 · inputs sha256:9f8e7d6c5b4a

ring canary · rollout web · 3 hosts · earliest start 2026-12-11 22:00 UTC

  fra-web-01 · window fra-servers-monthly 2026-12-11 22:00 → 2026-12-12 04:00 UTC
    ~ openssl 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, high, DSA-5939-1)
    ~ sudo 1.9.13p3-1+deb12u1 → 1.9.13p3-1+deb12u2 (security, critical, DSA-5954-1, CVE-2025-32462, CVE-2025-32463 +1) !! emergency
    ! reboot (linux-image-amd64 requires a reboot)
    - skipped linux-image-amd64 6.1.140-1: excluded by policy linux-security

  fra-web-02 · window fra-servers-monthly 2026-12-11 22:00 → 2026-12-12 04:00 UTC
    ~ openssl 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, high, DSA-5939-1)

  1 host up to date: fra-web-03

ring broad · rollout web · 5 hosts · after ring canary completes and bakes 24h

  fra-db-01  - skipped curl 7.88.1-10+deb12u12, openssl 3.0.17-1~deb12u1: not approved yet by policy debian-security (eligible 2026-12-04 00:00 UTC)
             - skipped postgresql-15 15.13-0+deb12u1: waived by exception legacy-db (expires 2027-02-15)
  fra-db-02  ? unreachable (last scan 2026-11-30 02:00 UTC: connection timed out)
             - skipped openssl 3.0.17-1~deb12u1: host unreachable
  fra-db-03  ? never scanned: run patchctl scan

  2 hosts up to date: fra-web-04, fra-web-05

Plan: 3 updates on 2 hosts, 1 reboot, 5 skipped.
`;

describe('renderPlanText', () => {
  it('prints a small plan like terraform does', () => {
    expect(plain(samplePlan())).toBe(SAMPLE_TEXT);
  });

  it('colours only when asked, and colour changes nothing but escape codes', () => {
    expect(plain(samplePlan())).not.toContain('\u001b');
    const coloured = renderPlanText(samplePlan(), { color: true });
    expect(coloured).toContain('\u001b[33m~\u001b[39m openssl'); // ~ yellow
    expect(coloured).toContain('\u001b[31m!\u001b[39m'); // ! red
    expect(coloured).toContain('\u001b[35m\u001b[1m!! emergency'); // !! magenta, bold
    expect(coloured).toContain('\u001b[2m    - skipped linux-image-amd64'); // - dim
    expect(coloured).toContain('\u001b[1mring canary'); // headers bold
    expect(stripAnsi(coloured)).toBe(SAMPLE_TEXT);
  });

  it('has a readable phrase for every skip reason, followed by its cause', () => {
    const cases: [SkipReason, Partial<PlanSkip>, string][] = [
      ['excluded', { by: 'policy linux-security' }, 'excluded by policy linux-security'],
      ['excluded', { by: 'no policy applies to this host' }, 'excluded (no policy applies to this host)'],
      ['pinned', { by: 'policy web (pin openssl 3.0.*)' }, 'pinned by policy web (pin openssl 3.0.*)'],
      ['held', { by: 'package manager hold on the host' }, 'held (package manager hold on the host)'],
      [
        'exception',
        { by: 'exception legacy', expires: '2027-02-15' },
        'waived by exception legacy (expires 2027-02-15)',
      ],
      [
        'not-approved-yet',
        { by: 'policy x', eligibleAt: '2026-12-04T00:00:00Z' },
        'not approved yet by policy x (eligible 2026-12-04 00:00 UTC)',
      ],
      ['below-severity', { by: 'policy x' }, 'below the minimum severity set by policy x'],
      ['classification', { by: 'policy x' }, 'classification not selected by policy x'],
      [
        'no-window',
        { by: 'policy x: none of its windows covers this host' },
        'no maintenance window (policy x: none of its windows covers this host)',
      ],
      [
        'blackout',
        { by: 'blackout year-end', eligibleAt: '2027-01-04T07:00:00+01:00' },
        'blocked by blackout year-end (eligible 2027-01-04 06:00 UTC)',
      ],
      [
        'host-unreachable',
        { by: 'last scan 2026-11-30T02:00:00Z: timeout' },
        'host unreachable (last scan 2026-11-30 02:00 UTC: timeout)',
      ],
    ];
    for (const [reason, over, phrase] of cases) {
      const skip = aSkip({ package: 'openssl', to: '3.0.17-1', reason, ...over });
      expect(skipPhrase(skip)).toBe(phrase);
      const host = aHost('web-01', { window: FRA_WINDOW, actions: [anUpgrade()], skipped: [skip] });
      expect(plain(aPlan([aRing('r', [host])]))).toContain(`    - skipped openssl 3.0.17-1: ${phrase}\n`);
    }
  });

  it('counts in the singular and the plural', () => {
    const one = aPlan([
      aRing('r', [aHost('a', { window: FRA_WINDOW, actions: [anUpgrade(), aReboot()], skipped: [aSkip()] })]),
    ]);
    expect(plain(one)).toContain('ring r · rollout web · 1 host · not scheduled\n');
    expect(plain(one).endsWith('Plan: 1 update on 1 host, 1 reboot, 1 skipped.\n')).toBe(true);
    const two = aPlan([
      aRing('r', [
        aHost('a', { window: FRA_WINDOW, actions: [anUpgrade(), anUpgrade({ package: 'curl' })] }),
        aHost('b', { window: FRA_WINDOW, actions: [anUpgrade()] }),
        aHost('c'),
        aHost('d'),
      ]),
    ]);
    expect(plain(two)).toContain('ring r · rollout web · 4 hosts · not scheduled\n');
    expect(plain(two)).toContain('  2 hosts up to date: c, d\n');
    expect(plain(two).endsWith('Plan: 3 updates on 2 hosts, 0 reboots, 0 skipped.\n')).toBe(true);
  });

  it('says "No changes." for an empty plan and for plans with nothing to apply', () => {
    expect(plain(aPlan([]))).toBe(
      'Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4 · inputs sha256:9f8e7d6c5b4a\n\n' +
        'No changes. The plan covers no hosts.\n',
    );
    const idle = aPlan([aRing('r', [aHost('a'), aHost('b')], { rollout: '' })]);
    expect(plain(idle)).toBe(
      'Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4 · inputs sha256:9f8e7d6c5b4a\n\n' +
        'ring r · 2 hosts · not scheduled\n\n' +
        '  2 hosts up to date: a, b\n\n' +
        'No changes. 2 hosts up to date.\n',
    );
    const skipping = aPlan([aRing('r', [aHost('a', { skipped: [aSkip()] })])]);
    expect(plain(skipping).endsWith('No changes. Nothing to apply on 1 host; 1 skipped.\n')).toBe(true);
  });

  it('fits the list of up-to-date hosts into the width', () => {
    const names = Array.from({ length: 12 }, (_, i) => `fra-app-${String(i + 1).padStart(2, '0')}`);
    const plan = aPlan([
      aRing(
        'r',
        names.map((n) => aHost(n)),
      ),
    ]);
    const line = plain(plan, 62)
      .split('\n')
      .find((l) => l.includes('up to date'));
    expect(line).toBe('  12 hosts up to date: fra-app-01, fra-app-02, fra-app-03 … +9');
    expect(line?.length).toBe(62);
    expect(plain(plan, 61)).toContain('  12 hosts up to date: fra-app-01, fra-app-02 … +10\n');
    expect(plain(plan, 200)).toContain(`  12 hosts up to date: ${names.join(', ')}\n`);
    // At least one name, however narrow.
    expect(plain(plan, 10)).toContain('  12 hosts up to date: fra-app-01 … +11\n');
  });

  it('shows the arch, a note next to changes, and a window that needs no opening', () => {
    const host = aHost('web-01', {
      note: 'facts are 9 days old',
      actions: [anUpgrade({ arch: 'amd64', severity: null, advisories: [] })],
    });
    expect(plain(aPlan([aRing('r', [host])]))).toContain(
      '  web-01 · no window needed\n' +
        '    ? facts are 9 days old\n' +
        // Nobody rated it: said, never left out (docs/vulnerabilities.md).
        '    ~ openssl:amd64 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, severity unknown)\n',
    );
  });

  it('names the KEV and EPSS tiers a feed raised an update to, never the routine ones', () => {
    const host = aHost('web-01', {
      actions: [
        anUpgrade({ package: 'glibc', severity: 'low', advisories: ['ALSA-2023:5453'], tier: 'kev' }),
        anUpgrade({ package: 'linux', severity: 'medium', advisories: ['CVE-2021-33909'], tier: 'epss' }),
        anUpgrade({
          package: 'bash',
          classification: 'bugfix',
          severity: null,
          advisories: [],
          tier: 'routine',
        }),
      ],
    });
    const text = plain(aPlan([aRing('r', [host])]));
    expect(text).toContain(
      '~ glibc 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, low, KEV, ALSA-2023:5453)\n',
    );
    expect(text).toContain(
      '~ linux 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, medium, EPSS, CVE-2021-33909)\n',
    );
    expect(text).toContain('~ bash 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (bugfix)\n');
  });

  it('shortens commits and digests, and says when there is no commit', () => {
    expect(plain(aPlan([], { gitCommit: '1a2b3c4d5e6f-dirty' })).split('\n')[0]).toBe(
      'Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4-dirty · inputs sha256:9f8e7d6c5b4a',
    );
    expect(plain(aPlan([], { gitCommit: null })).split('\n')[0]).toContain('· not in git ·');
  });

  it('formats instants in UTC, compactly', () => {
    expect(formatInstantUtc('2026-12-11T23:30:00+01:00')).toBe('2026-12-11 22:30 UTC');
    expect(formatInstantUtc('2026-12-11T22:00:15.000Z')).toBe('2026-12-11 22:00:15 UTC');
    expect(formatInstantUtc('2027-02-15')).toBe('2027-02-15');
    expect(formatInstantUtc('2026-12-11T22:00:00')).toBe('2026-12-11T22:00:00'); // no zone: as written
    expect(formatSpanUtc('2026-12-11T20:00:00Z', '2026-12-11T23:30:00Z')).toBe(
      '2026-12-11 20:00 → 23:30 UTC',
    );
    expect(formatSpanUtc(FRA_WINDOW.start, FRA_WINDOW.end)).toBe('2026-12-11 22:00 → 2026-12-12 04:00 UTC');
  });

  it('gives the same string for the same plan', () => {
    expect(plain(samplePlan())).toBe(plain(samplePlan()));
    expect(renderPlanText(samplePlan(), { color: true })).toBe(renderPlanText(samplePlan(), { color: true }));
  });

  // Its speed is measured by `npm run bench`, not here: shared machines make timed tests flaky.
  it('renders 10,000 hosts × 50 updates to the end', () => {
    const plan = bigPlan(10_000, 50);
    const out = renderPlanText(plan, { color: true });
    expect(
      out.endsWith('Plan: 500000 updates on 10000 hosts, 10000 reboots, 10000 skipped.\u001b[22m\n'),
    ).toBe(true);
  });
});

describe('host text in the plan (issue 12)', () => {
  const HOSTILE =
    'E: fetch\u001b[2J\u001b[8mhidden\u001b[0m\n::add-mask::x\n::error::fake ##[error]y \u202eevil =HYPERLINK("x")';

  it('is shown escaped on one line: no control sequence, no workflow command, the words still there', () => {
    const plan = aPlan([
      aRing('canary', [
        aHost('web-1', {
          note: `unreachable (${HOSTILE})`,
          skipped: [aSkip({ reason: 'host-unreachable', by: HOSTILE })],
        }),
        aHost('web-2', { window: FRA_WINDOW, actions: [aReboot(HOSTILE)] }),
      ]),
    ]);
    for (const color of [false, true]) {
      const out = stripAnsi(renderPlanText(plan, { color }));
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(out.split('\n').filter((l) => /^\s*::/.test(l) || l.includes('##['))).toEqual([]);
      expect(out).toContain(
        'E: fetch\\x1b[2J\\x1b[8mhidden\\x1b[0m\\n::add-mask::x\\n::error::fake ##\\u005berror]y \\u202eevil',
      );
      expect(out).toContain('=HYPERLINK("x")');
    }
  });
});

describe('renderPlanText: window times in the window zone (issue 16)', () => {
  const zones = new Map([['fra-servers-monthly', 'Europe/Berlin']]);

  it('shows a host window and the ring earliest start in the window zone next to UTC', () => {
    const text = renderPlanText(samplePlan(), { color: false, zones });
    expect(text).toContain(
      'fra-web-01 · window fra-servers-monthly 2026-12-11 23:00 → 2026-12-12 05:00 Europe/Berlin (22:00 → 2026-12-12 04:00 UTC)',
    );
    expect(text).toContain('earliest start 2026-12-11 23:00 Europe/Berlin (22:00 UTC)');
    // Nothing else of the plan changes.
    expect(text.replace(/ Europe\/Berlin \(([^)]*) UTC\)/g, '')).not.toContain('Europe/Berlin');
  });

  it('stays in UTC for a window whose zone is unknown or UTC itself', () => {
    expect(plain(samplePlan())).toBe(SAMPLE_TEXT);
    const utc = renderPlanText(samplePlan(), {
      color: false,
      zones: new Map([['fra-servers-monthly', 'UTC']]),
    });
    expect(utc).toBe(SAMPLE_TEXT);
  });
});

describe('formatInstantInZone / formatSpanInZone', () => {
  it('says the zone time, then UTC, with the UTC date only when it differs', async () => {
    const { formatInstantInZone, formatSpanInZone } = await import('./window-time.js');
    expect(formatInstantInZone('2026-12-08T01:00:00Z', 'Europe/Berlin')).toBe(
      '2026-12-08 02:00 Europe/Berlin (01:00 UTC)',
    );
    expect(formatInstantInZone('2026-12-08T03:00:00Z', 'America/New_York')).toBe(
      '2026-12-07 22:00 America/New_York (2026-12-08 03:00 UTC)',
    );
    // Daylight saving time: the same local hour is another UTC hour in summer.
    expect(formatInstantInZone('2026-07-08T00:00:00Z', 'Europe/Berlin')).toBe(
      '2026-07-08 02:00 Europe/Berlin (00:00 UTC)',
    );
    expect(formatInstantInZone('2026-12-08T01:00:00Z', undefined)).toBe('2026-12-08 01:00 UTC');
    expect(formatInstantInZone('2026-12-08T01:00:00Z', 'Not/AZone')).toBe('2026-12-08 01:00 UTC');
    expect(formatInstantInZone('2027-02-15', 'Europe/Berlin')).toBeUndefined();
    expect(formatSpanInZone('2026-12-08T01:00:00Z', '2026-12-08T05:00:00Z', 'Europe/Berlin')).toBe(
      '2026-12-08 02:00 → 06:00 Europe/Berlin (01:00 → 05:00 UTC)',
    );
    expect(formatSpanInZone('2026-12-08T01:00:00Z', '2026-12-08T05:00:00Z', 'Etc/UTC')).toBe(
      '2026-12-08 01:00 → 05:00 UTC',
    );
  });
});

describe('renderPlanText --summary (issue 16)', () => {
  it('prints counts per ring and no host or skip lines', () => {
    const text = renderPlanText(samplePlan(), { color: false, summary: true });
    expect(text).toBe(`Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4 · inputs sha256:9f8e7d6c5b4a

ring canary · rollout web · 3 hosts · earliest start 2026-12-11 22:00 UTC
  2 hosts with work: 3 updates (1 emergency), 1 reboot
  other hosts: 1 up to date
  1 skipped: 1 excluded

ring broad · rollout web · 5 hosts · after ring canary completes and bakes 24h
  0 hosts with work: 0 updates, 0 reboots
  other hosts: 2 up to date, 1 all updates skipped, 1 unreachable, 1 never scanned
  4 skipped: 2 not approved yet, 1 waived, 1 host unreachable

Plan: 3 updates on 2 hosts, 1 reboot, 5 skipped.
`);
  });

  it('counts KEV updates and stays short on a big plan', () => {
    const plan = aPlan([
      aRing('canary', [
        aHost('a', {
          actions: [anUpgrade({ tier: 'kev', emergency: true }), anUpgrade({ package: 'curl' })],
        }),
      ]),
    ]);
    expect(renderPlanText(plan, { color: false, summary: true })).toContain(
      '1 host with work: 2 updates (1 KEV, 1 emergency), 0 reboots',
    );
    const big = renderPlanText(bigPlan(2000, 3), { color: false, summary: true });
    expect(big.split('\n')).toHaveLength(8);
    expect(big).toContain('  2000 hosts with work: 6000 updates, 2000 reboots\n  2000 skipped: 2000 ');
    expect(big).not.toContain('host-0');
  });
});
