// `patchctl apply` on the real lab fleet, with the faults of production (issue 4). Registered
// from lab.test.ts so that only one lab runs at a time; every scenario starts a fresh lab.
import { existsSync, readFileSync, readdirSync, writeFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

import type { LabStatus } from './lab-helpers.js';
import {
  LAB_REPO,
  hostExec,
  journalEvents,
  lab,
  labStatus,
  patchctl,
  patchctlInBackground,
  patchctlWithEnv,
  ssh,
  versionsOn,
  waitFor,
} from './lab-helpers.js';

const ALL = ['fleet-broken', 'fleet-crypto', 'fleet-held', 'fleet-kernel', 'fleet-tools', 'fleet-utils'];
/** What the lab's policies upgrade: odd hosts everything but fleet-broken and the held one. */
const expectedAfter = (index: number): Record<string, string> => ({
  'fleet-broken': '1.0',
  'fleet-crypto': '1.1',
  'fleet-held': '1.0',
  'fleet-kernel': '1.1',
  'fleet-tools': index % 2 === 1 ? '1.1' : '1.0',
  'fleet-utils': index % 2 === 1 ? '1.1' : '1.0',
});

function up(hosts: number): LabStatus {
  const r = lab(['up', '--hosts', String(hosts)]);
  if (r.status !== 0) throw new Error(`lab up failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const s = labStatus();
  const scan = patchctl(['scan', '-C', LAB_REPO]);
  if (scan.status !== 0) throw new Error(`scan failed:\n${scan.stdout}\n${scan.stderr}`);
  return s;
}

function addressOf(s: LabStatus, name: string): string {
  const h = s.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`no lab host ${name}`);
  return h.address;
}

const apply = (...args: string[]) =>
  patchctl(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color', ...args]);

function finished(
  events: readonly { type: string; host?: string; status?: string }[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === 'host-finished' && e.host && e.status) out[e.host] = e.status;
  return out;
}

function editRepo(rel: string, edit: (text: string) => string): void {
  const file = path.join(LAB_REPO, rel);
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

/** Rollout with three rings: canary lab-01, middle lab-02..04 one at a time with maxFailed 1, last. */
function threeRings(): void {
  writeFileSync(
    path.join(LAB_REPO, 'rollouts', 'lab.yaml'),
    `apiVersion: patchctl/v1
kind: Rollout
metadata:
  name: lab
spec:
  rings:
    - name: canary
      groups: [canary]
    - name: middle
      selector:
        matchExpressions:
          - { key: ring, operator: In, values: [middle] }
      maxParallel: 1
      failureBudget:
        maxFailed: 1
    - name: last
      rest: true
`,
  );
  editRepo('inventory/lab.yaml', (t) =>
    t.replace(/(- name: lab-0[234]\n(?:.*\n)*?\s+labels:\n)/g, '$1        ring: middle\n'),
  );
}

export function applyScenarios(labIsUsable: () => boolean): void {
  describe('patchctl apply on the lab', () => {
    afterAll(() => {
      // Down twice: idempotent, and nothing is left behind for the next test file or run.
      expect(lab(['down'], 120_000).status).toBe(0);
      expect(lab(['down'], 120_000).status).toBe(0);
    }, 300_000);

    it('patches every host ring by ring, reboots with boot-id proof, verifies, records state and journal', () => {
      if (!labIsUsable()) return;
      const s = up(3);
      const bootBefore = Object.fromEntries(s.hosts.map((h) => [h.name, h.bootId]));
      const r = apply();
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Ring canary \(rollout lab\): 1 host\(s\)/);
      expect(r.stdout).toMatch(/✓ lab-01: patched: .*fleet-kernel 1\.0 → 1\.1.*; rebooted/);
      expect(r.stdout).toMatch(/Apply \S+: 3 patched\./);
      const after = labStatus();
      for (const h of after.hosts) {
        const index = Number(h.name.slice(4));
        expect(versionsOn(h.address, ALL)).toEqual(expectedAfter(index));
        // fleet-kernel asked for a reboot: the host rebooted (new boot id) and the flag is gone.
        expect(h.bootId).not.toBe(bootBefore[h.name]);
        expect(ssh(h.address, 'test -e /run/reboot-required').status).toBe(1);
        // The remote lock was released: another holder gets it at once.
        expect(ssh(h.address, 'sudo -n flock -n /run/lock/patchctl.lock true').status).toBe(0);
      }
      const events = journalEvents(LAB_REPO);
      expect(finished(events)).toEqual({ 'lab-01': 'patched', 'lab-02': 'patched', 'lab-03': 'patched' });
      const order = events.filter((e) => e.type === 'host-started').map((e) => e.host);
      expect(order[0]).toBe('lab-01'); // the canary ring first
      const lab01 = events.find((e) => e.type === 'host-finished' && e.host === 'lab-01');
      expect(lab01).toMatchObject({ verification: { ok: true, mismatches: [] } });
      expect((lab01?.rebooted as { bootIdAfter: string }).bootIdAfter).toBe(
        after.hosts.find((h) => h.name === 'lab-01')?.bootId,
      );
      // State was rewritten from the hosts: nothing left to do, and the plan says so.
      const state = JSON.parse(readFileSync(path.join(LAB_REPO, 'state/hosts/lab-01.json'), 'utf8')) as {
        updates: { name: string }[];
      };
      expect(state.updates.map((u) => u.name).sort()).toEqual(['fleet-broken', 'fleet-held']);
      const rollout = JSON.parse(readFileSync(path.join(LAB_REPO, 'state/rollouts/lab.json'), 'utf8')) as {
        rings: Record<string, { status: string; healthySince?: string }>;
      };
      expect(rollout.rings.canary?.status).toBe('completed');
      expect(rollout.rings.rest?.status).toBe('completed');
      const status = patchctl(['status', '-C', LAB_REPO, '--no-color']);
      expect(status.status).toBe(0);
      expect(status.stdout).toMatch(/✓ canary\s+done/);
      expect(status.stdout).toMatch(/✓ rest\s+done/);
      expect(status.stdout).toMatch(/Last apply: /);
      const again = apply();
      expect(again.status).toBe(0);
      expect(again.stdout).toContain('No changes: nothing to apply.');
    }, 300_000);

    it('refuses a stale saved plan and runs nothing; a fresh one applies', () => {
      if (!labIsUsable()) return;
      up(2);
      const planFile = path.join(LAB_REPO, 'plan.json');
      expect(patchctl(['plan', '-C', LAB_REPO, '--out', planFile]).status).toBe(0);
      editRepo('policies/lab.yaml', (t) =>
        t.replace('exclude: [fleet-broken]', 'exclude: [fleet-broken, fleet-utils]'),
      );
      const stale = patchctl(['apply', '-C', LAB_REPO, planFile]);
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/the plan is stale: .*changed policies\/lab\.yaml/);
      expect(journalEvents(LAB_REPO)).toEqual([]);
      expect(patchctl(['plan', '-C', LAB_REPO, '--out', planFile]).status).toBe(0);
      const ok = patchctl(['apply', '-C', LAB_REPO, planFile]);
      expect(ok.status).toBe(0);
      expect(versionsOn(addressOf(labStatus(), 'lab-01'), ['fleet-utils'])).toEqual({ 'fleet-utils': '1.0' });
      // Applied plans cannot be applied again: their own state updates make them stale.
      const twice = patchctl(['apply', '-C', LAB_REPO, planFile]);
      expect(twice.status).toBe(1);
      expect(twice.stderr).toMatch(/already applied this plan/);
    }, 300_000);

    it('a host down before the apply is unreachable; one failure in two is exactly the budget: no halt', () => {
      if (!labIsUsable()) return;
      up(3);
      expect(lab(['stop', 'lab-02']).status).toBe(0);
      const r = apply();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-02: unreachable: /);
      expect(r.stdout).toMatch(/Ring rest: completed, 1 failed/);
      expect(finished(journalEvents(LAB_REPO))).toEqual({
        'lab-01': 'patched',
        'lab-02': 'unreachable',
        'lab-03': 'patched',
      });
    }, 300_000);

    it('a host that goes down during its install fails with the outcome unknown; the others go on', async () => {
      if (!labIsUsable()) return;
      up(3);
      expect(lab(['slow-apt', 'lab-02', '5']).status).toBe(0);
      const bg = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color']);
      await waitFor('lab-02 to start installing', () =>
        journalEvents(LAB_REPO).some(
          (e) => e.type === 'host-step' && e.host === 'lab-02' && e.step === 'install',
        ),
      );
      expect(lab(['stop', 'lab-02']).status).toBe(0);
      const r = await bg.done;
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-02: failed: .*lost while a command ran; its outcome is unknown/);
      expect(finished(journalEvents(LAB_REPO))).toEqual({
        'lab-01': 'patched',
        'lab-02': 'failed',
        'lab-03': 'patched',
      });
    }, 300_000);

    it('exceeding the failure budget by one halts the ring and the rollout; reaching it does not', () => {
      if (!labIsUsable()) return;
      up(5);
      threeRings();
      // sudo denied on two hosts of the middle ring (maxFailed 1, one host at a time).
      expect(lab(['sudo', 'lab-02', 'deny']).status).toBe(0);
      expect(lab(['sudo', 'lab-03', 'deny']).status).toBe(0);
      const r = apply();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-02: failed: .*a password is required/);
      expect(r.stdout).toMatch(
        /Ring middle: halted: failure budget exceeded: 2 of 3 hosts failed \(1 host\(s\) not started\)/,
      );
      expect(r.stdout).toMatch(/Ring last: not started: rollout halted at ring middle/);
      expect(finished(journalEvents(LAB_REPO))).toEqual({
        'lab-01': 'patched',
        'lab-02': 'failed',
        'lab-03': 'failed',
      });
      const rollout = JSON.parse(readFileSync(path.join(LAB_REPO, 'state/rollouts/lab.json'), 'utf8')) as {
        rings: Record<string, { status: string; haltedReason?: string }>;
      };
      expect(rollout.rings.middle).toMatchObject({ status: 'halted' });
      expect(versionsOn(addressOf(labStatus(), 'lab-05'), ['fleet-crypto'])).toEqual({
        'fleet-crypto': '1.0',
      });

      // With one of them fixed, the failures exactly reach the budget: the ring completes, the rollout goes on.
      expect(lab(['sudo', 'lab-03', 'allow']).status).toBe(0);
      const again = apply();
      expect(again.status).toBe(1);
      expect(again.stdout).toMatch(/Ring middle: completed, 1 failed/);
      expect(again.stdout).toMatch(/✓ lab-05: patched/);
    }, 400_000);

    it('waits for a held dpkg lock, then fails that host naming the holder', async () => {
      if (!labIsUsable()) return;
      up(1);
      expect(lab(['hold-dpkg-lock', 'lab-01', '120']).status).toBe(0);
      const r = apply('--lock-timeout', '6s');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /✗ lab-01: failed: pre-flight: \/var\/lib\/dpkg\/lock(-frontend)? is held by process \d+ \(unattended-upgr\).*\(waited [6-9] s\)/,
      );
      // A lock released while apply waits: the host is patched.
      const seen = journalEvents(LAB_REPO).length;
      const bg = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve', '--lock-timeout', '60s']);
      await waitFor('apply to reach the pre-flight', () =>
        journalEvents(LAB_REPO)
          .slice(seen)
          .some((e) => e.type === 'host-step' && e.step === 'preflight'),
      );
      await new Promise((res) => setTimeout(res, 2500));
      expect(lab(['release-dpkg-lock', 'lab-01']).status).toBe(0);
      const ok = await bg.done;
      expect(ok.stdout).toMatch(/✓ lab-01: patched/);
      expect(ok.status).toBe(0);
    }, 300_000);

    it('a failing maintainer script fails the canary and halts the rollout', () => {
      if (!labIsUsable()) return;
      up(2);
      editRepo('policies/lab.yaml', (t) => t.replaceAll('exclude: [fleet-broken]', 'exclude: []'));
      const r = apply();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-01: failed: .*fleet-broken/);
      expect(r.stdout).toMatch(/Ring rest: not started: rollout halted at ring canary/);
      expect(finished(journalEvents(LAB_REPO))).toEqual({ 'lab-01': 'failed' });
    }, 300_000);

    it('a host whose reboot never returns: reboot-timeout, and the ring halts', () => {
      if (!labIsUsable()) return;
      up(2);
      expect(lab(['reboot-mode', 'lab-01', 'never']).status).toBe(0);
      const r = apply('--reboot-timeout', '8s');
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /✗ lab-01: reboot-timeout: the host did not come back with a new boot id within 8 s/,
      );
      expect(r.stdout).toMatch(/Ring canary: halted/);
      expect(finished(journalEvents(LAB_REPO))).toEqual({ 'lab-01': 'reboot-timeout' });
    }, 300_000);

    it('a full disk fails the pre-flight; nothing is installed', () => {
      if (!labIsUsable()) return;
      const s = up(1);
      expect(lab(['fill-disk', 'lab-01']).status).toBe(0);
      try {
        const r = apply();
        expect(r.status).toBe(1);
        expect(r.stdout).toMatch(/✗ lab-01: failed: pre-flight: .*KiB free, \d+ KiB needed/);
      } finally {
        expect(lab(['free-disk', 'lab-01']).status).toBe(0);
      }
      expect(versionsOn(addressOf(s, 'lab-01'), ['fleet-crypto'])).toEqual({ 'fleet-crypto': '1.0' });
    }, 300_000);

    it('a changed host key: host-key-mismatch, nothing runs on the host', () => {
      if (!labIsUsable()) return;
      up(1);
      expect(lab(['change-host-key', 'lab-01']).status).toBe(0);
      const r = apply();
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-01: host-key-mismatch: /);
      const steps = journalEvents(LAB_REPO)
        .filter((e) => e.type === 'host-step')
        .map((e) => e.step);
      expect(steps).toEqual(['connect']);
      // sshd never authenticated patchctl after the key changed: the key exchange stopped first.
      const log = hostExec('lab-01', ['cat', '/var/log/sshd.log']).stdout;
      const accepted = log
        .slice(log.lastIndexOf('Received SIGHUP'))
        .match(/Accepted publickey for patchctl/g);
      expect(accepted).toBeNull();
      const dpkg = hostExec('lab-01', ['dpkg-query', '-W', '-f=${Version}', 'fleet-crypto']);
      expect(dpkg.stdout).toBe('1.0');
    }, 300_000);

    it('sshd sessions killed mid-install: the install survives on the host, resume finds it done', async () => {
      if (!labIsUsable()) return;
      const s = up(1);
      expect(lab(['slow-apt', 'lab-01', '4']).status).toBe(0);
      const bg = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve']);
      await waitFor('the install to start', () =>
        journalEvents(LAB_REPO).some((e) => e.type === 'host-step' && e.step === 'install'),
      );
      await new Promise((res) => setTimeout(res, 1000));
      // Kill sshd's session processes (not the listener, not apt): the connection drops.
      expect(lab(['kill-sessions', 'lab-01', '--sshd-only']).status).toBe(0);
      const r = await bg.done;
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-01: failed: .*(lost|closed)/);
      // apt went on without the session: the packages arrive.
      await waitFor(
        'the install to finish on the host',
        () => versionsOn(addressOf(s, 'lab-01'), ['fleet-crypto'])['fleet-crypto'] === '1.1',
        60_000,
      );
      expect(lab(['slow-apt', 'lab-01', '0']).status).toBe(0);
      // The next apply reconciles: the versions are already there, so it verifies and installs nothing.
      const again = apply();
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/✓ lab-01: patched/);
      const installs = journalEvents(LAB_REPO).filter((e) => e.type === 'host-step' && e.step === 'install');
      expect(installs).toHaveLength(1);
    }, 300_000);

    it('a controller SIGKILLed mid-ring: --resume finishes the plan and patches no host twice', async () => {
      if (!labIsUsable()) return;
      const s = up(4);
      for (const h of s.hosts) expect(lab(['slow-apt', h.name, '2']).status).toBe(0);
      const bg = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve', '--concurrency', '1']);
      await waitFor(
        'lab-02 to finish and lab-03 to start installing',
        () => {
          const ev = journalEvents(LAB_REPO);
          return (
            ev.some((e) => e.type === 'host-finished' && e.host === 'lab-02') &&
            ev.some((e) => e.type === 'host-step' && e.host === 'lab-03' && e.step === 'install')
          );
        },
        120_000,
      );
      bg.child.kill('SIGKILL');
      await bg.done;
      const resumed = patchctl(['apply', '-C', LAB_REPO, '--resume', '--no-color']);
      expect(resumed.stderr).toBe('');
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toMatch(/2 host\(s\) done by earlier runs of this plan/);
      // Patched once: dpkg unpacked the upgrade exactly once on every host. (The journal may show
      // a second install step for the host in flight when the controller died before its command
      // reached the host; that one then installs for the first time.)
      for (const h of labStatus().hosts) {
        const unpacked = hostExec(h.name, [
          'sh',
          '-c',
          'cat /var/log/patchctl/apt-*.out | grep -c "^Unpacking fleet-crypto (1.1)"',
        ]);
        expect(`${h.name}: ${unpacked.stdout.trim()}`).toBe(`${h.name}: 1`);
        expect(versionsOn(h.address, ALL)).toEqual(expectedAfter(Number(h.name.slice(4))));
      }
      // No host that the killed run finished was started again.
      const events = journalEvents(LAB_REPO);
      const firstRun = events[0]?.runId;
      const finishedFirst = events
        .filter((e) => e.type === 'host-finished' && e.runId === firstRun)
        .map((e) => e.host);
      const startedLater = events
        .filter((e) => e.type === 'host-started' && e.runId !== firstRun)
        .map((e) => e.host);
      expect(finishedFirst.length).toBeGreaterThanOrEqual(2);
      for (const h of finishedFirst) expect(startedLater).not.toContain(h);
    }, 400_000);

    it('the first Ctrl-C starts no new host and lets the running one finish cleanly', async () => {
      if (!labIsUsable()) return;
      up(3);
      expect(lab(['slow-apt', 'lab-01', '3']).status).toBe(0);
      const bg = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color']);
      await waitFor('the canary to start installing', () =>
        journalEvents(LAB_REPO).some((e) => e.type === 'host-step' && e.step === 'install'),
      );
      bg.child.kill('SIGINT');
      const r = await bg.done;
      expect(r.stderr).toContain('Interrupted: no new host will start');
      expect(r.stdout).toMatch(/✓ lab-01: patched/);
      expect(r.stdout).toMatch(/Ring rest: not started: interrupted/);
      expect(r.status).toBe(1);
      const events = journalEvents(LAB_REPO);
      expect(finished(events)).toEqual({ 'lab-01': 'patched' });
      expect(events.at(-1)?.type).toBe('run-finished');
      expect(existsSync(path.join(LAB_REPO, 'state', 'apply.lock'))).toBe(false);
    }, 300_000);

    it('two applies at once: the second is refused by the repository lock, a second repository by the host lock', async () => {
      if (!labIsUsable()) return;
      up(1);
      const other = mkdtempSync(path.join(tmpdir(), 'patchctl-second-repo-'));
      try {
        cpSync(LAB_REPO, other, { recursive: true });
        expect(lab(['slow-apt', 'lab-01', '6']).status).toBe(0);
        const first = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve']);
        await waitFor('the first apply to start installing', () =>
          journalEvents(LAB_REPO).some((e) => e.type === 'host-step' && e.step === 'install'),
        );
        const second = patchctl(['apply', '-C', LAB_REPO, '--auto-approve']);
        expect(second.status).toBe(1);
        expect(second.stderr).toMatch(
          /the repository is locked by apply run \S+ \(id [0-9a-f-]+, .*force-unlock/,
        );
        const elsewhere = patchctl(['apply', '-C', other, '--auto-approve', '--no-color']);
        expect(elsewhere.status).toBe(1);
        expect(elsewhere.stdout).toMatch(
          /✗ lab-01: failed: host is locked by another patchctl run: patchctl apply run/,
        );
        const r = await first.done;
        expect(r.status).toBe(0);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    }, 300_000);

    it('a second controller is refused while the first reboots the host; after the run the host is free', async () => {
      if (!labIsUsable()) return;
      const s = up(1);
      const address = addressOf(s, 'lab-01');
      const other = mkdtempSync(path.join(tmpdir(), 'patchctl-second-repo-'));
      try {
        cpSync(LAB_REPO, other, { recursive: true });
        // The host stays down 8 s after its own reboot: long enough to freeze the first
        // controller while the host is down, so that the second one comes while the host is back
        // up and the first has not taken it again yet (the gap the reservation closes).
        expect(lab(['reboot-mode', 'lab-01', 'delay:8']).status).toBe(0);
        const first = patchctlInBackground(['apply', '-C', LAB_REPO, '--auto-approve', '--no-color']);
        await waitFor(
          'the first apply to send reboot',
          () => journalEvents(LAB_REPO).some((e) => e.type === 'host-step' && e.step === 'reboot'),
          120_000,
        );
        await waitFor('lab-01 to go down', () => labStatus().hosts.some((h) => h.name === 'lab-01' && !h.up));
        first.child.kill('SIGSTOP');
        const runId = journalEvents(LAB_REPO)[0]?.runId ?? '';
        try {
          await waitFor('lab-01 to come back', () =>
            labStatus().hosts.some((h) => h.name === 'lab-01' && h.up),
          );
          // What the first run left on persistent storage before its reboot.
          const reserved = hostExec('lab-01', ['cat', '/var/lib/patchctl/lock.reserved']);
          expect(reserved.stdout).toContain(`run ${runId}\n`);
          const second = patchctl(['apply', '-C', other, '--auto-approve', '--no-color']);
          expect(second.status).toBe(1);
          expect(second.stdout).toMatch(
            new RegExp(
              `✗ lab-01: failed: host is reserved by another patchctl run across its reboot for \\d+ s more: patchctl apply run ${runId} `,
            ),
          );
          const theirs = journalEvents(other).filter((e) => e.type === 'host-finished');
          expect(theirs.map((e) => [e.host, e.status, e.rebooted])).toEqual([
            ['lab-01', 'failed', undefined],
          ]);
          expect(
            journalEvents(other)
              .filter((e) => e.type === 'host-step')
              .map((e) => e.step),
          ).toEqual(['connect']);
        } finally {
          first.child.kill('SIGCONT');
        }
        const r = await first.done;
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/✓ lab-01: patched: .*; rebooted/);
        // The first run took the host again before anything else ran there, and left it free.
        const steps = journalEvents(LAB_REPO)
          .filter((e) => e.type === 'host-step')
          .map((e) => e.step);
        expect(steps.slice(steps.indexOf('reboot'))).toEqual(['reboot', 'post-hooks', 'verify']);
        expect(ssh(address, 'sudo -n flock -n /run/lock/patchctl.lock true').status).toBe(0);
        expect(ssh(address, 'test -e /var/lib/patchctl/lock.reserved').status).toBe(1);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    }, 300_000);

    it('a canary secret in the environment never appears in output, journal, state or reports', () => {
      if (!labIsUsable()) return;
      up(1);
      const secret = 'canary-7f3a9c1e-secret';
      // The host prints it (as a misbehaving health endpoint would) in a failing health check.
      hostExec('lab-01', [
        'sh',
        '-c',
        `printf '%s\\n' '${secret}' > /etc/fleet-secret; chmod 644 /etc/fleet-secret`,
      ]);
      editRepo('policies/lab.yaml', (t) =>
        t.replaceAll(
          '  reboot: ifRequired\n',
          `  reboot: never\n  hooks:\n    healthCheck:\n      command: [sh, -c, 'echo "token $(cat /etc/fleet-secret)"; exit 1']\n`,
        ),
      );
      const r = patchctlWithEnv(['apply', '-C', LAB_REPO, '--auto-approve', '--format', 'text'], {
        FLEET_API_TOKEN: secret,
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/✗ lab-01: health-check-failed: .*token \[redacted\]/);
      const everything = [
        r.stdout,
        r.stderr,
        ...filesUnder(path.join(LAB_REPO, 'state')).map((f) => readFileSync(f, 'utf8')),
        ...filesUnder(path.join(LAB_REPO, 'reports')).map((f) => readFileSync(f, 'utf8')),
      ];
      for (const text of everything) expect(text).not.toContain(secret);
      // The failure is in every report file, with the secret redacted.
      expect(filesUnder(path.join(LAB_REPO, 'reports')).length).toBeGreaterThanOrEqual(5);
      const report = JSON.parse(readFileSync(path.join(LAB_REPO, 'reports', 'compliance.json'), 'utf8')) as {
        failures: { host: string; status: string; error?: string }[];
      };
      expect(report.failures).toEqual([
        expect.objectContaining({
          host: 'lab-01',
          status: 'health-check-failed',
          error: expect.stringContaining('[redacted]'),
        }),
      ]);
    }, 300_000);
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}
