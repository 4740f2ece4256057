/**
 * Applies a policy to the items archived before it existed or changed: every item is evaluated
 * with the same search document and the same decision as at ingest, a batch per transaction,
 * with the position saved beside the flags so that an interrupted apply resumes where it
 * stopped. Yields between batches so that a serving process keeps answering.
 */
import { ArchiverError } from '../../core/errors.js';
import {
  countItems,
  getSupervisionApply,
  loadDirectory,
  loadReindexBatch,
  saveSupervisionApply,
  transact,
  writeSupervisionFlags,
  type Store,
  type SupervisionFlagWrite,
} from '../../store/index.js';
import { directoryOf, documentOfItem, type Directory } from '../search/reindex.js';
import { flagsFor } from './flag.js';
import { compilePolicy, type PolicyConditions } from './policy.js';
import { getSupervisionPolicy } from '../../store/supervision.js';

export interface ApplyProgress {
  done: number;
  total: number;
  flagged: number;
}

export interface ApplySummary extends ApplyProgress {
  policyId: number;
  policyVersion: number;
  resumed: boolean;
  durationMs: number;
}

export async function applyPolicyToHistory(
  store: Store,
  policyId: number,
  opts: { batchSize?: number; onProgress?: (p: ApplyProgress) => void; now?: () => number } = {},
): Promise<ApplySummary> {
  const now = opts.now ?? Date.now;
  const started = now();
  const row = await getSupervisionPolicy(store.db, policyId);
  if (!row)
    throw new ArchiverError('WXA_NOT_FOUND', `no supervision policy ${policyId}; see the console's Supervision page`);
  const policy = compilePolicy(row.id, row.version, JSON.parse(row.conditionsJson) as PolicyConditions);
  const total = (await countItems(store.db)).items;
  const saved = await getSupervisionApply(store.db, policyId);
  // An unfinished apply of the same version resumes; anything else starts over.
  const resume = saved && saved.finishedAt === null && saved.policyVersion === row.version ? saved : undefined;
  let cursor = resume?.cursor ?? '';
  let done = resume?.done ?? 0;
  let flagged = resume?.flagged ?? 0;
  const startedAt = resume?.startedAt ?? started;
  const dirs = new Map<string, Directory>();
  opts.onProgress?.({ done, total, flagged });
  for (;;) {
    const batch = await loadReindexBatch(store.db, cursor, opts.batchSize ?? 500);
    if (batch.length === 0) break;
    const flags: SupervisionFlagWrite[] = [];
    for (const item of batch) {
      let dir = dirs.get(item.connectorId);
      if (!dir) {
        dir = directoryOf(await loadDirectory(store.db, item.connectorId));
        dirs.set(item.connectorId, dir);
      }
      flags.push(...flagsFor([policy], await documentOfItem(store, item, dir)));
    }
    cursor = batch[batch.length - 1]!.key;
    done += batch.length;
    flagged += flags.length;
    const at = now();
    await transact(store.db, async (tx) => {
      await writeSupervisionFlags(tx, flags, at);
      await saveSupervisionApply(tx, policyId, {
        policyVersion: row.version,
        cursor,
        done,
        flagged,
        startedAt,
        finishedAt: null,
      });
    });
    opts.onProgress?.({ done, total: Math.max(total, done), flagged });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await saveSupervisionApply(store.db, policyId, {
    policyVersion: row.version,
    cursor,
    done,
    flagged,
    startedAt,
    finishedAt: now(),
  });
  return {
    policyId,
    policyVersion: row.version,
    done,
    total: Math.max(total, done),
    flagged,
    resumed: resume !== undefined,
    durationMs: now() - started,
  };
}
