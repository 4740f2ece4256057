/**
 * eDiscovery cases and legal holds in the console. Which cases a user reaches is decided by the
 * access hook from the route's :caseId (case-access.ts); the case list is scoped here the same
 * way (members only, unless the user may work every case). Changes are audited by the domain
 * functions, with the user and address of the request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  closeCase,
  createCase,
  holdReport,
  listCases,
  placeHold,
  releaseHold,
  reopenCase,
  requireHold,
  setMember,
  showCase,
  type Actor,
} from '../../compliance/cases/index.js';
import { deleteItemEntry } from '../../compliance/deletion/delete-entry.js';
import { can } from '../../security/index.js';
import type { ServerContext } from '../context.js';
import type { CaseListEntry } from '../contract.js';
import { notFound } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const caseParams = z.object({ caseId: z.coerce.number().int().positive() });
const holdParams = caseParams.extend({ holdId: z.coerce.number().int().positive() });
const memberParams = caseParams.extend({ username: z.string().min(1) });
const createBody = z.object({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional(),
  members: z.array(z.string().min(1)).optional(),
});
const holdBody = z.object({
  custodian: z.string().min(3).optional(),
  query: z.string().min(1).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
const releaseBody = z.object({ reason: z.string().max(2000).optional() });
const listQuery = z.object({ status: z.enum(['active', 'closed', 'all']).default('all') });
const entryParams = z.object({ itemKey: z.string().min(1), mailbox: z.string().min(3) });

function actorOf(req: FastifyRequest): Actor {
  return { username: req.user?.username ?? 'anonymous', ip: req.ip };
}

export function caseRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const db = ctx.store.db;

  app.get(
    '/cases',
    { config: { access: 'cases:read' }, schema: { summary: 'Cases you work (?status=active|closed|all)' } },
    async (req) => {
      const q = parse(listQuery, req.query);
      const status = q.status === 'all' ? undefined : q.status;
      const all = req.user && can(req.user.roles, 'cases:all');
      const mine = await listCases(db, req.user?.username ?? '', status);
      // Administrators see every case; `member` tells them which ones they are on themselves.
      const ids = new Set(mine.map((c) => c.id));
      return {
        cases: (all ? await listCases(db, undefined, status) : mine).map((c): CaseListEntry => ({
          ...c,
          member: ids.has(c.id),
        })),
      };
    },
  );

  app.post(
    '/cases',
    { config: { access: 'cases:write' }, schema: { summary: 'Create a case', body: jsonSchema(createBody) } },
    async (req, reply) => {
      const body = parse(createBody, req.body);
      reply.code(201);
      return createCase(db, body, actorOf(req), ctx.now());
    },
  );

  app.get(
    '/cases/:caseId',
    { config: { access: 'cases:read' }, schema: { summary: 'A case: members, custodians, holds' } },
    async (req) => showCase(db, parse(caseParams, req.params).caseId),
  );

  app.post(
    '/cases/:caseId/close',
    {
      config: { access: 'cases:write' },
      schema: { summary: 'Close the case (409 while a hold is active)', body: jsonSchema(releaseBody) },
    },
    async (req) => {
      const { caseId } = parse(caseParams, req.params);
      await closeCase(db, caseId, actorOf(req), parse(releaseBody, req.body ?? {}).reason, ctx.now());
      return showCase(db, caseId);
    },
  );

  app.post(
    '/cases/:caseId/reopen',
    { config: { access: 'cases:write' }, schema: { summary: 'Reopen a closed case', body: jsonSchema(releaseBody) } },
    async (req) => {
      const { caseId } = parse(caseParams, req.params);
      await reopenCase(db, caseId, actorOf(req), parse(releaseBody, req.body ?? {}).reason, ctx.now());
      return showCase(db, caseId);
    },
  );

  app.put(
    '/cases/:caseId/members/:username',
    { config: { access: 'cases:write' }, schema: { summary: 'Add a member to the case' } },
    async (req, reply) => {
      const p = parse(memberParams, req.params);
      await setMember(db, p.caseId, p.username, true, actorOf(req), ctx.now());
      reply.code(204);
    },
  );

  app.delete(
    '/cases/:caseId/members/:username',
    { config: { access: 'cases:write' }, schema: { summary: 'Remove a member from the case' } },
    async (req, reply) => {
      const p = parse(memberParams, req.params);
      await setMember(db, p.caseId, p.username, false, actorOf(req), ctx.now());
      reply.code(204);
    },
  );

  app.get(
    '/cases/:caseId/holds',
    { config: { access: 'cases:read' }, schema: { summary: 'Holds of the case with what each covers' } },
    async (req) => ({ holds: await holdReport(db, [parse(caseParams, req.params).caseId]) }),
  );

  app.post(
    '/cases/:caseId/holds',
    {
      config: { access: 'cases:write' },
      schema: { summary: 'Place a hold on a custodian or a query', body: jsonSchema(holdBody) },
    },
    async (req, reply) => {
      const { caseId } = parse(caseParams, req.params);
      const h = await placeHold(db, caseId, parse(holdBody, req.body), actorOf(req), ctx.now());
      // the same hold already in force: given back as it is
      reply.code(h.existing ? 200 : 201);
      return h;
    },
  );

  app.post(
    '/cases/:caseId/holds/:holdId/release',
    { config: { access: 'cases:write' }, schema: { summary: 'Release a hold', body: jsonSchema(releaseBody) } },
    async (req) => {
      const p = parse(holdParams, req.params);
      const hold = await requireHold(db, p.holdId);
      if (Number(hold.case_id) !== p.caseId) throw notFound(`hold ${p.holdId} of case ${p.caseId}`);
      return releaseHold(db, p.holdId, actorOf(req), parse(releaseBody, req.body ?? {}).reason, ctx.now());
    },
  );

  app.delete(
    '/items/:itemKey/entries/:mailbox',
    {
      config: { access: 'items:delete' },
      schema: { summary: "Delete a mailbox's entry of an item (409 while a legal hold covers it)" },
    },
    async (req, reply) => {
      const p = parse(entryParams, req.params);
      await deleteItemEntry(
        ctx.store,
        { itemKey: p.itemKey, mailbox: p.mailbox, via: 'admin', actor: req.user?.username ?? 'anonymous', ip: req.ip },
        ctx.now(),
      );
      reply.code(204);
    },
  );
}
