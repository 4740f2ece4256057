/**
 * What the console's Integrity page needs from the evidence machinery: a `verify` run whose
 * outcome is kept (the CLI records its runs the same way), a summary of the archive's proof
 * (last verification, both chain heads, the latest checkpoint, completeness gaps, the last
 * backup), and the evidence package as one zip an auditor can download.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import type { Config } from '../../config/index.js';
import { ArchiverError } from '../../core/errors.js';
import {
  dialectKind,
  lastVerifyRun,
  latestCheckpoint,
  readCheckpointBasis,
  recordVerifyRun,
  type Store,
} from '../../store/index.js';
import { POSTGRES_BACKUP_ADVICE } from '../backup/postgres-advice.js';
import { readLatestManifest } from '../backup/manifest.js';
import type { CheckpointStatement } from './checkpoint.js';
import { trustedTsaPem } from './checkpoint.js';
import { writeEvidencePackage } from './package.js';
import { evidenceReadiness, packagedVerification } from './package-verification.js';
import { zipFiles } from './zip-stream.js';
import { Problems, type Problem } from './problems.js';
import type { IntegritySummary, PackagedVerification } from './integrity-types.js';
import { evidenceKeyPath, trustedPublicKey } from './signing-key.js';
import { loadTombstones } from './verify-ingest.js';
import { verifySeq } from './verify-seq.js';
import { verifyArchive, type VerifyProgress, type VerifyReport } from './verify.js';

async function trustedKeys(cfg: Config): Promise<{ publicKeyPem?: string; tsaCaPem?: string }> {
  const publicKeyPem = await trustedPublicKey(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile));
  const tsaCaPem = await trustedTsaPem(cfg);
  return { ...(publicKeyPem ? { publicKeyPem } : {}), ...(tsaCaPem ? { tsaCaPem } : {}) };
}

/** Runs `verify` and keeps its outcome for the Integrity page. */
export async function verifyAndRecord(
  store: Store,
  cfg: Config,
  opts: {
    since?: number;
    actor: string;
    via: 'cli' | 'console';
    /** the keys to trust when the caller chose them (the CLI's --public-key, --tsa-ca); else the configured ones */
    keys?: { publicKeyPem?: string; tsaCaPem?: string };
    onProgress?: (p: VerifyProgress) => void;
  },
): Promise<VerifyReport> {
  const keys = opts.keys ?? (await trustedKeys(cfg));
  const report = await verifyArchive(store, {
    ...keys,
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  await recordVerifyRun(store.db, {
    checked_at: Date.parse(report.checkedAt),
    since: opts.since ?? null,
    ok: report.ok ? 1 : 0,
    duration_ms: report.durationMs,
    problem_count: report.problemCount,
    first_broken: report.firstBroken ? JSON.stringify(report.firstBroken) : null,
    actor: opts.actor,
    via: opts.via,
    // Kept whole: the console's evidence package carries the latest completed verification.
    report_json: JSON.stringify(report),
  });
  return report;
}

export async function integritySummary(store: Store, cfg: Config, now: number): Promise<IntegritySummary> {
  const { db } = store;
  const run = await lastVerifyRun(db);
  const basis = await readCheckpointBasis(db);
  const cp = await latestCheckpoint(db);
  const statement = cp ? (JSON.parse(cp.statement) as CheckpointStatement) : undefined;
  const tombstones = await loadTombstones(db);
  // Gaps are read live (they are cheap next to a full verify) so that a new one shows at once.
  const gaps = await verifySeq(db, { sinceAt: 0, deletedRaw: tombstones.raw }, new Problems());
  let backup: IntegritySummary['backup'] = null;
  if (cfg.backup && dialectKind(db) === 'postgres') {
    // Backups of this database are made by the server's tools, which leave no manifest here.
    backup = { dir: cfg.backup.dir, lastAt: null, ageMs: null, snapshot: null, error: POSTGRES_BACKUP_ADVICE };
  } else if (cfg.backup) {
    try {
      const m = await readLatestManifest(cfg.backup.dir);
      const at = Date.parse(m.createdAt);
      backup = { dir: cfg.backup.dir, lastAt: m.createdAt, ageMs: now - at, snapshot: m.snapshot, error: null };
    } catch (err) {
      backup = { dir: cfg.backup.dir, lastAt: null, ageMs: null, snapshot: null, error: (err as Error).message };
    }
  }
  return {
    lastVerification: run
      ? {
          checkedAt: new Date(Number(run.checked_at)).toISOString(),
          since: run.since === null ? null : new Date(Number(run.since)).toISOString(),
          ok: run.ok === 1,
          durationMs: run.duration_ms,
          problemCount: run.problem_count,
          firstBroken: run.first_broken ? (JSON.parse(run.first_broken) as Problem) : null,
          actor: run.actor,
          via: run.via,
        }
      : null,
    chains: { ingest: basis.ingest, audit: basis.audit },
    latestCheckpoint:
      cp && statement
        ? {
            number: statement.number,
            at: new Date(cp.at).toISOString(),
            signed: cp.signature.length > 0,
            keyId: cp.key_id,
            timestamped: cp.tsa_reply !== null,
          }
        : null,
    gaps,
    evidence: await evidenceReadiness(db),
    backup,
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * The evidence package (what `wechat-archiver evidence --out DIR` writes) as a zip stream,
 * carrying the latest completed verification rather than running one inside the request
 * (WXA_EVIDENCE_NOT_VERIFIED when there is none it can carry). It is written to a private
 * temporary directory first so that both paths share one writer, then zipped as the client
 * reads; the directory is removed when the stream ends, fails or is dropped.
 */
export async function evidenceZip(
  store: Store,
  cfg: Config,
): Promise<{ stream: Readable; report: VerifyReport; verification: PackagedVerification; files: number }> {
  const { publicKeyPem, tsaCaPem } = await trustedKeys(cfg);
  if (!publicKeyPem) {
    throw new ArchiverError(
      'WXA_EVIDENCE_KEY_INVALID',
      'no checkpoint has been signed yet (no evidence.key): run `wechat-archiver checkpoint` first',
    );
  }
  const { verification, report } = await packagedVerification(store.db);
  const tmp = await mkdtemp(join(tmpdir(), 'wxa-evidence-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    const out = join(tmp, 'evidence');
    await writeEvidencePackage(store.db, out, {
      publicKeyPem,
      report,
      verification,
      ...(tsaCaPem ? { tsaCaPem } : {}),
    });
    const files = (await filesUnder(out)).map((path) => ({ name: `evidence/${relative(out, path)}`, path }));
    async function* withCleanup(): AsyncGenerator<Uint8Array> {
      try {
        yield* zipFiles(files);
      } finally {
        await cleanup();
      }
    }
    const stream = Readable.from(withCleanup(), { objectMode: false });
    // A stream dropped before its first read never enters the generator's finally.
    stream.once('close', () => void cleanup());
    return { stream, report, verification, files: files.length };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
