/**
 * Request and response schemas of the conversation view and the image preview, typed against
 * the contract so that a change there fails here.
 */
import { z } from 'zod';
import type { ConversationPage, TranscriptAttachment, TranscriptMessage } from '../contract.js';
import { jsonSchema } from '../schema.js';
import { apiError, attachmentParams } from './mailbox-schemas.js';

/** A page holds at most this many messages; the default is 30. */
export const TRANSCRIPT_MAX = 200;

const limit = z.coerce.number().int().min(1).max(TRANSCRIPT_MAX).default(30);
const cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,2048}$/, 'an `older` or `newer` value of a previous page')
  .optional();

export const aroundParams = z.object({ itemKey: z.string().min(1).max(1000) });
export const aroundQuery = z.object({ limit });
export const conversationParams = z.object({
  connectorId: z.string().min(1).max(200),
  conversationId: z.string().min(1).max(1000),
});
export const conversationQuery = z
  .object({
    before: cursor.describe('the `older` of a page: messages before it'),
    after: cursor.describe('the `newer` of a page: messages after it'),
    limit,
  })
  .refine((q) => !(q.before && q.after), { message: 'give `before` or `after`, not both', path: ['after'] });

const attachment: z.ZodType<TranscriptAttachment> = z.object({
  index: z.number().int(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().nullable(),
  stored: z.boolean(),
  url: z.string().nullable(),
  previewUrl: z.string().nullable(),
});

const message: z.ZodType<TranscriptMessage> = z.object({
  itemKey: z.string(),
  msgid: z.string(),
  time: z.number().int(),
  msgType: z.string(),
  action: z.enum(['send', 'recall', 'switch']),
  from: z.object({ id: z.string(), name: z.string(), external: z.boolean() }),
  title: z.string(),
  text: z.string(),
  recalled: z.boolean(),
  recalledAt: z.number().int().nullable(),
  recalledMsgid: z.string().nullable(),
  attachments: z.array(attachment),
  mailbox: z.string().nullable(),
});

const page: z.ZodType<ConversationPage> = z.object({
  connectorId: z.string(),
  conversation: z.object({ id: z.string(), name: z.string(), kind: z.enum(['single', 'group']) }),
  messages: z.array(message),
  older: z.string().nullable(),
  newer: z.string().nullable(),
  anchor: z.string().nullable(),
});

export const schemas = {
  around: {
    summary:
      'The conversation around an item: the messages of its chat before and after it, in order (audited: conversation.view)',
    params: jsonSchema(aroundParams),
    querystring: jsonSchema(aroundQuery),
    response: { 200: jsonSchema(page), 400: apiError, 404: apiError },
  },
  page: {
    summary:
      'A page of a conversation, older (`before`) or newer (`after`) than a cursor; the newest without one (audited)',
    params: jsonSchema(conversationParams),
    querystring: jsonSchema(z.object({ before: cursor, after: cursor, limit })),
    response: { 200: jsonSchema(page), 400: apiError, 404: apiError },
  },
  preview: {
    summary:
      'An image attachment shown inline: only PNG, JPEG, GIF, WebP and BMP, recognised by their bytes (audited: item.preview)',
    params: jsonSchema(attachmentParams),
    produces: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp'],
    response: {
      200: {
        description: 'the image bytes with the type their signature shows',
        content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
      },
      404: apiError,
      415: apiError,
    },
  },
};
