import { describe, expect, it } from '@jest/globals';
import { classifyOrigins } from './classify.js';

describe('classification rule', () => {
  const classify = (...origins: Parameters<typeof classifyOrigins>[0]) => classifyOrigins(origins);
  it('calls security what any security repository carries', () => {
    expect(
      classify(
        { label: 'Debian', suite: 'stable', codename: 'bookworm' },
        { label: 'Debian-Security', suite: 'stable-security', codename: 'bookworm-security' },
      ),
    ).toEqual({
      classification: 'security',
      source: 'bookworm-security',
    });
    // Debian ≤ 10: the security archive's suite is "oldstable/updates"-like, its label says Security.
    expect(
      classify({ label: 'Debian-Security', origin: 'Debian', suite: 'oldoldstable', codename: 'buster' }),
    ).toEqual({
      classification: 'security',
      source: 'buster',
    });
    expect(
      classify({ origin: 'UbuntuESMApps', label: 'Ubuntu', suite: 'jammy-apps-security', codename: 'jammy' })
        .classification,
    ).toBe('security');
    expect(classify({ suite: 'fleet-security' })).toEqual({
      classification: 'security',
      source: 'fleet-security',
    });
  });
  it('calls enhancement what only backports carry, bugfix the rest', () => {
    expect(classify({ suite: 'stable-backports', codename: 'bookworm-backports' })).toEqual({
      classification: 'enhancement',
      source: 'bookworm-backports',
    });
    expect(
      classify({ suite: 'bookworm-backports' }, { suite: 'stable-updates', codename: 'bookworm-updates' }),
    ).toEqual({
      classification: 'bugfix',
      source: 'bookworm-updates',
    });
    expect(classify({ suite: 'securitytools' }).classification).toBe('bugfix');
    expect(classify()).toEqual({ classification: 'bugfix' });
  });
});
