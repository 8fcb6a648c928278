// Small builders for observed state in tests.
import type { HostState, ObservedState, PendingUpdate, RolloutState } from '../core/state/types.js';

export function anUpdate(name: string, over: Partial<PendingUpdate> = {}): PendingUpdate {
  return {
    name,
    from: '1.0-1',
    to: '1.1-1',
    classification: 'security',
    severity: 'high',
    advisories: [],
    releasedAt: '2026-11-01T00:00:00Z',
    ...over,
  };
}

export function aHostState(host: string, updates: PendingUpdate[], over: Partial<HostState> = {}): HostState {
  return {
    formatVersion: 1,
    host,
    scannedAt: '2026-11-30T12:00:00Z',
    reachable: true,
    packageManager: 'apt',
    installed: updates.map((u) => ({ name: u.name, version: u.from })),
    updates,
    held: [],
    ...over,
  };
}

export function observed(
  hosts: HostState[],
  options: { rollouts?: RolloutState[]; feeds?: Record<string, string[]> } = {},
): ObservedState {
  return {
    hosts: new Map(hosts.map((h) => [h.host, h])),
    rollouts: new Map((options.rollouts ?? []).map((r) => [r.rollout, r])),
    feeds: new Map(Object.entries(options.feeds ?? {}).map(([k, v]) => [k, new Set(v)])),
  };
}
