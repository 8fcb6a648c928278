import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InputFileError } from '../../errors.js';
import type { HostStatus, JournalEvent } from './journal.js';
import {
  HOST_STATUSES,
  hostsDoneInJournal,
  JOURNAL_EVENT_TYPES,
  JournalWriter,
  readJournals,
  RING_STATUSES_IN_RUN,
} from './journal.js';

const AT = '2026-12-01T02:00:00Z';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;
const started = (runId: string, planDigest = DIGEST): JournalEvent => ({
  type: 'run-started',
  at: AT,
  runId,
  planDigest,
});
const finished = (host: string, status: HostStatus, planDigest = DIGEST): JournalEvent => ({
  type: 'host-finished',
  at: AT,
  runId: 'r1',
  planDigest,
  host,
  ring: 'canary',
  status,
  actions: [{ package: 'openssl', from: '1', to: '2' }],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runs = (): string => path.join(dir, 'state', 'runs');

describe('JournalWriter', () => {
  it('creates the folder and appends one JSON line per event, in order', async () => {
    const file = path.join(runs(), 'r1.jsonl');
    const w = new JournalWriter(file);
    const events: JournalEvent[] = [
      started('r1'),
      { type: 'host-step', at: AT, runId: 'r1', host: 'web-1', step: 'connect' },
      finished('web-1', 'patched'),
    ];
    w.append(events[0] as JournalEvent);
    // Each event is on disk as soon as append returns.
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(events[0])}\n`);
    w.append(events[1] as JournalEvent);
    w.append(events[2] as JournalEvent);
    await w.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual(events);
  });

  it('appends to an existing journal instead of truncating it', async () => {
    const file = path.join(runs(), 'r1.jsonl');
    const first = new JournalWriter(file);
    first.append(started('r1'));
    await first.close();
    const second = new JournalWriter(file);
    second.append({ type: 'run-finished', at: AT, runId: 'r1', halted: false });
    await second.close();
    expect(readJournals(runs())[0]?.events.map((e) => e.type)).toEqual(['run-started', 'run-finished']);
  });

  it('syncs in the background, never blocking append, and refuses events after close', async () => {
    const file = path.join(runs(), 'r2.jsonl');
    const w = new JournalWriter(file);
    for (let i = 0; i < 500; i++)
      w.append({ type: 'host-step', at: AT, runId: 'r2', host: `h${i}`, step: 'connect' });
    // Every line is in the file at once; the syncs catch up later.
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(501);
    await w.close();
    await w.close();
    expect(() => w.append(started('r2'))).toThrow(/appended to after close/);
  });
});

describe('readJournals', () => {
  it('is empty when there is no runs folder', () => {
    expect(readJournals(runs())).toEqual([]);
  });

  it('reads every .jsonl file sorted by name, oldest run first, and ignores other files', () => {
    mkdirSync(runs(), { recursive: true });
    const ids = ['20261201T020000Z-bbbb', '20261130T020000Z-ffff', '20261201T020000Z-aaaa'];
    for (const id of ids) writeFileSync(path.join(runs(), `${id}.jsonl`), `${JSON.stringify(started(id))}\n`);
    writeFileSync(path.join(runs(), '20261201T020000Z-aaaa.plan.json'), '{"not": "a journal"');
    writeFileSync(path.join(runs(), 'notes.txt'), 'x');
    const read = readJournals(runs());
    expect(read.map((j) => j.runId)).toEqual([
      '20261130T020000Z-ffff',
      '20261201T020000Z-aaaa',
      '20261201T020000Z-bbbb',
    ]);
    expect(read.map((j) => j.file)).toEqual(read.map((j) => path.join(runs(), `${j.runId}.jsonl`)));
    for (const j of read) expect(j.events).toEqual([started(j.runId)]);
  });

  it('drops a last line cut short by a crash, and blank lines', () => {
    const file = path.join(runs(), 'r1.jsonl');
    const w = new JournalWriter(file);
    w.append(started('r1'));
    w.append(finished('web-1', 'patched'));
    w.close();
    appendFileSync(file, '\n');
    appendFileSync(file, JSON.stringify(finished('web-2', 'patched')).slice(0, 40));
    const [j] = readJournals(runs());
    expect(j?.events).toEqual([started('r1'), finished('web-1', 'patched')]);
    // Still dropped when the cut line is followed only by whitespace.
    appendFileSync(file, '\n  \n');
    expect(readJournals(runs())[0]?.events).toHaveLength(2);
  });

  it('throws an InputFileError naming file:line:1 for a bad line that is not the last', () => {
    const file = path.join(runs(), 'r1.jsonl');
    mkdirSync(runs(), { recursive: true });
    writeFileSync(
      file,
      [
        JSON.stringify(started('r1')),
        '{"type": "host-st',
        JSON.stringify(finished('web-1', 'patched')),
        '',
      ].join('\n'),
    );
    expect(() => readJournals(runs())).toThrow(InputFileError);
    expect(() => readJournals(runs())).toThrow(
      `${file}:2:1: not a journal event: invalid JSON (the line ends before the event does)`,
    );
  });

  it('refuses valid JSON that is not an event, wherever it is', () => {
    const file = path.join(runs(), 'r1.jsonl');
    mkdirSync(runs(), { recursive: true });
    for (const [bad, message] of [
      ['null', 'the document must be of type object'],
      ['[]', 'the document must be of type object'],
      ['"text"', 'the document must be of type object'],
      ['{"type":"host-step"}', 'the document is missing required field "at"'],
    ]) {
      writeFileSync(file, [JSON.stringify(started('r1')), bad, ''].join('\n'));
      expect(() => readJournals(runs())).toThrow(`${file}:2:1: not a journal event: ${message}`);
      // Even as the last line: it is complete JSON, not a line cut short by a crash.
      writeFileSync(file, [JSON.stringify(started('r1')), bad].join('\n'));
      expect(() => readJournals(runs())).toThrow(`${file}:2:1: not a journal event: ${message}`);
    }
  });

  const write = (lines: string[]): string => {
    const file = path.join(runs(), 'r1.jsonl');
    mkdirSync(runs(), { recursive: true });
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const line = (e: unknown): string => JSON.stringify(e);

  it('refuses an event with wrong types at the field, instead of crashing report or apply --resume', () => {
    // Before: `report` and the end of `apply --resume` crashed on these (a number where text goes).
    const file = write([
      line(started('r1')),
      line({ ...finished('web-1', 'patched'), actions: [{ package: 'openssl', from: 1, to: '2' }] }),
    ]);
    const col = line({
      ...finished('web-1', 'patched'),
      actions: [{ package: 'openssl', from: 1, to: '2' }],
    }).indexOf('1,"to"');
    expect(() => readJournals(runs())).toThrow(
      `${file}:2:${col + 1}: not a journal event: actions[0].from must be of type string`,
    );
    write([line(started('r1')), line({ ...started('r1'), at: 20261201 })]);
    expect(() => readJournals(runs())).toThrow(
      /r1\.jsonl:2:\d+: not a journal event: at must be of type string/,
    );
    write([line({ type: 'run-finished', at: AT, runId: 'r1', halted: 'no' })]);
    expect(() => readJournals(runs())).toThrow(/:1:\d+: not a journal event: halted must be of type boolean/);
    write([
      line({
        type: 'ring-finished',
        at: AT,
        runId: 'r1',
        ring: 'canary',
        rollout: 'main',
        status: 'completed',
        failures: '0',
      }),
    ]);
    expect(() => readJournals(runs())).toThrow(
      /:1:\d+: not a journal event: failures must be of type integer/,
    );
  });

  it('refuses a status it does not know, so that it can never count as done', () => {
    const bad = line({ ...finished('web-1', 'patched'), status: 'done' });
    const file = write([line(started('r1')), bad]);
    expect(() => readJournals(runs())).toThrow(
      `${file}:2:${bad.indexOf('"done"') + 1}: not a journal event: status "done" must be one of patched, patched-pending-reboot, failed, unreachable, auth-failed, host-key-mismatch, reboot-timeout, health-check-failed, skipped-window-closed, drifted`,
    );
    // A ring's status is not a host's.
    write([line({ ...finished('web-1', 'patched'), status: 'completed' })]);
    expect(() => readJournals(runs())).toThrow(/status "completed" must be one of patched, /);
    write([
      line({
        type: 'ring-finished',
        at: AT,
        runId: 'r1',
        ring: 'canary',
        rollout: '',
        status: 'patched',
        failures: 0,
      }),
    ]);
    expect(() => readJournals(runs())).toThrow(/status "patched" must be one of completed, halted, /);
  });

  it('refuses unknown event types, unknown fields and repeated keys', () => {
    write([line({ type: 'host-done', at: AT, runId: 'r1' })]);
    expect(() => readJournals(runs())).toThrow(
      /:1:\d+: not a journal event: type "host-done" must be one of run-started, /,
    );
    write([line({ ...started('r1'), planfile: 'x' })]);
    expect(() => readJournals(runs())).toThrow(
      /unknown field "planfile" in the document \(did you mean "planFile"\?\)/,
    );
    // A field of another event type is unknown here too.
    write([line({ ...started('r1'), host: 'web-1' })]);
    expect(() => readJournals(runs())).toThrow(/unknown field "host" in the document/);
    const dup = '{"type":"host-finished","status":"failed","status":"patched"}';
    write([dup]);
    expect(() => readJournals(runs())).toThrow(
      `r1.jsonl:1:${dup.lastIndexOf('"status"') + 1}: not a journal event: duplicate key "status"`,
    );
  });

  it('refuses a saved plan path that leads out of the repository', () => {
    for (const planFile of [
      '../../../../etc/passwd',
      '/etc/passwd',
      'state/runs/../../x/runs/r.plan.json',
      'state/runs/x.json',
    ]) {
      write([line({ ...started('r1'), planFile })]);
      expect(() => readJournals(runs())).toThrow(/planFile ".*" must be a path inside the repository/);
    }
    write([line({ ...started('r1'), planFile: 'ops/state/runs/20261201T020000Z-1a2b3c4d.plan.json' })]);
    expect(readJournals(runs())[0]?.events).toHaveLength(1);
  });

  it('reads only regular files: a FIFO, a directory or a link out of the runs folder is refused', () => {
    mkdirSync(runs(), { recursive: true });
    const fifo = path.join(runs(), 'a.jsonl');
    const r = spawnSync('mkfifo', [fifo]);
    expect(r.status).toBe(0);
    // Before: readFileSync on the FIFO blocked for ever.
    expect(() => readJournals(runs())).toThrow(`${fifo} is a named pipe (FIFO), not a regular file`);
    rmSync(fifo);
    mkdirSync(path.join(runs(), 'b.jsonl'));
    expect(() => readJournals(runs())).toThrow(
      `${path.join(runs(), 'b.jsonl')} is a directory, not a regular file`,
    );
    rmSync(path.join(runs(), 'b.jsonl'), { recursive: true });
    writeFileSync(path.join(dir, 'secret'), 'root:x:0:0\n');
    symlinkSync(path.join(dir, 'secret'), path.join(runs(), 'c.jsonl'));
    expect(() => readJournals(runs())).toThrow(/c\.jsonl leads out of .* through a symbolic link/);
    rmSync(path.join(runs(), 'c.jsonl'));
    symlinkSync('/dev/zero', path.join(runs(), 'd.jsonl'));
    expect(() => readJournals(runs(), { within: '/' })).toThrow(
      /d\.jsonl is a character device, not a regular file/,
    );
  });
});

describe('hostsDoneInJournal', () => {
  it('keeps the last status of each host of this plan', () => {
    const done = hostsDoneInJournal(
      [
        started('r1'),
        finished('web-1', 'failed'),
        finished('web-2', 'patched'),
        finished('web-1', 'patched-pending-reboot'),
        finished('web-2', 'unreachable'),
      ],
      DIGEST,
    );
    expect([...done.entries()].sort()).toEqual([
      ['web-1', 'patched-pending-reboot'],
      ['web-2', 'unreachable'],
    ]);
  });

  it('ignores hosts finished for another plan digest, and events other than host-finished', () => {
    const done = hostsDoneInJournal(
      [
        started('r1', DIGEST),
        finished('web-1', 'patched', OTHER),
        { type: 'host-started', at: AT, runId: 'r1', host: 'web-2', ring: 'canary' },
        finished('web-3', 'patched', DIGEST),
      ],
      DIGEST,
    );
    expect([...done.keys()]).toEqual(['web-3']);
  });

  it('never counts a status it does not know as done, even one read without the schema', () => {
    const unknown = { ...finished('web-1', 'patched'), status: 'done' } as unknown as JournalEvent;
    expect(hostsDoneInJournal([unknown], DIGEST).size).toBe(0);
    expect(hostsDoneInJournal([finished('web-1', 'patched'), unknown], DIGEST).size).toBe(0);
  });

  it('does not count a host skipped because its window was closed, even after an earlier status', () => {
    expect(hostsDoneInJournal([finished('web-1', 'skipped-window-closed')], DIGEST).size).toBe(0);
    const done = hostsDoneInJournal(
      [finished('web-1', 'failed'), finished('web-1', 'skipped-window-closed'), finished('web-2', 'patched')],
      DIGEST,
    );
    expect([...done.keys()]).toEqual(['web-2']);
  });
});

describe('the journal event schema', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../../schemas/journal-event.schema.json', import.meta.url), 'utf8'),
  ) as {
    properties: { type: { enum: string[] } };
    $defs: { hostStatus: { enum: string[] }; ringStatus: { enum: string[] } };
  };

  it('lists exactly the event types and statuses of journal.ts', () => {
    type Missing = Exclude<JournalEvent['type'], (typeof JOURNAL_EVENT_TYPES)[number]>;
    const complete: [Missing] extends [never] ? true : false = true;
    expect(complete).toBe(true);
    expect(schema.properties.type.enum).toEqual([...JOURNAL_EVENT_TYPES]);
    expect(schema.$defs.hostStatus.enum).toEqual([...HOST_STATUSES]);
    expect(schema.$defs.ringStatus.enum).toEqual([...RING_STATUSES_IN_RUN]);
  });

  it('accepts every kind of event the writer writes, and reads them back as written', async () => {
    const file = path.join(runs(), '20261201T020000Z-1a2b3c4d.jsonl');
    const runId = '20261201T020000Z-1a2b3c4d';
    const events: JournalEvent[] = [
      {
        type: 'run-started',
        at: '2026-12-01T02:00:00.000Z',
        runId,
        planDigest: DIGEST,
        planFile: `state/runs/${runId}.plan.json`,
        who: 'ops@ci-runner 3',
        resumes: ['20261130T020000Z-0c0ffee0'],
        shard: '2/4',
      },
      { type: 'ring-started', at: AT, runId, ring: 'unassigned', rollout: '' },
      { type: 'host-started', at: AT, runId, host: 'web-1', ring: 'canary' },
      { type: 'host-step', at: AT, runId, host: 'web-1', step: 'health-check' },
      {
        type: 'host-finished',
        at: AT,
        runId,
        planDigest: DIGEST,
        host: 'web-1',
        ring: 'canary',
        status: 'health-check-failed',
        actions: [{ package: 'libstdc++6', from: '1:12.2.0-14', to: '1:12.2.0-14+deb12u1', arch: 'amd64' }],
        verification: { ok: false, mismatches: ['libstdc++6: 1:12.2.0-14 installed'] },
        rebooted: { bootIdBefore: 'a b', bootIdAfter: '' },
        error: 'health check exited 1: "curl: (7)"',
        stateFile: 'state/hosts/web-1.json',
      },
      {
        type: 'ring-finished',
        at: AT,
        runId,
        ring: 'canary',
        rollout: 'main',
        status: 'halted',
        failures: 1,
        reason: 'x',
      },
      { type: 'run-finished', at: AT, runId, halted: true },
    ];
    const w = new JournalWriter(file);
    for (const e of events) w.append(e);
    await w.close();
    expect(readJournals(runs())[0]?.events).toEqual(events);
  });
});
