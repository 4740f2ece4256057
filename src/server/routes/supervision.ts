/**
 * The supervision API: policies and their lexicons (Organization admin), applying a policy to
 * the history as a background job with progress, the review queue and its actions, and the
 * reports (Reviewer, Organization admin). Every change and every review action is audited; a
 * reviewer acts under their console username.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  applyPolicyToHistory,
  changeSupervisionPolicy,
  createSupervisionPolicy,
  getPolicy,
  historyOf,
  listPolicies,
  queueItemOf,
  reviewItem,
  REVIEW_TAGS,
  supervisionReport,
  type ApplyProgress,
} from '../../compliance/supervision/index.js';
import { isArchiverError } from '../../core/errors.js';
import { can } from '../../security/index.js';
import { getSupervisionApply, listSupervisionFlags } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const strings = z.array(z.string().trim().min(1).max(200)).max(100);
const policyBody = z.object({
  name: z.string().trim().min(1).max(100),
  lexicon: z.string().max(1_000_000).optional().describe('terms one a line, # comments'),
  msgtypes: strings.optional(),
  external: z.boolean().optional(),
  attachmentTypes: strings.optional(),
  supervised: strings.nullable().optional().describe('person ids or mailboxes; null or absent: everyone'),
  samplePercent: z.number().min(0).max(100).optional(),
  reviewers: strings.optional(),
});
const policyPatch = policyBody.partial().extend({ enabled: z.boolean().optional() });
const idParams = z.object({ id: z.coerce.number().int().min(1) });
const itemParams = z.object({ id: z.coerce.number().int().min(1), itemKey: z.string().min(1).max(500) });
const queueQuery = z.object({
  policy: z.coerce.number().int().min(1).optional(),
  state: z.enum(['open', 'claimed', 'escalated', 'resolved']).optional(),
  assignee: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
const tag = z.enum(REVIEW_TAGS);
const actionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('claim') }),
  z.object({ action: z.literal('release') }),
  z.object({ action: z.literal('tag'), tag }),
  z.object({ action: z.literal('comment'), text: z.string().trim().min(1).max(5000) }),
  z.object({
    action: z.literal('escalate'),
    to: z.string().trim().min(1).max(200),
    text: z.string().max(5000).optional(),
  }),
  z.object({ action: z.literal('resolve'), tag: tag.optional(), text: z.string().max(5000).optional() }),
  z.object({ action: z.literal('reopen'), text: z.string().max(5000).optional() }),
]);

/** Domain refusals as the API answers them: a missing thing 404, a refused transition 409. */
function answer(err: unknown): never {
  if (isArchiverError(err, 'WXA_NOT_FOUND')) throw new HttpError(404, { code: err.code, message: err.message });
  if (isArchiverError(err, 'WXA_SUPERVISION_STATE')) throw new HttpError(409, { code: err.code, message: err.message });
  if (isArchiverError(err, 'WXA_SUPERVISION_LEXICON_INVALID') || isArchiverError(err, 'WXA_SUPERVISION_POLICY_INVALID'))
    throw new HttpError(400, {
      code: err.code,
      message: err.message,
      fields: [{ path: String(err.details?.['field'] ?? 'lexicon'), message: err.message }],
    });
  throw err;
}

export function supervisionRoutes(app: FastifyInstance, ctx: AppContext): void {
  /** policy id -> progress of the apply running in this process */
  const running = new Map<number, ApplyProgress & { error?: string }>();
  const actor = (req: { user?: { username: string } }) => req.user?.username ?? 'anonymous';

  app.get(
    '/supervision/policies',
    { config: { access: 'supervision:review' }, schema: { summary: 'Supervision policies' } },
    async () => ({ policies: await listPolicies(ctx.store.db) }),
  );

  app.post(
    '/supervision/policies',
    {
      config: { access: 'supervision:manage' },
      schema: { summary: 'Create a supervision policy (audited)', body: jsonSchema(policyBody) },
    },
    async (req, reply) => {
      const body = parse(policyBody, req.body);
      const p = await createSupervisionPolicy(ctx.store.db, body, actor(req)).catch(answer);
      return reply.code(201).send(p);
    },
  );

  app.patch(
    '/supervision/policies/:id',
    {
      config: { access: 'supervision:manage' },
      schema: {
        summary: 'Change a supervision policy, its lexicon, or enable/disable it (audited)',
        body: jsonSchema(policyPatch),
      },
    },
    async (req) => {
      const { id } = parse(idParams, req.params);
      const body = parse(policyPatch, req.body);
      return changeSupervisionPolicy(ctx.store.db, id, body, actor(req)).catch(answer);
    },
  );

  app.post(
    '/supervision/policies/:id/apply',
    {
      config: { access: 'supervision:manage' },
      schema: { summary: 'Apply a policy to every archived item, as a background job (audited)' },
    },
    async (req, reply) => {
      const { id } = parse(idParams, req.params);
      if (!(await getPolicy(ctx.store.db, id))) throw notFound(`supervision policy ${id}`);
      if (!running.has(id)) {
        running.set(id, { done: 0, total: 0, flagged: 0 });
        await ctx.audit(req, { action: 'supervision.policy.apply', target: `supervision-policy:${id}` });
        void applyPolicyToHistory(ctx.store, id, { onProgress: (p) => running.set(id, p) }).then(
          () => running.delete(id),
          (err: unknown) => {
            req.log.error({ err }, 'supervision apply failed');
            running.set(id, { ...running.get(id)!, error: (err as Error).message });
          },
        );
      }
      return reply.code(202).send({ running: true, ...running.get(id) });
    },
  );

  app.get(
    '/supervision/policies/:id/apply',
    { config: { access: 'supervision:review' }, schema: { summary: "Progress of a policy's apply to the history" } },
    async (req) => {
      const { id } = parse(idParams, req.params);
      const live = running.get(id);
      if (live) return { running: !live.error, ...live };
      const saved = await getSupervisionApply(ctx.store.db, id);
      if (!saved) return { running: false, done: 0, total: 0, flagged: 0, finishedAt: null };
      return {
        running: false,
        done: saved.done,
        total: saved.done,
        flagged: saved.flagged,
        policyVersion: saved.policyVersion,
        finishedAt: saved.finishedAt === null ? null : new Date(saved.finishedAt).toISOString(),
      };
    },
  );

  app.get(
    '/supervision/queue',
    {
      config: { access: 'supervision:review' },
      schema: { summary: 'Flagged items: policy, matched terms, reasons, state', querystring: jsonSchema(queueQuery) },
    },
    async (req) => {
      const q = parse(queueQuery, req.query);
      // A reviewer's queue is their policies' flags and what they hold: the items they may open
      // (server/item-access.ts). Whoever manages policies sees every flag.
      const me = req.user?.username.toLowerCase() ?? '';
      const reviewer = can(req.user?.roles ?? [], 'supervision:manage')
        ? undefined
        : {
            username: me,
            policyIds: (await listPolicies(ctx.store.db)).filter((p) => p.reviewers.includes(me)).map((p) => p.id),
          };
      const rows = await listSupervisionFlags(ctx.store.db, {
        ...(reviewer ? { reviewer } : {}),
        ...(q.policy ? { policyId: q.policy } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(q.assignee ? { assignee: q.assignee.toLowerCase() } : {}),
        limit: q.limit,
      });
      return { items: rows.map(queueItemOf) };
    },
  );

  app.get(
    '/supervision/queue/:id/:itemKey/history',
    { config: { access: 'supervision:review' }, schema: { summary: 'Every review action on a flagged item' } },
    async (req) => {
      const { id, itemKey } = parse(itemParams, req.params);
      const rows = await historyOf(ctx.store.db, id, itemKey);
      return { actions: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
    },
  );

  app.post(
    '/supervision/queue/:id/:itemKey/actions',
    {
      config: { access: 'supervision:review' },
      schema: {
        summary: 'Claim, release, tag, comment, escalate, resolve or reopen a flagged item (audited)',
        body: jsonSchema(actionBody),
      },
    },
    async (req) => {
      const { id, itemKey } = parse(itemParams, req.params);
      const body = parse(actionBody, req.body);
      const f = await reviewItem(ctx.store.db, id, itemKey, actor(req), body).catch(answer);
      return { ...f, msgTime: new Date(f.msgTime).toISOString() };
    },
  );

  app.get(
    '/supervision/report',
    {
      config: { access: 'supervision:review' },
      schema: { summary: 'Per policy and reviewer: flagged, reviewed, open, age of the oldest open item' },
    },
    async () => supervisionReport(ctx.store.db),
  );
}
