/**
 * What the renderer needs from the rest of the pipeline, passed in as functions so rendering
 * stays pure: the same message and the same answers give the same bytes.
 */
import { personKindOf, type Person } from '../core/model.js';

export interface RenderContext {
  /** directory lookup (name, mobile, email, kind, corpName) */
  people: (id: string) => Person | undefined;
  /** a group chat's name, when the directory knows it */
  roomName?: (roomid: string) => string | undefined;
  /** bytes of each attachment by index in msg.attachments; undefined when not fetched (expired etc.) */
  attachmentBytes: (index: number) => Buffer | undefined;
  /**
   * size of an attachment stored but not held in memory (a large file): it is then shown and
   * given its slot in renderMimeParts without its bytes; assembling needs them from the store
   */
  attachmentSize?: (index: number) => number | undefined;
  /** why an attachment has no bytes (e.g. `expired at the source`), shown to reviewers */
  attachmentMissingReason?: (index: number) => string | undefined;
  /** the mapped mailbox of a participant, if any; otherwise a stable `.invalid` address is used */
  addressOf?: (id: string) => string | undefined;
  /** the recalled original's summary for a revoke (subject line / first text), if known */
  recalledSummary?: (preMsgid: string) => string | undefined;
  /** when this item was recalled later: time of the recall (ms UTC) */
  recalledAt?: number;
}

/** Directory entry for an id, or the bare id with its kind when the directory does not know it. */
export function personOf(ctx: RenderContext, id: string): Person {
  return ctx.people(id) ?? { id, kind: personKindOf(id) };
}
