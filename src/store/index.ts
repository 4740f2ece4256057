/** The store's public face: the database, blobs, and repository functions. */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { BlobStore } from './blobs/index.js';
import { openDatabase, type Db } from './db.js';

export * from './capture.js';
export * from './process.js';
export * from './queries.js';
export * from './runs.js';
export * from './directory.js';
export * from './connectors.js';
export * from './deliveries.js';
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
export * from './hash-chain.js';
export * from './ingest-log.js';
export * from './tombstones.js';
export * from './checkpoints.js';
export * from './evidence-queries.js';
export * from './backup-db.js';
export * from './supervision.js';
export type { Db } from './db.js';
export type { DeliveryStatus, RawStatus } from './schema.js';

export interface Store {
  db: Db;
  blobs: BlobStore;
  close(): Promise<void>;
}

/** Opens (and migrates) the store of a data directory: `archive.db` and `blobs/`. */
export async function openStore(dataDir: string): Promise<Store> {
  await mkdir(dataDir, { recursive: true });
  const db = await openDatabase({ file: join(dataDir, 'archive.db') });
  const blobs = new BlobStore(join(dataDir, 'blobs'));
  return { db, blobs, close: () => db.destroy() };
}
