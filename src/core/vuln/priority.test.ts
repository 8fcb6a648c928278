import { describe, expect, it } from '@jest/globals';
import { epssFixture, kevFixture } from './__fixtures__/load.js';
import { compareCveIds, compareRisk, mostUrgent, riskOf } from './priority.js';
import type { Risk } from './types.js';

const kev = kevFixture();
const epss = epssFixture();
const THRESHOLD = 0.1;

describe('riskOf', () => {
  it('a Low advisory fixing a KEV CVE is tier kev (ALSA-2023:3948, CVE-2023-20867)', () => {
    expect(riskOf(['CVE-2023-20867'], 'low', kev, epss, THRESHOLD)).toEqual({
      tier: 'kev',
      ransomware: false,
      kevDueDate: '2023-07-14',
      epss: null,
      severity: 'low',
      cve: 'CVE-2023-20867',
    });
  });

  it('a CVE that entered KEV after its fix counts: whatever the catalogue read this run says', () => {
    expect(riskOf(['CVE-2023-0386'], 'high', kev, epss, THRESHOLD).tier).toBe('kev');
    expect(riskOf(['CVE-2023-0386'], 'high', new Map(), epss, THRESHOLD).tier).toBe('severity');
  });

  it('EPSS just under the threshold is not tier epss (CVE-2021-33909 at 0.09729)', () => {
    const r = riskOf(['CVE-2021-33909'], 'medium', kev, epss, THRESHOLD);
    expect(r).toMatchObject({ tier: 'routine', epss: 0.09729, cve: null });
    expect(riskOf(['CVE-2021-33909'], 'high', kev, epss, THRESHOLD).tier).toBe('severity');
    // At the threshold it is.
    expect(riskOf(['CVE-2021-33909'], 'medium', kev, epss, 0.09729)).toMatchObject({
      tier: 'epss',
      cve: 'CVE-2021-33909',
    });
  });

  it('EPSS at or above the threshold is tier epss whatever the severity', () => {
    // CVE-1999-0002 0.27858
    expect(riskOf(['CVE-1999-0002', 'CVE-1999-0001'], null, kev, epss, THRESHOLD)).toMatchObject({
      tier: 'epss',
      epss: 0.27858,
      cve: 'CVE-1999-0002',
    });
  });

  it('kev: known ransomware first, then the earliest due date decides the CVE', () => {
    const r = riskOf(['cve-2023-4911', 'CVE-2021-40539', 'CVE-2021-4034'], 'high', kev, epss, THRESHOLD);
    expect(r).toMatchObject({
      tier: 'kev',
      ransomware: true,
      kevDueDate: '2021-11-17',
      cve: 'CVE-2021-40539',
    });
    const s = riskOf(['CVE-2023-4911', 'CVE-2021-4034'], 'high', kev, epss, THRESHOLD);
    expect(s).toMatchObject({ ransomware: false, kevDueDate: '2022-07-18', cve: 'CVE-2021-4034' });
  });

  it('severity critical/high is tier severity; the rest, unknown included, routine', () => {
    expect(riskOf([], 'critical', kev, epss, THRESHOLD).tier).toBe('severity');
    expect(riskOf([], 'medium', kev, epss, THRESHOLD).tier).toBe('routine');
    expect(riskOf([], null, kev, epss, THRESHOLD).tier).toBe('routine');
  });
});

describe('compareRisk', () => {
  const r = (over: Partial<Risk>): Risk => ({
    tier: 'routine',
    ransomware: false,
    kevDueDate: null,
    epss: null,
    severity: null,
    cve: null,
    ...over,
  });

  it('orders tier, ransomware, due date, EPSS, severity, CVE id', () => {
    const list = [
      r({ tier: 'routine', severity: 'medium' }),
      r({ tier: 'severity', severity: 'high' }),
      r({ tier: 'severity', severity: 'critical' }),
      r({ tier: 'epss', epss: 0.2, cve: 'CVE-2021-2' }),
      r({ tier: 'epss', epss: 0.5, cve: 'CVE-2021-1' }),
      r({ tier: 'kev', kevDueDate: '2024-01-01', cve: 'CVE-2024-3' }),
      r({ tier: 'kev', kevDueDate: null, cve: 'CVE-2024-4' }),
      r({ tier: 'kev', kevDueDate: '2025-01-01', ransomware: true, cve: 'CVE-2025-1' }),
      r({ tier: 'kev', kevDueDate: '2023-01-01', cve: 'CVE-2023-10000' }),
      r({ tier: 'kev', kevDueDate: '2023-01-01', cve: 'CVE-2023-9999' }),
      r({ tier: 'routine', severity: null }),
      r({ tier: 'routine', epss: 0.01, severity: 'low' }),
    ];
    const sorted = [...list].sort(compareRisk);
    expect(sorted.map((x) => [x.tier, x.cve ?? x.severity ?? x.epss])).toEqual([
      ['kev', 'CVE-2025-1'],
      ['kev', 'CVE-2023-9999'],
      ['kev', 'CVE-2023-10000'],
      ['kev', 'CVE-2024-3'],
      ['kev', 'CVE-2024-4'],
      ['epss', 'CVE-2021-1'],
      ['epss', 'CVE-2021-2'],
      ['severity', 'critical'],
      ['severity', 'high'],
      ['routine', 'low'],
      ['routine', 'medium'],
      ['routine', null],
    ]);
    // Deterministic: any input order sorts the same.
    expect([...list].reverse().sort(compareRisk)).toEqual(sorted);
    expect(mostUrgent(list)).toBe(list[7]);
    expect(mostUrgent([])).toBeUndefined();
  });

  it('compares CVE ids numerically', () => {
    expect(compareCveIds('CVE-2021-4034', 'CVE-2021-33909')).toBeLessThan(0);
    expect(compareCveIds('CVE-2020-99999', 'CVE-2021-1')).toBeLessThan(0);
  });
});
