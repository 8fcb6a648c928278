// Test helper: the fixtures of this folder as the feeds parser hands them to matching (a KEV map,
// EPSS scores, Advisory records), through the real readers of feeds/.
import { readFileSync, readdirSync } from 'node:fs';
import { parseEpssCsv } from '../feeds/epss.js';
import { kevFromJson } from '../feeds/kev.js';
import { advisoryFromOsv } from '../feeds/osv.js';
import type { Advisory, EpssScore, KevEntry } from '../types.js';

const here = new URL('./', import.meta.url);

export function fixtureText(path: string): string {
  return readFileSync(new URL(path, here), 'utf8');
}

/** One OSV fixture as an Advisory (throws when it is not one: a broken fixture). */
export function osvFixture(path: string): Advisory {
  const a = advisoryFromOsv(path, JSON.parse(fixtureText(path)));
  if (a === undefined) throw new Error(`${path}: not an OSV record`);
  return a;
}

/** Every OSV fixture under osv/, sorted by path. */
export function allOsvFixtures(): Advisory[] {
  const out: Advisory[] = [];
  for (const dir of readdirSync(new URL('osv/', here)).sort())
    for (const f of readdirSync(new URL(`osv/${dir}/`, here)).sort()) out.push(osvFixture(`osv/${dir}/${f}`));
  return out;
}

/** The KEV subset, read by the real KEV reader (feeds/kev.ts). */
export function kevFixture(): Map<string, KevEntry> {
  const path = 'kev/known_exploited_vulnerabilities.subset.json';
  return new Map(kevFromJson(path, JSON.parse(fixtureText(path))).entries);
}

/** The EPSS slice, read by the real EPSS reader (feeds/epss.ts). */
export function epssFixture(): Map<string, EpssScore> {
  const path = 'epss/epss_scores-slice.csv';
  const { scores } = parseEpssCsv(path, fixtureText(path));
  if (scores === undefined) throw new Error(`${path}: not an EPSS file`);
  return new Map(scores.scores);
}
