// Test helper: the fixtures of this folder as the feeds parser hands them to matching (a KEV map,
// EPSS scores, Advisory records). Tests only; the real parsing is src/core/model/advisories.ts.
import { readFileSync, readdirSync } from 'node:fs';
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

interface KevJson {
  vulnerabilities: {
    cveID: string;
    dateAdded: string;
    dueDate: string;
    knownRansomwareCampaignUse: string;
  }[];
}

export function kevFixture(): Map<string, KevEntry> {
  const json = JSON.parse(fixtureText('kev/known_exploited_vulnerabilities.subset.json')) as KevJson;
  return new Map(
    json.vulnerabilities.map((v) => [
      v.cveID.toUpperCase(),
      {
        cve: v.cveID.toUpperCase(),
        dateAdded: v.dateAdded,
        dueDate: v.dueDate,
        ransomware: v.knownRansomwareCampaignUse === 'Known',
      },
    ]),
  );
}

export function epssFixture(): Map<string, EpssScore> {
  const out = new Map<string, EpssScore>();
  for (const line of fixtureText('epss/epss_scores-slice.csv').split('\n')) {
    const [cve, epss, percentile] = line.split(',');
    if (cve === undefined || !cve.startsWith('CVE-') || epss === undefined || percentile === undefined)
      continue;
    out.set(cve, { epss: Number(epss), percentile: Number(percentile) });
  }
  return out;
}
