/**
 * Item scoping, decided in the access hook from the MATCHED route's parameters, so no handler
 * can forget it. A route declaring `items:open` opens archived content: anyone with
 * archive-wide `mailboxes:read` may open any item; anyone else (a Reviewer) only an item of
 * their own work (store/review-scope.ts): an `:itemKey` in their scope, or a conversation
 * (`:connectorId/:conversationId`) holding such an item, whose other messages are that item's
 * context. Everything else is refused with 403, which the refusal audit records.
 */
import { can } from '../security/index.js';
import {
  conversationInReviewScope,
  itemsInReviewScope,
  supervisionFlagInScope,
  type Db,
  type ReviewScopeGrants,
} from '../store/index.js';
import type { ScopeRefusal } from './case-access.js';
import type { SessionUser } from './contract.js';

/** The kinds of work that widen a user's reach; undefined: the user may open every item. */
export function reviewScopeOf(user: SessionUser): ReviewScopeGrants | undefined {
  if (can(user.roles, 'mailboxes:read')) return undefined;
  return {
    reviewSets: can(user.roles, 'review'),
    supervision: can(user.roles, 'supervision:review'),
    retention: can(user.roles, 'retention:review'),
  };
}

/** The subset of `itemKeys` the user may open (all of them with archive-wide access). */
export async function openableItems(db: Db, user: SessionUser, itemKeys: readonly string[]): Promise<Set<string>> {
  const grants = reviewScopeOf(user);
  if (!grants) return new Set(itemKeys);
  return itemsInReviewScope(db, user.username, grants, itemKeys);
}

/**
 * A queue item's actions and history (`/supervision/queue/:id/:itemKey/...`): a reviewer who
 * does not manage supervision acts only on flags of the policies naming them, or that are with
 * them; claiming another policy's flag would otherwise open its item to anyone with the role.
 */
async function supervisionScopeRefusal(
  db: Db,
  user: SessionUser,
  params: Record<string, string | undefined>,
): Promise<ScopeRefusal | undefined> {
  const policyId = params['id'];
  const itemKey = params['itemKey'];
  if (policyId === undefined || itemKey === undefined || can(user.roles, 'supervision:manage')) return undefined;
  // A policy id that is not an integer names no policy (PostgreSQL would refuse to compare it).
  const id = Number(policyId);
  if (Number.isSafeInteger(id) && (await supervisionFlagInScope(db, user.username, id, itemKey))) return undefined;
  return {
    status: 403,
    message: `supervision policy ${policyId} does not name you as a reviewer and its flag on item ${itemKey} is not with you`,
  };
}

/** Undefined when allowed; otherwise why not. Only routes declaring `items:open` are scoped here. */
export async function itemScopeRefusal(
  db: Db,
  user: SessionUser,
  access: string,
  params: Record<string, string | undefined>,
): Promise<ScopeRefusal | undefined> {
  if (access === 'supervision:review') return supervisionScopeRefusal(db, user, params);
  if (access !== 'items:open') return undefined;
  const grants = reviewScopeOf(user);
  if (!grants) return undefined;
  const itemKey = params['itemKey'];
  if (itemKey !== undefined) {
    const ok = await itemsInReviewScope(db, user.username, grants, [itemKey]);
    if (ok.has(itemKey)) return undefined;
    return {
      status: 403,
      message: `item ${itemKey} is in none of your review sets, supervision queue items or disposition batches`,
    };
  }
  const connectorId = params['connectorId'];
  const conversationId = params['conversationId'];
  if (connectorId !== undefined && conversationId !== undefined) {
    if (await conversationInReviewScope(db, user.username, grants, { connectorId, conversationId })) return undefined;
    return {
      status: 403,
      message: `conversation ${conversationId} holds no item of your review sets, supervision queue or disposition batches`,
    };
  }
  // An item route that names no item cannot be scoped: refused rather than opened to all.
  return { status: 403, message: 'this route names no item you review; ask an organization admin' };
}
