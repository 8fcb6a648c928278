// Which inventory host a findings file is about (docs/vulnerabilities.md, "Scanner findings"):
// `--host NAME`, else what the scanner says it scanned when that is a host's inventory name or
// address (exactly).

export interface HostRef {
  name: string;
  /** The inventory address (the name when the inventory gives none). */
  address: string;
}

export type HostResolution =
  { ok: true; host: string } | { ok: false; reason: 'no-host' | 'ambiguous'; candidates: string[] };

export function hostOfArtifact(artifact: string | null, hosts: readonly HostRef[]): HostResolution {
  if (artifact === null) return { ok: false, reason: 'no-host', candidates: [] };
  const byName = hosts.find((h) => h.name === artifact);
  if (byName) return { ok: true, host: byName.name };
  const byAddress = hosts.filter((h) => h.address === artifact);
  const [only] = byAddress;
  if (byAddress.length === 1 && only) return { ok: true, host: only.name };
  if (byAddress.length > 1)
    return { ok: false, reason: 'ambiguous', candidates: byAddress.map((h) => h.name) };
  return { ok: false, reason: 'no-host', candidates: [] };
}
