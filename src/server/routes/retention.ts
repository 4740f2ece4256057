/**
 * Retention from the console: policies (create, extend, lock), a dry run, and the disposition
 * review queue. Every change is audited; a locked policy refuses here what the store refuses
 * everywhere. Only the reviewer a batch names may approve or postpone it, so "who approved" in a
 * tombstone is always the person the policy designated.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  changePolicy,
  createPolicy,
  lock,
  policies,
  policyInputSchema,
  PERIOD_UNITS,
} from '../../compliance/retention/index.js';
import { runDispositionOn } from '../../compliance/retention/wiring.js';
import { batchEntries, decideBatch, getBatch, listBatches } from '../../store/index.js';
import type { AppContext } from '../context.js';
import { HttpError } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const batchParam = z.object({ id: z.coerce.number().int().positive() });
const extendBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    period: z.object({ value: z.number().int().min(1), unit: z.enum(PERIOD_UNITS) }).optional(),
  })
  .strict();
const decisionBody = z
  .object({
    decision: z.enum(['approve', 'postpone']),
    /** with postpone: days until the batch comes back to the reviewer */
    days: z.number().int().min(1).max(3650).optional(),
    comment: z.string().max(2000).optional(),
  })
  .strict();

const DAY = 86_400_000;
/** entries listed per batch on a reviewer's queue; the count says how many there are in all */
const REVIEW_ENTRIES = 500;

export function retentionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const now = () => Date.now();
  const actor = (req: { user?: { username: string } }) => req.user?.username ?? 'unknown';

  app.get(
    '/retention/policies',
    { config: { access: 'retention:read' }, schema: { summary: 'Retention policies' } },
    async () => ({
      policies: await policies(ctx.store.db),
    }),
  );

  app.post(
    '/retention/policies',
    {
      config: { access: 'retention:write' },
      schema: { summary: 'Create a retention policy', body: jsonSchema(policyInputSchema) },
    },
    async (req, reply) => {
      const p = await createPolicy(ctx.store.db, req.body as z.input<typeof policyInputSchema>, actor(req), now());
      await ctx.audit(req, {
        action: 'retention.policy.create',
        target: p.id,
        detail: { name: p.name, period: p.period },
      });
      return reply.code(201).send(p);
    },
  );

  app.patch(
    '/retention/policies/:id',
    {
      config: { access: 'retention:write' },
      schema: {
        summary: 'Rename or extend a policy (a locked one only takes a longer period)',
        body: jsonSchema(extendBody),
      },
    },
    async (req) => {
      const { id } = parse(idParam, req.params);
      const body = parse(extendBody, req.body);
      const p = await changePolicy(ctx.store.db, id, body, actor(req), now());
      await ctx.audit(req, { action: 'retention.policy.update', target: id, detail: body });
      return p;
    },
  );

  app.post(
    '/retention/policies/:id/lock',
    {
      config: { access: 'retention:write' },
      schema: { summary: 'Preservation Lock: the policy can then only be extended' },
    },
    async (req) => {
      const { id } = parse(idParam, req.params);
      const p = await lock(ctx.store.db, id, actor(req), now());
      await ctx.audit(req, { action: 'retention.policy.lock', target: id, detail: {} });
      return p;
    },
  );

  app.post(
    '/retention/dry-run',
    {
      config: { access: 'retention:read' },
      schema: { summary: 'What a disposition run would delete now, and what it would keep' },
    },
    async (req) => {
      const r = await runDispositionOn(ctx.store, { now: now(), dryRun: true });
      await ctx.audit(req, { action: 'retention.dry-run', target: 'archive', detail: { deleted: r.deleted } });
      return { ...r, wouldGo: r.wouldGo.slice(0, 1000), truncated: r.wouldGo.length > 1000 };
    },
  );

  app.get(
    '/retention/batches',
    { config: { access: 'retention:read' }, schema: { summary: 'Disposition review batches' } },
    async () => ({
      batches: await listBatches(ctx.store.db),
    }),
  );

  // A records reviewer's own queue: the batches naming them that wait for their decision, each
  // with the entries it would delete (which they may open: server/item-access.ts). Without
  // retention:read they see no other batch and no policy.
  app.get(
    '/retention/review',
    {
      config: { access: 'retention:review' },
      schema: { summary: 'Disposition batches named to you that wait for your decision, with their entries' },
    },
    async (req) => {
      const mine = await listBatches(ctx.store.db, ['pending', 'postponed'], actor(req));
      return {
        batches: await Promise.all(
          mine.map(async (b) => ({
            ...b,
            items: await batchEntries(ctx.store.db, b.id, { offset: 0, limit: REVIEW_ENTRIES }),
          })),
        ),
      };
    },
  );

  app.get(
    '/retention/batches/:id',
    {
      config: { access: 'retention:read' },
      schema: { summary: 'A disposition batch and the entries it would delete' },
    },
    async (req) => {
      const { id } = parse(batchParam, req.params);
      return {
        batch: await getBatch(ctx.store.db, id),
        entries: await batchEntries(ctx.store.db, id, { offset: 0, limit: 1000 }),
      };
    },
  );

  app.post(
    '/retention/batches/:id/decision',
    {
      config: { access: 'retention:review' },
      schema: {
        summary: 'Approve or postpone a disposition batch (its named reviewer only)',
        body: jsonSchema(decisionBody),
      },
    },
    async (req) => {
      const { id } = parse(batchParam, req.params);
      const body = parse(decisionBody, req.body);
      const batch = await getBatch(ctx.store.db, id);
      if (batch.reviewer && batch.reviewer !== actor(req)) {
        throw new HttpError(403, {
          code: 'WXA_FORBIDDEN',
          message: `disposition batch ${id} is for ${batch.reviewer} to decide, not ${actor(req)}`,
        });
      }
      const t = now();
      const decided = await decideBatch(
        ctx.store.db,
        id,
        body.decision === 'approve'
          ? { status: 'approved', by: actor(req), ...(body.comment ? { comment: body.comment } : {}) }
          : {
              status: 'postponed',
              by: actor(req),
              until: t + (body.days ?? 30) * DAY,
              ...(body.comment ? { comment: body.comment } : {}),
            },
        t,
      );
      await ctx.audit(req, {
        action: `retention.batch.${body.decision}`,
        target: String(id),
        detail: { policyId: batch.policy_id },
      });
      return decided;
    },
  );
}
