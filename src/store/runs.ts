/** Runs: one row per pipeline run with its counters, kept as the record of what happened. */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from './db.js';

/**
 * The heartbeat lease of a process that runs pipeline work beside others on one database
 * (`serve --role`): held while the process lives, so its runs are known to be alive.
 */
export function processLeaseName(owner: string): string {
  return `process:${owner}`;
}

/**
 * Whether the process named in a row's owner column (`runs.owner`, `export_jobs.owner`) still
 * holds its heartbeat lease at `now`: then that process is doing the row's work.
 */
export function ownerHeartbeatLive(ownerColumn: 'runs.owner' | 'export_jobs.owner', now: number): RawBuilder<SqlBool> {
  const owner = sql.ref(ownerColumn);
  return sql<SqlBool>`exists (select 1 from leases where leases.name = ${processLeaseName('')} || ${owner}
    and leases.owner = ${owner} and leases.expires_at > ${now})`;
}

export interface RunRow {
  id: number;
  connectorId: string;
  startedAt: number;
  finishedAt: number | null;
  status: string;
  counters: unknown;
  error: string | null;
}

/** Starts a run; `owner` names the process's heartbeat lease when several processes share the database. */
export async function startRun(db: Db, connectorId: string, now: number, owner?: string): Promise<number> {
  const res = await db
    .insertInto('runs')
    .values({
      connector_id: connectorId,
      owner: owner ?? null,
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
 * A run still marked running when a new one starts was interrupted (crash, kill), unless its
 * owner's heartbeat lease is still live: then another process is running it now. A run without
 * an owner belongs to a single writer (the writer lock kept every other out), so it is over.
 * Returns the ids of the runs so marked.
 */
export async function markInterruptedRuns(db: Db, connectorId: string, now: number): Promise<number[]> {
  const rows = await db
    .updateTable('runs')
    .set({ status: 'interrupted', finished_at: now })
    .where('connector_id', '=', connectorId)
    .where('status', '=', 'running')
    .where((w) => w.or([w('owner', 'is', null), w.not(ownerHeartbeatLive('runs.owner', now))]))
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
