/**
 * The Integrity page's API (Auditor, Organization admin): the archive's proof at a glance,
 * `verify` on demand as a background job the page polls (kept like the CLI's runs), and the
 * evidence package streamed as a zip, carrying the latest completed verification (never one run
 * inside the request). Running verify and taking the package away are audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { appendAudit } from '../../compliance/audit/index.js';
import { evidenceZip, integritySummary, verifyAndRecord, VerifyJobs } from '../../compliance/evidence/index.js';
import type { AppContext } from '../context.js';
import type { IntegritySummary, IntegrityVerifyJob, IntegrityVerifyResult } from '../contract.js';
import { HttpError } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const verifyBody = z.object({
  /** ms since epoch: check only what was added since then (the CLI's `--since`) */
  since: z.number().int().nonnegative().optional(),
});
const jobParams = z.object({ id: z.string().uuid() });

export function integrityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const jobs = new VerifyJobs(ctx.now);
  // A run in progress finishes (and records itself) before the store it reads is closed.
  app.addHook('onClose', async () => jobs.idle());

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
      schema: { summary: 'Start verify in the background (or join the run in progress)', body: jsonSchema(verifyBody) },
    },
    async (req, reply): Promise<IntegrityVerifyJob> => {
      const body = parse(verifyBody, req.body ?? {});
      const actor = req.user!.username;
      const { job } = jobs.start(
        { actor, since: body.since },
        async (onProgress) => {
          const report = await verifyAndRecord(ctx.store, ctx.config, {
            ...(body.since !== undefined ? { since: body.since } : {}),
            actor,
            via: 'console',
            onProgress,
          });
          return {
            ok: report.ok,
            checkedAt: report.checkedAt,
            since: report.since,
            durationMs: report.durationMs,
            problemCount: report.problemCount,
            firstBroken: report.firstBroken,
          } satisfies IntegrityVerifyResult;
        },
        async (end) => {
          await appendAudit(
            ctx.store.db,
            {
              actor,
              action: 'integrity.verify',
              target: 'archive',
              detail: end.result ? { ...end.result } : { error: end.error },
              ip: req.ip,
            },
            ctx.now(),
          );
        },
      );
      return reply.code(202).send(job);
    },
  );

  app.get(
    '/integrity/verify/latest',
    { config: { access: 'integrity:read' }, schema: { summary: 'The newest verify job since the server started' } },
    async (): Promise<{ job: IntegrityVerifyJob | null }> => ({ job: jobs.latest() }),
  );

  app.get(
    '/integrity/verify/:id',
    { config: { access: 'integrity:read' }, schema: { summary: 'A verify job: its progress, then its result' } },
    async (req): Promise<IntegrityVerifyJob> => {
      const { id } = parse(jobParams, req.params);
      const job = jobs.get(id);
      if (!job) {
        throw new HttpError(404, {
          code: 'WXA_NOT_FOUND',
          message: `no verify job ${id} (jobs are kept while the server runs); start verify again`,
        });
      }
      return job;
    },
  );

  app.get(
    '/integrity/evidence',
    {
      config: { access: 'integrity:read' },
      schema: { summary: 'Evidence package (zip, streamed) with the latest completed verification' },
    },
    async (req, reply) => {
      const { stream, report, verification, files } = await evidenceZip(ctx.store, ctx.config);
      try {
        // Recorded when the download starts: a package taken away half-way was still taken.
        await ctx.audit(req, {
          action: 'integrity.evidence',
          target: 'archive',
          detail: { verified: report.ok, verification: verification.id, scope: verification.scope, files },
        });
      } catch (err) {
        stream.destroy(); // removes the package's temporary directory
        throw err;
      }
      const day = new Date(ctx.now()).toISOString().slice(0, 10);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="evidence-${day}.zip"`)
        .send(stream);
    },
  );
}
