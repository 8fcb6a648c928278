import { describe, expect, it } from '@jest/globals';
import { comparePlans } from '../core/plan/compare-plans.js';
import type { Plan, PlanRing } from '../core/plan/types.js';
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
import { GITHUB_COMMENT_LIMIT, md, renderPlanMarkdown } from './plan-markdown.js';

const SAMPLE_MARKDOWN = `### patchctl plan: 3 updates on 2 hosts

Plan at 2026-12-01 09:00 UTC · commit 1a2b3c4 · inputs sha256:9f8e7d6c5b4a

| Hosts | With changes | Updates | Reboots | Skipped |
| ---: | ---: | ---: | ---: | ---: |
| 8 | 2 | 3 | 1 | 5 |

<details><summary><b>ring canary</b> · rollout web · 3 hosts, 2 with changes · 3 updates, 1 reboot · earliest start 2026-12-11 22:00 UTC</summary>

| Hosts | Window | Changes |
| --- | --- | --- |
| fra-web-01 | fra-servers-monthly<br>2026-12-11 22:00 → 2026-12-12 04:00 UTC | **openssl** 3.0.15-1&#126;deb12u1 → 3.0.17-1&#126;deb12u1 (security, high, DSA-5939-1)<br>**sudo** 1.9.13p3-1+deb12u1 → 1.9.13p3-1+deb12u2 (security, critical, DSA-5954-1, CVE-2025-32462, CVE-2025-32463 +1) **‼ emergency**<br>**reboot** (linux-image-amd64 requires a reboot) |
| fra-web-02 | fra-servers-monthly<br>2026-12-11 22:00 → 2026-12-12 04:00 UTC | **openssl** 3.0.15-1&#126;deb12u1 → 3.0.17-1&#126;deb12u1 (security, high, DSA-5939-1) |

| Skipped | Updates | Hosts | Packages |
| --- | ---: | ---: | --- |
| excluded by policy linux-security | 1 | 1 | linux-image-amd64 |

- **Up to date:** 1 host: fra-web-03

</details>

<details><summary><b>ring broad</b> · rollout web · 5 hosts, none with changes · 0 updates, 0 reboots · after ring canary completes and bakes 24h</summary>

| Skipped | Updates | Hosts | Packages |
| --- | ---: | ---: | --- |
| not approved yet by policy debian-security (eligible 2026-12-04 00:00 UTC) | 2 | 1 | curl, openssl |
| host unreachable | 1 | 1 | openssl |
| waived by exception legacy-db (expires 2027-02-15) | 1 | 1 | postgresql-15 |

- **Only skipped:** fra-db-01
- **Not planned:** fra-db-02 — unreachable (last scan 2026-11-30 02:00 UTC: connection timed out)
- **Not planned:** fra-db-03 — never scanned: run patchctl scan
- **Up to date:** 2 hosts: fra-web-04, fra-web-05

</details>
`;

const occurrences = (s: string, sub: string): number => s.split(sub).length - 1;

/** Cells of a Markdown table row: split on the pipes that are not escaped (none are, after md()). */
const cells = (row: string): string[] => row.split('|').slice(1, -1);

describe('renderPlanMarkdown', () => {
  it('writes a pull-request comment for a small plan', () => {
    expect(renderPlanMarkdown(samplePlan())).toBe(SAMPLE_MARKDOWN);
  });

  it('says so when there is nothing to change', () => {
    const out = renderPlanMarkdown(aPlan([]));
    expect(out.split('\n')[0]).toBe('### patchctl plan: no changes');
    expect(out).toContain('| 0 | 0 | 0 | 0 | 0 |');
    expect(out).not.toContain('<details>');
  });

  it('escapes every value that comes from the plan', () => {
    const plan = aPlan([
      aRing('ring|<b>', [
        aHost('<script>alert(1)</script>', {
          window: { ...FRA_WINDOW, name: 'w_*x*_' },
          actions: [anUpgrade({ package: 'a|b', from: '1~2', to: '`3` & [4](x) @team $x$' })],
          skipped: [aSkip({ package: 'c|d', by: 'policy p|q\nnext' })],
        }),
        aHost('ok'),
      ]),
    ]);
    const out = renderPlanMarkdown(plan);
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<b>ring|');
    expect(out).toContain('<b>ring ring&#124;&lt;b&gt;</b>');
    const row = out.split('\n').find((l) => l.startsWith('| &lt;script&gt;'));
    expect(row).toBe(
      '| &lt;script&gt;alert(1)&lt;/script&gt; | w&#95;&#42;x&#42;&#95;<br>2026-12-11 22:00 → 2026-12-12 04:00 UTC | ' +
        '**a&#124;b** 1&#126;2 → &#96;3&#96; &amp; &#91;4&#93;(x) &#64;team &#36;x&#36; (security, high, DSA-5939-1) |',
    );
    expect(cells(row ?? '')).toHaveLength(3);
    const skipRow = out.split('\n').find((l) => l.startsWith('| excluded'));
    // The line break is shown escaped (`\n`), on the one row.
    expect(skipRow).toBe('| excluded by policy p&#124;q&#92;nnext | 1 | 1 | c&#124;d |');
    expect(cells(skipRow ?? '')).toHaveLength(4);
    expect(md('a\\b')).toBe('a&#92;b');
  });

  it('lists hosts with the same changes together, with the package list once', () => {
    const same = () => [anUpgrade(), anUpgrade({ package: 'curl', from: '7.88.1-10', to: '7.88.1-11' })];
    const hosts = Array.from({ length: 40 }, (_, i) =>
      aHost(`fra-web-${String(i + 1).padStart(2, '0')}`, { window: FRA_WINDOW, actions: same() }),
    );
    hosts.push(
      aHost('fra-web-99', {
        window: { name: 'fra-late', start: '2026-12-12T22:00:00Z', end: '2026-12-13T02:00:00Z' },
        actions: same(),
      }),
    );
    hosts.push(aHost('fra-web-xx', { window: FRA_WINDOW, actions: [...same(), aReboot()] }));
    const out = renderPlanMarkdown(aPlan([aRing('broad', hosts)]));
    const rows = out.split('\n').filter((l) => l.startsWith('| fra-'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe(
      '| fra-web-01, fra-web-02, fra-web-03, fra-web-04, fra-web-05 (+36 more) | ' +
        'fra-servers-monthly<br>2026-12-11 22:00 → 2026-12-12 04:00 UTC<br>(+1 other window) | ' +
        '**openssl** 3.0.15-1&#126;deb12u1 → 3.0.17-1&#126;deb12u1 (security, high, DSA-5939-1)<br>' +
        '**curl** 7.88.1-10 → 7.88.1-11 (security, high, DSA-5939-1) |',
    );
    expect(rows[1]).toContain('| fra-web-xx |');
    expect(rows[1]).toContain('<br>**reboot** (linux-image-amd64 requires a reboot) |');
    expect(occurrences(out, '**openssl**')).toBe(2);
  });

  it('summarises skips by reason, with counts and the top packages', () => {
    const skips = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        aSkip({
          package: `pkg-${i}`,
          reason: 'not-approved-yet',
          by: 'policy x',
          eligibleAt: `2026-12-0${n - i}T00:00:00Z`,
        }),
      );
    const out = renderPlanMarkdown(
      aPlan([aRing('r', [aHost('a', { skipped: skips(5) }), aHost('b', { skipped: skips(2) })])]),
    );
    expect(out).toContain(
      '| not approved yet by policy x (eligible from 2026-12-01 00:00 UTC) | 7 | 2 | pkg-0 (2), pkg-1 (2), pkg-2 +2 more |',
    );
    expect(out).toContain('- **Only skipped:** a, b\n');
  });

  it('stays under GitHub’s comment limit for 10,000 hosts, and says what it left out', () => {
    const plan = bigPlan(10_000, 50);
    const out = renderPlanMarkdown(plan);
    expect(out.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const note =
      /> \*\*Truncated:\*\* (\d+) of 10000 hosts are shown in detail, to stay under GitHub's 65536-character limit for comments\. See the full plan with `patchctl plan --format text`\./.exec(
        out,
      );
    expect(note).not.toBeNull();
    const shown = Number(note?.[1]);
    expect(shown).toBeGreaterThan(0);
    expect(out).toContain(
      `_… ${10_000 - shown} more hosts not shown here; see the full plan with \`patchctl plan --format text\`._`,
    );
    expect(out.split('\n').filter((l) => l.startsWith('| host-'))).toHaveLength(shown);
    expect(occurrences(out, '<details>')).toBe(occurrences(out, '</details>'));
    // The summaries survive the cut.
    expect(out).toContain(
      '| excluded by policy linux-security | 10000 | 10000 | linux-image-amd64 (10000) |',
    );
    expect(renderPlanMarkdown(plan)).toBe(out);
  });

  it('cuts a small plan at a small limit, keeping summaries and every ring closed', () => {
    const out = renderPlanMarkdown(samplePlan(), { maxLength: 1500 });
    expect(out.length).toBeLessThanOrEqual(1500);
    expect(out).toContain(
      '> **Truncated:** 3 of 8 hosts are shown in detail, to stay under a 1500-character limit',
    );
    expect(out).toContain('_… 2 more hosts not shown here;');
    expect(out).toContain('| excluded by policy linux-security | 1 | 1 | linux-image-amd64 |');
    expect(occurrences(out, '<details>')).toBe(2);
    expect(occurrences(out, '</details>')).toBe(2);
  });

  it('drops whole rings last, and counts them', () => {
    const rings: PlanRing[] = Array.from({ length: 300 }, (_, i) =>
      aRing(`ring-${i}`, [aHost(`h-${i}`, { window: FRA_WINDOW, actions: [anUpgrade()] })]),
    );
    const out = renderPlanMarkdown(aPlan(rings), { maxLength: 8000 });
    expect(out.length).toBeLessThanOrEqual(8000);
    const kept = occurrences(out, '</details>');
    expect(kept).toBeGreaterThan(0);
    expect(out).toContain(
      `_… ${300 - kept} more rings (${300 - kept} hosts) not shown; see the full plan with \`patchctl plan --format text\`._`,
    );
  });

  it('gives the same string for the same plan', () => {
    expect(renderPlanMarkdown(samplePlan())).toBe(renderPlanMarkdown(samplePlan()));
  });
});

describe('renderPlanMarkdown with a comparison (plan --compare)', () => {
  /** samplePlan() after a change: exception db-freeze waives openssl on fra-web-02, legacy-db is gone. */
  function changedPlan(over: Partial<Plan> = {}): Plan {
    const [canary, broad] = samplePlan().rings as [PlanRing, PlanRing];
    const freeze = { reason: 'exception' as const, by: 'exception db-freeze', expires: '2027-01-31' };
    canary.hosts[1] = aHost('fra-web-02', {
      skipped: [aSkip({ package: 'openssl', to: '3.0.17-1~deb12u1', ...freeze })],
    });
    const db = broad.hosts[0];
    broad.hosts[0] = aHost('fra-db-01', {
      actions: [anUpgrade({ package: 'postgresql-15', from: '15.10-0+deb12u1', to: '15.13-0+deb12u1' })],
      skipped: (db?.skipped ?? []).filter((x) => x.package !== 'postgresql-15'),
    });
    broad.hosts.push(aHost('fra-web-06'));
    return aPlan([canary, broad], { gitCommit: 'ffeeddccbbaa99887766554433221100ffeeddcc', ...over });
  }

  const EFFECT = `### patchctl plan: 3 updates on 2 hosts

Plan at 2026-12-01 09:00 UTC · commit ffeeddc · inputs sha256:9f8e7d6c5b4a

#### Effect of this change (compared with commit 1a2b3c4, inputs sha256:9f8e7d6c5b4a)

**Now skipped:** 1 update on 1 host

- waived by exception db-freeze (expires 2027-01-31): **openssl** 3.0.17-1&#126;deb12u1 on fra-web-02

**Unblocked:** 1 update on 1 host

- was waived by exception legacy-db (expires 2027-02-15): **postgresql-15** 15.13-0+deb12u1 on fra-db-01

**Other changes:**

- fra-web-06: new in the plan, ring broad: 0 updates, no reboot, 0 skipped

#### The plan

| Hosts | With changes | Updates | Reboots | Skipped |
`;

  it('puts the effect first: grouped by cause, then unblocked, then other changes', () => {
    const head = changedPlan();
    const out = renderPlanMarkdown(head, { comparison: comparePlans(samplePlan(), head) });
    expect(out.startsWith(EFFECT)).toBe(true);
    // The plan itself follows unchanged.
    expect(out.slice(EFFECT.length)).toBe(
      renderPlanMarkdown(head).slice(renderPlanMarkdown(head).indexOf('| ---: |')),
    );
  });

  it('says plainly when nothing changed, and warns when the plans are for different times', () => {
    const same = renderPlanMarkdown(samplePlan(), { comparison: comparePlans(samplePlan(), samplePlan()) });
    expect(same).toContain(
      '#### Effect of this change (compared with commit 1a2b3c4, inputs sha256:9f8e7d6c5b4a)\n\n' +
        'No host or package changes compared with the base branch.\n\n#### The plan\n\n| Hosts |',
    );
    expect(same).not.toContain('**Note:**');
    const later = samplePlan();
    later.at = '2026-12-02T09:00:00Z';
    const out = renderPlanMarkdown(later, { comparison: comparePlans(samplePlan(), later) });
    expect(out).toContain(
      '> **Note:** the base plan is for 2026-12-01 09:00 UTC and this one for 2026-12-02 09:00 UTC, so the ' +
        'differences also include what time changes (approvals, windows, expiries), not only this change.',
    );
  });

  it('escapes names from the plans', () => {
    const base = aPlan([aRing('r', [aHost('h|1', { actions: [anUpgrade({ package: 'a*b' })] })])]);
    const head = aPlan([
      aRing('r', [
        aHost('h|1', {
          skipped: [aSkip({ package: 'a*b', reason: 'exception', by: 'exception <x>|@y' })],
        }),
      ]),
    ]);
    const out = renderPlanMarkdown(head, { comparison: comparePlans(base, head) });
    expect(out).toContain(
      '- waived by exception &lt;x&gt;&#124;&#64;y: **a&#42;b** 3.0.17-1&#126;deb12u1 on h&#124;1\n',
    );
    expect(out).not.toContain('<x>');
  });

  it('keeps the comment under the limit with a huge effect, saying what it left out', () => {
    const base = bigPlan(2_000, 5);
    // Each host gets its own exception: 2,000 causes, one line each.
    const head = aPlan(
      (base.rings as PlanRing[]).map((r) =>
        aRing(
          r.name,
          r.hosts.map((h) => ({
            ...h,
            actions: h.actions.filter((a) => a.type === 'reboot' || a.package !== 'lib-0'),
            skipped: [
              ...h.skipped,
              aSkip({ package: 'lib-0', reason: 'exception', by: `exception ${h.host}` }),
            ],
          })),
        ),
      ),
    );
    const comparison = comparePlans(base, head);
    expect(comparison.summary.counts['now-skipped']).toBe(2_000);
    for (const maxLength of [GITHUB_COMMENT_LIMIT, 6_000]) {
      const out = renderPlanMarkdown(head, { comparison, maxLength });
      expect(out.length).toBeLessThanOrEqual(maxLength);
      const effect = out.slice(out.indexOf('#### Effect'), out.indexOf('#### The plan'));
      expect(effect.length).toBeLessThanOrEqual(maxLength / 2);
      const shown = effect.split('\n').filter((l) => l.startsWith('- waived by exception host-')).length;
      expect(shown).toBeGreaterThan(0);
      expect(effect).toContain(
        `_… ${2_000 - shown} more lines of changes not shown; see them all with \`patchctl plan --compare BASE-PLAN.json\`._`,
      );
      // The plan still gets its share.
      expect(out).toContain('#### The plan');
      expect(out).toContain('> **Truncated:**');
      expect(occurrences(out, '<details>')).toBe(occurrences(out, '</details>'));
    }
  });
});
