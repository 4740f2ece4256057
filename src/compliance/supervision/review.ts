/**
 * The review queue's actions, as FINRA 3110 reviews are evidenced: a reviewer claims a flagged
 * item, tags it compliant / non-compliant / questionable, comments, escalates it to another
 * reviewer or resolves it. Each action is kept with the item (its history on the review page)
 * and in the tamper-evident audit log. States: open -> claimed -> (escalated ->) resolved; a
 * resolved item can be reopened. Only the reviewer holding an item acts on it, so two
 * reviewers never decide the same item at once.
 */
import { appendAudit } from '../audit/index.js';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../../store/db.js';
import {
  listSupervisionActions,
  listSupervisionFlags,
  recordSupervisionAction,
  type SupervisionActionRow,
  type SupervisionFlagRow,
} from '../../store/supervision.js';

export const REVIEW_TAGS = ['compliant', 'non-compliant', 'questionable'] as const;
export type ReviewTag = (typeof REVIEW_TAGS)[number];

export type ReviewAction =
  | { action: 'claim' }
  | { action: 'release' }
  | { action: 'tag'; tag: ReviewTag }
  | { action: 'comment'; text: string }
  | { action: 'escalate'; to: string; text?: string }
  | { action: 'resolve'; tag?: ReviewTag; text?: string }
  | { action: 'reopen'; text?: string };

function stateError(msg: string): ArchiverError {
  return new ArchiverError('WXA_SUPERVISION_STATE', msg);
}

export async function flagOf(db: Db, policyId: number, itemKey: string): Promise<SupervisionFlagRow> {
  const [f] = await listSupervisionFlags(db, { policyId, itemKey });
  if (!f) throw new ArchiverError('WXA_NOT_FOUND', `item ${itemKey} is not flagged by supervision policy ${policyId}`);
  return f;
}

/** Applies one reviewer action; returns the flag as it now stands. */
export async function reviewItem(
  db: Db,
  policyId: number,
  itemKey: string,
  actor: string,
  act: ReviewAction,
  now = Date.now(),
): Promise<SupervisionFlagRow> {
  const f = await flagOf(db, policyId, itemKey);
  const who = actor.toLowerCase();
  const holds = f.assignee === who;
  const mustHold = () => {
    if (f.state === 'resolved') throw stateError(`item ${itemKey} is resolved; reopen it first`);
    if (!holds)
      throw stateError(
        f.assignee ? `item ${itemKey} is with ${f.assignee}; only they can act on it` : `claim item ${itemKey} first`,
      );
  };
  let set: Parameters<typeof recordSupervisionAction>[1]['set'] = {};
  let detail: string | undefined;
  switch (act.action) {
    case 'claim':
      if (f.state === 'resolved') throw stateError(`item ${itemKey} is resolved; reopen it first`);
      if (f.assignee && !holds) throw stateError(`item ${itemKey} is already claimed by ${f.assignee}`);
      set = { state: f.state === 'escalated' ? 'escalated' : 'claimed', assignee: who };
      break;
    case 'release':
      mustHold();
      set = { state: 'open', assignee: null };
      break;
    case 'tag':
      mustHold();
      if (!REVIEW_TAGS.includes(act.tag)) throw stateError(`tag is one of ${REVIEW_TAGS.join(', ')}`);
      set = { tag: act.tag };
      detail = act.tag;
      break;
    case 'comment':
      if (act.text.trim() === '') throw stateError('a comment needs text');
      detail = act.text.trim();
      break;
    case 'escalate': {
      mustHold();
      const to = act.to.trim().toLowerCase();
      if (to === '' || to === who) throw stateError('escalate to another reviewer (their console username or email)');
      set = { state: 'escalated', assignee: to };
      detail = act.text ? `${to}: ${act.text.trim()}` : to;
      break;
    }
    case 'resolve': {
      mustHold();
      const tag = act.tag ?? f.tag;
      if (!tag) throw stateError('tag the item compliant, non-compliant or questionable before resolving it');
      set = { state: 'resolved', tag, resolvedAt: now };
      detail = act.text ? `${tag}: ${act.text.trim()}` : tag;
      break;
    }
    case 'reopen':
      if (f.state !== 'resolved') throw stateError(`item ${itemKey} is not resolved`);
      set = { state: 'open', assignee: null, resolvedAt: null };
      detail = act.text?.trim();
      break;
  }
  await recordSupervisionAction(db, {
    policyId,
    itemKey,
    actor: who,
    action: act.action,
    ...(detail ? { detail } : {}),
    set,
    now,
  });
  await appendAudit(
    db,
    {
      actor: who,
      action: `supervision.${act.action}`,
      target: `supervision-policy:${policyId}/item:${itemKey}`,
      detail: {
        ...(set.state ? { state: set.state } : {}),
        ...(set.tag ? { tag: set.tag } : {}),
        ...(act.action === 'escalate' ? { to: set.assignee } : {}),
      },
    },
    now,
  );
  return flagOf(db, policyId, itemKey);
}

export async function historyOf(db: Db, policyId: number, itemKey: string): Promise<SupervisionActionRow[]> {
  return listSupervisionActions(db, policyId, itemKey);
}

/** A flagged item as the queue shows it (CLI `supervision queue --json` and the API alike). */
export function queueItemOf(r: SupervisionFlagRow) {
  return {
    msgid: r.msgid,
    itemKey: r.itemKey,
    connectorId: r.connectorId,
    policy: { id: r.policyId, name: r.policyName, version: r.policyVersion },
    terms: r.terms,
    reasons: r.reasons,
    state: r.state,
    tag: r.tag,
    assignee: r.assignee,
    time: new Date(r.msgTime).toISOString(),
    flaggedAt: new Date(r.flaggedAt).toISOString(),
  };
}
