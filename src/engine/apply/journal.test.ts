import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InputFileError } from '../../errors.js';
import type { HostStatus, JournalEvent } from './journal.js';
import { hostsDoneInJournal, JournalWriter, readJournals } from './journal.js';

const AT = '2026-12-01T02:00:00Z';
const started = (runId: string, planDigest = 'sha256:a'): JournalEvent => ({
  type: 'run-started',
  at: AT,
  runId,
  planDigest,
});
const finished = (host: string, status: HostStatus, planDigest = 'sha256:a'): JournalEvent => ({
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
    expect(() => readJournals(runs())).toThrow(`${file}:2:1: not a journal event (invalid JSON)`);
  });

  it('refuses valid JSON that is not an event, wherever it is', () => {
    const file = path.join(runs(), 'r1.jsonl');
    mkdirSync(runs(), { recursive: true });
    for (const bad of ['null', '[]', '{"type":"host-step"}', '"text"']) {
      writeFileSync(file, [JSON.stringify(started('r1')), bad, ''].join('\n'));
      expect(() => readJournals(runs())).toThrow(
        `${file}:2:1: not a journal event (no "type", "at" and "runId")`,
      );
    }
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
      'sha256:a',
    );
    expect([...done.entries()].sort()).toEqual([
      ['web-1', 'patched-pending-reboot'],
      ['web-2', 'unreachable'],
    ]);
  });

  it('ignores hosts finished for another plan digest, and events other than host-finished', () => {
    const done = hostsDoneInJournal(
      [
        started('r1', 'sha256:a'),
        finished('web-1', 'patched', 'sha256:other'),
        { type: 'host-started', at: AT, runId: 'r1', host: 'web-2', ring: 'canary' },
        finished('web-3', 'patched', 'sha256:a'),
      ],
      'sha256:a',
    );
    expect([...done.keys()]).toEqual(['web-3']);
  });

  it('does not count a host skipped because its window was closed, even after an earlier status', () => {
    expect(hostsDoneInJournal([finished('web-1', 'skipped-window-closed')], 'sha256:a').size).toBe(0);
    const done = hostsDoneInJournal(
      [finished('web-1', 'failed'), finished('web-1', 'skipped-window-closed'), finished('web-2', 'patched')],
      'sha256:a',
    );
    expect([...done.keys()]).toEqual(['web-2']);
  });
});
