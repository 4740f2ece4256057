/**
 * The audit log view (Auditor, Organization admin). Reading the log is itself audited with the
 * full filter, as compliance rules ask for every search.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { auditRetentionStatus, listAudit, mentionedCaseIds } from '../../compliance/audit/index.js';
import { caseNamesByIds } from '../../store/index.js';
import type { AppContext } from '../context.js';
import type { AuditPage, AuditRetentionStatus } from '../contract.js';
import { jsonSchema, parse } from '../schema.js';

const auditQuery = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
  before: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/audit',
    {
      config: { access: 'audit:read' },
      schema: { summary: 'Audit events, newest first', querystring: jsonSchema(auditQuery) },
    },
    async (req): Promise<AuditPage> => {
      const q = parse(auditQuery, req.query);
      const filter = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== ''));
      const page = await listAudit(ctx.store.db, filter);
      if (!q.before) await ctx.audit(req, { action: 'audit.search', target: 'audit-log', detail: { filter } });
      return { ...page, cases: await caseNamesByIds(ctx.store.db, mentionedCaseIds(page.events)) };
    },
  );

  app.get(
    '/audit/retention',
    {
      config: { access: 'audit:read' },
      schema: { summary: "The audit log's own retention: setting, longest policy, last prune" },
    },
    async (): Promise<AuditRetentionStatus> =>
      auditRetentionStatus(ctx.store.db, ctx.config.audit.retentionDays, ctx.now()),
  );
}
