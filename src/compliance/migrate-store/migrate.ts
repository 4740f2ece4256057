/**
 * `migrate-store`: copies an embedded archive (a SQLite data directory, possibly live) into
 * PostgreSQL, and its blob files into an S3-compatible bucket when asked, then proves the copy:
 * every table's row count and row digest equal to the snapshot's, every blob re-hashed where
 * it now lives, the ingest and audit chains recomputed on the copy (the `verify` walk). Killed
 * at any point, the same command continues where the destination's progress record says.
 */
import { join, resolve } from 'node:path';
import type SQLite from 'better-sqlite3';
import { ArchiveBlobs, openBlobStore, type BlobStore, type BlobsOptions } from '../../store/index.js';
import { LocalBlobFiles } from '../../store/blobs/local.js';
import { openDatabase } from '../../store/db.js';
import { redactUrl } from '../../store/dialect/postgres-url.js';
import {
  chainEnds,
  checkSourceTables,
  completeRun,
  copyTable,
  destinationChainEnds,
  destinationTables,
  ensureStateTables,
  liveChainEnds,
  openSnapshotReadOnly,
  removeSnapshot,
  removeWorkDirIfEmpty,
  tableProgress,
} from '../../store/migrate-store/index.js';
import { verifyArchive, type VerifyReport } from '../evidence/verify.js';
import { begin } from './begin.js';
import { copyBlobs } from './copy-blobs.js';
import { prepareNewDataDir } from './new-data-dir.js';
import { verifyTables, type TableReport } from './verify-tables.js';

export interface MigrateOptions {
  /** the archive's data directory */
  from: string;
  /** postgres:// URL of the destination */
  to: string;
  /** where the blob files go; absent: they stay in the archive's blob store */
  blobs?: BlobsOptions;
  /** the archive's own blob store (local files unless its configuration says S3) */
  sourceBlobs?: BlobsOptions;
  /** the data directory of the migrated deployment: key files and blob location written there once verified */
  newDataDir?: string;
  /** snapshot and staging; default <from>/migrate-store */
  workDir?: string;
  /** empty a destination that is this archive's earlier copy and start again */
  restart?: boolean;
  /** the Ed25519 public key (PEM) the archive's checkpoints must verify under */
  publicKeyPem?: string;
  /** rows per transaction (default 1000) */
  batch?: number;
  now?: () => number;
  /** told after each table and phase, for progress on a terminal */
  onProgress?: (what: string) => void;
}

export interface MigrateReport {
  from: string;
  to: string;
  blobStore: string;
  snapshot: { id: string; takenAt: string };
  /** a run that continued an interrupted copy */
  resumed: boolean;
  /** the destination was already a finished copy: only verified again */
  alreadyComplete: boolean;
  tables: TableReport[];
  /** tables not copied, and why */
  skipped: { table: string; reason: string }[];
  /** rows in the destination's copied tables */
  rows: number;
  /** every blob of the archive (inline in the database, or a file in the blob store), each re-hashed at the destination */
  blobs: number;
  /** their bytes */
  bytes: number;
  /** what this run itself wrote */
  copied: { rows: number; blobs: number; bytes: number };
  seconds: number;
  /** every table equal to the snapshot, every blob's hash right, both chains intact */
  verified: boolean;
  verification: Pick<VerifyReport, 'ok' | 'firstBroken' | 'problemCount' | 'ingest' | 'audit' | 'blobs'>;
  /** the live archive wrote events after the snapshot: they are not in this copy */
  sourceChangedSince: boolean;
  /** what was written into --new-data-dir (the key files copied), once the copy verified */
  newDataDir?: { path: string; keyFiles: string[] };
  /** what to do next */
  next: string[];
}

const SEARCH_REASON =
  'search index: rebuilt on the destination by `wechat-archiver reindex` (SQLite keeps its tokens in an FTS5 index that cannot be read back)';

export async function migrateStore(opts: MigrateOptions): Promise<MigrateReport> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const from = resolve(opts.from);
  const workDir = opts.workDir ? resolve(opts.workDir) : join(from, 'migrate-store');
  const tell = opts.onProgress ?? (() => undefined);
  const dest = await openDatabase({ url: opts.to });
  let src: SQLite.Database | undefined;
  const stores: BlobStore[] = [];
  try {
    await ensureStateTables(dest);
    const { copy: plans, skipped } = await destinationTables(dest);
    const { snapshot, run, resumed } = await begin(dest, plans, from, workDir, opts);
    const copiedRows = new Map<string, number>();
    if (snapshot) {
      src = openSnapshotReadOnly(snapshot.file);
      checkSourceTables(src, plans);
      const progress = await tableProgress(dest);
      for (const plan of plans) {
        const r = await copyTable(src, dest, plan, progress.get(plan.name), opts.batch ?? 1000);
        copiedRows.set(plan.name, r.copied);
        if (r.copied > 0) tell(`${plan.name}: ${r.rows} rows`);
      }
    }
    const source = await openBlobStore(from, opts.sourceBlobs);
    stores.push(source.objects);
    const target = opts.blobs ? await openBlobStore(workDir, opts.blobs) : source;
    if (target !== source) stores.push(target.objects);
    let blobCopy = { files: 0, copied: 0, bytes: 0 };
    if (src) {
      tell(`blobs: copying to ${target.objects.location}`);
      blobCopy = await copyBlobs(src, source.objects, target.objects);
    }
    tell('verifying');
    const tables = await verifyTables(src, dest, plans, run, copiedRows);
    const report = await verifyArchive(
      {
        db: dest,
        blobs: new ArchiveBlobs(target.objects, new LocalBlobFiles(join(workDir, 'staging'))),
        close: async () => undefined,
      },
      opts.publicKeyPem ? { publicKeyPem: opts.publicKeyPem } : {},
    );
    const verified = report.ok && tables.every((t) => t.verified);
    const live = liveChainEnds(from);
    const copiedEnds = src ? chainEnds(src) : await destinationChainEnds(dest);
    const sourceChangedSince = live.ingest !== copiedEnds.ingest || live.audit !== copiedEnds.audit;
    if (verified && !run.completedAt) {
      await completeRun(
        dest,
        now(),
        Object.fromEntries(tables.map((t) => [t.name, { rows: t.rows, sha256: t.sha256 }])),
      );
      // The snapshot holds the whole archive: once the copy is proven, it is not left lying around.
      src?.close();
      src = undefined;
      await removeSnapshot(workDir);
    }
    const newDataDir =
      verified && opts.newDataDir
        ? {
            path: resolve(opts.newDataDir),
            keyFiles: await prepareNewDataDir(from, resolve(opts.newDataDir), target.objects),
          }
        : undefined;
    return {
      from,
      to: redactUrl(opts.to),
      blobStore: target.objects.location,
      snapshot: { id: run.snapshotId, takenAt: new Date(snapshot?.takenAt ?? run.startedAt).toISOString() },
      resumed,
      alreadyComplete: Boolean(run.completedAt),
      tables,
      skipped: skipped.map((table) => ({ table, reason: SEARCH_REASON })),
      rows: tables.reduce((n, t) => n + t.rows, 0),
      blobs: report.blobs.checked,
      bytes: report.blobs.bytes,
      copied: {
        rows: [...copiedRows.values()].reduce((a, b) => a + b, 0),
        blobs: blobCopy.copied,
        bytes: blobCopy.bytes,
      },
      seconds: Math.round((now() - t0) / 100) / 10,
      verified,
      verification: {
        ok: report.ok,
        firstBroken: report.firstBroken,
        problemCount: report.problemCount,
        ingest: report.ingest,
        audit: report.audit,
        blobs: report.blobs,
      },
      sourceChangedSince,
      ...(newDataDir ? { newDataDir } : {}),
      next: nextSteps(verified, sourceChangedSince, opts, target.objects.location),
    };
  } finally {
    src?.close();
    for (const s of stores) await s.close();
    await dest.destroy();
    await removeWorkDirIfEmpty(workDir);
  }
}

function nextSteps(verified: boolean, changed: boolean, opts: MigrateOptions, blobStore: string): string[] {
  const out: string[] = [];
  if (!verified) {
    out.push('the copy did NOT verify: see verification.firstBroken and tables[].verified; do not switch over');
    return out;
  }
  if (changed)
    out.push(
      'the archive kept writing after the snapshot: stop the service, then run migrate-store again with --restart for a copy that includes everything',
    );
  out.push(`run: wechat-archiver reindex --database ${redactUrl(opts.to)} (the search index is rebuilt, not copied)`);
  const dataDir = opts.newDataDir ? resolve(opts.newDataDir) : resolve(opts.from);
  out.push(
    opts.blobs
      ? `run the new deployment with --data-dir ${dataDir} --database URL and a configuration whose blobs section names ${blobStore}` +
          (opts.newDataDir
            ? ''
            : ' (give --new-data-dir to ready a data directory for it: key files and blob location)')
      : `run the new deployment with --data-dir ${resolve(opts.from)} --database URL: the blob files stay in its blobs/ directory`,
  );
  return out;
}
