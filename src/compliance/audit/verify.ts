/**
 * Proves the audit log unaltered: recomputes every event's hash in id order and checks that
 * each event names its predecessor's hash. Reads in pages so that millions of events never
 * sit in memory at once. Used by the `verify` job and the console.
 */
import type { Db } from '../../store/db.js';
import { AUDIT_GENESIS, auditHash } from './log.js';

const PAGE = 1000;

export interface AuditVerification {
  ok: boolean;
  /** events read */
  events: number;
  /** the first event where the chain breaks, and why */
  firstBad?: { id: number; reason: string };
}

/**
 * A changed event fails its own hash; a deleted or inserted one breaks the next event's link.
 * Deleting the newest events leaves a shorter chain that still verifies: anchoring the head
 * outside the database (an RFC 3161 time-stamp, a copy) is what detects that.
 */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  let events = 0;
  let prevHash = AUDIT_GENESIS;
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
        const reason = checkRow(row, prevHash, prevId);
        if (reason) firstBad = { id: row.id, reason };
      }
      // Continue from the stored hash, so that one bad event is reported once, not as a cascade.
      prevHash = row.hash;
      prevId = row.id;
      lastId = row.id;
    }
    if (rows.length < PAGE) break;
  }
  return firstBad ? { ok: false, events, firstBad } : { ok: true, events };
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
): string | null {
  if (row.prev_hash !== prevHash) {
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
