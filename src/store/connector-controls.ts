/**
 * The console's controls of a connector when capture, worker and console are processes of their
 * own on one database (`serve --role`): pause and resume, and "run now", written here by the
 * console and obeyed by every process on its next look; and the state the processes report back
 * (failing, paused for credentials, the next scheduled capture) for the console to show. The
 * single process keeps these in its supervisor's memory instead. A row per connector, made on
 * first use by an upsert, so a connector of the config file (no definition row) has one too.
 */
import type { Updateable } from 'kysely';
import type { Db } from './db.js';
import type { ConnectorControlTable } from './schema.js';

export interface ConnectorControl {
  connectorId: string;
  paused: boolean;
  /** a run the console asked for that no capture process has started yet, ms */
  runRequestedAt: number | null;
  /** as the capture process that last ran it reported: idle | failing */
  captureState: string | null;
  captureDetail: string | null;
  /** as the worker process that last ran it reported: idle | failing | paused-credentials */
  workerState: string | null;
  workerDetail: string | null;
  nextRunAt: number | null;
  reportedAt: number | null;
}

/** The process-reported part of a control row. */
export interface ConnectorReport {
  /** who reports: a capture and a worker each keep their own state, neither hides the other's */
  role: 'capture' | 'worker';
  state: 'idle' | 'failing' | 'paused-credentials';
  detail: string | null;
  /** the capture process's next pass, ms; left as it was when omitted (a worker's report) */
  nextRunAt?: number | null;
}

async function upsert(
  db: Db,
  connectorId: string,
  now: number,
  set: Updateable<Omit<ConnectorControlTable, 'connector_id' | 'updated_at'>>,
): Promise<void> {
  await db
    .insertInto('connector_controls')
    .values({ connector_id: connectorId, updated_at: now, ...set })
    .onConflict((oc) => oc.column('connector_id').doUpdateSet({ ...set, updated_at: now }))
    .execute();
}

/** Pauses or resumes the connector for every process; resuming also drops a run asked for while paused. */
export async function setControlPaused(db: Db, connectorId: string, paused: boolean, now: number): Promise<void> {
  await upsert(db, connectorId, now, paused ? { paused: 1 } : { paused: 0, run_requested_at: null });
}

/** Asks the capture process holding the connector to start a run at its next look. */
export async function requestRun(db: Db, connectorId: string, now: number): Promise<void> {
  await upsert(db, connectorId, now, { run_requested_at: now });
}

/**
 * Takes the runs asked for of these connectors (those this capture process holds): clears the
 * requests and returns the connectors that had one. One statement, so two processes never both
 * take the same request.
 */
export async function takeRunRequests(db: Db, connectorIds: readonly string[]): Promise<string[]> {
  if (connectorIds.length === 0) return [];
  const rows = await db
    .updateTable('connector_controls')
    .set({ run_requested_at: null })
    .where('connector_id', 'in', [...connectorIds])
    .where('run_requested_at', 'is not', null)
    .where('paused', '=', 0)
    .returning('connector_id')
    .execute();
  return rows.map((r) => r.connector_id);
}

/** Whether any of these connectors has a run asked for (a cheap look between a capture process's passes). */
export async function hasRunRequest(db: Db, connectorIds: readonly string[]): Promise<boolean> {
  if (connectorIds.length === 0) return false;
  const row = await db
    .selectFrom('connector_controls')
    .select('connector_id')
    .where('connector_id', 'in', [...connectorIds])
    .where('run_requested_at', 'is not', null)
    .where('paused', '=', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the connector is paused now (a worker looks before each batch it claims). */
export async function isControlPaused(db: Db, connectorId: string): Promise<boolean> {
  const row = await db
    .selectFrom('connector_controls')
    .select('paused')
    .where('connector_id', '=', connectorId)
    .executeTakeFirst();
  return Number(row?.paused ?? 0) === 1;
}

/** Records what a capture or worker process found when it last ran the connector. */
export async function reportConnectorState(
  db: Db,
  connectorId: string,
  r: ConnectorReport,
  now: number,
): Promise<void> {
  await upsert(db, connectorId, now, {
    ...(r.role === 'capture'
      ? { capture_state: r.state, capture_detail: r.detail }
      : { worker_state: r.state, worker_detail: r.detail }),
    reported_at: now,
    ...(r.nextRunAt !== undefined ? { next_run_at: r.nextRunAt } : {}),
  });
}

/** Every connector's control row. */
export async function listConnectorControls(db: Db): Promise<Map<string, ConnectorControl>> {
  const rows = await db.selectFrom('connector_controls').selectAll().execute();
  const num = (v: number | null) => (v === null ? null : Number(v));
  return new Map(
    rows.map((r) => [
      r.connector_id,
      {
        connectorId: r.connector_id,
        paused: Number(r.paused) === 1,
        runRequestedAt: num(r.run_requested_at),
        captureState: r.capture_state,
        captureDetail: r.capture_detail,
        workerState: r.worker_state,
        workerDetail: r.worker_detail,
        nextRunAt: num(r.next_run_at),
        reportedAt: num(r.reported_at),
      },
    ]),
  );
}
