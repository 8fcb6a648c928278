// Vulnerability intelligence (docs/vulnerabilities.md): the offline feeds under advisories/ as
// patchctl reads them, what they say about one host, and the risk tier that orders the work.
// Pure data: parsing lives in feeds/, matching in match.ts, tiers in priority.ts.
import type { Severity } from '../model/types.js';

/** Where a parsed feed item came from, for diagnostics and reports (repository-relative path). */
export interface FeedOrigin {
  file: string;
}

// ---------------------------------------------------------------- CISA KEV

export interface KevEntry {
  /** Upper-case CVE id. */
  cve: string;
  /** YYYY-MM-DD: when CISA added it. */
  dateAdded: string;
  /** YYYY-MM-DD: the remediation deadline CISA set for federal agencies. */
  dueDate: string | null;
  /** knownRansomwareCampaignUse is "Known". */
  ransomware: boolean;
  vendorProject?: string;
  product?: string;
  name?: string;
}

export interface KevCatalog extends FeedOrigin {
  catalogVersion: string | null;
  /** ISO instant or date, as the catalogue states it (the CSV form has none). */
  dateReleased: string | null;
  entries: ReadonlyMap<string, KevEntry>;
}

// ---------------------------------------------------------------- EPSS

export interface EpssScore {
  /** Probability of exploitation in the next 30 days, 0..1. */
  epss: number;
  percentile: number;
}

export interface EpssScores extends FeedOrigin {
  modelVersion: string | null;
  /** ISO instant from the `#model_version:…,score_date:…` line, when present. */
  scoreDate: string | null;
  scores: ReadonlyMap<string, EpssScore>;
}

// ---------------------------------------------------------------- OSV

export type OsvEvent =
  { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: OsvEvent[];
}

/** One `affected[]` entry of an OSV record, as matching needs it. */
export interface AffectedPackage {
  /** OSV ecosystem as written, e.g. `Debian:12`, `Ubuntu:22.04:LTS`, `AlmaLinux:9`. */
  ecosystem: string;
  /** The package name the feed keys on (a source package for Debian/Ubuntu/Alpine, see docs). */
  name: string;
  ranges: OsvRange[];
  /** Explicitly affected versions (`versions[]`). */
  versions: string[];
  /** Binary package names built from `name` (ecosystem_specific.binaries), when the feed lists them. */
  binaries?: string[];
}

export interface Advisory extends FeedOrigin {
  /** The record's id: DSA-5939-1, ALSA-2024:2394, UBUNTU-CVE-2021-4034, DEBIAN-CVE-…, SUSE-SU-…. */
  id: string;
  /** Upper-case CVE ids from aliases, upstream and related (ALSA puts them in related). */
  cves: string[];
  /** The vendor's rating mapped to patchctl's scale; null when the record gives none. */
  severity: Severity | null;
  /** When the fix was published (the record's `published`). */
  published: string | null;
  modified: string | null;
  summary: string | null;
  affected: AffectedPackage[];
}

// ---------------------------------------------------------------- Scanner findings

export type ScannerFormat = 'trivy' | 'grype' | 'osv-scanner';

/** One vulnerability a scanner reported for one installed package. */
export interface Finding {
  /** The scanner's id: CVE-…, GHSA-…, DSA-…. */
  id: string;
  /** Other ids for the same vulnerability (upper-case CVE ids first). */
  aliases: string[];
  /** The installed (binary) package the scanner names. */
  package: string;
  /** The source package, when the scanner records it. */
  sourcePackage?: string;
  installedVersion: string;
  /** The first fixed version; null: the scanner knows no fix. */
  fixedVersion: string | null;
  severity: Severity | null;
}

/** advisories/findings/<host>.json, written by `patchctl import findings`. */
export interface FindingsFile {
  formatVersion: 1;
  kind: 'patchctl-findings';
  host: string;
  scanner: { format: ScannerFormat; name: string; version: string | null };
  /** The imported file: its base name and the sha256 of its bytes. */
  importedFrom: { file: string; sha256: string };
  /** When the scanner ran, if it says; else when the file was imported. */
  scannedAt: string;
  findings: Finding[];
}

// ---------------------------------------------------------------- Everything, indexed

/** All feeds of one repository, as planning and reporting read them. */
export interface VulnIntel {
  /** Every KEV catalogue, merged (an entry in any of them counts). */
  kev: ReadonlyMap<string, KevEntry>;
  /** The catalogue versions read, for reports. */
  kevVersions: string[];
  epss: ReadonlyMap<string, EpssScore>;
  /** The EPSS score dates read, for reports. */
  epssDates: string[];
  advisories: readonly Advisory[];
  /** Findings per inventory host name (and per unknown name: the report lists those). */
  findings: ReadonlyMap<string, FindingsFile>;
}

// ---------------------------------------------------------------- Priority

/**
 * The risk tier of an update or host (docs/vulnerabilities.md, "Priority"), most urgent first:
 * a CVE in CISA KEV; EPSS at or above the Config threshold; vendor severity critical or high;
 * everything else.
 */
export type RiskTier = 'kev' | 'epss' | 'severity' | 'routine';
export const RISK_TIERS: readonly RiskTier[] = ['kev', 'epss', 'severity', 'routine'];

/** What the tier was worked out from, kept so that ties break the same way everywhere. */
export interface Risk {
  tier: RiskTier;
  /** A KEV CVE with known ransomware use. */
  ransomware: boolean;
  /** The earliest KEV dueDate among the CVEs (YYYY-MM-DD), null when none. */
  kevDueDate: string | null;
  /** The highest EPSS score among the CVEs, null when none is scored. */
  epss: number | null;
  severity: Severity | null;
  /** The CVE that decided the tier (KEV or EPSS), for the plan's and report's text. */
  cve: string | null;
}

// ---------------------------------------------------------------- One host

/** One vulnerability open on one host: an installed package in an affected range. */
export interface OpenVulnerability {
  /** The advisory (OSV id) or finding id that says the package is affected. */
  advisory: string;
  /** Upper-case CVE ids it covers (may be empty: an advisory without CVEs). */
  cves: string[];
  /** The installed (binary) package. */
  package: string;
  arch?: string;
  installed: string;
  /** The first version that fixes it; null: no fix published yet ("affected, no fix"). */
  fixedIn: string | null;
  /** The pending update that reaches `fixedIn`; null when none is offered to the host yet. */
  fixedBy: { to: string } | null;
  severity: Severity | null;
  risk: Risk;
  /** An advisory feed under advisories/, or an imported scanner's findings. */
  from: 'feed' | 'findings';
}

/** What the feeds add to one pending update (advisories.ts merges it into the update). */
export interface UpdateIntel {
  /** Advisory ids and their CVEs the update fixes, sorted, without the ones the host already gave. */
  advisories: string[];
  /** The highest severity among them; null when none states one. */
  severity: Severity | null;
  /** The earliest `published` among the advisories it fixes. */
  releasedAt: string | null;
}
