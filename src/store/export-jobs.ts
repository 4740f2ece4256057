/** The console's exports of a case: one row per export, updated when it ends. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './db.js';
import type { ExportJobTable } from './schema.js';

export type ExportJobRow = Selectable<ExportJobTable>;

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

/** Marks a job running again (resumed). */
export async function restartExportJob(db: Db, id: string): Promise<void> {
  await db
    .updateTable('export_jobs')
    .set({ status: 'running', finished_at: null, error: null })
    .where('id', '=', id)
    .execute();
}

export async function exportJobsOf(db: Db, caseId: number): Promise<ExportJobRow[]> {
  return db.selectFrom('export_jobs').selectAll().where('case_id', '=', caseId).orderBy('created_at', 'desc').execute();
}

export async function exportJob(db: Db, caseId: number, id: string): Promise<ExportJobRow | undefined> {
  return db.selectFrom('export_jobs').selectAll().where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
}
