import { describe, expect, it } from '@jest/globals';
import { capture, driverError, result, vuls } from './__fixtures__/load.js';
import { parseInstalled } from './parse-installed.js';

describe('installed packages (dpkg-query)', () => {
  it('lists the host: fully installed only, sorted, with arch', () => {
    const inv = parseInstalled(capture('host-installed'));
    expect(inv.installed).toHaveLength(723);
    expect(inv.installed.slice(0, 2)).toEqual([
      { name: 'adduser', version: '3.134', arch: 'all' },
      { name: 'adwaita-icon-theme', version: '43-1', arch: 'all' },
    ]);
    expect(inv.installed.find((p) => p.name === 'openssl')).toEqual({
      name: 'openssl',
      version: '3.0.19-1~deb12u2',
      arch: 'amd64',
    });
    expect(inv.held).toEqual([]);
    expect(inv.notFullyInstalled).toEqual([]);
  });

  it('records the source package where it differs: Debian advisories name sources', () => {
    const inv = parseInstalled(capture('host-installed'));
    expect(inv.installed.find((p) => p.name === 'libssl3')).toEqual({
      name: 'libssl3',
      version: '3.0.19-1~deb12u2',
      arch: 'amd64',
      source: 'openssl',
    });
    expect(inv.installed.find((p) => p.name === 'libc6')?.source).toBe('glibc');
    // A binNMU or a signed kernel: the source version differs from the binary's (vuls's fixture line).
    const line =
      'linux-image-6.1.0-18-amd64\tamd64\t6.1.76-1\tinstall ok installed\tlinux-signed-amd64\t6.1.76+1\n';
    expect(parseInstalled(result(line)).installed).toEqual([
      {
        name: 'linux-image-6.1.0-18-amd64',
        version: '6.1.76-1',
        arch: 'amd64',
        source: 'linux-signed-amd64',
        sourceVersion: '6.1.76+1',
      },
    ]);
  });

  it('reads holds and leaves out removed packages whose config files remain', () => {
    const inv = parseInstalled(capture('lab-installed'));
    expect(inv.held).toEqual(['fleet-held']);
    expect(inv.installed.find((p) => p.name === 'fleet-held')).toEqual({
      name: 'fleet-held',
      version: '1.0',
      arch: 'all',
    });
    expect(inv.installed.find((p) => p.name === 'fleet-gone')).toBeUndefined();
    expect(inv.installed).toHaveLength(96);
  });

  it('keeps half-configured and half-installed packages out of the installed list', () => {
    const failed = parseInstalled(capture('lab-installed-half-configured'));
    expect(failed.notFullyInstalled).toEqual([
      { name: 'fleet-broken', arch: 'all', version: '1.1', status: 'install ok half-configured' },
    ]);
    expect(failed.installed.find((p) => p.name === 'fleet-broken')).toBeUndefined();
    expect(parseInstalled(capture('lab-installed-interrupted')).notFullyInstalled).toEqual([
      { name: 'fleet-slow', arch: 'all', version: '1.0', status: 'install reinstreq half-installed' },
    ]);
  });

  it("refuses vuls's comma-separated dpkg-query format instead of misreading it", () => {
    for (const name of [
      'debian__Test_debian_parseInstalledPackages__01.txt',
      'debian__Test_debian_parseInstalledPackages__02.txt',
    ]) {
      const e = driverError(() => parseInstalled(result(vuls(name))));
      expect(e.message).toMatch(/^apt: dpkg-query: unexpected line "linux-base,ii ,4\./);
      expect(e.driver).toBe('apt');
      expect(e.excerpt).toMatch(/^linux-base,ii ,4\./);
    }
  });

  it('refuses an empty list, a failed dpkg-query and a bad status', () => {
    expect(driverError(() => parseInstalled(result(''))).message).toMatch(/no packages at all/);
    expect(driverError(() => parseInstalled(result('', 2))).message).toMatch(/exit status 2/);
    expect(
      driverError(() => parseInstalled(result('a\tamd64\t1\tinstall ok sideways\ta\t1\n'))).message,
    ).toMatch(/unexpected line/);
  });
});
