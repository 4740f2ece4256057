/**
 * `backup --to DIR`: the second copy SEC 17a-4(f) asks for. Signs a checkpoint, copies the
 * live database with SQLite's online backup, copies the blob files it names that the backup
 * lacks (checked against their SHA-256), records the heads and the latest checkpoint in a
 * manifest, and only then makes the snapshot the LATEST one. `compareBackup` says what the
 * archive holds that a backup does not.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobsOptions, type Config } from '../../config/index.js';
import { crashPoint } from '../../core/fault-points.js';
import { fsyncFile } from '../../core/fsync-file.js';
import {
  auditCountAfter,
  backupDatabase,
  chainHashAt,
  dialectKind,
  ingestCountsAfter,
  latestCheckpoint,
  ensurePrivateDir,
  LocalBlobStore,
  openBlobStore,
  openStore,
  readCheckpointBasis,
  type Db,
} from '../../store/index.js';
import { syncDir } from '../../store/blobs/local.js';
import { checkpointIfChanged, statementHash, type CheckpointStatement } from '../evidence/checkpoint.js';
import { evidenceKeyPath, publicKeyPath } from '../evidence/signing-key.js';
import { copyBlobFiles } from './copy-blobs.js';
import { ArchiverError } from '../../core/errors.js';
import { POSTGRES_BACKUP_ADVICE } from './postgres-advice.js';
import { BACKUP_FORMAT, paths, readLatestManifest, type BackupManifest } from './manifest.js';

/** Snapshots kept besides the newest; their blobs stay shared. */
const KEEP_SNAPSHOTS = 2;

async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text);
  await fsyncFile(tmp);
  await rename(tmp, path);
}

export async function runBackup(db: Db, cfg: Config, to: string, now = Date.now): Promise<BackupManifest> {
  if (dialectKind(db) === 'postgres') throw new ArchiverError('WXA_STORE_SQLITE_ONLY', POSTGRES_BACKUP_ADVICE);
  await checkpointIfChanged(db, cfg);
  const p = paths(to);
  const name = new Date(now()).toISOString().replace(/[:.]/g, '-');
  const partial = join(p.snapshots, `.${name}.partial`);
  // A backup holds the same regulated data as the archive: private to the service's user.
  await ensurePrivateDir(partial);
  await ensurePrivateDir(p.blobs);
  await backupDatabase(join(cfg.dataDir, 'archive.db'), join(partial, 'archive.db'));
  await fsyncFile(join(partial, 'archive.db'));
  // Everything below is read from the copy, so the manifest describes exactly what was saved.
  const snap = await openStore(partial);
  let manifest: BackupManifest;
  try {
    const basis = await readCheckpointBasis(snap.db);
    const cp = await latestCheckpoint(snap.db);
    const live = (await openBlobStore(cfg.dataDir, blobsOptions(cfg.blobs))).objects;
    const copied = await copyBlobFiles(snap.db, live, new LocalBlobStore(p.blobs)).finally(() => live.close());
    manifest = {
      format: BACKUP_FORMAT,
      snapshot: name,
      createdAt: new Date(now()).toISOString(),
      ingest: { lastEventId: basis.ingest.lastEventId, head: basis.ingest.head },
      audit: { lastEventId: basis.audit.lastEventId, head: basis.audit.head },
      checkpoint: cp
        ? {
            number: (JSON.parse(cp.statement) as CheckpointStatement).number,
            at: new Date(cp.at).toISOString(),
            statementSha256: statementHash(cp.statement),
          }
        : null,
      counts: { ...basis.counts, blobFiles: copied.files },
      newBlobFiles: copied.copied,
      newBlobBytes: copied.bytes,
    };
  } finally {
    await snap.close();
  }
  const pub = publicKeyPath(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile));
  await copyFile(pub, join(partial, 'evidence.pub')).catch(() => undefined);
  await writeDurably(join(partial, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await syncDir(partial);
  crashPoint('backup-snapshot');
  await rename(partial, p.snapshot(name));
  await syncDir(p.snapshots);
  await writeDurably(p.latest, `${name}\n`);
  await syncDir(to);
  await prune(to, name);
  return manifest;
}

/** Removes snapshots older than the newest few, and the partial ones a killed backup left. */
async function prune(to: string, newest: string): Promise<void> {
  const p = paths(to);
  const names = (await readdir(p.snapshots)).sort();
  const complete = names.filter((n) => !n.startsWith('.'));
  const keep = new Set([newest, ...complete.slice(-KEEP_SNAPSHOTS)]);
  for (const n of names) if (!keep.has(n)) await rm(p.snapshot(n), { recursive: true, force: true });
}

export interface BackupComparison {
  backupAt: string;
  snapshot: string;
  /** false when the archive holds nothing the backup lacks */
  behind: boolean;
  /** false when the backup's heads are not in the archive's chains: not a copy of this archive */
  sameHistory: boolean;
  /** ingest events since the backup, by kind (raw, item, entry, tombstone, policy) */
  missing: Record<string, number>;
  auditEventsSince: number;
  checkpointsSince: number;
}

/** What the live archive holds that the newest backup in `to` does not. */
export async function compareBackup(db: Db, to: string): Promise<BackupComparison> {
  const m = await readLatestManifest(to);
  const sameHistory =
    (m.ingest.lastEventId === 0 || (await chainHashAt(db, 'ingest', m.ingest.lastEventId)) === m.ingest.head) &&
    (m.audit.lastEventId === 0 || (await chainHashAt(db, 'audit', m.audit.lastEventId)) === m.audit.head);
  const missing = await ingestCountsAfter(db, m.ingest.lastEventId);
  const auditEventsSince = await auditCountAfter(db, m.audit.lastEventId);
  const latest = await latestCheckpoint(db);
  const latestNumber = latest ? (JSON.parse(latest.statement) as CheckpointStatement).number : 0;
  const checkpointsSince = Math.max(0, latestNumber - (m.checkpoint?.number ?? 0));
  return {
    backupAt: m.createdAt,
    snapshot: m.snapshot,
    behind: Object.values(missing).some((n) => n > 0) || auditEventsSince > 0,
    sameHistory,
    missing,
    auditEventsSince,
    checkpointsSince,
  };
}
