// Issue 16, notifications (docs/notifications.md), end to end through the CLI on the simulated
// fleet: a ring that halts tells the webhooks (host-failed, ring-halted) while apply exits as it
// would without them; a receiver that is down costs a warning naming the webhook, never its URL
// (which carries a token), and never the exit code; a report tells about an exception about to
// expire once.
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';

import { main } from '../src/cli/main.js';
import { bundledSchemas } from '../src/engine/schemas.js';
import type { Receiver } from '../src/engine/notify/__fixtures__/receiver.js';
import { closedPort, startReceiver } from '../src/engine/notify/__fixtures__/receiver.js';
import type { SimFleet, SimFleetOptions } from '../src/sim/fleet.js';
import { startSimFleet } from '../src/sim/fleet.js';
import { captureIo } from '../src/test-support/capture-io.js';

const TOKEN = 'T0ABC/B0DEF/webhookSecretToken42';
let fleet: SimFleet | undefined;
let receiver: Receiver | undefined;
let dir = '';

afterEach(async () => {
  await fleet?.stop();
  await receiver?.close();
  fleet = undefined;
  receiver = undefined;
  if (dir !== '') rmSync(path.dirname(dir), { recursive: true, force: true });
  dir = '';
});

const NOTIFICATIONS = `  notifications:
    timeout: 5s
    retries: 1
    webhooks:
      - name: ops-json
        urlEnv: PATCHCTL_TEST_HOOK_URL
        format: json
      - name: ops-slack
        urlEnv: PATCHCTL_TEST_SLACK_URL
        format: slack
        events: [ring-halted]
`;

async function start(options: Partial<SimFleetOptions> = {}): Promise<void> {
  fleet = await startSimFleet({ hosts: 3, seed: 16, rebootDelayMs: 20, rebootDowntimeMs: 50, ...options });
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-notify-')), 'repo');
  fleet.writeRepository(dir);
  appendFileSync(path.join(dir, 'patchctl.yaml'), NOTIFICATIONS);
}

async function patchctl(env: Record<string, string>, ...args: string[]) {
  const io = captureIo({ cwd: dir, env, now: () => DateTime.now().toUTC() });
  const code = await main(args, io);
  return { code, ...io.text() };
}

/** An exception for `host` that expires in `days` days. */
function writeException(host: string, days: number): void {
  mkdirSync(path.join(dir, 'exceptions'), { recursive: true });
  const expires = DateTime.now().toUTC().plus({ days }).toISODate() ?? '';
  writeFileSync(
    path.join(dir, 'exceptions', 'hold-fleet.yaml'),
    `apiVersion: patchctl/v1
kind: PatchException
metadata:
  name: hold-fleet
spec:
  hosts: [${host}]
  packages: ['fleet-*']
  reason: vendor certification pending
  owner: team-web
  ticket: CHG-77
  expires: '${expires}'
`,
  );
}

const envFor = (origin: string): Record<string, string> => ({
  PATCHCTL_TEST_HOOK_URL: `${origin}/json/${TOKEN}`,
  PATCHCTL_TEST_SLACK_URL: `${origin}/slack/${TOKEN}`,
});

function allFilesText(root: string): string {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}

describe('notifications on apply (issue 16)', () => {
  it('a ring that halts: the receiver gets host-failed and ring-halted; apply exits 1 as it would', async () => {
    await start({ faults: { 'lab-01': { diskFreeKb: 1 } } });
    receiver = await startReceiver();
    const env = envFor(receiver.origin);
    expect((await patchctl(env, 'scan')).code).toBe(0);
    const r = await patchctl(env, 'apply', '--auto-approve');
    expect(r.code).toBe(1);
    const json = receiver.requests
      .filter((q) => q.path === `/json/${TOKEN}`)
      .map((q) => JSON.parse(q.body) as Record<string, unknown>);
    const applyEvents = json.filter((b) =>
      ['host-failed', 'ring-halted', 'reboot-timeout'].includes(String(b.event)),
    );
    expect(applyEvents).toEqual([
      expect.objectContaining({
        event: 'host-failed',
        repository: 'lab',
        rollout: 'lab',
        ring: 'canary',
        host: 'lab-01',
      }),
      expect.objectContaining({
        event: 'ring-halted',
        ring: 'canary',
        details: expect.objectContaining({ failedHosts: ['lab-01'] }),
      }),
    ]);
    const validate = bundledSchemas().validatorForFile('notification.schema.json');
    for (const body of json) expect([validate(body), validate.errors ?? null]).toEqual([true, null]);
    // The Slack webhook takes ring-halted only.
    const slack = receiver.requests
      .filter((q) => q.path === `/slack/${TOKEN}`)
      .map((q) => JSON.parse(q.body) as { text: string });
    expect(slack).toHaveLength(1);
    expect(slack[0]?.text).toContain('ring canary of rollout lab halted');
    // The URLs (their tokens) are nowhere: output, journal, state, reports.
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    expect(allFilesText(path.join(dir, 'state'))).not.toContain(TOKEN);
    expect(allFilesText(path.join(dir, 'reports'))).not.toContain(TOKEN);
    expect(r.stderr).not.toContain('webhook');
  }, 60_000);

  it('a receiver that is down: apply exits as it would, one warning per webhook, no URL', async () => {
    await start({ faults: { 'lab-01': { diskFreeKb: 1 } } });
    const port = await closedPort();
    const env = envFor(`http://127.0.0.1:${port}`);
    expect((await patchctl(env, 'scan')).code).toBe(0);
    const r = await patchctl(env, 'apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /patchctl: warning: webhook ops-json: \d+ notification\(s\) not delivered: connection refused \(ECONNREFUSED\) \(after 2 attempts\)/,
    );
    expect(r.stderr).toContain('patchctl: warning: webhook ops-slack: 1 notification(s) not delivered');
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
    expect(`${r.stdout}${r.stderr}`).not.toContain(`127.0.0.1:${port}`);
  }, 60_000);

  it('a healthy run with the receiver down exits 0: a delivery never changes the exit code', async () => {
    await start();
    writeException('lab-02', 5); // apply's report tells about it: that delivery fails
    const port = await closedPort();
    const env = envFor(`http://127.0.0.1:${port}`);
    expect((await patchctl(env, 'scan')).code).toBe(0);
    const r = await patchctl(env, 'apply', '--auto-approve');
    expect(r.stderr).toContain('patchctl: warning: webhook ops-json: 1 notification(s) not delivered');
    expect(r.code).toBe(0);
  }, 60_000);

  it('a webhook variable that is unset: a warning at the start, the run goes on', async () => {
    await start({ faults: { 'lab-01': { diskFreeKb: 1 } } });
    receiver = await startReceiver();
    const env = { PATCHCTL_TEST_SLACK_URL: `${receiver.origin}/slack/${TOKEN}` };
    expect((await patchctl(env, 'scan')).code).toBe(0);
    const r = await patchctl(env, 'apply', '--auto-approve');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'patchctl: warning: webhook ops-json: the environment variable PATCHCTL_TEST_HOOK_URL is not set: its notifications are not sent\n',
    );
    expect(r.stderr.split('PATCHCTL_TEST_HOOK_URL is not set')).toHaveLength(2); // once
    expect(receiver.requests.filter((q) => q.path.startsWith('/slack/'))).toHaveLength(1);
  }, 60_000);
});

describe('notifications on report (issue 16)', () => {
  it('an exception about to expire is told once: by the first report that sees it', async () => {
    await start();
    receiver = await startReceiver();
    const env = envFor(receiver.origin);
    writeException('lab-02', 5);
    expect((await patchctl(env, 'scan')).code).toBe(0);
    const first = await patchctl(env, 'report');
    expect(first.code).toBe(0);
    const events = () =>
      receiver!.requests
        .filter((q) => q.path.startsWith('/json/'))
        .map((q) => JSON.parse(q.body) as Record<string, unknown>);
    expect(events().filter((e) => e.event === 'exception-expiring')).toEqual([
      expect.objectContaining({
        event: 'exception-expiring',
        details: expect.objectContaining({
          exception: 'hold-fleet',
          owner: 'team-web',
          ticket: 'CHG-77',
          hosts: ['lab-02'],
        }),
      }),
    ]);
    const before = receiver.requests.length;
    const second = await patchctl(env, 'report');
    expect(second.code).toBe(0);
    expect(receiver.requests.length).toBe(before);
    // `exceptions --expiring` lists; it never sends (docs/notifications.md).
    expect((await patchctl(env, 'exceptions', '--expiring', '30d')).code).toBe(0);
    expect(receiver.requests.length).toBe(before);
  }, 60_000);
});

describe('the webhook URL stays out of the repository (issue 16)', () => {
  it('validate refuses a URL where the name of its variable belongs, at file:line:col', async () => {
    await start();
    appendFileSync(
      path.join(dir, 'patchctl.yaml'),
      `      - name: literal\n        urlEnv: https://hooks.slack.com/services/${TOKEN}\n        format: slack\n`,
    );
    const r = await patchctl({}, 'validate');
    expect(r.code).toBe(3);
    expect(`${r.stdout}${r.stderr}`).toMatch(
      /patchctl\.yaml:\d+:\d+ .*urlEnv \(value not shown: it may be a secret\) must be the NAME of the environment variable that holds the webhook URL/,
    );
    // The token is not echoed into the CI log of the pull request either.
    expect(`${r.stdout}${r.stderr}`).not.toContain(TOKEN);
  }, 60_000);
});
