/** Copying an embedded archive into PostgreSQL (and S3-compatible storage), resumably and verified. */
export { migrateStore, type MigrateOptions, type MigrateReport } from './migrate.js';
export { blobTargetOptions, parseBlobsUrl } from './blob-target.js';
export type { TableReport } from './verify-tables.js';
