import { describe, expect, it } from 'vitest';
import type { IntegrityVerifyJob, IntegrityVerifyResult } from './integrity-types.js';
import { VerifyJobs } from './verify-job.js';

const RESULT: IntegrityVerifyResult = {
  ok: true,
  checkedAt: '2026-01-01T00:00:00.000Z',
  since: null,
  durationMs: 5,
  problemCount: 0,
  firstBroken: null,
};

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('verify jobs', () => {
  it('shows progress while running, records the end before it says done, and runs one at a time', async () => {
    const jobs = new VerifyJobs();
    const gate = deferred<IntegrityVerifyResult>();
    let tell!: (p: IntegrityVerifyJob['progress']) => void;
    const ended: IntegrityVerifyJob[] = [];
    const { job, started } = jobs.start(
      { actor: 'audrey', since: undefined },
      (onProgress) => ((tell = onProgress), gate.promise),
      async (end) => {
        // When the end is recorded, pollers still see the job running.
        expect(jobs.get(end.id)!.state).toBe('running');
        ended.push(end);
      },
    );
    expect(started).toBe(true);
    tell({ phase: 'blobs', done: 3, total: 10 });
    expect(jobs.get(job.id)!.progress).toEqual({ phase: 'blobs', done: 3, total: 10 });
    const again = jobs.start(
      { actor: 'olga', since: 1 },
      () => Promise.reject(new Error('not run')),
      async () => {},
    );
    expect(again).toMatchObject({ started: false, job: { id: job.id, actor: 'audrey' } });
    gate.resolve(RESULT);
    await jobs.idle();
    expect(jobs.get(job.id)).toMatchObject({ state: 'done', result: RESULT, error: null });
    expect(ended.map((e) => e.state)).toEqual(['done']);
    expect(jobs.latest()!.id).toBe(job.id);
  });

  it('keeps a run that could not finish as failed, with its reason, and starts a new one after it', async () => {
    const jobs = new VerifyJobs();
    const { job } = jobs.start(
      { actor: 'audrey', since: undefined },
      () => Promise.reject(new Error('database is locked')),
      async () => {},
    );
    await jobs.idle();
    expect(jobs.get(job.id)).toMatchObject({ state: 'failed', error: 'database is locked', result: null });
    const next = jobs.start(
      { actor: 'audrey', since: undefined },
      async () => RESULT,
      async () => {},
    );
    expect(next.started).toBe(true);
    await jobs.idle();
    expect(jobs.get(next.job.id)!.state).toBe('done');
  });
});
