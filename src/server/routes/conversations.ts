/**
 * The conversation view: the messages of a hit's chat before and after it, in order, as a
 * transcript, paged both ways with keyset cursors; and the inline preview of an image
 * attachment. Both open archived content, so both need mailboxes:read, stay within the
 * reader's mailbox scope, and are audited before anything is sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  findConversationOf,
  listConversationAfter,
  listConversationBefore,
  type ConversationItemRow,
  type ConversationPosition,
  type MailboxScope,
} from '../../store/conversations.js';
import { findMailboxItem } from '../../store/mailbox-pages.js';
import { sha256Hex } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import type { ConversationPage } from '../contract.js';
import { HttpError, notFound } from '../errors.js';
import { sniffImageType } from '../image-sniff.js';
import { itemUrls, readItemMessage } from '../item-view.js';
import { parse } from '../schema.js';
import { openableItems, reviewScopeOf } from '../item-access.js';
import { mailboxScopeOf } from '../scope.js';
import { transcript } from '../transcript.js';
import { aroundParams, aroundQuery, conversationParams, conversationQuery, schemas } from './conversation-schemas.js';
import { attachmentParams } from './mailbox-schemas.js';

/** A preview is shown in place but can run nothing and reach nothing, even opened on its own. */
const PREVIEW_CSP = "default-src 'none'; sandbox";

export function encodePosition(p: ConversationPosition): string {
  return Buffer.from(`${p.msgTime}.${p.key}`, 'utf8').toString('base64url');
}

export function decodePosition(cursor: string, field: string): ConversationPosition {
  const m = /^(\d{1,16})\.(.+)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m?.[2]) {
    throw new HttpError(400, {
      code: 'WXA_INPUT_INVALID',
      message: `${field}: not an \`older\` or \`newer\` value of this conversation; open it again`,
      fields: [{ path: field, message: 'not a cursor of this conversation' }],
    });
  }
  return { msgTime: Number(m[1]), key: m[2] };
}

const positionOf = (r: ConversationItemRow): ConversationPosition => ({ msgTime: r.msgTime, key: r.itemKey });

async function pageOf(
  ctx: ServerContext,
  req: FastifyRequest,
  conv: { connectorId: string; conversationId: string },
  older: { rows: ConversationItemRow[]; more: boolean } | undefined,
  newer: { rows: ConversationItemRow[]; more: boolean } | undefined,
  scope: MailboxScope,
  anchor: string | null,
): Promise<ConversationPage> {
  const rows = [...(older?.rows ?? []), ...(newer?.rows ?? [])];
  // A reader limited to their own work sees the neighbours as context, but opens only theirs.
  const openable =
    req.user && reviewScopeOf(req.user)
      ? await openableItems(
          ctx.store.db,
          req.user,
          rows.map((r) => r.itemKey),
        )
      : undefined;
  const t = await transcript(ctx.store.db, conv.connectorId, rows, scope, openable);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    connectorId: conv.connectorId,
    conversation: { id: conv.conversationId, name: t.name, kind: t.kind },
    messages: t.messages,
    // Paging backwards from an empty page has nowhere to start: both ends are then closed.
    older: older?.more && first ? encodePosition(positionOf(first)) : null,
    newer: newer?.more && last ? encodePosition(positionOf(last)) : null,
    anchor,
  };
}

async function auditView(
  ctx: ServerContext,
  req: FastifyRequest,
  conv: { connectorId: string; conversationId: string },
  page: ConversationPage,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await ctx.audit(req, {
    action: 'conversation.view',
    target: `${conv.connectorId}/${conv.conversationId}`,
    detail: {
      ...(page.anchor ? { around: page.anchor } : {}),
      messages: page.messages.length,
      ...(page.messages.length
        ? { first: page.messages[0]?.itemKey, last: page.messages[page.messages.length - 1]?.itemKey }
        : {}),
      ...extra,
    },
  });
}

/**
 * The conversation around an item, audited (with `extra` in the audit detail): what
 * `/items/:itemKey/conversation` answers, and what a review set opens for one of its items.
 */
export async function conversationAround(
  ctx: ServerContext,
  req: FastifyRequest,
  itemKey: string,
  limit: number,
  extra: Record<string, unknown> = {},
): Promise<ConversationPage> {
  const { db } = ctx.store;
  const scope = mailboxScopeOf(req.user);
  const found = await findConversationOf(db, itemKey, scope);
  if (!found) throw notFound(`item ${itemKey}`);
  // The anchor and the older half end at the item; the newer half starts after it.
  const olderCount = Math.ceil(limit / 2);
  const older = await listConversationBefore(db, found, {
    before: found.position,
    inclusive: true,
    limit: olderCount,
    scope,
  });
  const newer = await listConversationAfter(db, found, { after: found.position, limit: limit - olderCount, scope });
  const page = await pageOf(ctx, req, found, older, newer, scope, itemKey);
  await auditView(ctx, req, found, page, extra);
  return page;
}

export function conversationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  app.get(
    '/items/:itemKey/conversation',
    { config: { access: 'items:open' }, schema: schemas.around },
    async (req, reply): Promise<ConversationPage> => {
      const { itemKey } = parse(aroundParams, req.params);
      const { limit } = parse(aroundQuery, req.query);
      const page = await conversationAround(ctx, req, itemKey, limit);
      reply.header('cache-control', 'private, no-store');
      return page;
    },
  );

  app.get(
    '/conversations/:connectorId/:conversationId',
    { config: { access: 'items:open' }, schema: schemas.page },
    async (req, reply): Promise<ConversationPage> => {
      const conv = parse(conversationParams, req.params);
      const q = parse(conversationQuery, req.query);
      const scope = mailboxScopeOf(req.user);
      let page: ConversationPage;
      if (q.after) {
        const newer = await listConversationAfter(db, conv, {
          after: decodePosition(q.after, 'after'),
          limit: q.limit,
          scope,
        });
        page = await pageOf(ctx, req, conv, undefined, newer, scope, null);
        // Everything before this page is what the reader came from: it can always be paged back to.
        const first = newer.rows[0];
        if (first) page.older = encodePosition(positionOf(first));
      } else {
        const before = q.before ? decodePosition(q.before, 'before') : undefined;
        const older = await listConversationBefore(db, conv, { ...(before ? { before } : {}), limit: q.limit, scope });
        page = await pageOf(ctx, req, conv, older, undefined, scope, null);
        const last = older.rows[older.rows.length - 1];
        if (before && last) page.newer = encodePosition(positionOf(last));
      }
      if (page.messages.length === 0 && !q.before && !q.after) throw notFound(`conversation ${conv.conversationId}`);
      await auditView(ctx, req, conv, page);
      reply.header('cache-control', 'private, no-store');
      return page;
    },
  );

  app.get(
    '/mailboxes/:address/items/:itemKey/attachments/:index/preview',
    { config: { access: 'items:open' }, schema: schemas.preview },
    async (req, reply) => {
      const p = parse(attachmentParams, req.params);
      const scope = mailboxScopeOf(req.user);
      if (scope && !scope.includes(p.address.toLowerCase()))
        throw notFound(`item ${p.itemKey} in mailbox ${p.address}`);
      const item = await findMailboxItem(db, p.address, p.itemKey);
      if (!item) throw notFound(`item ${p.itemKey} in mailbox ${p.address}`);
      const mime = await ctx.store.blobs.read(db, item.mimeSha256);
      const msg = await readItemMessage(mime, itemUrls(item.mailbox, item.itemKey).attachment);
      const a = msg.attachments[p.index];
      if (!a) throw notFound(`attachment ${p.index} of item ${item.itemKey}`);
      const type = sniffImageType(a.content);
      if (!type) {
        throw new HttpError(415, {
          code: 'WXA_PREVIEW_UNSUPPORTED',
          message: `${a.filename} is not a PNG, JPEG, GIF, WebP or BMP image; download it instead`,
        });
      }
      await ctx.audit(req, {
        action: 'item.preview',
        target: `${item.mailbox}/${item.itemKey}`,
        detail: { index: a.index, sha256: sha256Hex(a.content), filename: a.filename },
      });
      return reply
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-type', type)
        .header('content-disposition', 'inline')
        .header('content-security-policy', PREVIEW_CSP)
        .send(a.content);
    },
  );
}
