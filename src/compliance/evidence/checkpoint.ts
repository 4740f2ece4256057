/**
 * Checkpoints: a signed statement of both chains' heads, the archive's counts and the time,
 * each naming the SHA-256 of the previous statement. Signed with the Ed25519 key kept outside
 * the database and, when a TSA is configured, time-stamped by it, so that rewriting history
 * after a checkpoint (even re-hashing the whole chain) is caught: the old head no longer
 * matches, and nobody without the key can sign a new one.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../../config/index.js';
import {
  CHAIN_GENESIS,
  canonicalJson,
  insertCheckpoint,
  readCheckpointBasis,
  type ChainHead,
  type CheckpointBasis,
  type Db,
} from '../../store/index.js';
import { evidenceKeyPath, openSigningKey, type SigningKey } from './signing-key.js';
import { requestTimestamp } from './tsa.js';

export const CHECKPOINT_FORMAT = 'wechat-archiver-checkpoint/1';

/** What is signed, field for field; `statement` is its canonical JSON. */
export interface CheckpointStatement {
  format: typeof CHECKPOINT_FORMAT;
  /** 1 for the first checkpoint of an archive */
  number: number;
  at: string;
  /** SHA-256 (hex) of the previous checkpoint's statement; zeros for the first */
  previous: string;
  ingest: ChainHead;
  audit: ChainHead;
  counts: CheckpointBasis['counts'];
  keyId: string;
}

export interface CheckpointResult {
  id: number;
  statement: CheckpointStatement;
  timestamped: boolean;
  /** why the TSA step failed, when it did (the checkpoint is kept, signed) */
  tsaError?: string;
}

export function statementHash(statement: string): string {
  return createHash('sha256').update(statement, 'utf8').digest('hex');
}

export async function signingKeyOf(cfg: Config, create: boolean): Promise<SigningKey | undefined> {
  return openSigningKey(evidenceKeyPath(cfg.dataDir, cfg.evidence.keyFile), create);
}

/** Signs (and time-stamps) a checkpoint of the archive as it is now. */
export async function createCheckpoint(
  db: Db,
  key: SigningKey,
  opts: { tsaUrl?: string; now?: () => number },
): Promise<CheckpointResult> {
  const now = opts.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    const basis = await readCheckpointBasis(db);
    const at = now();
    const statement: CheckpointStatement = {
      format: CHECKPOINT_FORMAT,
      number: (basis.previous?.id ?? 0) + 1,
      at: new Date(at).toISOString(),
      previous: basis.previous ? statementHash(basis.previous.statement) : CHAIN_GENESIS,
      ingest: basis.ingest,
      audit: basis.audit,
      counts: basis.counts,
      keyId: key.keyId,
    };
    const text = canonicalJson(statement);
    const bytes = Buffer.from(text, 'utf8');
    let reply: Buffer | null = null;
    let tsaError: string | undefined;
    if (opts.tsaUrl) {
      try {
        reply = await requestTimestamp(opts.tsaUrl, bytes);
      } catch (err) {
        // A TSA outage must not stop the signed record: the checkpoint is kept without a
        // time-stamp, and `verify` reports it as such.
        tsaError = (err as Error).message;
      }
    }
    const id = await insertCheckpoint(
      db,
      {
        at,
        statement: text,
        signature: key.sign(bytes).toString('base64'),
        key_id: key.keyId,
        public_key: key.publicKeyPem,
        tsa_url: opts.tsaUrl ?? null,
        tsa_reply: reply,
      },
      basis.previous?.id ?? null,
    );
    if (id !== null) {
      return { id, statement, timestamped: reply !== null, ...(tsaError ? { tsaError } : {}) };
    }
    // Another process checkpointed meanwhile: state again on top of its checkpoint.
    if (attempt >= 5) throw new Error('checkpoint: another process keeps adding checkpoints; try again');
  }
}

/** The configured TSA's trusted certificates, read once per verification. */
export async function trustedTsaPem(cfg: Config): Promise<string | undefined> {
  return cfg.evidence.tsa ? readFile(cfg.evidence.tsa.caFile, 'utf8') : undefined;
}

/** Checkpoint after a run or on serve's timer: only when a log grew since the last checkpoint. */
export async function checkpointIfChanged(
  db: Db,
  cfg: Config,
  opts: { force?: boolean } = {},
): Promise<CheckpointResult | undefined> {
  const basis = await readCheckpointBasis(db);
  if (basis.previous && !opts.force) {
    const prev = JSON.parse(basis.previous.statement) as CheckpointStatement;
    if (prev.ingest.head === basis.ingest.head && prev.audit.head === basis.audit.head) return undefined;
  }
  const key = await signingKeyOf(cfg, true);
  return createCheckpoint(db, key!, { ...(cfg.evidence.tsa ? { tsaUrl: cfg.evidence.tsa.url } : {}) });
}
