/**
 * `migrate-store --from DIR --to URL [--blobs s3://BUCKET/PREFIX/]`: copies an embedded archive
 * into PostgreSQL (and its blob files into a bucket), resumably, and verifies the copy. Exit 0
 * only when the copy verified.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../config/index.js';
import { evidenceKeyPath, trustedPublicKey } from '../../compliance/evidence/index.js';
import { ArchiverError } from '../../core/errors.js';
import { blobTargetOptions, migrateStore, type MigrateReport } from '../../compliance/migrate-store/index.js';
import { isPostgresUrl } from '../../store/dialect/postgres-url.js';
import { storeOptionsOf, type Config } from '../../config/index.js';
import type { BlobsOptions } from '../../store/index.js';
import { recordedBlobLocation } from '../../store/migrate-store/index.js';
import { printJson, type Io } from '../io.js';

export interface MigrateStoreFlags {
  from: string;
  to: string;
  blobs?: string;
  config?: string;
  workDir?: string;
  newDataDir?: string;
  restart?: boolean;
  batch?: string;
  publicKey?: string;
  json?: boolean;
}

/**
 * The archive's own blob store: local files, unless the archive recorded a bucket; then the
 * configuration's S3 section must name that same bucket (it says how to reach it).
 */
async function sourceBlobs(from: string, cfg: Config | undefined): Promise<BlobsOptions> {
  const recorded = await recordedBlobLocation(from);
  if (!recorded) return { kind: 'local' };
  const o = cfg ? storeOptionsOf(cfg).blobs : undefined;
  if (o?.kind === 's3' && `s3://${o.bucket}/${o.prefix}` === recorded.location) return o;
  throw new ArchiverError(
    'WXA_BLOB_STORE_CONFIG',
    `the archive in ${from} keeps its blobs in ${recorded.location}; give --config with a blobs section that names it, so migrate-store can read them`,
  );
}

function batchOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new ArchiverError('WXA_CONFIG_INVALID', `--batch takes a whole number of rows from 1 to 100000, not "${v}"`);
  return n;
}

export async function migrateStoreCommand(flags: MigrateStoreFlags, io: Io): Promise<number> {
  isPostgresUrl(flags.to);
  // The configuration (when given) says how to reach S3: the archive's own blob store, and the target's service.
  const cfg = flags.config ? await loadConfig(flags.config, { secretsNeeded: false }) : undefined;
  const batch = batchOf(flags.batch);
  // The checkpoints are checked under the archive's own evidence key (or the one named), as `verify` does.
  const publicKeyPem = await trustedPublicKey(
    evidenceKeyPath(resolve(flags.from), cfg?.evidence.keyFile),
    flags.publicKey,
  );
  const report = await migrateStore({
    from: flags.from,
    to: flags.to,
    ...(flags.blobs ? { blobs: blobTargetOptions(flags.blobs, cfg?.blobs) } : {}),
    sourceBlobs: await sourceBlobs(resolve(flags.from), cfg),
    ...(flags.workDir ? { workDir: flags.workDir } : {}),
    ...(flags.newDataDir ? { newDataDir: flags.newDataDir } : {}),
    ...(flags.restart ? { restart: true } : {}),
    ...(batch ? { batch } : {}),
    ...(publicKeyPem ? { publicKeyPem } : {}),
    onProgress: flags.json ? undefined : (what) => io.err(`${what}\n`),
  });
  if (flags.json) printJson(io, report);
  else io.out(text(report));
  return report.verified ? 0 : 1;
}

function text(r: MigrateReport): string {
  const lines = [
    `${r.verified ? 'verified' : 'NOT VERIFIED'}: ${r.from} -> ${r.to}${r.alreadyComplete ? ' (already complete; checked again)' : r.resumed ? ' (resumed)' : ''}`,
    `  ${r.tables.length} tables, ${r.rows} rows (${r.copied.rows} copied now); ${r.blobs} blobs (${r.bytes} bytes) re-hashed, files in ${r.blobStore} (${r.copied.blobs} copied now); ${r.seconds} s`,
    `  ingest chain: ${r.verification.ingest.events} events; audit chain: ${r.verification.audit.events} events, ${r.verification.audit.ok ? 'intact' : 'BROKEN'}`,
  ];
  for (const t of r.tables.filter((x) => !x.verified))
    lines.push(`  table ${t.name}: ${t.rows} rows, expected ${t.expected?.rows ?? '?'}; digest differs`);
  if (r.verification.firstBroken) lines.push(`  first problem: ${JSON.stringify(r.verification.firstBroken)}`);
  if (r.skipped.length > 0) lines.push(`  not copied: ${r.skipped.map((s) => s.table).join(', ')} (search index)`);
  for (const n of r.next) lines.push(`  next: ${n}`);
  return `${lines.join('\n')}\n`;
}
