/**
 * Retention policy rows. The preservation lock is enforced here for every caller (CLI, API,
 * scheduler) and again by the triggers of migrations/011-retention.ts for raw SQL; every change
 * is written to the ingest log in the same transaction, so a policy's history is provable.
 */
import type { Selectable } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import type { Db } from './db.js';
import { inTransaction } from './ingest-log.js';
import type { RetentionPolicyTable } from './schema.js';
import { logPolicyChange } from './tombstones.js';

export type PolicyRow = Selectable<RetentionPolicyTable>;

/** The fields a change may set; the lock decides which of them it may set. */
export interface PolicyPatch {
  name?: string;
  period_value?: number;
  period_unit?: string;
  action?: string;
  scope_json?: string;
  reviewer?: string | null;
  enabled?: number;
}

/** The SQLite trigger's message prefix; turned back into our error where the store catches it. */
const LOCK_TAG = 'WXA_RETENTION_LOCKED';

function lockedError(id: string, what: string): ArchiverError {
  return new ArchiverError(
    'WXA_RETENTION_LOCKED',
    `retention policy ${id} is locked: it ${what}; a locked policy can only be extended (a longer period) or renamed`,
  );
}

/** Why a change to a locked policy is refused, or null when it only extends it. */
export function lockRefusal(old: PolicyRow, p: PolicyPatch): string | null {
  if (p.enabled !== undefined && p.enabled !== old.enabled) return 'cannot be disabled';
  if (p.period_unit !== undefined && p.period_unit !== old.period_unit)
    return `cannot change its period unit (${old.period_unit})`;
  if (p.period_value !== undefined && p.period_value < old.period_value)
    return `cannot be shortened below ${old.period_value} ${old.period_unit}`;
  if (p.scope_json !== undefined && p.scope_json !== old.scope_json) return 'cannot change its scope';
  if (p.action !== undefined && p.action !== old.action) return 'cannot change its action';
  if (p.reviewer !== undefined && p.reviewer !== old.reviewer) return 'cannot change its reviewer';
  return null;
}

/** Runs a write, turning the lock trigger's abort into WXA_RETENTION_LOCKED. */
async function guarded<T>(id: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && err.message.includes(LOCK_TAG)) throw lockedError(id, 'refused the change');
    throw err;
  }
}

function publicView(r: PolicyRow): Record<string, unknown> {
  return {
    name: r.name,
    period: { value: r.period_value, unit: r.period_unit },
    action: r.action,
    scope: JSON.parse(r.scope_json) as unknown,
    reviewer: r.reviewer,
    enabled: r.enabled === 1,
    locked: r.locked === 1,
  };
}

export async function insertPolicy(db: Db, row: PolicyRow, actor: string, now: number): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx.insertInto('retention_policies').values(row).execute();
    await logPolicyChange(tx, { policyId: row.id, change: 'create', actor, policy: publicView(row) }, now);
  });
}

export async function getPolicy(db: Db, id: string): Promise<PolicyRow | undefined> {
  return db.selectFrom('retention_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listPolicies(db: Db): Promise<PolicyRow[]> {
  return db.selectFrom('retention_policies').selectAll().orderBy('created_at').orderBy('id').execute();
}

async function mustGet(db: Db, id: string): Promise<PolicyRow> {
  const row = await getPolicy(db, id);
  if (!row) throw new ArchiverError('WXA_NOT_FOUND', `no retention policy has id ${id}; see \`retention list\``);
  return row;
}

/** Changes a policy; on a locked one only what extends it. */
export async function updatePolicy(db: Db, id: string, p: PolicyPatch, actor: string, now: number): Promise<PolicyRow> {
  return guarded(id, () =>
    inTransaction(db, async (tx) => {
      const old = await mustGet(tx, id);
      if (old.locked === 1) {
        const why = lockRefusal(old, p);
        if (why) throw lockedError(id, why);
      }
      const row = await tx
        .updateTable('retention_policies')
        .set({ ...p, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await logPolicyChange(tx, { policyId: id, change: 'update', actor, policy: publicView(row) }, now);
      return row;
    }),
  );
}

/** Locks a policy for good (Preservation Lock): from now on it can only be extended. */
export async function lockPolicy(db: Db, id: string, actor: string, now: number): Promise<PolicyRow> {
  return inTransaction(db, async (tx) => {
    const old = await mustGet(tx, id);
    if (old.locked === 1) return old;
    if (old.enabled !== 1) {
      throw new ArchiverError(
        'WXA_RETENTION_INVALID',
        `retention policy ${id} is disabled: enable it before locking it`,
      );
    }
    const row = await tx
      .updateTable('retention_policies')
      .set({ locked: 1, locked_at: now, locked_by: actor, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await logPolicyChange(
      tx,
      { policyId: id, change: 'update', actor, policy: { ...publicView(row), lockedBy: actor } },
      now,
    );
    return row;
  });
}

/** Removes an unlocked policy; its pending review batches go with it (nothing was deleted by them). */
export async function removePolicy(db: Db, id: string, actor: string, now: number): Promise<void> {
  await guarded(id, () =>
    inTransaction(db, async (tx) => {
      const old = await mustGet(tx, id);
      if (old.locked === 1) throw lockedError(id, 'cannot be removed');
      const open = tx
        .selectFrom('disposition_batches')
        .select('id')
        .where('policy_id', '=', id)
        .where('status', 'in', ['pending', 'postponed']);
      await tx.deleteFrom('disposition_entries').where('batch_id', 'in', open).execute();
      await tx
        .updateTable('disposition_batches')
        .set({ status: 'cancelled', decided_at: now, decided_by: actor })
        .where('policy_id', '=', id)
        .where('status', 'in', ['pending', 'postponed'])
        .execute();
      await tx.deleteFrom('retention_policies').where('id', '=', id).execute();
      await logPolicyChange(tx, { policyId: id, change: 'delete', actor, policy: publicView(old) }, now);
    }),
  );
}
