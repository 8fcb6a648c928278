import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from '../errors.js';
import { parseRpmQueryResult, sourceNameOf } from '../rpm/parse-installed.js';
import { heldPackages, parseLocks } from './parse-locks.js';
import { parseListPatches, parsePatchInfo } from './parse-patches.js';
import { parseListUpdates } from './parse-updates.js';
import { parseScan, pendingFromScan } from './parse-scan.js';
import { toPendingUpdates } from './pending.js';
import { fixtureText, labResult, result } from './__fixtures__/load.js';

describe('parseListUpdates', () => {
  it('reads the lab capture: name, arch, edition-old → edition, repository alias', () => {
    const { updates, repositoriesSkipped } = parseListUpdates(labResult('lu'));
    expect(repositoriesSkipped).toBe(false);
    expect(updates).toHaveLength(8);
    expect(updates.find((u) => u.name === 'kernel')).toEqual({
      name: 'kernel',
      arch: 'x86_64',
      from: '5.14.0-362.8.1.el9',
      to: '5.14.0-427.13.1.el9',
      repo: 'fleet',
    });
    expect(updates.find((u) => u.name === 'fleet-epoch')).toMatchObject({ from: '2:1.0-1', to: '2:1.2-1' });
  });

  it("reads salt's capture (older zypper: no edition-old)", () => {
    const { updates } = parseListUpdates(result(fixtureText('salt/zypper-updates.xml')));
    expect(updates.map((u) => `${u.name} ${u.to} ${u.arch} ${u.repo}`)).toEqual([
      'SUSEConnect 0.2.33-7.1 x86_64 SLE12-SP1-x86_64-Update',
      'bind-libs 9.9.6P1-35.1 x86_64 SLE12-SP1-x86_64-Update',
      'bind-utils 9.9.6P1-35.1 x86_64 SLE12-SP1-x86_64-Update',
    ]);
    expect(updates[0]?.from).toBeUndefined();
  });

  it('exit 106 (a repository skipped): the list, flagged incomplete, with the errors as warnings', () => {
    const r = parseListUpdates(labResult('lu-broken-repo'));
    expect(r.repositoriesSkipped).toBe(true);
    expect(r.updates.map((u) => u.name)).toEqual(['fleet-broken', 'fleet-held']);
    expect(r.warnings).toContain("Skipping repository 'broken' because of the above error.");
  });

  it('exit 7 (lock held) is an error naming the holder', () => {
    expect(() => parseListUpdates(labResult('lock-held-lu'))).toThrow(
      /list-updates failed with exit status 7: System management is locked by the application with pid 1772 \(zypper\)/,
    );
  });

  it.each([
    ['text output (vuls: zypper lu)', fixtureText('vuls/suse__TestScanUpdatablePackages__01.txt')],
    ['search XML (salt: zypper se -t patch), no <update-status>', fixtureText('salt/zypper-patches.xml')],
    ['cut short', fixtureText('lab/lu.xml').slice(0, 500)],
    [
      'a bad edition',
      '<stream><update-status><update-list><update kind="package" name="a" arch="noarch" edition="1 0"/></update-list></update-status></stream>',
    ],
  ])('refuses %s with a DriverOutputError', (_, stdout) => {
    expect(() => parseListUpdates(result(stdout))).toThrow(DriverOutputError);
  });
});

describe('parseListPatches', () => {
  const { patches } = parseListPatches(labResult('lp'));
  const byName = new Map(patches.map((p) => [p.name, p]));

  it('reads both the update list and the blocked list (behind the package-manager patch)', () => {
    expect(
      patches.map(
        (p) => `${p.name} ${p.status}${p.blocked ? ' blocked' : ''}${p.packageManager ? ' pkgmanager' : ''}`,
      ),
    ).toEqual([
      'FLEET-2026:0006 needed pkgmanager',
      'FLEET-2026:0001 needed blocked',
      'FLEET-2026:0002 needed blocked',
      'FLEET-2026:0003 needed blocked',
      'FLEET-2026:0004 needed blocked',
      'FLEET-2026:0005 optional blocked',
      'FLEET-2026:0007 needed blocked',
    ]);
  });

  it('reads category, severity, reboot, interactive, CVEs (not self or bugzilla ids) and the issue date', () => {
    expect(byName.get('FLEET-2026:0002')).toMatchObject({
      category: 'security',
      severity: 'important',
      rebootSuggested: true,
      interactive: true,
      cves: ['CVE-2023-0386', 'CVE-2024-1086'],
      issuedAt: '2026-02-03T00:00:00Z', // the updateinfo's <updated>, not <issued> (2026-02-01)
      repo: 'fleet',
    });
    expect(byName.get('FLEET-2026:0001')?.cves).toEqual(['CVE-2021-44228']);
    expect(byName.get('FLEET-2026:0003')).toMatchObject({ category: 'bugfix', severity: '', cves: [] });
    expect(byName.get('FLEET-2026:0003')?.issues).toEqual([{ type: 'bugzilla', id: '1001' }]);
  });

  it('XML ignores --category: the capture with --category security still lists every patch', () => {
    const filtered = parseListPatches(labResult('lp-category-security')).patches;
    expect(filtered.map((p) => p.name)).toEqual(patches.map((p) => p.name));
  });

  it('reads applied, not-needed and locked (unwanted) statuses', () => {
    const all = parseListPatches(labResult('lp-all')).patches;
    expect(new Set(all.map((p) => p.status))).toEqual(
      new Set(['applied', 'not-needed', 'optional', 'needed']),
    );
  });

  it('refuses an unknown status or a flag that is not true/false', () => {
    const bad = (attrs: string) =>
      result(
        `<stream><update-status><update-list><update kind="patch" name="P-1" edition="1" ${attrs}/></update-list></update-status></stream>`,
      );
    expect(() => parseListPatches(bad('status="maybe"'))).toThrow(DriverOutputError);
    expect(() => parseListPatches(bad('status="needed" restart="yes"'))).toThrow(/restart="yes"/);
  });
});

describe('parsePatchInfo', () => {
  it('reads inline and counted Conflicts, with and without arch', () => {
    const c = parsePatchInfo(labResult('info-patch-all'));
    expect(c.get('FLEET-2026:0001')).toEqual([{ name: 'fleet-testpkg', edition: '1.1-1.el9' }]);
    expect(c.get('FLEET-2026:0004')).toEqual([
      { name: 'fleet-tool', edition: '3.1-1' },
      { name: 'fleet-epoch', edition: '2:1.2-1' },
    ]);
    expect(c.get('FLEET-2026:0002')).toEqual([
      { name: 'kernel', arch: 'x86_64', edition: '5.14.0-427.13.1.el9' },
      { name: 'kernel', arch: 'noarch', edition: '5.14.0-427.13.1.el9' },
    ]);
    expect(c.size).toBe(7);
  });

  it('does not take a dotted package name for name.arch', () => {
    const c = parsePatchInfo(
      result('Information for patch P-1:\nConflicts   : [1]\n    python3.11 < 3.11.9-1\n'),
    );
    expect(c.get('P-1')).toEqual([{ name: 'python3.11', edition: '3.11.9-1' }]);
  });
});

describe('parseLocks and heldPackages', () => {
  it('reads names, types, repositories and version ranges', () => {
    expect(parseLocks(labResult('locks-more'))).toEqual([
      { name: 'FLEET-2026:0003', type: 'patch' },
      { name: 'fleet-held', type: 'package' },
      { name: 'fleet-lib', type: 'package', repo: 'fleet' },
      { name: 'fleet-tool', type: 'package', range: '< 3.1' },
      { name: 'kernel*', type: 'package' },
    ]);
    expect(parseLocks(labResult('locks-empty'))).toEqual([]);
  });

  it('expands package globs against installed names; patch locks hold no package', () => {
    const locks = parseLocks(labResult('locks-more'));
    expect(
      heldPackages(locks, [
        'kernel',
        'kernel-devel',
        'fleet-held',
        'fleet-lib',
        'fleet-tool',
        'fleet-testpkg',
        'xkernel',
      ]),
    ).toEqual(['fleet-held', 'fleet-lib', 'fleet-tool', 'kernel', 'kernel-devel']);
  });

  it('refuses a size that does not match the list', () => {
    expect(() =>
      parseLocks(
        result(
          '<stream><locks size="2"><lock number="1"><name>a</name><type>package</type></lock></locks></stream>',
        ),
      ),
    ).toThrow(DriverOutputError);
  });
});

describe("rpm -qa (the shared RPM parser, ../rpm/parse-installed.ts), in zypper's name", () => {
  it('reads name, epoch:version-release and arch; keeps multiversion kernels, oldest first', () => {
    const { installed, packages } = parseRpmQueryResult('zypper', labResult('rpm-qa'));
    expect(installed.filter((p) => p.name === 'kernel').map((p) => p.version)).toEqual([
      '5.14.0-362.8.1.el9',
      '5.14.0-427.13.1.el9',
    ]);
    expect(installed.find((p) => p.name === 'fleet-epoch')).toEqual({
      name: 'fleet-epoch',
      version: '2:1.2-1',
      arch: 'noarch',
    });
    const epoch = packages.find((p) => p.name === 'fleet-epoch');
    expect(epoch?.sourceRpm).toBe('fleet-epoch-1.2-1.src.rpm');
    expect(sourceNameOf(epoch ?? { sourceRpm: null })).toBe('fleet-epoch');
  });

  it('skips gpg-pubkey entries and refuses malformed lines, naming zypper', () => {
    const ok =
      'gpg-pubkey\t(none)\t3dbdc284\t53674dd4\t(none)\t(none)\t1700000000\nbash\t(none)\t5.2\t1.1\tx86_64\tbash-5.2-1.1.src.rpm\t1700000000\n';
    expect(parseRpmQueryResult('zypper', result(ok)).installed.map((p) => p.name)).toEqual(['bash']);
    expect(() => parseRpmQueryResult('zypper', result('bash 5.2\n'))).toThrow(DriverOutputError);
    // zypper's own six-field format (before RPM_QUERY_FORMAT gained the install time) is refused.
    expect(() =>
      parseRpmQueryResult('zypper', result('bash\t(none)\t5.2\t1.1\tx86_64\tbash-5.2-1.1.src.rpm\n')),
    ).toThrow(/^zypper: rpm -qa: unexpected line/);
    expect(() => parseRpmQueryResult('zypper', result('', 1, 'error: rpmdb open failed'))).toThrow(
      /exit status 1/,
    );
  });
});

describe('scan → PendingUpdate[]', () => {
  const scan = parseScan(labResult('scan'));
  const { installed } = parseRpmQueryResult('zypper', labResult('rpm-qa'));

  it('joins each package update to the patches that carry it', () => {
    const updates = toPendingUpdates({
      updates: scan.updates.updates,
      patches: scan.patches.patches,
      conflicts: scan.conflicts,
    });
    const by = new Map(updates.map((u) => [u.name, u]));
    expect(updates.map((u) => u.name)).toEqual([...updates.map((u) => u.name)].sort());
    expect(by.get('kernel')).toEqual({
      name: 'kernel',
      from: '5.14.0-362.8.1.el9',
      to: '5.14.0-427.13.1.el9',
      arch: 'x86_64',
      source: 'fleet',
      classification: 'security',
      severity: 'high',
      advisories: ['CVE-2023-0386', 'CVE-2024-1086', 'FLEET-2026:0002'],
      releasedAt: '2026-02-03T00:00:00Z',
      rebootRequired: true,
    });
    expect(by.get('fleet-testpkg')).toMatchObject({
      classification: 'security',
      severity: 'critical',
      advisories: ['CVE-2021-44228', 'FLEET-2026:0001'],
    });
    expect(by.get('fleet-epoch')).toMatchObject({
      classification: 'security',
      severity: 'medium',
      advisories: ['CVE-2025-0001', 'FLEET-2026:0004'],
    });
    expect(by.get('fleet-lib')).toMatchObject({
      classification: 'bugfix',
      advisories: ['FLEET-2026:0003'],
      releasedAt: '2026-02-10T00:00:00Z',
    });
    expect(by.get('fleet-lib')?.severity).toBeUndefined();
    expect(by.get('fleet-held')).toMatchObject({ classification: 'enhancement', severity: 'low' });
    expect(by.get('fleet-broken')).toMatchObject({
      classification: 'bugfix',
      advisories: ['FLEET-2026:0007'],
    });
    expect(by.get('fleet-svc')?.rebootRequired).toBeUndefined(); // restart_suggested restarts zypper, not the host
  });

  it('an update no patch carries is a bugfix without severity or advisories', () => {
    const [u] = toPendingUpdates({
      updates: [{ name: 'fleet-tool', arch: 'noarch', from: '3.0-1', to: '3.1-1', repo: 'extra' }],
      patches: scan.patches.patches,
      conflicts: new Map(),
    });
    expect(u).toEqual({
      name: 'fleet-tool',
      from: '3.0-1',
      to: '3.1-1',
      arch: 'noarch',
      source: 'extra',
      classification: 'bugfix',
    });
  });

  it('compares editions with rpmvercmp: a patch fixing 1.10 does not carry an update to 1.9', () => {
    const patch = { ...scan.patches.patches[1]!, name: 'P-1' };
    const conflicts = new Map([['P-1', [{ name: 'a', edition: '1.10-1' }]]]);
    const pending = (to: string) =>
      toPendingUpdates({
        updates: [{ name: 'a', arch: 'noarch', from: '1.2-1', to }],
        patches: [patch],
        conflicts,
      })[0]?.advisories;
    expect(pending('1.9-1')).toBeUndefined();
    expect(pending('1.10-1')).toContain('P-1');
    expect(pending('1.11-1')).toContain('P-1');
  });

  it('an applied or locked patch carries nothing', () => {
    const applied = { ...scan.patches.patches[1]!, status: 'applied' as const };
    const conflicts = new Map([[applied.name, [{ name: 'fleet-testpkg', edition: '1.1-1.el9' }]]]);
    const [u] = toPendingUpdates({
      updates: [{ name: 'fleet-testpkg', arch: 'noarch', from: '1.0-1.el9', to: '1.1-1.el9' }],
      patches: [applied],
      conflicts,
    });
    expect(u?.classification).toBe('bugfix');
  });

  it('fills a missing edition-old from the installed packages (salt capture shape)', () => {
    const [u] = toPendingUpdates({
      updates: [{ name: 'kernel', arch: 'x86_64', to: '5.14.0-500.1.el9' }],
      patches: [],
      conflicts: new Map(),
      installed,
    });
    expect(u?.from).toBe('5.14.0-427.13.1.el9');
  });

  it('pendingFromScan gives held packages from the locks', () => {
    expect(pendingFromScan(scan, installed).held).toEqual([]);
    expect(
      pendingFromScan({ ...scan, locks: [{ name: 'kernel*', type: 'package' }] }, installed).held,
    ).toEqual(['kernel']);
  });

  it('refuses a scan cut short', () => {
    const out = labResult('scan');
    expect(() =>
      parseScan({ ...out, stdout: out.stdout.slice(0, out.stdout.indexOf('@@patchctl:end@@')) }),
    ).toThrow(DriverOutputError);
  });
});
