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

async function reviewSetKeys(db: Db, username: string, keys: string[]): Promise<string[]> {
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

async function supervisionKeys(db: Db, username: string, keys: string[]): Promise<string[]> {
  // Supervision keeps reviewer names lower-cased (compliance/supervision/policy.ts).
  const who = username.toLowerCase();
  const rows = await db
    .selectFrom('supervision_flags as f')
    .innerJoin('supervision_policies as p', 'p.id', 'f.policy_id')
    .select(['f.item_key', 'f.assignee', 'p.reviewers_json'])
    .where('f.item_key', 'in', keys)
    .execute();
  // The policy's reviewers are a JSON list; matched here rather than with a dialect's JSON
  // functions so that SQLite and PostgreSQL answer alike.
  return rows
    .filter((r) => r.assignee === who || (JSON.parse(r.reviewers_json) as string[]).includes(who))
    .map((r) => r.item_key);
}

async function dispositionKeys(db: Db, username: string, keys: string[]): Promise<string[]> {
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

/** The subset of `itemKeys` that `username` may open under `grants`. */
export async function itemsInReviewScope(
  db: Db,
  username: string,
  grants: ReviewScopeGrants,
  itemKeys: readonly string[],
): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(itemKeys)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const found = await Promise.all([
      grants.reviewSets ? reviewSetKeys(db, username, chunk) : [],
      grants.supervision ? supervisionKeys(db, username, chunk) : [],
      grants.retention ? dispositionKeys(db, username, chunk) : [],
    ]);
    for (const k of found.flat()) out.add(k);
  }
  return out;
}

/**
 * Whether a conversation holds at least one item `username` may open: its messages are then
 * that item's context. Candidates are the conversation's items that some kind of work names,
 * so the check reads the work lists, never the whole conversation.
 */
export async function conversationInReviewScope(
  db: Db,
  username: string,
  grants: ReviewScopeGrants,
  conversation: { connectorId: string; conversationId: string },
): Promise<boolean> {
  const candidates = new Set<string>();
  const itemsOf = db
    .selectFrom('items')
    .select('key')
    .where('connector_id', '=', conversation.connectorId)
    .where('conversation_id', '=', conversation.conversationId);
  if (grants.reviewSets) {
    const rows = await db
      .selectFrom('review_set_items as i')
      .innerJoin('review_set_reviewers as r', 'r.review_set_id', 'i.review_set_id')
      .select('i.item_key')
      .where('r.username', '=', username)
      .where('i.item_key', 'in', itemsOf)
      .limit(1)
      .execute();
    if (rows.length > 0) return true;
  }
  if (grants.supervision) {
    const rows = await db.selectFrom('supervision_flags').select('item_key').where('item_key', 'in', itemsOf).execute();
    for (const r of rows) candidates.add(r.item_key);
  }
  if (grants.retention) {
    const rows = await db
      .selectFrom('disposition_entries as d')
      .innerJoin('disposition_batches as b', 'b.id', 'd.batch_id')
      .select('d.item_key')
      .where('b.reviewer', '=', username)
      .where('b.status', 'in', OPEN_BATCH)
      .where('d.item_key', 'in', itemsOf)
      .limit(1)
      .execute();
    if (rows.length > 0) return true;
  }
  if (candidates.size === 0) return false;
  const ok = await itemsInReviewScope(db, username, { reviewSets: false, supervision: true, retention: false }, [
    ...candidates,
  ]);
  return ok.size > 0;
}
