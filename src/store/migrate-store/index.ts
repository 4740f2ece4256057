/**
 * The store's part of `migrate-store` (copying an embedded archive into PostgreSQL): the
 * snapshot it reads, the tables it copies and in what order, the batches and their progress
 * record, and the digests that prove each table equal. The command itself, with the blobs and
 * the chain verification, is compliance/migrate-store/.
 */
import type SQLite from 'better-sqlite3';

export { copyTable, type CopyTableResult } from './copy-table.js';
export { destinationDigest, sourceDigest, type TableDigest } from './digest.js';
export {
  chainEnds,
  findSnapshot,
  liveChainEnds,
  openSnapshotReadOnly,
  removeSnapshot,
  removeWorkDirIfEmpty,
  sameSource,
  sourceIdentity,
  takeSnapshot,
  type Snapshot,
} from './snapshot.js';
export {
  completeRun,
  destinationChainEnds,
  ensureStateTables,
  readRun,
  startRun,
  tableProgress,
  tablesInUse,
  type MigrationRun,
  type MigrationSource,
  type TableProgress,
} from './state.js';
export { checkSourceTables, destinationTables, isSearchIndexTable, type TablePlan } from './tables.js';

/** Blobs the snapshot keeps outside the database (in the blob store), in address order after `after`. */
export function snapshotFileBlobs(
  src: SQLite.Database,
  after: string,
  limit: number,
): { sha256: string; size: number }[] {
  return (
    src
      .prepare('SELECT sha256, size FROM blobs WHERE data IS NULL AND sha256 > ? ORDER BY sha256 LIMIT ?')
      .all(after, limit) as { sha256: string; size: number }[]
  ).map((r) => ({ sha256: r.sha256, size: Number(r.size) }));
}
export { recordBlobLocation, recordedBlobLocation } from './blob-location.js';
