/**
 * Supervision's tables: policies, the flags they raise, reviewer actions and the position of a
 * history apply. A flag is written once per (policy, item); raising it again (an apply after a
 * policy change) refreshes why it was raised while nobody has reviewed it yet, and never
 * touches one a reviewer is working on or has resolved.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';
import { transact } from './transaction.js';

type Q = Db | Transaction<Database> | Kysely<Database>;

export interface SupervisionPolicyRow {
  id: number;
  name: string;
  conditionsJson: string;
  reviewers: string[];
  enabled: boolean;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface SupervisionFlagWrite {
  policyId: number;
  policyVersion: number;
  itemKey: string;
  connectorId: string;
  msgid: string;
  msgTime: number;
  terms: string[];
  reasons: string[];
}

export interface SupervisionFlagRow extends SupervisionFlagWrite {
  policyName: string;
  state: string;
  tag: string | null;
  assignee: string | null;
  flaggedAt: number;
  resolvedAt: number | null;
}

function policyOf(r: Record<keyof Database['supervision_policies'], unknown>): SupervisionPolicyRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    conditionsJson: String(r.conditions_json),
    reviewers: JSON.parse(String(r.reviewers_json)) as string[],
    enabled: Number(r.enabled) === 1,
    version: Number(r.version),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export async function insertSupervisionPolicy(
  db: Q,
  p: { name: string; conditionsJson: string; reviewers: string[]; createdBy: string; now: number },
): Promise<number> {
  const row = await db
    .insertInto('supervision_policies')
    .values({
      name: p.name,
      conditions_json: p.conditionsJson,
      reviewers_json: JSON.stringify(p.reviewers),
      enabled: 1,
      version: 1,
      created_by: p.createdBy,
      created_at: p.now,
      updated_at: p.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Changes a policy; a change of its conditions bumps its version. */
export async function updateSupervisionPolicy(
  db: Q,
  id: number,
  p: { name?: string; conditionsJson?: string; reviewers?: string[]; enabled?: boolean; now: number },
): Promise<boolean> {
  const res = await db
    .updateTable('supervision_policies')
    .set((eb) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.conditionsJson !== undefined ? { conditions_json: p.conditionsJson, version: eb('version', '+', 1) } : {}),
      ...(p.reviewers !== undefined ? { reviewers_json: JSON.stringify(p.reviewers) } : {}),
      ...(p.enabled !== undefined ? { enabled: p.enabled ? 1 : 0 } : {}),
      updated_at: p.now,
    }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getSupervisionPolicy(db: Q, id: number): Promise<SupervisionPolicyRow | undefined> {
  const r = await db.selectFrom('supervision_policies').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? policyOf(r) : undefined;
}

export async function listSupervisionPolicies(
  db: Q,
  opts: { enabledOnly?: boolean } = {},
): Promise<SupervisionPolicyRow[]> {
  let q = db.selectFrom('supervision_policies').selectAll().orderBy('id');
  if (opts.enabledOnly) q = q.where('enabled', '=', 1);
  return (await q.execute()).map(policyOf);
}

/** Raises flags; an existing open flag gets the newer reasons, a reviewed one is left as it is. */
export async function writeSupervisionFlags(
  db: Q,
  flags: readonly SupervisionFlagWrite[],
  now: number,
): Promise<number> {
  let written = 0;
  for (const f of flags) {
    const res = await db
      .insertInto('supervision_flags')
      .values({
        policy_id: f.policyId,
        item_key: f.itemKey,
        connector_id: f.connectorId,
        msgid: f.msgid,
        msg_time: f.msgTime,
        policy_version: f.policyVersion,
        terms_json: JSON.stringify(f.terms),
        reasons_json: JSON.stringify(f.reasons),
        state: 'open',
        tag: null,
        assignee: null,
        flagged_at: now,
        resolved_at: null,
      })
      .onConflict((oc) =>
        oc
          .columns(['policy_id', 'item_key'])
          .doUpdateSet((eb) => ({
            policy_version: eb.ref('excluded.policy_version'),
            terms_json: eb.ref('excluded.terms_json'),
            reasons_json: eb.ref('excluded.reasons_json'),
          }))
          .where('supervision_flags.state', '=', 'open'),
      )
      .executeTakeFirst();
    written += Number(res.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

export interface FlagFilter {
  policyId?: number;
  state?: string;
  assignee?: string;
  itemKey?: string;
  /** only the flags this reviewer holds or that these policies (naming them) raised */
  reviewer?: { username: string; policyIds: readonly number[] };
  limit?: number;
}

export async function listSupervisionFlags(db: Q, f: FlagFilter = {}): Promise<SupervisionFlagRow[]> {
  let q = db
    .selectFrom('supervision_flags as f')
    .innerJoin('supervision_policies as p', 'p.id', 'f.policy_id')
    .selectAll('f')
    .select('p.name as policy_name')
    .orderBy('f.flagged_at')
    .orderBy('f.msg_time')
    .orderBy('f.item_key')
    // one item flagged by two policies at once: the same order on both databases
    .orderBy('f.policy_id');
  if (f.policyId !== undefined) q = q.where('f.policy_id', '=', f.policyId);
  if (f.state !== undefined) q = q.where('f.state', '=', f.state);
  if (f.assignee !== undefined) q = q.where('f.assignee', '=', f.assignee);
  if (f.itemKey !== undefined) q = q.where('f.item_key', '=', f.itemKey);
  const r = f.reviewer;
  if (r !== undefined)
    q = q.where((eb) =>
      eb.or([
        eb('f.assignee', '=', r.username),
        ...(r.policyIds.length > 0 ? [eb('f.policy_id', 'in', [...r.policyIds])] : []),
      ]),
    );
  if (f.limit !== undefined) q = q.limit(f.limit);
  const rows = await q.execute();
  return rows.map((r) => ({
    policyId: Number(r.policy_id),
    policyName: r.policy_name,
    policyVersion: Number(r.policy_version),
    itemKey: r.item_key,
    connectorId: r.connector_id,
    msgid: r.msgid,
    msgTime: Number(r.msg_time),
    terms: JSON.parse(r.terms_json) as string[],
    reasons: JSON.parse(r.reasons_json) as string[],
    state: r.state,
    tag: r.tag,
    assignee: r.assignee,
    flaggedAt: Number(r.flagged_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  }));
}

/** One reviewer action: the flag's new state and the action's record, in one transaction. */
export async function recordSupervisionAction(
  db: Db,
  a: {
    policyId: number;
    itemKey: string;
    actor: string;
    action: string;
    detail?: string;
    set?: { state?: string; tag?: string | null; assignee?: string | null; resolvedAt?: number | null };
    now: number;
  },
): Promise<void> {
  await transact(db, async (tx) => {
    if (a.set && Object.keys(a.set).length > 0)
      await tx
        .updateTable('supervision_flags')
        .set({
          ...(a.set.state !== undefined ? { state: a.set.state } : {}),
          ...(a.set.tag !== undefined ? { tag: a.set.tag } : {}),
          ...(a.set.assignee !== undefined ? { assignee: a.set.assignee } : {}),
          ...(a.set.resolvedAt !== undefined ? { resolved_at: a.set.resolvedAt } : {}),
        })
        .where('policy_id', '=', a.policyId)
        .where('item_key', '=', a.itemKey)
        .execute();
    await tx
      .insertInto('supervision_actions')
      .values({
        policy_id: a.policyId,
        item_key: a.itemKey,
        actor: a.actor,
        action: a.action,
        detail: a.detail ?? null,
        at: a.now,
      })
      .execute();
  });
}

export interface SupervisionActionRow {
  actor: string;
  action: string;
  detail: string | null;
  at: number;
}

export async function listSupervisionActions(
  db: Q,
  policyId: number,
  itemKey: string,
): Promise<SupervisionActionRow[]> {
  const rows = await db
    .selectFrom('supervision_actions')
    .select(['actor', 'action', 'detail', 'at'])
    .where('policy_id', '=', policyId)
    .where('item_key', '=', itemKey)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, at: Number(r.at) }));
}

export interface SupervisionCounts {
  key: string;
  flagged: number;
  reviewed: number;
  open: number;
  oldestOpenFlaggedAt: number | null;
}

/** Flagged, reviewed (resolved), open and the oldest open flag, grouped by policy or by assignee. */
async function supervisionCounts(db: Q, by: 'policy_id' | 'assignee'): Promise<SupervisionCounts[]> {
  const rows = await db
    .selectFrom('supervision_flags')
    .where(by, 'is not', null)
    .select((eb) => [
      eb.ref(by).as('key'),
      eb.fn.countAll<number>().as('flagged'),
      eb.fn.sum<number>(eb.case().when('state', '=', 'resolved').then(1).else(0).end()).as('reviewed'),
      eb.fn.sum<number>(eb.case().when('state', '!=', 'resolved').then(1).else(0).end()).as('open'),
      eb.fn.min<number>(eb.case().when('state', '!=', 'resolved').then(eb.ref('flagged_at')).end()).as('oldest'),
    ])
    .groupBy(by)
    .execute();
  return rows.map((r) => ({
    key: String(r.key),
    flagged: Number(r.flagged),
    reviewed: Number(r.reviewed ?? 0),
    open: Number(r.open ?? 0),
    oldestOpenFlaggedAt: r.oldest === null ? null : Number(r.oldest),
  }));
}

export const supervisionCountsByPolicy = (db: Q) => supervisionCounts(db, 'policy_id');
/** Per reviewer: items assigned to them (flagged), resolved by them (reviewed), still open with them. */
export const supervisionCountsByReviewer = (db: Q) => supervisionCounts(db, 'assignee');

export interface SupervisionApplyRow {
  policyVersion: number;
  cursor: string;
  done: number;
  flagged: number;
  startedAt: number;
  finishedAt: number | null;
}

export async function getSupervisionApply(db: Q, policyId: number): Promise<SupervisionApplyRow | undefined> {
  const r = await db.selectFrom('supervision_apply').selectAll().where('policy_id', '=', policyId).executeTakeFirst();
  if (!r) return undefined;
  return {
    policyVersion: Number(r.policy_version),
    cursor: r.cursor,
    done: Number(r.done),
    flagged: Number(r.flagged),
    startedAt: Number(r.started_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}

export async function saveSupervisionApply(db: Q, policyId: number, a: SupervisionApplyRow): Promise<void> {
  const values = {
    policy_version: a.policyVersion,
    cursor: a.cursor,
    done: a.done,
    flagged: a.flagged,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
  };
  await db
    .insertInto('supervision_apply')
    .values({ policy_id: policyId, ...values })
    .onConflict((oc) => oc.column('policy_id').doUpdateSet(values))
    .execute();
}
