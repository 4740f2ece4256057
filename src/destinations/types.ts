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

export type DeliveryOutcome =
  /** stored now */
  | { status: 'delivered'; remoteId?: string }
  /** the destination already had this key: nothing written */
  | { status: 'duplicate'; remoteId?: string }
  /** stored without some large attachments (replaced by a note with name, size and SHA-256) */
  | { status: 'partial'; reason: string; remoteId?: string };

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
  deliver(item: RenderedItem, mailbox: string): Promise<DeliveryOutcome>;
  close(): Promise<void>;
}

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

  constructor(
    failure: DeliveryFailureKind,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number; tooLarge?: { size: number; limit?: number } },
  ) {
    super(CODES[failure], message, options);
    this.name = 'DestinationError';
    this.failure = failure;
    this.retryAfterMs = options?.retryAfterMs;
    this.tooLarge = options?.tooLarge;
  }
}
