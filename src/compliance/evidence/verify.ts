/**
 * `verify`: proves the archive complete and unaltered, or names the first thing that is not.
 * Order: the ingest log and every row it covers, the blobs, the audit log, the checkpoints,
 * and the seq continuity of each connector. `since` limits the row, blob and time-stamp work
 * to what was added since a date, for a quick daily run; the chains' links and the
 * checkpoints' signatures are always checked whole because they are cheap.
 */
import { verifyAudit } from '../audit/index.js';
import { countBlobsSince, ingestHead, type Store } from '../../store/index.js';
import type { IntegrityVerifyProgress } from './integrity-types.js';
import { Problems, type Problem } from './problems.js';
import { verifyBlobs, type BlobCheck } from './verify-blobs.js';
import { verifyCheckpoints, type CheckpointCheck } from './verify-checkpoints.js';
import { loadTombstones, verifyIngest, type IngestCheck } from './verify-ingest.js';
import { verifySeq, type SeqGap } from './verify-seq.js';

export interface VerifyOptions {
  /** ms since epoch: check rows, blobs and time-stamps added since then */
  since?: number;
  /** the Ed25519 public key (PEM) checkpoints must verify under */
  publicKeyPem?: string;
  /** the TSA's trusted certificates (PEM) */
  tsaCaPem?: string;
  now?: () => number;
  /** told as verify moves through its phases and pages (the console's progress bar) */
  onProgress?: (p: VerifyProgress) => void;
}

export type VerifyProgress = IntegrityVerifyProgress;

export interface VerifyReport {
  ok: boolean;
  checkedAt: string;
  since: string | null;
  durationMs: number;
  /** the first broken thing, null when none */
  firstBroken: Problem | null;
  /** up to 100 problems in the order found; `problemCount` counts them all */
  problems: Problem[];
  problemCount: number;
  ingest: IngestCheck;
  /** `prunedThrough`: the last event the audit log's retention removed, when it removed any */
  audit: { events: number; ok: boolean; prunedThrough?: number };
  blobs: BlobCheck;
  checkpoints: CheckpointCheck;
  /** completeness gaps in each connector's seq */
  gaps: SeqGap[];
  tombstones: number;
}

export async function verifyArchive(store: Store, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const sinceAt = opts.since ?? 0;
  const problems = new Problems();
  const { db } = store;
  const tombstones = await loadTombstones(db);
  const head = await ingestHead(db);
  const tell = opts.onProgress ?? (() => undefined);
  tell({ phase: 'ingest', done: 0, total: head.events });
  const ingest = await verifyIngest(db, { sinceAt, tombstones, head }, problems, (done) =>
    tell({ phase: 'ingest', done, total: head.events }),
  );
  const blobTotal = await countBlobsSince(db, sinceAt);
  tell({ phase: 'blobs', done: 0, total: blobTotal });
  const blobs = await verifyBlobs(db, store.blobs, sinceAt, problems, (done) =>
    tell({ phase: 'blobs', done, total: blobTotal }),
  );
  tell({ phase: 'audit', done: 0, total: null });
  const audit = await verifyAudit(db);
  if (!audit.ok && audit.firstBad) {
    problems.add({ kind: 'audit-event', eventId: audit.firstBad.id, reason: audit.firstBad.reason });
  }
  tell({ phase: 'checkpoints', done: 0, total: null });
  const checkpoints = await verifyCheckpoints(
    db,
    {
      sinceAt,
      // Only an anchor the audit walk accepted (the chain verified) excuses a pruned head.
      ...(audit.ok && audit.pruned ? { auditPruned: audit.pruned } : {}),
      ...(opts.publicKeyPem ? { publicKeyPem: opts.publicKeyPem } : {}),
      ...(opts.tsaCaPem ? { tsaCaPem: opts.tsaCaPem } : {}),
    },
    problems,
  );
  tell({ phase: 'seq', done: 0, total: null });
  const gaps = await verifySeq(db, { sinceAt, deletedRaw: tombstones.raw }, problems);
  return {
    ok: problems.total === 0,
    checkedAt: new Date(started).toISOString(),
    since: sinceAt > 0 ? new Date(sinceAt).toISOString() : null,
    durationMs: now() - started,
    firstBroken: problems.first,
    problems: problems.list,
    problemCount: problems.total,
    ingest,
    audit: { events: audit.events, ok: audit.ok, ...(audit.pruned ? { prunedThrough: audit.pruned.throughId } : {}) },
    blobs,
    checkpoints,
    gaps,
    tombstones: tombstones.count,
  };
}
