/**
 * Reviewers in the console: assigning them to a review set (the case's members and eDiscovery
 * administrators do), a reviewer's own list of the sets assigned to them ("My review"), a set's
 * header, and the conversation of one of its items. A reviewer reaches a set, its items and
 * their conversations only when assigned: the access hook decides from :reviewSetId and
 * :itemKey (case-access.ts), never the handlers here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { myReviewSets, setReviewer, showReviewSet, type Actor } from '../../compliance/cases/index.js';
import { ArchiverError } from '../../core/errors.js';
import { can, listUsers } from '../../security/index.js';
import type { ServerContext } from '../context.js';
import { parse } from '../schema.js';
import { conversationAround } from './conversations.js';

const reviewerParams = z.object({
  caseId: z.coerce.number().int().positive(),
  reviewSetId: z.coerce.number().int().positive(),
  username: z.string().min(1).max(200),
});
const setParams = z.object({ reviewSetId: z.coerce.number().int().positive() });
const itemParams = setParams.extend({ itemKey: z.string().min(1) });
const aroundQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(30) });

const actorOf = (req: FastifyRequest): Actor => ({ username: req.user?.username ?? 'anonymous', ip: req.ip });

export function reviewerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;

  /** Refuses to assign someone who has no account or whose roles cannot review. */
  const requireReviewerAccount = async (username: string): Promise<void> => {
    const user = (await listUsers(db)).find((u) => u.username === username);
    if (!user) throw new ArchiverError('WXA_INPUT_INVALID', `username: no account is named "${username}"; see Users`);
    if (!can(user.roles, 'review'))
      throw new ArchiverError(
        'WXA_INPUT_INVALID',
        `username: ${username} has no role that reviews (Reviewer, eDiscovery manager or administrator); ask an organization admin`,
      );
  };

  app.put(
    '/cases/:caseId/review-sets/:reviewSetId/reviewers/:username',
    { config: { access: 'cases:write' }, schema: { summary: 'Assign a reviewer to the review set' } },
    async (req, reply) => {
      const p = parse(reviewerParams, req.params);
      await requireReviewerAccount(p.username);
      await setReviewer(db, p.caseId, p.reviewSetId, p.username, true, actorOf(req), ctx.now());
      reply.code(204);
    },
  );
  app.delete(
    '/cases/:caseId/review-sets/:reviewSetId/reviewers/:username',
    { config: { access: 'cases:write' }, schema: { summary: 'Take a reviewer off the review set' } },
    async (req, reply) => {
      const p = parse(reviewerParams, req.params);
      await setReviewer(db, p.caseId, p.reviewSetId, p.username, false, actorOf(req), ctx.now());
      reply.code(204);
    },
  );
  app.get(
    '/review-sets',
    { config: { access: 'review' }, schema: { summary: 'The review sets assigned to you, in every case' } },
    async (req) => ({ reviewSets: await myReviewSets(db, req.user?.username ?? '') }),
  );
  app.get(
    '/review-sets/:reviewSetId',
    { config: { access: 'review' }, schema: { summary: "A review set: its case, reviewers and the case's tags" } },
    async (req) => showReviewSet(db, parse(setParams, req.params).reviewSetId),
  );
  app.get(
    '/review-sets/:reviewSetId/items/:itemKey/conversation',
    {
      config: { access: 'review' },
      schema: { summary: 'The conversation around an item of the review set (the item must be in the set)' },
    },
    async (req, reply) => {
      const p = parse(itemParams, req.params);
      const page = await conversationAround(ctx, req, p.itemKey, parse(aroundQuery, req.query).limit, {
        reviewSetId: p.reviewSetId,
      });
      reply.header('cache-control', 'private, no-store');
      return page;
    },
  );
}
