/**
 * `migrate-store --new-data-dir DIR`: readies the data directory a migrated deployment runs
 * with when its blobs moved to a bucket (with local blobs the deployment simply keeps the old
 * directory). The key files that are never in the database go with it: the master key (the
 * stored secrets are encrypted under it) and the evidence signing key pair (new checkpoints
 * must be signed by the key the old ones were). A directory that already holds other keys
 * belongs to another archive and is refused.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { MASTER_KEY_FILE } from '../../security/secrets.js';
import { createPrivateFile, readPrivateFile } from '../../security/private-file.js';
import type { BlobStore } from '../../store/index.js';
import { recordBlobLocation } from '../../store/migrate-store/index.js';
import { EVIDENCE_KEY_FILE, publicKeyPath } from '../evidence/signing-key.js';

const fail = (message: string, cause?: unknown) => new ArchiverError('WXA_CONFIG_INVALID', message, { cause });

export async function prepareNewDataDir(from: string, to: string, blobs: BlobStore): Promise<string[]> {
  const copied: string[] = [];
  const evidence = join(from, EVIDENCE_KEY_FILE);
  for (const [path, name] of [
    [join(from, MASTER_KEY_FILE), MASTER_KEY_FILE],
    [evidence, EVIDENCE_KEY_FILE],
    [publicKeyPath(evidence), publicKeyPath(EVIDENCE_KEY_FILE)],
  ] as const) {
    const text = name.endsWith('.pub')
      ? await readFile(path, 'utf8').catch(() => undefined)
      : await readPrivateFile(path, fail);
    if (text === undefined) continue;
    const there = await createPrivateFile(join(to, name), text, fail);
    if (there !== text)
      throw fail(
        `${join(to, name)} already exists and is not ${path}: ${to} belongs to another archive; give --new-data-dir a new directory`,
      );
    copied.push(name);
  }
  if (blobs.kind === 's3') await recordBlobLocation(to, blobs);
  return copied;
}
