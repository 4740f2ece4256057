/**
 * The layout of a backup directory and its manifest. Blobs are shared by every snapshot
 * (content-addressed, so a later backup copies only new ones); each snapshot is a directory
 * with the database and its manifest; `LATEST` names the newest complete snapshot and is only
 * replaced (atomically, by rename) once that snapshot is whole. A backup killed midway thus
 * leaves `LATEST` on the previous one, which stays usable.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';

export const BACKUP_FORMAT = 'wechat-archiver-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  snapshot: string;
  createdAt: string;
  /** the archive's heads inside this snapshot */
  ingest: { lastEventId: number; head: string };
  audit: { lastEventId: number; head: string };
  /** the newest checkpoint inside this snapshot */
  checkpoint: { number: number; at: string; statementSha256: string } | null;
  counts: { rawRecords: number; items: number; mailboxEntries: number; blobs: number; blobFiles: number };
  /** blob files this run copied (the rest were in the backup already) */
  newBlobFiles: number;
  newBlobBytes: number;
}

export const paths = (root: string) => ({
  latest: join(root, 'LATEST'),
  blobs: join(root, 'blobs'),
  snapshots: join(root, 'snapshots'),
  snapshot: (name: string) => join(root, 'snapshots', name),
  database: (name: string) => join(root, 'snapshots', name, 'archive.db'),
  manifest: (name: string) => join(root, 'snapshots', name, 'manifest.json'),
  publicKey: (name: string) => join(root, 'snapshots', name, 'evidence.pub'),
});

/** The newest complete snapshot's manifest. */
export async function readLatestManifest(root: string): Promise<BackupManifest> {
  const p = paths(root);
  let name: string;
  try {
    name = (await readFile(p.latest, 'utf8')).trim();
  } catch (err) {
    throw new ArchiverError('WXA_BACKUP_INVALID', `${root} holds no complete backup (no LATEST file)`, { cause: err });
  }
  try {
    const m = JSON.parse(await readFile(p.manifest(name), 'utf8')) as BackupManifest;
    if (m.format !== BACKUP_FORMAT) throw new Error(`format ${String(m.format)}`);
    return m;
  } catch (err) {
    throw new ArchiverError('WXA_BACKUP_INVALID', `${p.manifest(name)} is missing or not a backup manifest`, {
      cause: err,
    });
  }
}
