/**
 * The destination seam: every mailbox destination (embedded archive, IMAP, Microsoft Graph,
 * Gmail) answers the same three questions, so the delivery stage can treat them alike and
 * guarantee one copy per (item, mailbox, destination) across crashes and retries.
 */
import { ArchiverError, type ErrorCode } from '../core/errors.js';
import type { AttachmentRef, ChatMessage } from '../core/model.js';

/** One archived item ready to deliver: the exact MIME bytes plus what JSON-based APIs need. */
export interface RenderedItem {
  /** stable item key: the idempotency key of every delivery */
  key: string;
  /** the Message-ID header value, with angle brackets */
  messageId: string;
  /** RFC 5322 bytes, identical for every delivery of this item */
  mime: Buffer;
  /** message time, ms UTC: the internal/received date at the destination */
  time: number;
  /** the canonical message (Graph builds its JSON item from it) */
  model: ChatMessage;
  /** attachment bytes by index in model.attachments; undefined when not available */
  attachments: { ref: AttachmentRef; bytes: Buffer | undefined }[];
}

/** Why an attachment was left out of a destination's copy. */
export type OmitReason =
  /** the message with it is larger than the mailbox accepts */
  | 'too-large'
  /** the service refuses files of its type (Gmail's blocked attachments) */
  | 'blocked-type';

/** An attachment replaced by a note in a partial copy; the full file stays in the archive. */
export interface OmittedAttachment {
  name: string;
  size: number;
  sha256: string;
  reason: OmitReason;
}

export type DeliveryOutcome =
  /** stored now */
  | { status: 'delivered'; remoteId?: string }
  /** the destination already had this key: nothing written */
  | { status: 'duplicate'; remoteId?: string }
  /** stored without some attachments (each replaced by a note with name, size, SHA-256 and why) */
  | { status: 'partial'; reason: string; omitted: OmittedAttachment[]; remoteId?: string };

/** What the delivery ledger knows about this delivery, so a destination can skip work. */
export interface DeliverHints {
  /**
   * false: the ledger knows no earlier attempt of this delivery can have stored the item, so
   * the destination may write without first looking for a copy. Absent or true: an earlier
   * attempt's outcome is unknown (or nobody asked the ledger): look before writing.
   */
  inDoubt?: boolean;
}

export interface CheckResult {
  ok: boolean;
  /** one line per check, each saying what was verified or what is wrong and what to do */
  details: string[];
}

export interface Destination {
  readonly kind: 'archive' | 'imap' | 'graph' | 'gmail';
  /** verifies credentials, reachability and the folder; never writes an item */
  check(): Promise<CheckResult>;
  /** whether the mailbox's folder already holds the item with this key */
  has(key: string, mailbox: string): Promise<boolean>;
  /** stores the item in the mailbox's folder; throws DestinationError for every other outcome */
  deliver(item: RenderedItem, mailbox: string, opts?: DeliverHints): Promise<DeliveryOutcome>;
  /**
   * Optional: stores several items in the mailbox's folder at once (IMAP MULTIAPPEND). Only
   * for items no earlier attempt can have stored (not in doubt). One result per item, in
   * order: an item the destination refuses on its own gets its error while the others are
   * stored.
   */
  deliverBatch?(items: readonly RenderedItem[], mailbox: string): Promise<BatchResult[]>;
  /**
   * Optional: which of these items the mailbox's folder already holds, in one lookup (by key,
   * with the copy's remote id when known), for items an earlier attempt may have stored. What
   * it does not name is absent and may be stored without another lookup.
   */
  findMany?(items: readonly RenderedItem[], mailbox: string): Promise<Map<string, string | undefined>>;
  close(): Promise<void>;
}

/** One item's result in a batch: its outcome, or the error deliver() would have thrown for it. */
export type BatchResult = { outcome: DeliveryOutcome; error?: undefined } | { error: unknown; outcome?: undefined };

/** How the delivery stage treats a failed delivery. */
export type DeliveryFailureKind =
  /** a passing fault: retry with exponential backoff and jitter */
  | 'transient'
  /** will fail the same way again: hold the delivery with the reason */
  | 'permanent'
  /** credentials refused: pause the connector until they change */
  | 'auth'
  /** the server asked us to wait: retry after retryAfterMs */
  | 'throttled';

const CODES: Record<DeliveryFailureKind, ErrorCode> = {
  transient: 'WXA_DEST_TRANSIENT',
  permanent: 'WXA_DEST_PERMANENT',
  auth: 'WXA_DEST_AUTH',
  throttled: 'WXA_DEST_THROTTLED',
};

export class DestinationError extends ArchiverError {
  readonly failure: DeliveryFailureKind;
  /** for throttled: how long the server asked us to wait */
  readonly retryAfterMs: number | undefined;
  /** set when the item is larger than the destination accepts: the delivery stage then sends a partial copy */
  readonly tooLarge: { size: number; limit?: number } | undefined;
  /**
   * Attachments (indexes in the item) the destination refuses whatever the size, e.g. Gmail's
   * blocked file types: the delivery stage sends a copy without them, each replaced by a note.
   */
  readonly refused: { index: number; reason: OmitReason }[] | undefined;
  /**
   * For throttled: what the wait applies to. 'mailbox': every delivery into this mailbox (a
   * daily upload limit); 'destination': every delivery of the destination (a project-wide
   * quota). Unset: only this delivery.
   */
  readonly pause: 'mailbox' | 'destination' | undefined;

  constructor(
    failure: DeliveryFailureKind,
    message: string,
    options?: {
      cause?: unknown;
      retryAfterMs?: number;
      tooLarge?: { size: number; limit?: number };
      refused?: { index: number; reason: OmitReason }[];
      pause?: 'mailbox' | 'destination';
    },
  ) {
    super(CODES[failure], message, options);
    this.name = 'DestinationError';
    this.failure = failure;
    this.retryAfterMs = options?.retryAfterMs;
    this.tooLarge = options?.tooLarge;
    this.refused = options?.refused;
    this.pause = options?.pause;
  }
}
