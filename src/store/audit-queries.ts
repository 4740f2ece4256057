/**
 * The audit log's queries beyond appending and listing: the names of the cases its events
 * mention (so that the audit page says "case “Acme v. Foo”", not "case 12"), and what its own
 * retention needs (the longest retention policy, the open cases, the prune anchor, the delete).
 */
import type { Db } from './db.js';

/** Case names by id, for the ids given (unknown ids are left out). */
export async function caseNamesByIds(db: Db, ids: number[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const rows = await db.selectFrom('cases').select(['id', 'name']).where('id', 'in', ids).execute();
  return Object.fromEntries(rows.map((r) => [String(r.id), r.name]));
}

export interface PolicyPeriod {
  id: string;
  name: string;
  value: number;
  unit: string;
}

/** Every retention policy's period (enabled or not: a disabled policy can be enabled again). */
export async function retentionPeriods(db: Db): Promise<PolicyPeriod[]> {
  const rows = await db
    .selectFrom('retention_policies')
    .select(['id', 'name', 'period_value', 'period_unit'])
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, value: r.period_value, unit: r.period_unit }));
}

/** When the oldest case still open was created; an open case's record is kept whole. */
export async function oldestActiveCaseAt(db: Db): Promise<number | null> {
  const r = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.min<number>('created_at').as('at'))
    .where('status', '=', 'active')
    .executeTakeFirst();
  return r?.at ?? null;
}

/** The newest `audit.prune` event: the anchor the remaining chain starts from. */
export async function latestAuditPrune(
  db: Db,
): Promise<{ id: number; at: number; actor: string; detail_json: string } | undefined> {
  return db
    .selectFrom('audit_events')
    .select(['id', 'at', 'actor', 'detail_json'])
    .where('action', '=', 'audit.prune')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The first event, by id, at or after a time; events before it form the prefix that may go. */
export async function firstAuditIdAtOrAfter(db: Db, at: number): Promise<number | undefined> {
  const r = await db
    .selectFrom('audit_events')
    .select('id')
    .where('at', '>=', at)
    .orderBy('id', 'asc')
    .limit(1)
    .executeTakeFirst();
  return r?.id;
}

/** The last event before an id: its id and hash, and how many events there are up to it. */
export async function auditPrefix(
  db: Db,
  beforeId: number,
): Promise<{ throughId: number; head: string; events: number } | undefined> {
  const last = await db
    .selectFrom('audit_events')
    .select(['id', 'hash'])
    .where('id', '<', beforeId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return undefined;
  const n = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '<=', last.id)
    .executeTakeFirstOrThrow();
  return { throughId: last.id, head: last.hash, events: Number(n.n) };
}

/** Deletes the events up to an id; only the prune (inside its transaction, after its anchor) calls it. */
export async function deleteAuditThrough(db: Db, throughId: number): Promise<number> {
  const r = await db.deleteFrom('audit_events').where('id', '<=', throughId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The first remaining event of the chain. */
export async function firstAuditEvent(db: Db): Promise<{ id: number; prev_hash: string } | undefined> {
  return db.selectFrom('audit_events').select(['id', 'prev_hash']).orderBy('id', 'asc').limit(1).executeTakeFirst();
}
