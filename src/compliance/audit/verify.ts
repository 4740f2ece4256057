/**
 * Proves the audit log unaltered: recomputes every event's hash in id order and checks that
 * each event names its predecessor's hash. Reads in pages so that millions of events never
 * sit in memory at once. Used by the `verify` job and the console.
 */
import type { Db } from '../../store/db.js';
import { firstAuditEvent, latestAuditPrune } from '../../store/index.js';
import { AUDIT_GENESIS, auditHash } from './log.js';

const PAGE = 1000;

export interface AuditVerification {
  ok: boolean;
  /** events read */
  events: number;
  /** the first event where the chain breaks, and why */
  firstBad?: { id: number; reason: string };
  /** when older events were pruned: the anchor the remaining chain starts from */
  pruned?: { throughId: number; head: string; anchorEventId: number };
}

/**
 * Where the chain starts: the genesis value, or, after `audit prune`, the hash of the last
 * removed event as the newest `audit.prune` event states it. That event's own hash is checked
 * when the walk reaches it, so a forged anchor is caught like any altered event.
 */
async function chainStart(db: Db): Promise<{ prevHash: string; pruned?: AuditVerification['pruned'] }> {
  const first = await firstAuditEvent(db);
  if (!first || first.prev_hash === AUDIT_GENESIS) return { prevHash: AUDIT_GENESIS };
  const anchor = await latestAuditPrune(db);
  if (!anchor) return { prevHash: AUDIT_GENESIS };
  let stated: { throughId?: unknown; head?: unknown };
  try {
    stated = JSON.parse(anchor.detail_json) as typeof stated;
  } catch {
    return { prevHash: AUDIT_GENESIS };
  }
  if (typeof stated.throughId !== 'number' || typeof stated.head !== 'string' || first.id <= stated.throughId) {
    return { prevHash: AUDIT_GENESIS };
  }
  return {
    prevHash: stated.head,
    pruned: { throughId: stated.throughId, head: stated.head, anchorEventId: anchor.id },
  };
}

/**
 * A changed event fails its own hash; a deleted or inserted one breaks the next event's link.
 * Deleting the newest events leaves a shorter chain that still verifies: anchoring the head
 * outside the database (an RFC 3161 time-stamp, a copy) is what detects that.
 */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  let events = 0;
  const start = await chainStart(db);
  let prevHash = start.prevHash;
  let prevId: number | null = null;
  let lastId = 0;
  let firstBad: AuditVerification['firstBad'];
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', lastId)
      .orderBy('id', 'asc')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      events++;
      if (!firstBad) {
        const reason = checkRow(row, prevHash, prevId, start.pruned);
        if (reason) firstBad = { id: row.id, reason };
      }
      // Continue from the stored hash, so that one bad event is reported once, not as a cascade.
      prevHash = row.hash;
      prevId = row.id;
      lastId = row.id;
    }
    if (rows.length < PAGE) break;
  }
  const pruned = start.pruned ? { pruned: start.pruned } : {};
  return firstBad ? { ok: false, events, firstBad, ...pruned } : { ok: true, events, ...pruned };
}

function checkRow(
  row: {
    detail_json: string;
    prev_hash: string;
    hash: string;
    at: number;
    actor: string;
    action: string;
    target: string;
    ip: string;
  },
  prevHash: string,
  prevId: number | null,
  pruned: AuditVerification['pruned'],
): string | null {
  if (row.prev_hash !== prevHash) {
    if (prevId === null && pruned) {
      return `prev_hash is not the hash of event ${pruned.throughId}, the last one audit prune removed (event ${pruned.anchorEventId} states it): events after the pruned ones were deleted`;
    }
    return prevId === null
      ? 'prev_hash is not the genesis value: events before this one were deleted'
      : `prev_hash does not match the hash of event ${prevId}: an event between them was deleted or inserted, or event ${prevId} was rewritten`;
  }
  let detail: unknown;
  try {
    detail = JSON.parse(row.detail_json);
  } catch {
    return 'detail is not valid JSON: the event was altered';
  }
  if (auditHash(prevHash, { ...row, detail }) !== row.hash) {
    return 'hash does not match the event: a field of this event was altered';
  }
  return null;
}
