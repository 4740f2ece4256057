/**
 * The mailboxes tab: the embedded archive's mailboxes, a mailbox's items newest first, and one
 * item with its body and attachments. An item is only ever opened through a mailbox that holds
 * it, and every opening is audited (item.view, item.attachment) before a byte of it is sent.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  findMailboxItem,
  getMailboxStats,
  listMailboxEntries,
  listMailboxPage,
  type EntryPosition,
  type MailboxItem,
} from '../../store/mailbox-pages.js';
import { safeDisplayName } from '../../core/display-name.js';
import { sha256Hex } from '../../store/index.js';
import type { ServerContext } from '../context.js';
import type { ItemPage, ItemView, MailboxPage } from '../contract.js';
import { HttpError, notFound } from '../errors.js';
import { itemRows } from '../item-rows.js';
import { itemUrls, readItemMessage, type ItemMessage } from '../item-view.js';
import { parse } from '../schema.js';
import { attachmentParams, itemParams, itemsQuery, mailboxesQuery, mailboxParams, schemas } from './mailbox-schemas.js';

/**
 * For the body: nothing may load but our own images and inline styles, and `sandbox` (without
 * allow-scripts or allow-same-origin) keeps the document from running code or reaching the
 * console's origin even when opened outside its iframe. The console shows it in an iframe, so
 * its own pages may frame it and nobody else may (frame-ancestors; X-Frame-Options for older
 * browsers).
 */
export const BODY_CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'";

/** Attachments are downloads; should one be opened in place it still cannot run anything. */
const ATTACHMENT_CSP = "default-src 'none'; sandbox";

/** RFC 2045 token characters; any other Content-Type is sent as application/octet-stream. */
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** The opaque `before` cursor: base64url of `msgTime.id`. */
export function encodeCursor(p: EntryPosition): string {
  return Buffer.from(`${p.msgTime}.${p.id}`, 'latin1').toString('base64url');
}

export function decodeCursor(cursor: string): EntryPosition {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m) {
    throw new HttpError(400, {
      code: 'WXA_INPUT_INVALID',
      message: 'before: not a `next` value of this list; start again from the first page',
      fields: [{ path: 'before', message: 'not a cursor of this list' }],
    });
  }
  return { msgTime: Number(m[1]), id: Number(m[2]) };
}

/**
 * RFC 6266: an ASCII fallback `filename` and the exact name as RFC 8187 `filename*`, neither
 * with a bidi or control character that could disguise the saved file's type.
 */
export function contentDisposition(name: string): string {
  const filename = safeDisplayName(name);
  // eslint-disable-next-line no-control-regex -- control characters are what must not pass
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%\u0000-\u001f]/g, '_') || 'attachment';
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** No copy of an archived item may stay in a browser or proxy cache. */
function privateContent(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff');
}

export function mailboxRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { db } = ctx.store;

  /** The item as `address` holds it, parsed; 404 when that mailbox does not hold it. */
  const openItem = async (
    address: string,
    itemKey: string,
  ): Promise<{ item: MailboxItem; msg: ItemMessage; size: number }> => {
    const item = await findMailboxItem(db, address, itemKey);
    if (!item) throw notFound(`item ${itemKey} in mailbox ${address}`);
    const mime = await ctx.store.blobs.read(db, item.mimeSha256);
    const msg = await readItemMessage(mime, itemUrls(item.mailbox, item.itemKey).attachment);
    return { item, msg, size: mime.length };
  };

  app.get(
    '/mailboxes',
    { config: { access: 'mailboxes:read' }, schema: schemas.mailboxes },
    async (req): Promise<MailboxPage> => {
      const q = parse(mailboxesQuery, req.query);
      const page = await listMailboxPage(db, {
        limit: q.limit,
        ...(q.q ? { prefix: q.q } : {}),
        ...(q.after ? { after: q.after } : {}),
      });
      // Every search is audited with its full query (compliance.md, audit); paging on is not a new search.
      if (q.q && !q.after) await ctx.audit(req, { action: 'mailbox.search', target: 'mailboxes', detail: { q: q.q } });
      return page;
    },
  );

  app.get(
    '/mailboxes/:address/items',
    { config: { access: 'mailboxes:read' }, schema: schemas.items },
    async (req, reply): Promise<ItemPage> => {
      const { address } = parse(mailboxParams, req.params);
      const q = parse(itemsQuery, req.query);
      const before = q.before === undefined ? undefined : decodeCursor(q.before);
      const mailbox = await getMailboxStats(db, address);
      if (!mailbox) throw notFound(`mailbox ${address}`);
      const page = await listMailboxEntries(db, mailbox.address, { limit: q.limit, ...(before ? { before } : {}) });
      // Opening a mailbox shows who wrote to whom and when: who opened it is recorded too.
      if (!before) await ctx.audit(req, { action: 'mailbox.open', target: mailbox.address });
      privateContent(reply);
      return { mailbox, items: await itemRows(db, page.rows), next: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.get(
    '/mailboxes/:address/items/:itemKey',
    { config: { access: 'items:open' }, schema: schemas.item },
    async (req, reply): Promise<ItemView> => {
      const p = parse(itemParams, req.params);
      const { item, msg, size } = await openItem(p.address, p.itemKey);
      const urls = itemUrls(item.mailbox, item.itemKey);
      await ctx.audit(req, {
        action: 'item.view',
        target: `${item.mailbox}/${item.itemKey}`,
        detail: { sha256: item.mimeSha256 },
      });
      privateContent(reply);
      return {
        itemKey: item.itemKey,
        mailbox: item.mailbox,
        subject: msg.subject,
        from: msg.from,
        to: msg.to,
        date: msg.date ?? item.msgTime,
        msgType: item.msgtype,
        sha256: item.mimeSha256,
        size,
        htmlUrl: urls.html,
        attachments: msg.attachments.map((a) => ({
          index: a.index,
          filename: a.filename,
          contentType: a.contentType,
          size: a.size,
          url: urls.attachment(a.index),
        })),
      };
    },
  );

  app.get(
    '/mailboxes/:address/items/:itemKey/html',
    { config: { access: 'items:open' }, schema: schemas.html },
    async (req, reply) => {
      const p = parse(itemParams, req.params);
      const { msg } = await openItem(p.address, p.itemKey);
      return privateContent(reply)
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', BODY_CSP)
        .header('x-frame-options', 'SAMEORIGIN')
        .send(msg.html);
    },
  );

  app.get(
    '/mailboxes/:address/items/:itemKey/attachments/:index',
    { config: { access: 'items:open' }, schema: schemas.attachment },
    async (req, reply) => {
      const p = parse(attachmentParams, req.params);
      const { item, msg } = await openItem(p.address, p.itemKey);
      const a = msg.attachments[p.index];
      if (!a) throw notFound(`attachment ${p.index} of item ${item.itemKey}`);
      await ctx.audit(req, {
        action: 'item.attachment',
        target: `${item.mailbox}/${item.itemKey}`,
        detail: { index: a.index, sha256: sha256Hex(a.content), filename: a.filename },
      });
      return privateContent(reply)
        .header('content-type', MEDIA_TYPE.test(a.contentType) ? a.contentType : 'application/octet-stream')
        .header('content-disposition', contentDisposition(a.filename))
        .header('content-security-policy', ATTACHMENT_CSP)
        .send(a.content);
    },
  );
}
