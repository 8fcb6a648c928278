import { describe, expect, it } from '@jest/globals';

import { isValidZone, suggestZone } from './zones.js';

describe('isValidZone', () => {
  it('accepts IANA names spelled as in the tz database', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC', 'Etc/GMT+5']) {
      expect(isValidZone(zone)).toBe(true);
    }
    expect(isValidZone('America/Port-au-Prince')).toBe(true);
    expect(isValidZone('America/Argentina/Buenos_Aires')).toBe(true);
  });

  it('rejects unknown names and names in the wrong case', () => {
    for (const zone of [
      '',
      'Europe/Berln',
      'Berlin',
      'europe/berlin',
      'EUROPE/BERLIN',
      'utc',
      'CEST',
      '+02:00',
    ]) {
      expect(isValidZone(zone)).toBe(false);
    }
  });
});

describe('suggestZone', () => {
  it('fixes the case', () => {
    expect(suggestZone('europe/berlin')).toBe('Europe/Berlin');
    expect(suggestZone('AMERICA/NEW_YORK')).toBe('America/New_York');
    expect(suggestZone('utc')).toBe('UTC');
    // An alias the runtime does not list: its canonical name.
    expect(isValidZone('us/eastern')).toBe(false);
    expect(suggestZone('us/eastern')).toBe('America/New_York');
    expect(isValidZone('US/Eastern')).toBe(true);
  });

  it('puts underscores for spaces', () => {
    expect(suggestZone('America/New York')).toBe('America/New_York');
    expect(suggestZone('america/new york')).toBe('America/New_York');
  });

  it('finds a city given without its region', () => {
    expect(suggestZone('Berlin')).toBe('Europe/Berlin');
    expect(suggestZone('new york')).toBe('America/New_York');
    expect(suggestZone('Lord_Howe')).toBe('Australia/Lord_Howe');
  });

  it('fixes small typos', () => {
    expect(suggestZone('Europe/Berln')).toBe('Europe/Berlin');
    expect(suggestZone('America/NewYork')).toBe('America/New_York');
    expect(suggestZone('Europe/Brlin')).toBe('Europe/Berlin');
    expect(suggestZone('Europe/Brln')).toBe('Europe/Berlin');
  });

  it('gives nothing for a valid name or for nonsense', () => {
    expect(suggestZone('Europe/Berlin')).toBeUndefined();
    expect(suggestZone('')).toBeUndefined();
    expect(suggestZone('not a zone at all')).toBeUndefined();
  });
});
