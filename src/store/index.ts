/** The store's public face: the database, blobs, and repository functions. */
import { join } from 'node:path';
import { ArchiveBlobs } from './blobs/index.js';
import { checkBlobLocation } from './blobs/location.js';
import { openBlobStore, type BlobsOptions } from './blobs/open.js';
import { openDatabase, type Db, type PoolOptions } from './db.js';
import { ArchiverError } from '../core/errors.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

export * from './capture.js';
export * from './process.js';
export * from './queries.js';
export * from './runs.js';
export * from './run-progress.js';
export * from './directory.js';
export * from './connectors.js';
export * from './deliveries.js';
export * from './leases.js';
export * from './upload-sessions.js';
export * from './delivery-problems.js';
export * from './report.js';
export * from './counters.js';
export * from './run-lines.js';
export * from './problem-rows.js';
export * from './health.js';
export * from './seq.js';
export {
  ArchiveBlobs,
  INLINE_MAX,
  LocalBlobStore,
  sha256Hex,
  type BlobStore,
  type PartialFile,
  type PreparedBlob,
} from './blobs/index.js';
export { openBlobStore, type BlobsOptions } from './blobs/open.js';
export { MessageHash, type MessagePiece, type StoredMessage } from './blobs/read-batch.js';
export * from './media-progress.js';
export * from './console-connectors.js';
export * from './connector-controls.js';
export * from './console-queries.js';
export * from './mailbox-pages.js';
export * from './search-index.js';
export * from './search-query.js';
export * from './search-reindex.js';
export * from './item-content.js';
export * from './private-files.js';
export * from './writer-lock.js';
export * from './writer-lock-postgres.js';
export { diskFull, transact } from './transaction.js';
export * from './hash-chain.js';
export * from './ingest-log.js';
export * from './tombstones.js';
export * from './retention-policies.js';
export * from './disposition.js';
export * from './verify-runs.js';
export * from './checkpoints.js';
export * from './evidence-queries.js';
export * from './backup-db.js';
export * from './holds.js';
export * from './deletion.js';
export * from './cases.js';
export * from './export-queries.js';
export * from './export-jobs.js';
export * from './case-exports.js';
export * from './export-verify.js';
export * from './review.js';
export * from './review-assignments.js';
export * from './review-scope.js';
export * from './case-tags.js';
export * from './supervision.js';
export * from './audit-queries.js';
export * from './audit-log.js';
export { dialectKind, dialectOf, type Db, type DialectKind, type PoolOptions } from './db.js';
export type { DeliveryStatus, RawStatus } from './schema.js';

export interface Store {
  db: Db;
  blobs: ArchiveBlobs;
  close(): Promise<void>;
  /**
   * How the store was opened (plain data): another thread opens the same archive with it
   * (openStore(location.dataDir, location.opts)). Absent for a store made otherwise.
   */
  location?: StoreLocation;
}

export interface StoreLocation {
  dataDir: string;
  opts: { blobs?: BlobsOptions; database?: DatabaseOptions };
}

export interface DatabaseOptions {
  /** postgres://USER:PASSWORD@HOST:PORT/DATABASE; absent = the embedded SQLite file */
  url?: string;
  pool?: PoolOptions;
}

/**
 * Opens (and migrates) the store of a data directory: `archive.db` (or the PostgreSQL database
 * `database.url` names) and `blobs/` (large blobs, or only downloads in progress when `blobs`
 * puts them in an S3-compatible bucket).
 */
export async function openStore(
  dataDir: string,
  opts: { blobs?: BlobsOptions; database?: DatabaseOptions } = {},
): Promise<Store> {
  await ensurePrivateDir(dataDir).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `data directory ${dataDir} is a file, or lies under one; point --data-dir (or dataDir, or WXA_DATA_DIR) at a directory`,
      { cause: err },
    );
  });
  const db = opts.database?.url
    ? await openDatabase({ url: opts.database.url, ...(opts.database.pool ? { pool: opts.database.pool } : {}) })
    : await openSqliteFile(dataDir);
  const blobs = await openBlobStore(dataDir, opts.blobs);
  try {
    await checkBlobLocation(dataDir, db, blobs.objects);
  } catch (err) {
    await db.destroy();
    await blobs.objects.close();
    throw err;
  }
  return {
    db,
    blobs,
    location: { dataDir, opts },
    close: async () => {
      try {
        await db.destroy();
      } finally {
        await blobs.objects.close();
      }
    },
  };
}
/** The embedded archive's database file in a data directory. */
export function archiveDbFile(dataDir: string): string {
  return join(dataDir, 'archive.db');
}

/**
 * `archive.db`, created private before SQLite opens it: SQLite makes a new database 0644 (less
 * the umask) and gives its -wal and -shm files the database file's mode.
 */
async function openSqliteFile(dataDir: string): Promise<Db> {
  const file = archiveDbFile(dataDir);
  await ensurePrivateFile(file);
  return openDatabase({ file });
}

export * from './sessions.js';
export * from './secret-rows.js';
export * from './settings.js';
export * from './users.js';
export * from './record-claims.js';
