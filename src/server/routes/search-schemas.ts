/**
 * Request and response schemas of GET /api/search (and a review set's search), typed against the contract so that a
 * change there fails here.
 */
import { z } from 'zod';
import { SEARCH_LIMIT_MAX } from '../../compliance/search/index.js';
import type { SearchHitInfo, SearchPage } from '../contract.js';
import { jsonSchema } from '../schema.js';

export const searchQuery = z.object({
  q: z.string().trim().min(1, 'type something to search for').max(2000).describe('the query (see the README)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a `next` value of a previous page')
    .optional()
    .describe('the `next` of the previous page of the same query and sort'),
  limit: z.coerce.number().int().min(1).max(SEARCH_LIMIT_MAX).default(50),
  sort: z.enum(['newest', 'relevance']).default('newest'),
});

const hit: z.ZodType<SearchHitInfo> = z.object({
  itemKey: z.string(),
  msgid: z.string(),
  time: z.string(),
  msgtype: z.string(),
  connectorId: z.string(),
  from: z.object({ id: z.string(), name: z.string().optional(), mailbox: z.string().optional() }),
  conversation: z.object({ id: z.string(), name: z.string().optional(), kind: z.enum(['single', 'group']) }),
  mailboxes: z.array(z.string()),
  recalled: z.boolean(),
  hasAttachments: z.boolean(),
  snippet: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});

const page: z.ZodType<SearchPage> = z.object({
  total: z.number().int(),
  items: z.array(hit),
  next: z.string().nullable(),
});

const apiError = jsonSchema(
  z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    position: z.number().int().optional().describe('a query that does not parse: where (0-based offset)'),
    expected: z.string().optional().describe('a query that does not parse: what was expected there'),
  }),
);

export const schemas = {
  search: {
    summary: "Search the archive's messages, newest first (audited with the query and the number of results)",
    querystring: jsonSchema(searchQuery),
    response: { 200: jsonSchema(page), 400: apiError },
  },
  reviewSetSearch: {
    summary: 'Search the items of a review set assigned to you (audited with the query and the number of results)',
    querystring: jsonSchema(searchQuery),
    response: { 200: jsonSchema(page), 400: apiError },
  },
};
