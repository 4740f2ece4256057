/**
 * `restore --from DIR --data-dir NEW`: brings the newest complete snapshot back into an empty
 * data directory: the database, every blob file it names (checked against its SHA-256), and
 * the public key that its checkpoints verify under. `verify` then proves the result. Every
 * delivery not recorded as done is marked in doubt, so a mailbox copy made after the backup was
 * taken is found at the destination instead of being sent a second time.
 */
import { copyFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { checkNewDir } from '../../core/out-dir.js';
import { ensurePrivateDir, LocalBlobStore, markUndeliveredInDoubt, openStore } from '../../store/index.js';
import { syncDir } from '../../store/blobs/local.js';
import { EVIDENCE_KEY_FILE, publicKeyPath } from '../evidence/signing-key.js';
import { copyBlobFiles } from './copy-blobs.js';
import { paths, readLatestManifest, type BackupManifest } from './manifest.js';

export async function restoreBackup(
  from: string,
  dataDir: string,
): Promise<{ manifest: BackupManifest; blobFiles: number }> {
  await checkNewDir('--data-dir', dataDir, 'restore into a new directory, then point --data-dir (or dataDir) at it');
  const manifest = await readLatestManifest(from);
  const p = paths(from);
  await ensurePrivateDir(dataDir);
  const tmp = join(dataDir, '.archive.db.restoring');
  await copyFile(p.database(manifest.snapshot), tmp);
  await rename(tmp, join(dataDir, 'archive.db'));
  await syncDir(dataDir);
  await copyFile(p.publicKey(manifest.snapshot), publicKeyPath(join(dataDir, EVIDENCE_KEY_FILE))).catch(
    () => undefined,
  );
  const store = await openStore(dataDir);
  try {
    const copied = await copyBlobFiles(store.db, new LocalBlobStore(p.blobs), store.blobs.objects);
    // Deliveries made after the backup look undelivered in it: look each up before sending again.
    await markUndeliveredInDoubt(store.db);
    return { manifest, blobFiles: copied.files };
  } finally {
    await store.close();
  }
}
