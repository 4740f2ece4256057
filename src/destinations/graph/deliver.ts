/**
 * Exactly one complete Graph copy per (item, mailbox). A copy is found by its SourceItemId
 * before anything is written; the message is created with every property at once; then each
 * attachment it should hold and does not yet hold is added. After any failure the next
 * attempt starts by looking again, so a message created before a crash (or whose answer was
 * lost) is finished instead of duplicated, and an attachment already added is not added twice.
 * A copy counts as complete once it holds AttachmentCount attachments; an unfinished copy made
 * under another attachment plan (the size limit changed meanwhile) is replaced, not patched.
 * The plan counts the whole message against the mailbox's maximum receive size; when Exchange
 * still refuses it part-way (ErrorMessageSizeExceeded: the tenant's limit is lower than
 * configured), the half-built copy is deleted and a partial copy within what Exchange took is
 * made instead, so the mailbox ends with exactly one copy.
 */
import type { DeliveryOutcome, RenderedItem } from '../types.js';
import { DestinationError } from '../types.js';
import { partialReason } from '../omission.js';
import { planAttachments, type PlannedAttachment } from './attachment-plan.js';
import type { GraphDestinationConfig } from './config.js';
import type { FolderCache } from './folders.js';
import { GraphRequestError, isMessageSizeExceeded } from './graph-errors.js';
import { backoffMs, type GraphHttp } from './http.js';
import type { LimiterClock, MailboxLimiter } from './mailbox-limiter.js';
import { buildMessage, type GraphMessage } from './message-json.js';
import { parseMimeParts } from './mime-parts.js';
import { findByKeyQuery, PROP, propValue } from './props.js';
import { attach, MessageSizeExceededError, type UploadSessionStore } from './upload.js';

export interface GraphContext {
  http: GraphHttp;
  folders: FolderCache;
  cfg: GraphDestinationConfig;
  limiter: MailboxLimiter;
  clock: LimiterClock;
  random: () => number;
  /** open upload sessions, kept until their file is complete */
  sessions: UploadSessionStore;
  /** per mailbox (lower case): a message size Exchange refused, lower than the configured one */
  learnedLimits: Map<string, number>;
}

export interface FoundCopy {
  id: string;
  /** attachments the complete copy holds */
  attachmentCount: number;
}

/** The copy of `key` in the folder, compared exactly (Graph's own comparison ignores case). */
export async function findCopy(ctx: GraphContext, mailbox: string, folderId: string, key: string) {
  const reply = await ctx.http.send({
    mailbox,
    method: 'GET',
    url: `${ctx.folders.userUrl(mailbox)}/mailFolders/${encodeURIComponent(folderId)}/messages?${findByKeyQuery(key)}`,
    what: `looking for item ${key} in ${mailbox}`,
  });
  const list = (reply.body as { value?: { id?: unknown; singleValueExtendedProperties?: unknown }[] })?.value ?? [];
  for (const m of list) {
    if (typeof m.id !== 'string' || propValue(m.singleValueExtendedProperties, PROP.sourceItemId) !== key) continue;
    const count = Number(propValue(m.singleValueExtendedProperties, PROP.attachmentCount) ?? 0);
    return { id: m.id, attachmentCount: Number.isFinite(count) ? count : 0 } satisfies FoundCopy;
  }
  return undefined;
}

/** Names of the attachments a message holds, following @odata.nextLink pages. */
export async function attachmentNames(ctx: GraphContext, mailbox: string, messageId: string): Promise<string[]> {
  const names: string[] = [];
  let url: string | undefined =
    `${ctx.folders.userUrl(mailbox)}/messages/${encodeURIComponent(messageId)}/attachments?$select=name`;
  while (url) {
    const reply = await ctx.http.send({ mailbox, method: 'GET', url, what: `listing attachments in ${mailbox}` });
    const body = reply.body as { value?: { name?: unknown }[]; '@odata.nextLink'?: unknown };
    for (const a of body?.value ?? []) if (typeof a.name === 'string') names.push(a.name);
    url = typeof body?.['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
  }
  return names;
}

/**
 * Planned attachments the message does not hold yet. Matched by name (made unique per
 * message by the plan): Graph reports an attachment's stored size, not its byte count, and
 * an upload session only creates the attachment when its last byte arrives, so a name
 * present means a whole file present.
 */
export function missingAttachments(
  planned: readonly PlannedAttachment[],
  present: readonly string[],
): PlannedAttachment[] {
  const have = new Map<string, number>();
  for (const n of present) have.set(n.toLowerCase(), (have.get(n.toLowerCase()) ?? 0) + 1);
  return planned.filter((a) => {
    const n = have.get(a.name.toLowerCase()) ?? 0;
    if (n > 0) have.set(a.name.toLowerCase(), n - 1);
    return n === 0;
  });
}

async function createMessage(
  ctx: GraphContext,
  mailbox: string,
  folderId: string,
  message: GraphMessage,
  what: string,
): Promise<string> {
  const reply = await ctx.http.send({
    mailbox,
    method: 'POST',
    url: `${ctx.folders.userUrl(mailbox)}/mailFolders/${encodeURIComponent(folderId)}/messages`,
    json: message,
    what,
  });
  const id = (reply.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') throw new DestinationError('transient', `${what}: Graph returned no message id`);
  return id;
}

async function deleteMessage(ctx: GraphContext, mailbox: string, id: string, what: string): Promise<void> {
  await ctx.http.send({
    mailbox,
    method: 'DELETE',
    url: `${ctx.folders.userUrl(mailbox)}/messages/${encodeURIComponent(id)}`,
    what: `${what}: removing an unfinished copy`,
    accept: [404],
  });
}

function retryable(err: unknown): err is DestinationError {
  return err instanceof DestinationError && err.failure === 'transient';
}

/** How many times one delivery re-plans after Exchange refused the message as too large. */
const MAX_SIZE_REPLANS = 4;

export async function deliverToMailbox(
  ctx: GraphContext,
  item: RenderedItem,
  mailbox: string,
): Promise<DeliveryOutcome> {
  const parts = await parseMimeParts(item.mime);
  const bodyBytes = Buffer.byteLength(parts.html, 'utf8');
  // The tenant's limit as configured, or lower where Exchange already showed it is lower.
  const limitOf = () => Math.min(ctx.cfg.maxMessageBytes, ctx.learnedLimits.get(mailbox.toLowerCase()) ?? Infinity);
  let limit = limitOf();
  let plan = planAttachments(item, parts.attachmentNames, {
    maxMessageBytes: limit,
    maxAttachmentBytes: ctx.cfg.maxAttachmentBytes,
    bodyBytes,
  });
  let message = buildMessage(item, parts, plan, limit);
  const what = `delivering item ${item.key} to ${mailbox}`;
  let id: string | undefined;
  let wrote = false;
  let replans = 0;
  const done = (remoteId: string): DeliveryOutcome => {
    if (plan.omitted.length) {
      const omitted = plan.omitted.map(({ name, size, sha256, reason }) => ({ name, size, sha256, reason }));
      return { status: 'partial', reason: partialReason(omitted, limit), omitted, remoteId };
    }
    return { status: wrote ? 'delivered' : 'duplicate', remoteId };
  };
  for (let attempt = 0; ; attempt++) {
    /** bytes the message holds: its body and the attachments finished so far */
    let held = bodyBytes;
    try {
      const folderId = await ctx.folders.id(mailbox);
      let present: string[] = [];
      if (id) {
        // A retry within this call: what did the failed attempt leave on the message?
        if (plan.attach.length) present = await attachmentNames(ctx, mailbox, id);
      } else {
        const found = await findCopy(ctx, mailbox, folderId, item.key);
        if (found) {
          if (found.attachmentCount > 0) present = await attachmentNames(ctx, mailbox, found.id);
          if (present.length >= found.attachmentCount) return done(found.id);
          if (found.attachmentCount === plan.attach.length) {
            id = found.id;
          } else {
            // Unfinished, and made under another attachment plan (the size limit changed
            // since): its body and count are not what this delivery makes, so it is replaced.
            wrote = true;
            await deleteMessage(ctx, mailbox, found.id, what);
            present = [];
          }
        }
        if (!id) {
          wrote = true;
          id = await createMessage(ctx, mailbox, folderId, message, what);
        }
      }
      const target = {
        http: ctx.http,
        mailbox,
        messageId: id,
        messageUrl: `${ctx.folders.userUrl(mailbox)}/messages/${encodeURIComponent(id)}`,
        what,
        maxResumes: ctx.cfg.maxRetries,
        sessions: ctx.sessions,
        now: ctx.clock.now,
      };
      const missing = missingAttachments(plan.attach, present);
      for (const a of plan.attach) if (!missing.includes(a)) held += a.bytes.length;
      for (const a of missing) {
        wrote = true;
        await attach(target, a);
        held += a.bytes.length;
      }
      return done(id);
    } catch (err) {
      if (id && (err instanceof MessageSizeExceededError || isMessageSizeExceeded(err))) {
        // Exchange's limit is below the plan: what it took is an upper bound it accepts. The
        // half-built copy goes, and a copy planned against that bound replaces it.
        const accepted = held + (err instanceof MessageSizeExceededError ? err.uploadedBytes : 0);
        if (++replans > MAX_SIZE_REPLANS || plan.attach.length === 0) throw err;
        ctx.learnedLimits.set(mailbox.toLowerCase(), Math.min(accepted, limit - 1));
        await deleteMessage(ctx, mailbox, id, what);
        id = undefined;
        limit = limitOf();
        plan = planAttachments(item, parts.attachmentNames, {
          maxMessageBytes: limit,
          maxAttachmentBytes: ctx.cfg.maxAttachmentBytes,
          bodyBytes,
        });
        message = buildMessage(item, parts, plan, limit);
        attempt--;
        continue;
      }
      if (!retryable(err) || attempt >= ctx.cfg.maxRetries) throw err;
      if (err instanceof GraphRequestError && err.status === 404) {
        // The folder or the half-made message was deleted meanwhile: start from the folder.
        ctx.folders.forget(mailbox);
        id = undefined;
      }
      if (err.retryAfterMs === undefined) {
        await ctx.clock.sleep(backoffMs(attempt, ctx.random));
      } else if (err.retryAfterMs > ctx.cfg.maxRetryWaitSeconds * 1000) {
        throw new DestinationError('throttled', err.message, { cause: err, retryAfterMs: err.retryAfterMs });
      } else {
        // A wait Graph named holds back every request for the mailbox, not only this one.
        ctx.limiter.block(mailbox, err.retryAfterMs);
      }
    }
  }
}
