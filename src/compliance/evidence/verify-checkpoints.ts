/**
 * Checks every checkpoint: its Ed25519 signature under the key the operator trusts (never the
 * key stored beside it in the database), its place in the sequence, its RFC 3161 time-stamp,
 * and that the chain heads it stated are still in the logs, so removing or rewriting events
 * that a checkpoint covered is caught even when the chain was re-hashed to link again.
 */
import { chainHashAt, listCheckpoints, CHAIN_GENESIS, type CheckpointRow, type Db } from '../../store/index.js';
import { CHECKPOINT_FORMAT, statementHash, type CheckpointStatement } from './checkpoint.js';
import type { Problems } from './problems.js';
import { verifySignature } from './signing-key.js';
import { verifyTimestamp } from './tsa.js';

export interface CheckpointCheck {
  checked: number;
  timestamped: number;
  /** checkpoints whose time-stamp could not be checked (no trusted TSA certificate given) or was never obtained */
  notTimestamped: number;
  latest: { number: number; at: string; ingestEvents: number; auditEvents: number; timestampedAt?: string } | null;
}

export async function verifyCheckpoints(
  db: Db,
  opts: {
    publicKeyPem?: string;
    tsaCaPem?: string;
    sinceAt: number;
    /** audit events up to `throughId` were pruned behind a verified anchor stating its hash */
    auditPruned?: { throughId: number; head: string };
  },
  problems: Problems,
): Promise<CheckpointCheck> {
  const out: CheckpointCheck = { checked: 0, timestamped: 0, notTimestamped: 0, latest: null };
  const rows = await listCheckpoints(db);
  if (rows.length > 0 && !opts.publicKeyPem) {
    problems.add({
      kind: 'checkpoint',
      checkpoint: 1,
      reason: 'no trusted public key: put evidence.pub beside the signing key or pass --public-key FILE',
    });
    return out;
  }
  let prev: CheckpointRow | null = null;
  for (const [i, row] of rows.entries()) {
    const number = i + 1;
    const checkAll = row.at >= opts.sinceAt || i === rows.length - 1;
    const problem = (reason: string) => problems.add({ kind: 'checkpoint', checkpoint: number, reason });
    let s: CheckpointStatement;
    try {
      s = JSON.parse(row.statement) as CheckpointStatement;
    } catch {
      problem('the statement is not JSON: it was altered');
      prev = row;
      continue;
    }
    out.checked++;
    const bytes = Buffer.from(row.statement, 'utf8');
    if (!verifySignature(opts.publicKeyPem!, bytes, row.signature)) {
      problem('the signature does not verify under the trusted public key: the checkpoint was forged or altered');
    } else if (s.format !== CHECKPOINT_FORMAT || s.number !== number) {
      problem(`the checkpoint states number ${s.number}, but it is number ${number}: checkpoints were removed`);
    } else if (s.previous !== (prev ? statementHash(prev.statement) : CHAIN_GENESIS)) {
      problem('it does not name the previous checkpoint: checkpoints were removed or reordered');
    } else {
      await checkHeads(db, s, problem, opts.auditPruned);
    }
    let timestampedAt: string | undefined;
    if (row.tsa_reply && opts.tsaCaPem && checkAll) {
      // Older checkpoints' time-stamps are checked by a full run; `--since` checks the recent ones.
      const ts = await verifyTimestamp(Buffer.from(row.tsa_reply), bytes, opts.tsaCaPem);
      if (ts.ok) {
        out.timestamped++;
        timestampedAt = ts.genTime;
      } else problem(`the RFC 3161 time-stamp does not verify: ${ts.reason}`);
    } else out.notTimestamped++;
    out.latest = {
      number,
      at: s.at,
      ingestEvents: s.ingest?.events ?? 0,
      auditEvents: s.audit?.events ?? 0,
      ...(timestampedAt ? { timestampedAt } : {}),
    };
    prev = row;
  }
  return out;
}

async function checkHeads(
  db: Db,
  s: CheckpointStatement,
  problem: (reason: string) => void,
  auditPruned: { throughId: number; head: string } | undefined,
): Promise<void> {
  for (const chain of ['ingest', 'audit'] as const) {
    const stated = s[chain];
    if (stated.lastEventId === 0) continue;
    if (chain === 'audit' && auditPruned && stated.lastEventId <= auditPruned.throughId) {
      // A head the audit log's retention removed: only the anchor's own statement can be compared.
      if (stated.lastEventId === auditPruned.throughId && stated.head !== auditPruned.head) {
        problem(`audit event ${stated.lastEventId} was pruned with a hash other than the one this checkpoint signed`);
      }
      continue;
    }
    const hash = await chainHashAt(db, chain, stated.lastEventId);
    if (hash === undefined) {
      problem(`${chain} event ${stated.lastEventId}, the head this checkpoint signed, is gone: events were removed`);
    } else if (hash !== stated.head) {
      problem(
        `${chain} event ${stated.lastEventId} no longer has the hash this checkpoint signed: the log was rewritten`,
      );
    }
  }
}
