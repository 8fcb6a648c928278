// CVSS v3.x base score from a vector string (FIRST, "CVSS v3.1 Specification", §7.1 and
// Appendix A; v3.0 uses the same formula), for OSV records whose only rating is a CVSS_V3 vector
// (docs/vulnerabilities.md, "Severity"). CVSS v4 needs FIRST's macro-vector tables: not scored.
import type { Severity } from '../../model/types.js';

const AV: Readonly<Record<string, number>> = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC: Readonly<Record<string, number>> = { L: 0.77, H: 0.44 };
const UI: Readonly<Record<string, number>> = { N: 0.85, R: 0.62 };
const CIA: Readonly<Record<string, number>> = { H: 0.56, L: 0.22, N: 0 };
/** Privileges Required depends on Scope: [unchanged, changed]. */
const PR: Readonly<Record<string, readonly [number, number]>> = {
  N: [0.85, 0.85],
  L: [0.62, 0.68],
  H: [0.27, 0.5],
};

const BASE_METRICS = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;

/**
 * The base score (0.0–10.0) of a `CVSS:3.0/…` or `CVSS:3.1/…` vector; null when the vector is not
 * one (another version, a missing or repeated base metric, an unknown value). Temporal and
 * environmental metrics, if present, are ignored: OSV's `score` is the base vector.
 */
export function cvssV3BaseScore(vector: string): number | null {
  const parts = vector.trim().split('/');
  if (parts[0] !== 'CVSS:3.0' && parts[0] !== 'CVSS:3.1') return null;
  const m = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const [key, val, extra] = part.split(':');
    if (key === undefined || val === undefined || extra !== undefined || m.has(key)) return null;
    m.set(key, val);
  }
  if (!BASE_METRICS.every((k) => m.has(k))) return null;
  const scope = m.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const changed = scope === 'C';
  const av = AV[m.get('AV') ?? ''];
  const ac = AC[m.get('AC') ?? ''];
  const pr = PR[m.get('PR') ?? '']?.[changed ? 1 : 0];
  const ui = UI[m.get('UI') ?? ''];
  const c = CIA[m.get('C') ?? ''];
  const i = CIA[m.get('I') ?? ''];
  const a = CIA[m.get('A') ?? ''];
  if (av === undefined || ac === undefined || pr === undefined || ui === undefined) return null;
  if (c === undefined || i === undefined || a === undefined) return null;

  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  if (impact <= 0) return 0;
  return roundUp(Math.min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
}

/** CVSS v3.1 Appendix A Roundup: the smallest one-decimal number ≥ x, free of float noise. */
function roundUp(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}

/**
 * The CVSS qualitative rating on patchctl's scale (v3.1 §5): 9.0–10 critical, 7.0–8.9 high,
 * 4.0–6.9 medium, 0.1–3.9 low; 0.0 ("None") is no rating.
 */
export function severityOfCvssScore(score: number): Severity | null {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return null;
}
