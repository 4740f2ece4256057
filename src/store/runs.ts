/** Runs: one row per pipeline run with its counters, kept as the record of what happened. */
import type { Db } from './db.js';

export interface RunRow {
  id: number;
  connectorId: string;
  startedAt: number;
  finishedAt: number | null;
  status: string;
  counters: unknown;
  error: string | null;
}

export async function startRun(db: Db, connectorId: string, now: number): Promise<number> {
  const res = await db
    .insertInto('runs')
    .values({
      connector_id: connectorId,
      started_at: now,
      status: 'running',
      counters_json: '{}',
      finished_at: null,
      error: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(res.id);
}

export async function finishRun(
  db: Db,
  id: number,
  status: 'succeeded' | 'failed',
  counters: unknown,
  now: number,
  error?: string,
): Promise<void> {
  await db
    .updateTable('runs')
    .set({ status, counters_json: JSON.stringify(counters), finished_at: now, error: error ?? null })
    .where('id', '=', id)
    .execute();
}

/**
 * A run still marked running when a new one starts was interrupted (crash, kill): say so.
 * Returns the ids of the runs so marked.
 */
export async function markInterruptedRuns(db: Db, connectorId: string, now: number): Promise<number[]> {
  const rows = await db
    .updateTable('runs')
    .set({ status: 'interrupted', finished_at: now })
    .where('connector_id', '=', connectorId)
    .where('status', '=', 'running')
    .returning('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

export async function listRuns(
  db: Db,
  opts: { connectorId?: string; limit: number; beforeId?: number },
): Promise<RunRow[]> {
  let q = db.selectFrom('runs').selectAll();
  if (opts.connectorId) q = q.where('connector_id', '=', opts.connectorId);
  if (opts.beforeId !== undefined) q = q.where('id', '<', opts.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    connectorId: r.connector_id,
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
    status: r.status,
    counters: JSON.parse(r.counters_json),
    error: r.error,
  }));
}
