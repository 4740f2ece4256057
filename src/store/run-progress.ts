/**
 * Live progress of runs done by role processes (`serve --role capture|worker`), kept on the run's
 * row so that a console process, which has no supervisor of its own, can show it: the process
 * doing the run writes its latest progress now and then, the console reads the running runs'
 * progress on a short poll. Rejected: PostgreSQL LISTEN/NOTIFY, which would need a connection
 * held per console outside the pool and a second path for SQLite; a poll of the running runs
 * (a handful of rows) every second costs less than one page load.
 */
import type { Db } from './db.js';

export interface StoredProgress {
  phase: 'capture' | 'process' | 'deliver' | 'done';
  captured: number;
  processed: number;
  /** records known to be waiting when processing started (0 when unknown) */
  total: number;
  /** deliver phase: rows this run has delivered (or found already there) so far */
  delivered?: number;
  /** deliver phase: rows due at the destinations when it began (other workers deliver some of them too) */
  toDeliver?: number;
  /** when it was written, ms */
  at: number;
}

export interface LiveRun {
  runId: number;
  connectorId: string;
  progress: StoredProgress;
}

/** Records the run's progress; only while it is still running (a late write after its end changes nothing). */
export async function saveRunProgress(db: Db, runId: number, progress: StoredProgress): Promise<void> {
  await db
    .updateTable('runs')
    .set({ progress_json: JSON.stringify(progress) })
    .where('id', '=', runId)
    .where('status', '=', 'running')
    .execute();
}

/** Running runs that have said how far they are, oldest first. */
export async function liveRunProgress(db: Db): Promise<LiveRun[]> {
  const rows = await db
    .selectFrom('runs')
    .select(['id', 'connector_id', 'progress_json'])
    .where('status', '=', 'running')
    .where('progress_json', 'is not', null)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    runId: r.id,
    connectorId: r.connector_id,
    progress: JSON.parse(r.progress_json!) as StoredProgress,
  }));
}
