/**
 * The Integrity page's API (Auditor, Organization admin): the archive's proof at a glance, a
 * `verify` run on demand (kept like the CLI's runs), and the evidence package as a zip. Running
 * verify and taking the package away are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { evidenceZip, integritySummary, verifyAndRecord } from '../../compliance/evidence/index.js';
import type { AppContext } from '../context.js';
import type { IntegritySummary, IntegrityVerifyResult } from '../contract.js';
import { jsonSchema, parse } from '../schema.js';

const verifyBody = z.object({
  /** ms since epoch: check only what was added since then (the CLI's `--since`) */
  since: z.number().int().nonnegative().optional(),
});

export function integrityRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/integrity',
    {
      config: { access: 'integrity:read' },
      schema: { summary: 'Last verification, chain heads, checkpoint, gaps, backup' },
    },
    async (): Promise<IntegritySummary> => integritySummary(ctx.store, ctx.config, ctx.now()),
  );

  app.post(
    '/integrity/verify',
    {
      config: { access: 'integrity:read' },
      schema: { summary: 'Run verify now and keep its result', body: jsonSchema(verifyBody) },
    },
    async (req): Promise<IntegrityVerifyResult> => {
      const body = parse(verifyBody, req.body ?? {});
      const report = await verifyAndRecord(ctx.store, ctx.config, {
        ...(body.since !== undefined ? { since: body.since } : {}),
        actor: req.user!.username,
        via: 'console',
      });
      const result: IntegrityVerifyResult = {
        ok: report.ok,
        checkedAt: report.checkedAt,
        since: report.since,
        durationMs: report.durationMs,
        problemCount: report.problemCount,
        firstBroken: report.firstBroken,
      };
      await ctx.audit(req, { action: 'integrity.verify', target: 'archive', detail: { ...result } });
      return result;
    },
  );

  app.get(
    '/integrity/evidence',
    { config: { access: 'integrity:read' }, schema: { summary: 'Evidence package (zip)' } },
    async (req, reply) => {
      const { zip, report } = await evidenceZip(ctx.store, ctx.config);
      await ctx.audit(req, {
        action: 'integrity.evidence',
        target: 'archive',
        detail: { verified: report.ok, bytes: zip.byteLength },
      });
      const day = new Date(ctx.now()).toISOString().slice(0, 10);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="evidence-${day}.zip"`)
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
  );
}
