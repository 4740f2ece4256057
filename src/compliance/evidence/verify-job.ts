/**
 * `verify` from the console as a background job: a full run re-hashes every blob and can take
 * far longer than an HTTP request may, so the request starts it and returns at once, and the
 * Integrity page polls its progress. One run at a time: asking again while one runs returns
 * that one. Jobs live in memory (the outcome itself is kept in verify_runs and the audit log).
 */
import { randomUUID } from 'node:crypto';
import type { IntegrityVerifyJob, IntegrityVerifyProgress, IntegrityVerifyResult } from './integrity-types.js';

/** Finished jobs kept for polling: enough for every page that may still ask. */
const KEEP = 20;

export type VerifyRun = (onProgress: (p: IntegrityVerifyProgress) => void) => Promise<IntegrityVerifyResult>;

export class VerifyJobs {
  private readonly jobs = new Map<string, IntegrityVerifyJob>();
  private running: { job: IntegrityVerifyJob; done: Promise<void> } | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Starts `run` unless a job is running (then that one is returned, `started` false).
   * `onEnd` (the audit event) runs before the job is marked finished, so that a poller who sees
   * it done also finds it in the audit log.
   */
  start(
    meta: { actor: string; since: number | undefined },
    run: VerifyRun,
    onEnd: (job: IntegrityVerifyJob) => Promise<void>,
  ): { job: IntegrityVerifyJob; started: boolean } {
    if (this.running) return { job: { ...this.running.job }, started: false };
    const job: IntegrityVerifyJob = {
      id: randomUUID(),
      state: 'running',
      startedAt: new Date(this.now()).toISOString(),
      finishedAt: null,
      since: meta.since !== undefined ? new Date(meta.since).toISOString() : null,
      actor: meta.actor,
      progress: { phase: 'ingest', done: 0, total: null },
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) this.jobs.delete(id);
    const finish = (patch: Partial<IntegrityVerifyJob>) =>
      onEnd({ ...job, ...patch })
        .catch((err: unknown) => {
          // The run's outcome stands; the page says the record of it is missing.
          patch.error = `verify ran, but its audit event could not be written: ${(err as Error).message}`;
        })
        .then(() => Object.assign(job, patch, { finishedAt: new Date(this.now()).toISOString() }));
    const done = run((p) => {
      job.progress = p;
    }).then(
      (result) => finish({ state: 'done', result }),
      (err: unknown) => finish({ state: 'failed', error: err instanceof Error ? err.message : String(err) }),
    );
    this.running = {
      job,
      done: done.then(() => {
        this.running = null;
      }),
    };
    return { job: { ...job }, started: true };
  }

  get(id: string): IntegrityVerifyJob | undefined {
    const j = this.jobs.get(id);
    return j ? { ...j } : undefined;
  }

  /** The newest job, so that a page opened while one runs can follow it. */
  latest(): IntegrityVerifyJob | null {
    const all = [...this.jobs.values()];
    const j = all[all.length - 1];
    return j ? { ...j } : null;
  }

  /** Resolves when no job runs (the server waits for it before closing the store). */
  async idle(): Promise<void> {
    await this.running?.done;
  }
}
