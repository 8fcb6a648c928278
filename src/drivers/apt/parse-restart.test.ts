import { describe, expect, it } from '@jest/globals';
import { capture, driverError, vuls } from './__fixtures__/load.js';
import { parseCheckRestart, parseCheckRestartText } from './parse-restart.js';

describe('checkrestart', () => {
  it('reads vuls fixture 01', () => {
    expect(parseCheckRestartText(vuls('debian__TestParseCheckRestart__01.txt'))).toEqual({
      processes: 27,
      restartable: [
        {
          name: 'varnish',
          processes: [
            { pid: 3490, path: '/usr/sbin/varnishd' },
            { pid: 3704, path: '/usr/sbin/varnishd' },
          ],
        },
        { name: 'memcached', processes: [{ pid: 3636, path: '/usr/bin/memcached' }] },
        {
          name: 'openssh-server',
          processes: [
            { pid: 1252, path: '/usr/sbin/sshd' },
            { pid: 1184, path: '/usr/sbin/sshd' },
          ],
        },
        {
          name: 'accountsservice',
          processes: [{ pid: 462, path: '/usr/lib/accountsservice/accounts-daemon' }],
        },
      ],
      services: ['accounts-daemon.service'],
      initScripts: ['varnish', 'memcached', 'ssh'],
      other: [
        {
          name: 'util-linux',
          processes: [
            { pid: 3650, path: '/sbin/agetty' },
            { pid: 3648, path: '/sbin/agetty' },
          ],
        },
      ],
    });
  });

  it('reads vuls fixture 02 (a foreign-arch package) and a host without checkrestart', () => {
    const r = parseCheckRestartText(vuls('debian__TestParseCheckRestart__02.txt'));
    expect(r.restartable.map((p) => p.name)).toEqual(['util-linux', 'openssh-server']);
    expect(r.other).toEqual([
      { name: 'dbus-daemon', processes: [{ pid: 718, path: '/usr/bin/dbus-daemon' }] },
      { name: 'bash', processes: [{ pid: 1373, path: '/usr/bin/bash' }] },
    ]);
    expect(r.services).toEqual(['fstrim.service']);
    expect(parseCheckRestart(capture('lab-checkrestart-missing'))).toBeUndefined();
    expect(driverError(() => parseCheckRestartText('nothing here')).message).toMatch(/Found N processes/);
  });
});
