/**
 * Problems to act on: held items grouped by reason, each with what to do and the action that
 * fixes it (re-evaluate held records, retry refused deliveries), and the people no mapping
 * covers, so an admin can add a mapping row from the page and see the held items delivered.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { checkMailbox } from '../../mapping/index.js';
import { HOLD_REASONS } from '../../pipeline/index.js';
import {
  expiredMedia,
  holdExamples,
  holdSummaries,
  listPartialDeliveries,
  listPausedDeliveries,
  putMappingOverride,
  requeueHeld,
  retryHeldDeliveries,
  unknownTypeItems,
  unmappedPeople,
} from '../../store/index.js';
import type { AppContext } from '../context.js';
import type { ProblemActionResult, ProblemGroup, ProblemReason, ProblemsResponse } from '../contract.js';
import { HttpError, notFound } from '../errors.js';
import { idParams, jsonSchema, parse } from '../schema.js';

const ADVICE: Record<ProblemReason, string> = {
  ...HOLD_REASONS,
  'media-expired':
    'the source deleted this media before it was fetched (it keeps data 5 days); the message is archived with a note. Keep the connector running so capture stays well inside the window',
  'destination-refused':
    'the destination refused these items for good (see each detail); fix the cause at the destination, then retry',
  'unknown-type':
    'a message type this version does not know; the item is archived with its data as received and will be shown fully after an upgrade',
};

const ACTION: Record<ProblemReason, ProblemGroup['action']> = {
  unmapped: 'reevaluate',
  'key-missing': 'reevaluate',
  malformed: 'reevaluate',
  'render-failed': 'reevaluate',
  'conflicting-duplicate': 'none',
  'media-expired': 'none',
  'destination-refused': 'retry',
  'unknown-type': 'none',
};

const reasons = Object.keys(ACTION) as [ProblemReason, ...ProblemReason[]];
const problemsQuery = z.object({ connectorId: z.string().max(63).optional() });
const actionBody = z.object({ connectorId: z.string().min(1).max(63), reason: z.enum(reasons) });
const mappingBody = z.object({ participant: z.string().min(1).max(200), mailbox: z.string().min(3).max(320) });

export function problemRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.store.db;

  app.get(
    '/problems',
    {
      config: { access: 'problems:read' },
      schema: {
        summary: 'Held items by reason, unmapped people, partial deliveries and paused deliveries',
        querystring: jsonSchema(problemsQuery),
      },
    },
    async (req): Promise<ProblemsResponse> => {
      const { connectorId } = parse(problemsQuery, req.query);
      const groups: ProblemGroup[] = [];
      for (const g of await holdSummaries(db, connectorId)) {
        const reason = (g.reason in ACTION ? g.reason : 'malformed') as ProblemReason;
        groups.push({
          connectorId: g.connectorId,
          reason,
          // Held records, as `status` and `report` count them; refused deliveries for that reason.
          count: reason === 'destination-refused' ? g.deliveries : g.records,
          archivedPartly: g.archivedPartly,
          waiting: g.waiting,
          advice: ADVICE[reason],
          action: ACTION[reason],
          examples: await holdExamples(db, g.connectorId, g.reason),
        });
      }
      for (const [reason, found] of [
        ['media-expired', await expiredMedia(db, connectorId)],
        ['unknown-type', await unknownTypeItems(db, connectorId)],
      ] as const) {
        for (const m of found) {
          groups.push({ ...m, reason, advice: ADVICE[reason], action: ACTION[reason] });
        }
      }
      const partial = await listPartialDeliveries(db, { ...(connectorId ? { connectorId } : {}), limit: 200 });
      const paused = await listPausedDeliveries(db, Date.now(), connectorId);
      return {
        groups,
        unmapped: await unmappedPeople(db, connectorId),
        partial: partial.map(({ sourceUser: _, ...p }) => ({
          ...p,
          attachments: p.attachments.map((a) => ({
            ...a,
            reason: a.reason === 'blocked-type' ? 'blocked-type' : 'too-large',
          })),
        })),
        paused: paused.map((p) => ({ ...p, mailbox: p.mailbox ?? null })),
      };
    },
  );

  const act = (path: 'reevaluate' | 'retry') =>
    app.post(
      `/problems/${path}`,
      {
        config: { access: 'problems:write' },
        schema: {
          summary: path === 'retry' ? 'Retry refused deliveries' : 'Process held records again',
          body: jsonSchema(actionBody),
        },
      },
      async (req): Promise<ProblemActionResult> => {
        const body = parse(actionBody, req.body);
        if (ACTION[body.reason] !== path) {
          throw new HttpError(400, {
            code: 'WXA_INPUT_INVALID',
            message: `items held as ${body.reason} are not fixed by ${path}`,
            fields: [{ path: 'reason', message: `use ${ACTION[body.reason]}` }],
          });
        }
        const now = ctx.now();
        const released =
          path === 'retry'
            ? await retryHeldDeliveries(db, body.connectorId, now)
            : await requeueHeld(db, body.connectorId, body.reason, now);
        await ctx.audit(req, {
          action: `problems.${path}`,
          target: body.connectorId,
          detail: { reason: body.reason, released },
        });
        ctx.supervisor?.runNow(body.connectorId);
        return { released };
      },
    );
  act('reevaluate');
  act('retry');

  app.post(
    '/connectors/:id/mappings',
    {
      config: { access: 'problems:write' },
      schema: {
        summary: 'Map a person to a mailbox and process their held items again',
        body: jsonSchema(mappingBody),
      },
    },
    async (req): Promise<ProblemActionResult> => {
      const { id } = parse(idParams, req.params);
      const body = parse(mappingBody, req.body);
      const known =
        ctx.config.connectors.some((c) => c.id === id) ||
        (ctx.supervisor?.get(id) ??
          (await db.selectFrom('connectors').select('id').where('id', '=', id).executeTakeFirst()));
      if (!known) throw notFound(`connector ${id}`);
      const mailbox = checkMailbox(body.mailbox);
      if (!mailbox.ok) {
        throw new HttpError(400, {
          code: 'WXA_INPUT_INVALID',
          message: `"${body.mailbox}" is not a mailbox address: ${mailbox.reason}`,
          fields: [{ path: 'mailbox', message: mailbox.reason }],
        });
      }
      const now = ctx.now();
      await putMappingOverride(
        db,
        id,
        { personId: body.participant, mailbox: mailbox.address, actor: req.user?.username ?? 'unknown' },
        now,
      );
      const released = await requeueHeld(db, id, 'unmapped', now);
      await ctx.audit(req, {
        action: 'mapping.add',
        target: `${id}/${body.participant}`,
        detail: { mailbox: mailbox.address, released },
      });
      ctx.supervisor?.runNow(id);
      return { released };
    },
  );
}
