/**
 * The consistent copy `migrate-store` reads from: SQLite's online backup of the archive's
 * database (the service may keep archiving meanwhile), brought to this version's schema, kept
 * in a work directory until the migration is verified. A resumed copy reads the same snapshot,
 * so rows that changed in the live archive in between cannot mix two states into the copy.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { ArchiverError } from '../../core/errors.js';
import { backupDatabase } from '../backup-db.js';
import { openDatabase } from '../db.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files.js';
import type { MigrationSource } from './state.js';

export interface Snapshot {
  id: string;
  takenAt: number;
  file: string;
}

const FILE = 'snapshot.db';
const META = 'snapshot.json';

async function fsync(path: string): Promise<void> {
  const fh = await open(path, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The snapshot in `workDir`, if a previous run finished taking it. */
export async function findSnapshot(workDir: string): Promise<Snapshot | undefined> {
  let meta: { id: string; takenAt: number };
  try {
    meta = JSON.parse(await readFile(join(workDir, META), 'utf8')) as typeof meta;
  } catch {
    return undefined;
  }
  const file = join(workDir, FILE);
  const there = await access(file).then(
    () => true,
    () => false,
  );
  return there ? { id: meta.id, takenAt: meta.takenAt, file } : undefined;
}

/** Takes a new snapshot of `<dataDir>/archive.db` into `workDir`, replacing any older one. */
export async function takeSnapshot(dataDir: string, workDir: string, now = Date.now): Promise<Snapshot> {
  const source = join(dataDir, 'archive.db');
  if (
    !(await access(source).then(
      () => true,
      () => false,
    ))
  )
    throw new ArchiverError(
      'WXA_CONFIG_NOT_FOUND',
      `${source} does not exist; --from names the data directory of the archive to copy (the one holding archive.db)`,
    );
  await ensurePrivateDir(workDir);
  await removeSnapshot(workDir);
  const partial = join(workDir, `${FILE}.partial`);
  await rm(partial, { force: true });
  await writeFile(partial, '', { mode: PRIVATE_FILE_MODE });
  await backupDatabase(source, partial);
  // The snapshot gets this version's schema, as the destination does; the live archive is not touched.
  const db = await openDatabase({ file: partial });
  await db.destroy();
  await rm(`${partial}-wal`, { force: true });
  await rm(`${partial}-shm`, { force: true });
  await fsync(partial);
  const snap = { id: randomUUID(), takenAt: now() };
  await rename(partial, join(workDir, FILE));
  await writeFile(join(workDir, META), `${JSON.stringify(snap)}\n`, { mode: PRIVATE_FILE_MODE });
  await fsync(join(workDir, META));
  return { ...snap, file: join(workDir, FILE) };
}

/** Removes the snapshot: it holds the whole archive, so it is not left lying around once verified. */
export async function removeSnapshot(workDir: string): Promise<void> {
  await rm(join(workDir, META), { force: true });
  for (const f of [FILE, `${FILE}-wal`, `${FILE}-shm`]) await rm(join(workDir, f), { force: true });
}

/** Removes the work directory once nothing is left in it. */
export async function removeWorkDirIfEmpty(workDir: string): Promise<void> {
  await rmdir(workDir).catch(() => undefined);
}

export function openSnapshotReadOnly(file: string): SQLite.Database {
  return new SQLite(file, { readonly: true, fileMustExist: true });
}

function firstHash(db: SQLite.Database, table: string): string | null {
  const row = db.prepare(`SELECT hash FROM "${table}" ORDER BY id LIMIT 1`).get() as { hash: string } | undefined;
  return row?.hash ?? null;
}

/** Which archive a snapshot is of: its chains' first events, which no other archive shares. */
export function sourceIdentity(db: SQLite.Database, dataDir: string): MigrationSource {
  return { dataDir, firstIngestHash: firstHash(db, 'ingest_log'), firstAuditHash: firstHash(db, 'audit_events') };
}

/**
 * Whether two identities are the same archive: by the ingest chain's first event when both have
 * one (that log is never pruned), else by the audit chain's (which `audit prune` may shorten),
 * else, for an archive with no events yet, by its directory.
 */
export function sameSource(a: MigrationSource, b: MigrationSource): boolean {
  if (a.firstIngestHash !== null || b.firstIngestHash !== null) return a.firstIngestHash === b.firstIngestHash;
  if (a.firstAuditHash !== null || b.firstAuditHash !== null) return a.firstAuditHash === b.firstAuditHash;
  return a.dataDir === b.dataDir;
}

/** The last ingest and audit event ids of an archive's database: a live archive that moved on since the snapshot shows here. */
export function chainEnds(db: SQLite.Database): { ingest: number; audit: number } {
  const max = (t: string) =>
    Number((db.prepare(`SELECT coalesce(max(id), 0) AS n FROM "${t}"`).get() as { n: number }).n);
  return { ingest: max('ingest_log'), audit: max('audit_events') };
}

/** The same for the live archive, read without writing to it. */
export function liveChainEnds(dataDir: string): { ingest: number; audit: number } {
  const db = new SQLite(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return chainEnds(db);
  } finally {
    db.close();
  }
}
