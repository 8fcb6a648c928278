// The shared Linux facts (docs/adding-a-driver.md, "Registries"): the script runs on this Linux
// machine as it does on a host, and apt's facts script is the same sections plus apt's own.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

import { FACTS_SCRIPT } from '../apt/scripts.js';
import { apt } from '../apt/index.js';
import { DriverOutputError } from '../errors.js';
import type { CommandResult } from '../types.js';
import { familyOf } from './facts.js';
import { LINUX_FACTS_SCRIPT, linuxFactsCommand, parseLinuxFacts } from './index.js';

const aptFixture = (name: string) =>
  readFileSync(new URL(`../apt/__fixtures__/${name}`, import.meta.url), 'utf8');
const result = (stdout: string, exitCode = 0): CommandResult => ({
  stdout,
  stderr: '',
  exitCode,
  durationMs: 0,
});

describe('the Linux facts script', () => {
  it('is a constant sh script with no data', () => {
    expect(linuxFactsCommand()).toEqual({ argv: ['sh', '-c', LINUX_FACTS_SCRIPT] });
    expect(linuxFactsCommand().sudo).toBeUndefined();
  });

  it("is the start of apt's facts script, so one round trip answers both", () => {
    const withoutEnd = LINUX_FACTS_SCRIPT.slice(0, LINUX_FACTS_SCRIPT.lastIndexOf('s end\n'));
    expect(FACTS_SCRIPT.startsWith(withoutEnd)).toBe(true);
    expect(FACTS_SCRIPT.slice(withoutEnd.length)).toMatch(/^s reboot-required-pkgs\n/);
  });

  it('runs on this Linux machine and its output is read', () => {
    const stdout = execFileSync('sh', ['-c', LINUX_FACTS_SCRIPT], { encoding: 'utf8' });
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const facts = parseLinuxFacts(result(stdout));
    expect(facts.bootId).toBe(bootId);
    expect(facts.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    expect(facts.os.id).toMatch(/^[a-z0-9._-]+$/);
  });
});

describe('parseLinuxFacts', () => {
  it("reads a lab host's apt facts capture the same way apt does, ignoring apt's sections", () => {
    const out = result(aptFixture('lab-facts.stdout'));
    const { os, kernel, bootId, rebootRequired } = apt.parseFacts(out);
    expect(parseLinuxFacts(out)).toEqual({ os, kernel, bootId, rebootRequired });
  });

  it('reads RHEL-like and SUSE os-release without any package manager', () => {
    const stdout = (osRelease: string) =>
      `@@patchctl:os-release@@\n${osRelease}\n@@patchctl:kernel@@\n5.14.0-427.el9.x86_64\n` +
      `@@patchctl:boot-id@@\n0f3c4d2e-1a2b-4c3d-8e9f-0a1b2c3d4e5f\n@@patchctl:reboot-required@@\nno\n@@patchctl:end@@\n`;
    expect(
      parseLinuxFacts(result(stdout('ID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.4"'))).os,
    ).toMatchObject({
      id: 'almalinux',
      idLike: ['rhel', 'centos', 'fedora'],
      version: '9.4',
    });
    expect(parseLinuxFacts(result(stdout('ID="sles"\nID_LIKE="suse"\nVERSION_ID="15.6"'))).os.idLike).toEqual(
      ['suse'],
    );
  });

  it('refuses output it cannot read, naming the Linux module', () => {
    const cut = aptFixture('lab-facts.stdout').replace('@@patchctl:end@@\n', '');
    expect(() => parseLinuxFacts(result(cut))).toThrow(DriverOutputError);
    expect(() => parseLinuxFacts(result(cut))).toThrow(/^linux: facts: the script did not run to its end/);
    const badBoot = aptFixture('lab-facts.stdout').replace(/[0-9a-f-]{36}/, 'not-a-uuid');
    expect(() => parseLinuxFacts(result(badBoot))).toThrow(/boot id "not-a-uuid" is not a UUID/);
  });
});

describe('familyOf', () => {
  it.each([
    [['debian'], 'debian'],
    [['linuxmint', 'ubuntu', 'debian'], 'debian'],
    // AlmaLinux and Rocky name fedora last in ID_LIKE: still the RHEL family.
    [['almalinux', 'rhel', 'centos', 'fedora'], 'rhel'],
    [['rocky', 'rhel', 'centos', 'fedora'], 'rhel'],
    [['fedora'], 'rhel'],
    [['amzn', 'fedora'], 'rhel'],
    [['sles', 'suse'], 'suse'],
    [['opensuse-leap', 'suse', 'opensuse'], 'suse'],
    [['alpine'], 'alpine'],
    [['haiku'], 'haiku'],
    [['nixos-like', 'gentoo', 'slackware'], 'slackware'],
  ])('%j is %s', (names, family) => {
    expect(familyOf(names)).toBe(family);
  });
});
