import { describe, expect, it } from '@jest/globals';
import { capture } from './__fixtures__/load.js';
import { parseInstall, parseRefresh } from './parse-install.js';

describe('install and refresh outcomes', () => {
  it('reports what a successful install changed', () => {
    expect(parseInstall(capture('lab-install-ok'))).toEqual({
      ok: true,
      changed: [
        { name: 'fleet-base', from: '1.0', to: '1.1' },
        { name: 'fleet-libssl', from: '1.0', to: '1.1' },
        { name: 'fleet-openssl', from: '1.0', to: '1.1' },
      ],
      warnings: [],
    });
    expect(parseInstall(capture('lab-install-kernel')).ok).toBe(true);
  });

  it('reports what a simulation would change, including packages pulled along', () => {
    expect(parseInstall(capture('host-simulate-install-ok'))).toEqual({
      ok: true,
      changed: [
        { name: 'bash', from: '5.2.15-2+b8', to: '5.2.15-2+b13' },
        { name: 'libssl-dev', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
        { name: 'libssl3', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
        { name: 'openssl', from: '3.0.19-1~deb12u2', to: '3.0.22-1~deb12u2' },
      ],
      warnings: [],
    });
    expect(parseInstall(capture('lab-simulate-install-ok')).changed.map((c) => c.name)).toEqual([
      'fleet-base',
      'fleet-openssl',
    ]);
  });

  it('reads apt-get update', () => {
    expect(parseRefresh(capture('lab-refresh-ok'))).toEqual({ ok: true, warnings: [] });
    // apt-get update does not take the dpkg lock: it runs while an install holds it.
    expect(parseRefresh(capture('lab-refresh-lock-held'))).toEqual({ ok: true, warnings: [] });
    expect(parseRefresh(capture('lab-refresh-unsigned'))).toMatchObject({
      ok: false,
      failure: {
        kind: 'unauthenticated',
        excerpt: "E: The repository 'file:/srv/extrarepo fleet-extra Release' is not signed.",
      },
    });
    expect(parseRefresh(capture('lab-refresh-fetch-failed'))).toMatchObject({
      ok: false,
      failure: {
        kind: 'fetch-failed',
        message: 'could not download file:/srv/no-such-repo/dists/fleet/main/binary-amd64/Packages',
      },
    });
  });
});
