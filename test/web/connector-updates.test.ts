// Live events folded into the connectors on screen: the right connector changes, stale events
// do not undo newer ones, and a finished run clears its progress.
import { describe, expect, it } from 'vitest';
import type { ConnectorSummary, LiveEvent, RunSummary } from '../../src/server/contract.js';
import { applyLiveEvent, applyToConnector, upsertRun } from '../../web/src/connector-updates.js';

function run(id: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    connectorId: 'a',
    startedAt: 1000,
    finishedAt: null,
    status: 'running',
    outcome: 'running',
    atSource: 0,
    processed: 0,
    afterFanOut: 0,
    archived: 0,
    delivered: 0,
    partial: 0,
    duplicates: 0,
    held: {},
    failed: 0,
    failedByReason: {},
    error: null,
    ...over,
  };
}

function connector(id: string, over: Partial<ConnectorSummary> = {}): ConnectorSummary {
  return {
    id,
    name: id,
    sourceKind: 'sandbox',
    origin: 'console',
    state: 'idle',
    stateDetail: null,
    progress: null,
    lastRun: null,
    nextRunAt: null,
    intervalSeconds: 60,
    lag: {
      newestMessageAt: null,
      lastSuccessAt: null,
      lagMs: null,
      level: 'unknown',
      retentionMs: 432_000_000,
      held: 0,
      oldestHeldAgeMs: null,
    },
    totals: { items: 0, held: 0, heldByReason: {}, failedDeliveries: 0 },
    ...over,
  };
}

const progress = (at: number, processed: number): LiveEvent => ({
  type: 'progress',
  data: { connectorId: 'a', runId: 7, phase: 'process', captured: 10, processed, total: 10, at },
});

describe('applyLiveEvent', () => {
  it('puts progress on the connector it names and leaves the others as they were', () => {
    const list = [connector('a'), connector('b')];
    const next = applyLiveEvent(list, progress(5, 3));
    expect(next[0]!.progress?.processed).toBe(3);
    expect(next[1]).toBe(list[1]);
  });

  it('ignores progress older than what is shown for the same run', () => {
    const shown = applyToConnector(connector('a'), progress(10, 8));
    expect(applyToConnector(shown, progress(9, 4)).progress?.processed).toBe(8);
    expect(applyToConnector(shown, progress(11, 9)).progress?.processed).toBe(9);
  });

  it('takes state and its detail from state events', () => {
    const next = applyToConnector(connector('a'), {
      type: 'state',
      data: { connectorId: 'a', state: 'paused-credentials', stateDetail: 'secret rejected' },
    });
    expect(next).toMatchObject({ state: 'paused-credentials', stateDetail: 'secret rejected' });
  });

  it('records a finished run as the last run and clears that run’s progress', () => {
    const running = applyToConnector(connector('a'), progress(10, 8));
    const done = applyToConnector(running, { type: 'run', data: run(7, { finishedAt: 2000, status: 'succeeded' }) });
    expect(done.lastRun?.id).toBe(7);
    expect(done.progress).toBeNull();
  });

  it('keeps progress when a different run finishes, and never replaces a newer last run', () => {
    const running = applyToConnector(connector('a', { lastRun: run(9) }), progress(10, 8));
    const next = applyToConnector(running, { type: 'run', data: run(6, { finishedAt: 2000 }) });
    expect(next.lastRun?.id).toBe(9);
    expect(next.progress?.runId).toBe(7);
  });
});

describe('upsertRun', () => {
  it('replaces a run by id and keeps newest first', () => {
    const runs = [run(3), run(2), run(1)];
    expect(upsertRun(runs, run(2, { status: 'failed' })).map((r) => [r.id, r.status])).toEqual([
      [3, 'running'],
      [2, 'failed'],
      [1, 'running'],
    ]);
    expect(upsertRun(runs, run(4)).map((r) => r.id)).toEqual([4, 3, 2, 1]);
  });
});
