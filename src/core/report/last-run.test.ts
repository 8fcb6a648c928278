import { describe, expect, it } from '@jest/globals';
import type { RunJournal, RunJournalEvent } from './last-run.js';
import { lastRunSummary, summariseRun } from './last-run.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function aRun(runId: string, at: string, events: Omit<RunJournalEvent, 'runId'>[]): RunJournal {
  return {
    runId,
    events: [
      { type: 'run-started', at, runId, planDigest: DIGEST, who: 'ops@ci' },
      ...events.map((e) => ({ ...e, runId })),
    ],
  };
}

const host = (name: string, status: string, at = '2026-12-01T02:10:00Z') => ({
  type: 'host-finished',
  at,
  host: name,
  ring: 'canary',
  status,
});

describe('lastRunSummary', () => {
  it('is undefined without journals', () => {
    expect(lastRunSummary([])).toBeUndefined();
  });

  it('summarises the latest run: times, last status per host, rings and halted', () => {
    const older = aRun('20261130T020000Z-00000000', '2026-11-30T02:00:00Z', [
      { type: 'run-finished', at: '2026-11-30T03:00:00Z', halted: false },
    ]);
    const latest = aRun('20261201T020000Z-11111111', '2026-12-01T02:00:00Z', [
      host('web-1', 'failed'),
      host('web-1', 'patched'),
      host('web-2', 'patched'),
      host('db-1', 'health-check-failed'),
      {
        type: 'ring-finished',
        at: '2026-12-01T02:30:00Z',
        rollout: 'standard',
        ring: 'canary',
        status: 'halted',
        failures: 1,
        reason: '1 of 3 hosts failed; the failure budget allows 0',
      },
      { type: 'run-finished', at: '2026-12-01T02:31:00Z', halted: true },
    ]);
    expect(lastRunSummary([latest, older])).toEqual({
      runId: '20261201T020000Z-11111111',
      planDigest: DIGEST,
      who: 'ops@ci',
      startedAt: '2026-12-01T02:00:00Z',
      finishedAt: '2026-12-01T02:31:00Z',
      finished: true,
      halted: true,
      hostStatuses: { 'health-check-failed': 1, patched: 2 },
      hosts: 3,
      rings: [
        {
          rollout: 'standard',
          ring: 'canary',
          status: 'halted',
          failures: 1,
          reason: '1 of 3 hosts failed; the failure budget allows 0',
        },
      ],
    });
  });

  it('says a run without run-finished did not finish, halted only if a ring halted', () => {
    const killed = summariseRun(
      aRun('r2', '2026-12-01T02:00:00Z', [
        host('web-1', 'patched'),
        { type: 'host-started', at: 'x', host: 'web-2' },
      ]),
    );
    expect(killed).toMatchObject({ finished: false, halted: false, hosts: 1, hostStatuses: { patched: 1 } });
    expect(killed.finishedAt).toBeUndefined();
  });

  it('names the runs a resumed run continues, and takes the later file on equal start times', () => {
    const a = aRun('a', '2026-12-01T02:00:00Z', []);
    const b: RunJournal = {
      runId: 'b',
      events: [
        { type: 'run-started', at: '2026-12-01T02:00:00Z', runId: 'b', planDigest: DIGEST, resumes: ['a'] },
      ],
    };
    expect(lastRunSummary([a, b])).toMatchObject({ runId: 'b', resumes: ['a'], hosts: 0 });
  });
});
