/** The store's public face: the database, blobs, and repository functions. */
import { join } from 'node:path';
import { BlobStore } from './blobs/index.js';
import { openDatabase, type Db } from './db.js';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';

export * from './capture.js';
export * from './process.js';
export * from './queries.js';
export * from './runs.js';
export * from './directory.js';
export * from './connectors.js';
export * from './deliveries.js';
export * from './upload-sessions.js';
export * from './delivery-problems.js';
export * from './report.js';
export * from './health.js';
export * from './seq.js';
export { BlobStore, INLINE_MAX, openPartial, sha256Hex, type PartialFile, type PreparedBlob } from './blobs/index.js';
export * from './media-progress.js';
export * from './console-connectors.js';
export * from './console-queries.js';
export * from './mailbox-pages.js';
export * from './search-index.js';
export * from './search-query.js';
export * from './search-reindex.js';
export * from './item-content.js';
export * from './private-files.js';
export * from './writer-lock.js';
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
export * from './review.js';
export * from './supervision.js';
export * from './audit-queries.js';
export type { Db } from './db.js';
export type { DeliveryStatus, RawStatus } from './schema.js';

export interface Store {
  db: Db;
  blobs: BlobStore;
  close(): Promise<void>;
}

/** Opens (and migrates) the store of a data directory: `archive.db` and `blobs/`. */
export async function openStore(dataDir: string): Promise<Store> {
  await ensurePrivateDir(dataDir);
  // Created private before SQLite opens it: SQLite makes a new database 0644 (less the umask)
  // and gives its -wal and -shm files the database file's mode.
  const file = join(dataDir, 'archive.db');
  await ensurePrivateFile(file);
  const db = await openDatabase({ file });
  const blobs = new BlobStore(join(dataDir, 'blobs'));
  return { db, blobs, close: () => db.destroy() };
}
