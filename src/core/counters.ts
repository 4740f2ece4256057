/**
 * The shapes of the archive's counters, shared by the store that answers them and the console
 * contract that sends them, so the two cannot drift apart. Their definitions (what each counts)
 * are here; store/counters.ts answers them.
 */

/** Raw records by their outcome now: `atSource = archived + heldTotal + failed + pending`. */
export interface RecordCounters {
  /** raw records captured from the source, each once however often it was processed */
  atSource: number;
  /** entries in the embedded archive's mailboxes made from them (one per mapped participant) */
  afterFanOut: number;
  /** records whose content is in the archive (identical replays included: their content is) */
  archived: number;
  /** of `archived`: records the source sent again with the same msgid and content */
  duplicates: number;
  /** records held, by reason (unmapped, key-missing, malformed, conflicting-duplicate, ...) */
  held: Record<string, number>;
  heldTotal: number;
  /** records that failed unexpectedly and are retried by the next run */
  failed: number;
  /** records captured and not processed yet */
  pending: number;
  /**
   * of `archived`: records delivered to the mailboxes of their mapped participants while other
   * participants map to no mailbox (they are listed among the unmapped people, not as held)
   */
  archivedPartlyUnmapped: number;
}

/** Outcomes of one external destination's deliveries (one per item, mailbox and destination). */
export interface DestinationCounters {
  destinationId: string;
  delivered: number;
  /** delivered without some attachments (the archive keeps them) */
  partial: number;
  /** the destination already had the message */
  duplicates: number;
  pending: number;
  /** refused for good by the destination: held until retried */
  held: number;
  byError: Record<string, number>;
}

/** What a run achieved: its status, or `held` when it archived nothing and held every record it processed. */
export type RunOutcome = 'running' | 'succeeded' | 'held' | 'failed' | 'interrupted';
