import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_EPSS_URL,
  DEFAULT_KEV_URL,
  defaultFeedSources,
  ecosystemWanted,
  feedPath,
} from './sources.js';
import { osvFileStem } from './records.js';

describe('defaultFeedSources', () => {
  it('is KEV and EPSS without scanned hosts', () => {
    expect(defaultFeedSources([])).toEqual([
      { name: 'kev', kind: 'kev', url: DEFAULT_KEV_URL },
      { name: 'epss', kind: 'epss', url: DEFAULT_EPSS_URL },
    ]);
  });

  it('adds one OSV feed per distribution, kept to the hosts’ releases', () => {
    const osv = defaultFeedSources(['Debian:12', 'Ubuntu:22.04:LTS', 'Debian:11', 'Rocky Linux:9']).slice(2);
    expect(osv).toEqual([
      {
        name: 'osv-debian',
        kind: 'osv',
        url: 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip',
        ecosystems: ['Debian:11', 'Debian:12'],
      },
      {
        name: 'osv-rocky-linux',
        kind: 'osv',
        url: 'https://osv-vulnerabilities.storage.googleapis.com/Rocky%20Linux/all.zip',
        ecosystems: ['Rocky Linux:9'],
      },
      {
        name: 'osv-ubuntu',
        kind: 'osv',
        url: 'https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip',
        ecosystems: ['Ubuntu:22.04:LTS'],
      },
    ]);
    expect(osv.map(feedPath)).toEqual(['osv/osv-debian', 'osv/osv-rocky-linux', 'osv/osv-ubuntu']);
  });
});

describe('ecosystemWanted', () => {
  it('keeps the ecosystem, its sub-ecosystems and other spellings of the release', () => {
    expect(ecosystemWanted('Debian:12', ['Debian:12'])).toBe(true);
    expect(ecosystemWanted('Debian:11', ['Debian:12'])).toBe(false);
    expect(ecosystemWanted('Debian:12', ['Debian'])).toBe(true);
    expect(ecosystemWanted('Ubuntu:22.04:LTS', ['Ubuntu:22.04'])).toBe(true);
    expect(ecosystemWanted('Ubuntu:22.04', ['Ubuntu:22.04:LTS'])).toBe(true);
    expect(ecosystemWanted('Red Hat:enterprise_linux:9::baseos', ['Red Hat:9'])).toBe(true);
    expect(ecosystemWanted('Debian:120', ['Debian:12'])).toBe(false);
  });
});

describe('osvFileStem', () => {
  it('makes a record id a safe file name', () => {
    expect(osvFileStem('ALSA-2025:11533')).toBe('ALSA-2025_11533');
    expect(osvFileStem('../../etc/passwd')).toBe('__.._etc_passwd');
    expect(osvFileStem('..')).toBe('_');
    expect(osvFileStem('')).toBe('_');
  });
});
