/**
 * The console's exports of a case: one row per export, updated when it ends. With several
 * console processes the row also says which process writes it (`owner`, its heartbeat lease)
 * and how far it has got, so every console shows the same thing, and only one process at a
 * time takes over an interrupted export.
 */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './db.js';
import { ownerHeartbeatLive } from './runs.js';
import type { ExportJobTable } from './schema.js';

export type ExportJobRow = Selectable<ExportJobTable> & {
  /** whether the owner's heartbeat lease is live: another process is writing the export now */
  owner_alive: boolean;
};

function withLiveness(db: Db, now: number) {
  return db
    .selectFrom('export_jobs')
    .selectAll()
    .select((eb) => eb.case().when(ownerHeartbeatLive('export_jobs.owner', now)).then(1).else(0).end().as('alive'));
}

const toRow = <R extends { alive: number | string | boolean }>({ alive, ...r }: R) => ({
  ...r,
  owner_alive: Number(alive) === 1 || alive === true,
});

export async function insertExportJob(db: Db, row: Insertable<ExportJobTable>): Promise<void> {
  await db.insertInto('export_jobs').values(row).execute();
}

export async function finishExportJob(
  db: Db,
  id: string,
  end:
    | { status: 'done'; at: number; items: number; files: number; bytes: number; manifestSha256: string }
    | { status: 'failed'; at: number; error: string },
): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set(
      end.status === 'done'
        ? {
            status: 'done',
            finished_at: end.at,
            items: end.items,
            files: end.files,
            bytes: end.bytes,
            manifest_sha256: end.manifestSha256,
            error: null,
          }
        : { status: 'failed', finished_at: end.at, error: end.error },
    )
    .where('id', '=', id)
    .execute();
}

/**
 * Takes a job that is not done and whose writer is gone (failed, or running with no live owner)
 * for the process `owner` and marks it running again (resumed). One statement, so of two
 * consoles resuming the same export at once only one gets it. Returns whether this one did.
 * `owner` null is the single process, which alone writes exports on its data directory.
 */
export async function claimExportJob(
  db: Db,
  id: string,
  by: { owner: string | null; holder: string | null },
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('export_jobs')
    .set({ status: 'running', finished_at: null, error: null, owner: by.owner, holder: by.holder, progress_json: null })
    .where('id', '=', id)
    .where('status', '!=', 'done')
    .where((eb) =>
      eb.or([
        eb('status', '!=', 'running'),
        eb('owner', 'is', null),
        eb.not(ownerHeartbeatLive('export_jobs.owner', now)),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The running job's progress as JSON, for consoles in other processes; only while `owner` has it. */
export async function saveExportProgress(db: Db, id: string, owner: string, progressJson: string): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set({ progress_json: progressJson })
    .where('id', '=', id)
    .where('owner', '=', owner)
    .where('status', '=', 'running')
    .execute();
}

export async function exportJobsOf(db: Db, caseId: number, now: number): Promise<ExportJobRow[]> {
  const rows = await withLiveness(db, now).where('case_id', '=', caseId).orderBy('created_at', 'desc').execute();
  return rows.map(toRow);
}

/** Every case's console exports, the latest first. */
export async function allExportJobs(db: Db, now: number): Promise<ExportJobRow[]> {
  const rows = await withLiveness(db, now).orderBy('created_at', 'desc').execute();
  return rows.map(toRow);
}

export async function exportJob(db: Db, caseId: number, id: string, now: number): Promise<ExportJobRow | undefined> {
  const r = await withLiveness(db, now).where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
  return r && toRow(r);
}
