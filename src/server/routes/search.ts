/**
 * GET /api/search: the archive's messages matching a query, a page at a time, within the
 * reader's mailbox scope. Every search is audited with its full query and the number of
 * results before the results are sent (compliance.md, audit); paging on is not a new search.
 * A query that does not parse answers 400 with where it went wrong and what was expected.
 * A reviewer searches only within a review set assigned to them (/review-sets/:id/search).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isArchiverError } from '../../core/errors.js';
import { searchArchive } from '../../compliance/search/index.js';
import type { ServerContext } from '../context.js';
import type { SearchPage } from '../contract.js';
import { HttpError } from '../errors.js';
import { parse } from '../schema.js';
import { mailboxScopeOf } from '../scope.js';
import { schemas, searchQuery } from './search-schemas.js';

/** A search within `within` (the reader's mailbox scope, or one review set), audited as `target`. */
async function search(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  within: { mailboxScope?: readonly string[]; reviewSetId?: number },
  target: string,
): Promise<SearchPage> {
  const q = parse(searchQuery, req.query);
  let result;
  try {
    result = await searchArchive(ctx.store, {
      query: q.q,
      limit: q.limit,
      sort: q.sort,
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...within,
    });
  } catch (err) {
    if (isArchiverError(err, 'WXA_SEARCH_QUERY_INVALID')) {
      const d = err.details as { position?: number; expected?: string } | undefined;
      // A refused query is still a search someone tried: it is recorded too.
      await ctx.audit(req, { action: 'search', target, detail: { q: q.q, error: err.message } });
      throw new HttpError(400, {
        code: err.code,
        message: err.message,
        fields: [{ path: 'q', message: err.message }],
        ...(d?.position !== undefined ? { position: d.position } : {}),
        ...(d?.expected !== undefined ? { expected: d.expected } : {}),
      });
    }
    if (isArchiverError(err, 'WXA_INPUT_INVALID')) {
      throw new HttpError(400, {
        code: err.code,
        message: err.message,
        fields: [{ path: 'cursor', message: err.message }],
      });
    }
    throw err;
  }
  if (!q.cursor) {
    await ctx.audit(req, { action: 'search', target, detail: { q: q.q, sort: q.sort, results: result.total } });
  }
  reply.header('cache-control', 'private, no-store');
  return { total: result.total, items: result.items, next: result.nextCursor ?? null };
}

const setParams = z.object({ reviewSetId: z.coerce.number().int().positive() });

export function searchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/search',
    { config: { access: 'search' }, schema: schemas.search },
    async (req, reply): Promise<SearchPage> => {
      const scope = mailboxScopeOf(req.user);
      return search(ctx, req, reply, scope ? { mailboxScope: scope } : {}, 'archive');
    },
  );

  // A reviewer's search: only the items of a set they review (the access hook checks the
  // assignment from :reviewSetId, case-access.ts), so it needs no archive-wide `search`.
  app.get(
    '/review-sets/:reviewSetId/search',
    { config: { access: 'review' }, schema: schemas.reviewSetSearch },
    async (req, reply): Promise<SearchPage> => {
      const { reviewSetId } = parse(setParams, req.params);
      return search(ctx, req, reply, { reviewSetId }, `review-set:${reviewSetId}`);
    },
  );
}
