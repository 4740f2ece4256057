/**
 * A case's exports in the console: start one (a saved search or a review set, optionally only
 * some tags, in a format) as a background job, follow its progress, list the case's exports,
 * resume one the server was stopped in, and download one as a zip streamed from its directory
 * (or its manifest alone). Case members only: every route has :caseId, so the access hook
 * (case-access.ts) decides. Starting, resuming and downloading are audited.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../compliance/cases/index.js';
import {
  cliExportsOfCase,
  cliFilesHere,
  EXPORT_FORMATS,
  ExportJobs,
  MANIFEST_NAME,
  verifyExport,
  zipExport,
} from '../../compliance/export/index.js';
import type { ServerContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { jsonSchema, parse } from '../schema.js';

const caseParams = z.object({ caseId: z.coerce.number().int().positive() });
const exportParams = caseParams.extend({ exportId: z.string().uuid() });
const startBody = z
  .object({
    format: z.enum(EXPORT_FORMATS),
    savedSearchId: z.number().int().positive().optional(),
    reviewSetId: z.number().int().positive().optional(),
    tags: z.array(z.string().min(1).max(50)).max(50).optional(),
  })
  .refine((b) => (b.savedSearchId === undefined) !== (b.reviewSetId === undefined), {
    message: 'give savedSearchId or reviewSetId (one of them)',
    path: ['savedSearchId'],
  })
  .refine((b) => b.tags === undefined || b.tags.length === 0 || b.reviewSetId !== undefined, {
    message: 'tags select items of a review set: give reviewSetId',
    path: ['tags'],
  });

const actorOf = (req: FastifyRequest): Actor => ({ username: req.user?.username ?? 'anonymous', ip: req.ip });

export function exportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const jobs = new ExportJobs({
    store: ctx.store,
    dataDir: ctx.config.dataDir,
    pdfFont: ctx.config.export,
    now: ctx.now,
    ...(ctx.process ? { process: ctx.process } : {}),
    onError: (exportId, err) => app.log.error({ err, exportId }, 'export failed'),
  });
  // Closing the app does not wait for a running export (it may take hours): it stops where it
  // is, shows as interrupted after the restart, and resumes from its journal.

  app.get(
    '/cases/:caseId/exports',
    {
      config: { access: 'cases:read' },
      schema: {
        summary:
          "The case's exports: who, when, format, counts, status; and those made with the export command on the server (cliExports: listed, not downloadable)",
      },
    },
    async (req) => {
      const { caseId } = parse(caseParams, req.params);
      const cliExports = (await cliExportsOfCase(ctx.store, caseId)).map((e) => ({ ...e, filesHere: cliFilesHere(e) }));
      return { exports: await jobs.list(caseId), cliExports };
    },
  );

  app.post(
    '/cases/:caseId/exports',
    {
      config: { access: 'cases:write' },
      schema: {
        summary: 'Export a saved search or a review set (some tags only) as a background job (audited)',
        body: jsonSchema(startBody),
      },
    },
    async (req, reply) => {
      const { caseId } = parse(caseParams, req.params);
      const b = parse(startBody, req.body);
      const source =
        b.savedSearchId !== undefined
          ? { savedSearchId: b.savedSearchId }
          : { reviewSetId: b.reviewSetId!, ...(b.tags?.length ? { tags: b.tags } : {}) };
      const job = await jobs.start(caseId, b.format, source, actorOf(req));
      return reply.code(202).send(job);
    },
  );

  app.get(
    '/cases/:caseId/exports/:exportId',
    { config: { access: 'cases:read' }, schema: { summary: 'One export with its progress' } },
    async (req) => {
      const p = parse(exportParams, req.params);
      return jobs.get(p.caseId, p.exportId);
    },
  );

  app.post(
    '/cases/:caseId/exports/:exportId/resume',
    { config: { access: 'cases:write' }, schema: { summary: 'Resume an interrupted or failed export (audited)' } },
    async (req, reply) => {
      const p = parse(exportParams, req.params);
      return reply.code(202).send(await jobs.resume(p.caseId, p.exportId, actorOf(req)));
    },
  );

  /** A finished export's directory, or why it cannot be taken yet. */
  const finished = async (req: FastifyRequest) => {
    const p = parse(exportParams, req.params);
    const job = await jobs.get(p.caseId, p.exportId);
    if (job.status !== 'done')
      throw new HttpError(409, {
        code: 'WXA_INPUT_INVALID',
        message: `export ${p.exportId} is ${job.status}; download it once it is done`,
      });
    const dir = jobs.dirOf(p.caseId, p.exportId);
    if (!existsSync(join(dir, MANIFEST_NAME))) {
      // Written by another console process whose data directory this one does not share.
      if (job.writtenBy)
        throw new HttpError(404, {
          code: 'WXA_NOT_FOUND',
          message:
            `the files of export ${p.exportId} are not in this console's data directory: they were written by ` +
            `${job.writtenBy}; download it from that console, or give the console processes one shared exports directory`,
        });
      throw notFound(`the files of export ${p.exportId}`);
    }
    return { ...p, job, dir };
  };

  app.get(
    '/cases/:caseId/exports/:exportId/download',
    { config: { access: 'cases:read' }, schema: { summary: 'The export as a zip, streamed (audited)' } },
    async (req, reply) => {
      const f = await finished(req);
      await ctx.audit(req, {
        action: 'case.export.download',
        target: String(f.caseId),
        detail: { exportId: f.exportId, format: f.job.format, manifestSha256: f.job.manifestSha256 },
      });
      const name = `export-${f.caseId}-${f.exportId}`;
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="${name}.zip"`)
        .send(zipExport(f.dir, name));
    },
  );

  app.get(
    '/cases/:caseId/exports/:exportId/manifest',
    { config: { access: 'cases:read' }, schema: { summary: "The export's manifest.json (audited)" } },
    async (req, reply) => {
      const f = await finished(req);
      await ctx.audit(req, {
        action: 'case.export.manifest',
        target: String(f.caseId),
        detail: { exportId: f.exportId, manifestSha256: f.job.manifestSha256 },
      });
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="manifest-${f.exportId}.json"`)
        .send(createReadStream(join(f.dir, MANIFEST_NAME)));
    },
  );

  app.post(
    '/cases/:caseId/exports/:exportId/verify',
    {
      config: { access: 'cases:read' },
      schema: {
        summary:
          "Check a finished export's files against its manifest, the manifest against the audit log, and its items against the archive (audited)",
      },
    },
    async (req) => {
      const f = await finished(req);
      const { dir: _dir, ...v } = await verifyExport(f.dir, { store: ctx.store });
      await ctx.audit(req, {
        action: 'case.export.verify',
        target: String(f.caseId),
        detail: { exportId: f.exportId, manifestSha256: v.manifestSha256, ok: v.ok, problems: v.problemCount },
      });
      return v;
    },
  );
}
