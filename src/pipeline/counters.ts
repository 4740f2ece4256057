/**
 * A run's counters. Every raw record a run takes up ends in exactly one of archived, held or
 * failed, so `fetched = archived + held + failed` holds per run and in total (invariant 1).
 */

export interface RunCounters {
  /** new raw records pulled from the source in this run */
  captured: number;
  /** raw records this run processed: new ones plus any left pending by an interrupted run or released from a hold */
  fetched: number;
  /** records whose item reached at least one mailbox */
  archived: number;
  /** records held, by reason (unmapped, key-missing, malformed) */
  held: Record<string, number>;
  /** records that failed unexpectedly (retried by the next run) */
  failed: number;
  /** records whose msgid was already archived (the source sent it twice) */
  duplicates: number;
  /** mailbox entries written (one per item per mapped participant) */
  deliveries: number;
  /** distinct employees that map to no mailbox in this run */
  unmappedParticipants: number;
  /** items kept with a flag a reviewer should see (unknown-type, cleaned-text, incomplete-payload) */
  flagged: Record<string, number>;
  media: { fetched: number; bytes: number; md5Mismatch: number; unavailable: number };
  byType: Record<string, number>;
}

export function emptyCounters(): RunCounters {
  return {
    captured: 0,
    fetched: 0,
    archived: 0,
    held: {},
    failed: 0,
    duplicates: 0,
    deliveries: 0,
    unmappedParticipants: 0,
    flagged: {},
    media: { fetched: 0, bytes: 0, md5Mismatch: 0, unavailable: 0 },
    byType: {},
  };
}

export function heldTotal(c: RunCounters): number {
  return Object.values(c.held).reduce((a, b) => a + b, 0);
}

export function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/**
 * Adds a batch's counters to the run's, once the batch has committed: a batch whose transaction
 * failed (a full disk) leaves the run's counters at what is really in the store.
 */
export function addCounters(into: RunCounters, batch: RunCounters): void {
  into.fetched += batch.fetched;
  into.archived += batch.archived;
  into.failed += batch.failed;
  into.duplicates += batch.duplicates;
  into.deliveries += batch.deliveries;
  for (const [k, v] of Object.entries(batch.held)) bump(into.held, k, v);
  for (const [k, v] of Object.entries(batch.flagged)) bump(into.flagged, k, v);
  for (const [k, v] of Object.entries(batch.byType)) bump(into.byType, k, v);
  into.media.fetched += batch.media.fetched;
  into.media.bytes += batch.media.bytes;
  into.media.md5Mismatch += batch.media.md5Mismatch;
  into.media.unavailable += batch.media.unavailable;
}
