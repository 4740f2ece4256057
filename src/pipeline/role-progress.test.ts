// A role process's progress writer: the first progress written at once, later ones at most once
// per interval and only the latest, nothing for a run that has no id yet, and nothing written
// after close (a pending write is dropped); a milestone (setNow) at once, whatever the interval.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../store/db.js';
import { liveRunProgress, startRun, type Db, type StoredProgress } from '../store/index.js';
import { ProgressWriter } from './role-progress.js';

// the writer's timers are faked, so the intervals below are exact whatever the machine's load
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const at = (processed: number): Omit<StoredProgress, 'at'> => ({
  phase: 'process',
  captured: 0,
  processed,
  total: 10,
});

describe('ProgressWriter', () => {
  let db: Db;
  let runId: number;
  beforeEach(async () => {
    db = await openDatabase({ file: ':memory:' });
    runId = await startRun(db, 'corp-a', Date.now());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await db.destroy();
  });
  const stored = async () => (await liveRunProgress(db)).find((r) => r.runId === runId)?.progress;

  it('writes the first progress at once and then the latest at most once per interval', async () => {
    const w = new ProgressWriter(db, () => runId, { everyMs: 300 });
    w.set(at(1));
    await sleep(50);
    expect((await stored())?.processed).toBe(1);
    w.set(at(2));
    w.set(at(3));
    await sleep(249);
    // within the interval: still the first
    expect((await stored())?.processed).toBe(1);
    await sleep(2);
    expect((await stored())?.processed).toBe(3);
    await w.close();
  });

  it('writes a milestone at once within the interval, and the interval goes on from it', async () => {
    const w = new ProgressWriter(db, () => runId, { everyMs: 1000 });
    w.set(at(1));
    await sleep(50);
    w.set(at(2));
    await sleep(100);
    expect((await stored())?.processed).toBe(1);
    // a phase's first rows done: not held back for the rest of the second
    w.setNow(at(3));
    await sleep(1);
    expect((await stored())?.processed).toBe(3);
    // the pending write it replaced does not come back with older counts
    await sleep(1000);
    expect((await stored())?.processed).toBe(3);
    w.set(at(4));
    await sleep(1);
    expect((await stored())?.processed).toBe(4);
    await w.close();
  });

  it('writes nothing while the run has no id', async () => {
    const run: { id?: number } = {};
    const w = new ProgressWriter(db, () => run.id, { everyMs: 10 });
    w.set(at(1));
    await sleep(50);
    expect(await stored()).toBeUndefined();
    run.id = runId;
    w.set(at(2));
    await sleep(50);
    expect((await stored())?.processed).toBe(2);
    await w.close();
  });

  it('drops a pending write on close and writes nothing after it', async () => {
    const w = new ProgressWriter(db, () => runId, { everyMs: 200 });
    w.set(at(1));
    await sleep(50);
    w.set(at(2));
    await w.close();
    await sleep(300);
    expect((await stored())?.processed).toBe(1);
  });
});
