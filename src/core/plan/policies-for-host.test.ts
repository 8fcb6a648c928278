import { describe, expect, it } from '@jest/globals';
import type { PatchPolicyDocument } from '../model/types.js';
import {
  byPrecedence,
  governingPolicy,
  policiesByHost,
  policiesForHost,
  selectsPackage,
} from './policies-for-host.js';

const policy = (name: string, spec: Partial<PatchPolicyDocument['spec']>): PatchPolicyDocument => ({
  apiVersion: 'patchctl/v1',
  kind: 'PatchPolicy',
  metadata: { name },
  spec: { appliesTo: { groups: ['all'] }, ...spec },
});

describe('policy precedence', () => {
  const security = policy('security', { priority: 10, exclude: ['linux-image-*'] });
  const browsers = policy('browsers', { priority: 20, include: ['firefox*', 'chromium*'] });
  const kernel = policy('kernel', { priority: 5, include: ['linux-image-*'] });
  const ordered = [security, browsers, kernel].sort(byPrecedence);

  it('orders by priority, higher first, then by name', () => {
    expect(ordered.map((p) => p.metadata.name)).toEqual(['browsers', 'security', 'kernel']);
    const a = policy('a', {});
    const b = policy('b', {});
    expect([b, a].sort(byPrecedence).map((p) => p.metadata.name)).toEqual(['a', 'b']);
  });
  it('gives each package to the first policy whose filter selects it', () => {
    const name = (pkg: string) => {
      const g = governingPolicy(ordered, pkg);
      return g.kind === 'governed' ? g.policy.metadata.name : g.by;
    };
    expect(name('firefox-esr')).toBe('browsers');
    expect(name('openssl')).toBe('security');
    expect(name('linux-image-amd64')).toBe('kernel');
  });
  it('names the policy that excluded a package nobody selects', () => {
    expect(governingPolicy([security], 'linux-image-amd64')).toEqual({
      kind: 'excluded',
      by: 'policy security',
    });
    expect(governingPolicy([browsers], 'openssl')).toEqual({ kind: 'excluded', by: 'policy browsers' });
    expect(governingPolicy([], 'openssl')).toEqual({
      kind: 'excluded',
      by: 'no policy applies to this host',
    });
  });
  it('filters packages with include and exclude globs', () => {
    expect(selectsPackage(browsers, 'chromium-common')).toBe(true);
    expect(selectsPackage(browsers, 'openssl')).toBe(false);
    expect(selectsPackage(security, 'linux-image-6.1.0-27-amd64')).toBe(false);
    expect(selectsPackage(policy('x', { include: ['lib?'] }), 'libc')).toBe(true);
    expect(selectsPackage(policy('x', { include: ['lib?'] }), 'libcc')).toBe(false);
    expect(selectsPackage(policy('x', { include: ['a.b'] }), 'axb')).toBe(false);
  });
});

describe('policiesByHost', () => {
  const a = policy('a', { priority: 1 });
  const b = policy('b', { priority: 5 });
  const c = policy('c', { priority: 1 });
  const applies = new Map([
    ['a', new Set(['h1', 'h2', 'h3'])],
    ['b', new Set(['h1', 'h2'])],
    ['c', new Set(['h1', 'h2', 'h4'])],
  ]);
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];
  const byHost = policiesByHost(hosts, [c, a, b], applies);

  it('gives each host what policiesForHost gives it', () => {
    for (const h of hosts) expect(byHost.get(h)).toEqual(policiesForHost(h, [c, a, b], applies));
  });
  it('shares one list between hosts with the same policies', () => {
    expect(byHost.get('h1')).toBe(byHost.get('h2'));
    expect(byHost.get('h1')).not.toBe(byHost.get('h3'));
    expect(byHost.get('h5')).toEqual([]);
  });
});
