/**
 * Saved searches, review sets, a case's tags, tagging and comments in the console. Case routes
 * (:caseId) are for the case's members; review routes (:reviewSetId) also for the reviewers
 * assigned to the set: both decided by the access hook (case-access.ts), never here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  addCaseTag,
  addSearchToReviewSet,
  changeCaseTag,
  commentItem,
  createReviewSet,
  listCaseTags,
  listReviewSets,
  listSavedSearches,
  rerunSearch,
  saveSearch,
  tagItems,
  viewReviewSet,
  type Actor,
} from '../../compliance/cases/index.js';
import type { ServerContext } from '../context.js';
import { jsonSchema, parse } from '../schema.js';

const caseParams = z.object({ caseId: z.coerce.number().int().positive() });
const searchParams = caseParams.extend({ searchId: z.coerce.number().int().positive() });
const setParams = z.object({ reviewSetId: z.coerce.number().int().positive() });
const caseSetParams = caseParams.extend({ reviewSetId: z.coerce.number().int().positive() });
const tagParams = caseParams.extend({ tagId: z.coerce.number().int().positive() });
const searchBody = z.object({ name: z.string().min(1).max(200), query: z.string().min(1) });
const setBody = z.object({ name: z.string().min(1).max(200) });
const addBody = z.object({ searchId: z.number().int().positive() });
const taggingBody = z.object({
  itemKeys: z.array(z.string().min(1)).min(1).max(5000),
  tag: z.string().min(1),
  remove: z.boolean().optional(),
});
const commentBody = z.object({ itemKey: z.string().min(1), body: z.string().min(1).max(10_000) });
const tagBody = z.object({ name: z.string().min(1).max(50) });
const tagChangeBody = z.object({ name: z.string().min(1).max(50).optional(), retired: z.boolean().optional() });
const viewQuery = z.object({
  tag: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});

const actorOf = (req: FastifyRequest): Actor => ({ username: req.user?.username ?? 'anonymous', ip: req.ip });

export function reviewRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;
  const read = { config: { access: 'cases:read' as const } };
  const write = { config: { access: 'cases:write' as const } };

  app.get(
    '/cases/:caseId/searches',
    { ...read, schema: { summary: 'Saved searches of the case with their counts' } },
    async (req) => ({
      searches: await listSavedSearches(db, parse(caseParams, req.params).caseId),
    }),
  );
  app.post(
    '/cases/:caseId/searches',
    { ...write, schema: { summary: 'Save a search in the case', body: jsonSchema(searchBody) } },
    async (req, reply) => {
      const b = parse(searchBody, req.body);
      reply.code(201);
      return saveSearch(db, parse(caseParams, req.params).caseId, b.name, b.query, actorOf(req), ctx.now());
    },
  );
  app.post(
    '/cases/:caseId/searches/:searchId/run',
    { ...write, schema: { summary: 'Run a saved search again' } },
    async (req) => {
      const p = parse(searchParams, req.params);
      return rerunSearch(db, p.caseId, p.searchId, actorOf(req), ctx.now());
    },
  );
  app.get('/cases/:caseId/review-sets', { ...read, schema: { summary: 'Review sets of the case' } }, async (req) => ({
    reviewSets: await listReviewSets(db, parse(caseParams, req.params).caseId),
  }));
  app.post(
    '/cases/:caseId/review-sets',
    { ...write, schema: { summary: 'Create a review set', body: jsonSchema(setBody) } },
    async (req, reply) => {
      reply.code(201);
      return createReviewSet(
        db,
        parse(caseParams, req.params).caseId,
        parse(setBody, req.body).name,
        actorOf(req),
        ctx.now(),
      );
    },
  );
  app.post(
    '/cases/:caseId/review-sets/:reviewSetId/items',
    { ...write, schema: { summary: "Add a saved search's results to the review set", body: jsonSchema(addBody) } },
    async (req) => {
      const p = parse(caseSetParams, req.params);
      return addSearchToReviewSet(
        db,
        p.caseId,
        p.reviewSetId,
        parse(addBody, req.body).searchId,
        actorOf(req),
        ctx.now(),
      );
    },
  );
  app.get('/cases/:caseId/tags', { ...read, schema: { summary: 'Review tags of the case' } }, async (req) => ({
    tags: await listCaseTags(db, parse(caseParams, req.params).caseId),
  }));
  app.post(
    '/cases/:caseId/tags',
    {
      config: { access: 'cases:tags' },
      schema: { summary: 'Add a custom review tag to the case', body: jsonSchema(tagBody) },
    },
    async (req, reply) => {
      reply.code(201);
      const caseId = parse(caseParams, req.params).caseId;
      return addCaseTag(db, caseId, parse(tagBody, req.body).name, actorOf(req), ctx.now());
    },
  );
  app.patch(
    '/cases/:caseId/tags/:tagId',
    {
      config: { access: 'cases:tags' },
      schema: { summary: 'Rename, retire or restore a custom review tag', body: jsonSchema(tagChangeBody) },
    },
    async (req) => {
      const p = parse(tagParams, req.params);
      return changeCaseTag(db, p.caseId, p.tagId, parse(tagChangeBody, req.body), actorOf(req), ctx.now());
    },
  );
  app.get(
    '/review-sets/:reviewSetId/items',
    { config: { access: 'review' }, schema: { summary: 'Items of the review set, optionally one tag' } },
    async (req) =>
      viewReviewSet(db, parse(setParams, req.params).reviewSetId, parse(viewQuery, req.query), actorOf(req), ctx.now()),
  );
  app.post(
    '/review-sets/:reviewSetId/tags',
    { config: { access: 'review' }, schema: { summary: 'Tag or untag items in bulk', body: jsonSchema(taggingBody) } },
    async (req) =>
      tagItems(db, parse(setParams, req.params).reviewSetId, parse(taggingBody, req.body), actorOf(req), ctx.now()),
  );
  app.post(
    '/review-sets/:reviewSetId/comments',
    { config: { access: 'review' }, schema: { summary: 'Comment on an item', body: jsonSchema(commentBody) } },
    async (req, reply) => {
      const b = parse(commentBody, req.body);
      reply.code(201);
      return commentItem(db, parse(setParams, req.params).reviewSetId, b.itemKey, b.body, actorOf(req), ctx.now());
    },
  );
}
