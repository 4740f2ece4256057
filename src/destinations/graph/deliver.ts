/**
 * Exactly one complete Graph copy per (item, mailbox). A copy is found by its SourceItemId
 * before anything is written; the message is created with every property at once; then each
 * attachment it should hold and does not yet hold is added. After any failure the next
 * attempt starts by looking again, so a message created before a crash (or whose answer was
 * lost) is finished instead of duplicated, and an attachment already added is not added twice.
 * A copy counts as complete once it holds AttachmentCount attachments; an unfinished copy made
 * under another attachment plan (the size limit changed meanwhile) is replaced, not patched.
 */
import type { DeliveryOutcome, RenderedItem } from '../types.js';
import { DestinationError } from '../types.js';
import { omittedReason, planAttachments, type PlannedAttachment } from './attachment-plan.js';
import type { GraphDestinationConfig } from './config.js';
import type { FolderCache } from './folders.js';
import { GraphRequestError } from './graph-errors.js';
import { backoffMs, type GraphHttp } from './http.js';
import type { LimiterClock, MailboxLimiter } from './mailbox-limiter.js';
import { buildMessage, type GraphMessage } from './message-json.js';
import { parseMimeParts } from './mime-parts.js';
import { findByKeyQuery, PROP, propValue } from './props.js';
import { attach } from './upload.js';

export interface GraphContext {
  http: GraphHttp;
  folders: FolderCache;
  cfg: GraphDestinationConfig;
  limiter: MailboxLimiter;
  clock: LimiterClock;
  random: () => number;
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

export async function deliverToMailbox(
  ctx: GraphContext,
  item: RenderedItem,
  mailbox: string,
): Promise<DeliveryOutcome> {
  const max = ctx.cfg.maxAttachmentBytes;
  const parts = await parseMimeParts(item.mime);
  const plan = planAttachments(item, parts.attachmentNames, max);
  const message = buildMessage(item, parts, plan, max);
  const what = `delivering item ${item.key} to ${mailbox}`;
  let id: string | undefined;
  let wrote = false;
  const done = (remoteId: string): DeliveryOutcome => {
    if (plan.omitted.length) return { status: 'partial', reason: omittedReason(plan.omitted, max), remoteId };
    return { status: wrote ? 'delivered' : 'duplicate', remoteId };
  };
  for (let attempt = 0; ; attempt++) {
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
        messageUrl: `${ctx.folders.userUrl(mailbox)}/messages/${encodeURIComponent(id)}`,
        what,
        maxResumes: ctx.cfg.maxRetries,
      };
      for (const a of missingAttachments(plan.attach, present)) {
        wrote = true;
        await attach(target, a);
      }
      return done(id);
    } catch (err) {
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
