/**
 * The items a console user without archive-wide access may open: those of the review sets
 * assigned to them, of the supervision flags they hold or that a policy naming them raised, and
 * of the disposition batches naming them. The access hook asks here on every item route, so a
 * Reviewer's reach is the work given to them, whatever the URL names.
 */
import type { Db } from './db.js';

/** Which kinds of work count, from the user's permissions (review, supervision:review, retention:review). */
export interface ReviewScopeGrants {
  reviewSets: boolean;
  supervision: boolean;
  retention: boolean;
}

/** Batches whose items are still the reviewer's to look at: decided or waiting, not yet carried out. */
const OPEN_BATCH = ['pending', 'postponed', 'approved'];

/** SQLite's default bound-parameter limit is far above this; chunks keep IN lists modest. */
const CHUNK = 500;

/** Item keys to check: a list, or a subquery of them (a conversation's items). */
type Keys = string[] | ReturnType<typeof conversationKeys>;

function conversationKeys(db: Db, c: { connectorId: string; conversationId: string }) {
  return db
    .selectFrom('items')
    .select('key')
    .where('connector_id', '=', c.connectorId)
    .where('conversation_id', '=', c.conversationId);
}

async function reviewSetKeys(db: Db, username: string, keys: Keys): Promise<string[]> {
  const rows = await db
    .selectFrom('review_set_items as i')
    .innerJoin('review_set_reviewers as r', 'r.review_set_id', 'i.review_set_id')
    .select('i.item_key')
    .distinct()
    .where('r.username', '=', username)
    .where('i.item_key', 'in', keys)
    .execute();
  return rows.map((r) => r.item_key);
}

/** Of `keys`, the flagged items (of one policy, or any) whose flag is with the user or whose policy names them. */
async function supervisionKeys(db: Db, username: string, keys: Keys, policyId?: number): Promise<string[]> {
  // Supervision keeps reviewer names lower-cased (compliance/supervision/policy.ts).
  const who = username.toLowerCase();
  let q = db
    .selectFrom('supervision_flags as f')
    .innerJoin('supervision_policies as p', 'p.id', 'f.policy_id')
    .select(['f.item_key', 'f.assignee', 'p.reviewers_json'])
    .where('f.item_key', 'in', keys);
  if (policyId !== undefined) q = q.where('f.policy_id', '=', policyId);
  // The policy's reviewers are a JSON list; matched here rather than with a dialect's JSON
  // functions so that SQLite and PostgreSQL answer alike.
  return (await q.execute())
    .filter((r) => r.assignee === who || (JSON.parse(r.reviewers_json) as string[]).includes(who))
    .map((r) => r.item_key);
}

async function dispositionKeys(db: Db, username: string, keys: Keys): Promise<string[]> {
  const rows = await db
    .selectFrom('disposition_entries as d')
    .innerJoin('disposition_batches as b', 'b.id', 'd.batch_id')
    .select('d.item_key')
    .distinct()
    .where('b.reviewer', '=', username)
    .where('b.status', 'in', OPEN_BATCH)
    .where('d.item_key', 'in', keys)
    .execute();
  return rows.map((r) => r.item_key);
}

async function keysInScope(db: Db, username: string, grants: ReviewScopeGrants, keys: Keys): Promise<string[]> {
  const found = await Promise.all([
    grants.reviewSets ? reviewSetKeys(db, username, keys) : [],
    grants.supervision ? supervisionKeys(db, username, keys) : [],
    grants.retention ? dispositionKeys(db, username, keys) : [],
  ]);
  return found.flat();
}

/** The subset of `itemKeys` that `username` may open under `grants`. */
export async function itemsInReviewScope(
  db: Db,
  username: string,
  grants: ReviewScopeGrants,
  itemKeys: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(itemKeys)];
  for (let i = 0; i < unique.length; i += CHUNK)
    for (const k of await keysInScope(db, username, grants, unique.slice(i, i + CHUNK))) out.add(k);
  return out;
}

/**
 * Whether a conversation holds at least one item `username` may open: its messages are then
 * that item's context. The work lists are read for the conversation's items (a subquery on
 * the items_conversation index), never the conversation's messages themselves.
 */
export async function conversationInReviewScope(
  db: Db,
  username: string,
  grants: ReviewScopeGrants,
  conversation: { connectorId: string; conversationId: string },
): Promise<boolean> {
  return (await keysInScope(db, username, grants, conversationKeys(db, conversation))).length > 0;
}

/**
 * Whether a supervision flag is the user's to act on: the flag is with them (claimed or
 * escalated to them), or the policy that raised it names them as a reviewer.
 */
export async function supervisionFlagInScope(
  db: Db,
  username: string,
  policyId: number,
  itemKey: string,
): Promise<boolean> {
  return (await supervisionKeys(db, username, [itemKey], policyId)).length > 0;
}
