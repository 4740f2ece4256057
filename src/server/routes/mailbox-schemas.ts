/**
 * Request and response schemas of the mailbox routes: zod checks the requests in the handlers,
 * the same schemas give the OpenAPI document, and the response schemas are typed against the
 * contract so that a change there fails here.
 */
import { z } from 'zod';
import type { AttachmentInfo, ItemPage, ItemRow, ItemView, MailboxInfo, MailboxPage } from '../contract.js';
import { jsonSchema } from '../schema.js';

/** A page holds at most this many rows; the default is 50. */
export const PAGE_MAX = 200;

const limit = z.coerce.number().int().min(1).max(PAGE_MAX).default(50);

export const mailboxesQuery = z.object({
  q: z.string().max(320).optional().describe('address prefix, case-insensitive'),
  after: z.string().max(320).optional().describe('the `next` of the previous page'),
  limit,
});

export const itemsQuery = z.object({
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a `next` value of a previous page')
    .optional()
    .describe('the `next` of the previous page'),
  limit,
});

export const mailboxParams = z.object({ address: z.string().min(1).max(320) });
export const itemParams = mailboxParams.extend({ itemKey: z.string().min(1).max(1000) });
export const attachmentParams = itemParams.extend({ index: z.coerce.number().int().min(0).max(100_000) });

const mailboxInfo: z.ZodType<MailboxInfo> = z.object({
  address: z.string(),
  displayName: z.string(),
  items: z.number().int(),
  newest: z.number().int().nullable(),
});

const mailboxPage: z.ZodType<MailboxPage> = z.object({
  mailboxes: z.array(mailboxInfo),
  next: z.string().nullable(),
});

const itemRow: z.ZodType<ItemRow> = z.object({
  itemKey: z.string(),
  subject: z.string(),
  from: z.string(),
  msgType: z.string(),
  msgTime: z.number().int(),
  size: z.number().int(),
  recalled: z.boolean(),
});

const itemPage: z.ZodType<ItemPage> = z.object({
  mailbox: mailboxInfo,
  items: z.array(itemRow),
  next: z.string().nullable(),
});

const attachmentInfo: z.ZodType<AttachmentInfo & { url: string }> = z.object({
  index: z.number().int(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  url: z.string(),
});

const itemView: z.ZodType<ItemView> = z.object({
  itemKey: z.string(),
  mailbox: z.string(),
  subject: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  date: z.number().int(),
  msgType: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  htmlUrl: z.string(),
  attachments: z.array(attachmentInfo),
});

/** Every error answer of the console's routes (ApiError). */
export const apiError = jsonSchema(
  z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
);

const errors = { 400: apiError, 404: apiError };

export const schemas = {
  mailboxes: {
    summary: 'Mailboxes of the embedded archive, by address',
    querystring: jsonSchema(mailboxesQuery),
    response: { 200: jsonSchema(mailboxPage), 400: apiError },
  },
  items: {
    summary: "A mailbox's items, newest first",
    params: jsonSchema(mailboxParams),
    querystring: jsonSchema(itemsQuery),
    response: { 200: jsonSchema(itemPage), ...errors },
  },
  item: {
    summary: 'One item as this mailbox holds it (audited: item.view)',
    params: jsonSchema(itemParams),
    response: { 200: jsonSchema(itemView), ...errors },
  },
  html: {
    summary: "The item's body as HTML, under a CSP without scripts: show it in <iframe sandbox>",
    params: jsonSchema(itemParams),
    produces: ['text/html'],
    response: {
      200: { description: 'the cleaned HTML body', content: { 'text/html': { schema: { type: 'string' } } } },
      ...errors,
    },
  },
  attachment: {
    summary: "One of the item's attachments, as a download (audited: item.attachment)",
    params: jsonSchema(attachmentParams),
    produces: ['application/octet-stream'],
    response: {
      200: {
        description: 'the attachment bytes, with its own Content-Type',
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      },
      ...errors,
    },
  },
};
