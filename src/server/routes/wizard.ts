/**
 * The wizard's tests, run before anything is saved: "test connection" on the source (the same
 * checks as `connector check`), a test per destination, and the preview of an uploaded mapping
 * CSV with every bad row, its line and its reason.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { connectorSchema } from '../../config/index.js';
import { MAPPING_CSV_MAX_CHARS } from '../../mapping/index.js';
import { describeError } from '../../core/errors.js';
import { buildDestinations, destinationSchema } from '../../destinations/index.js';
import { checkConnector } from '../../pipeline/check.js';
import type { RuntimeSecrets } from '../../pipeline/index.js';
import { generateTenant } from '../../sources/sandbox/index.js';
import { getConnectorDefinition } from '../../store/index.js';
import type { AppContext } from '../context.js';
import {
  connectorInputSchema,
  destinationConfig,
  sandboxDir,
  secretsInputSchema,
  type StoredDefinition,
} from '../../connectors/definitions.js';
import { readDestinationSecret, readSourceSecrets } from '../../connectors/secret-bindings.js';
import type { CheckResult, MappingPreview } from '../contract.js';
import { MAPPING_BODY_LIMIT, TEST_BODY_LIMIT } from '../body-limits.js';
import { HttpError } from '../errors.js';
import { checkMappingUpload, previewOf } from '../mapping-upload.js';
import { jsonSchema, parse } from '../schema.js';
import { SOURCES } from '../../sources/index.js';

const testSourceBody = z.object({
  source: connectorInputSchema.shape.source,
  secrets: secretsInputSchema.optional(),
  connectorId: z.string().max(63).optional(),
});
const testDestinationBody = z.object({
  destination: connectorInputSchema.shape.destinations.element,
  secret: z.string().optional(),
  connectorId: z.string().max(63).optional(),
  index: z.number().int().min(0).optional(),
  mailbox: z.string().min(3).max(320),
});
const previewBody = z.object({
  csv: z.string().max(MAPPING_CSV_MAX_CHARS),
  fileName: z.string().max(255).optional(),
});

export function wizardRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.store.db;
  const access = 'connectors:write' as const;

  app.post(
    '/wizard/test-source',
    {
      config: { access },
      bodyLimit: TEST_BODY_LIMIT,
      schema: { summary: 'Test a source before saving', body: jsonSchema(testSourceBody) },
    },
    async (req): Promise<CheckResult> => {
      const body = parse(testSourceBody, req.body);
      const scratch = await mkdtemp(join(ctx.config.dataDir, '.wizard-'));
      try {
        let source: unknown;
        const secrets: RuntimeSecrets = {};
        if (body.source.kind === 'sandbox') {
          const existing = body.connectorId ? sandboxDir({ dataDir: ctx.config.dataDir }, body.connectorId) : undefined;
          const dir = existing && existsSync(join(existing, 'tenant.json')) ? existing : join(scratch, 'tenant');
          if (dir !== existing) await generateTenant({ outDir: dir, seed: 7, messages: 40 });
          source = { kind: 'sandbox', dir };
        } else {
          const saved = body.connectorId ? await savedDefinition(ctx, body.connectorId) : undefined;
          // Only the stored secrets not given anew are read, each checked against the settings tested.
          const stored = saved ? await readSourceSecrets(db, ctx.secrets, saved, body.source, body.secrets) : {};
          const archive = body.secrets?.archiveSecret ?? stored.archiveSecret;
          const proxy = body.secrets?.proxyPassword ?? stored.proxyPassword;
          if (archive) secrets.archiveSecret = archive;
          if (proxy) secrets.proxyPassword = proxy;
          secrets.privateKeys = [...(stored.privateKeys ?? []), ...(body.secrets?.privateKeys ?? [])];
          const keysDir = join(scratch, 'keys');
          await mkdir(keysDir);
          source = {
            kind: 'wecom',
            corpId: body.source.corpId,
            sdkLibrary: body.source.sdkLibrary,
            proxy: body.source.proxy ?? '',
            keysDir,
          };
        }
        const cfg = connectorSchema.parse({
          id: body.connectorId ?? 'wizard-test',
          source,
          destinations: [{ kind: 'archive' }],
        });
        const report = await checkConnector(cfg, { sources: SOURCES, secrets });
        const result: CheckResult = {
          ok: report.ok,
          lines: report.lines.map((l) => ({ name: l.check, ok: l.ok, detail: l.detail })),
        };
        await ctx.audit(req, {
          action: 'connector.test-source',
          target: body.connectorId ?? '(new)',
          detail: { source: body.source.kind, ok: result.ok },
        });
        return result;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/wizard/test-destination',
    {
      config: { access },
      bodyLimit: TEST_BODY_LIMIT,
      schema: { summary: 'Test a destination before saving', body: jsonSchema(testDestinationBody) },
    },
    async (req): Promise<CheckResult> => {
      const body = parse(testDestinationBody, req.body);
      const d = body.destination;
      if (d.kind === 'archive') return { ok: true, lines: [{ name: 'archive', ok: true, detail: 'always available' }] };
      let secret = body.secret;
      if (!secret && body.connectorId !== undefined && body.index !== undefined) {
        const saved = await savedDefinition(ctx, body.connectorId);
        // Refused (naming the changed field) unless the destination tested is where the secret was saved for.
        if (saved) secret = await readDestinationSecret(db, ctx.secrets, saved, body.index, d, 'secret');
      }
      if (!secret) {
        throw new HttpError(400, {
          code: 'WXA_INPUT_INVALID',
          message: 'give the password, client secret or key of this destination to test it',
          fields: [{ path: 'secret', message: 'required' }],
        });
      }
      const raw = destinationConfig(
        'wizard',
        body.index ?? 0,
        d.kind === 'imap' ? { ...d, checkMailbox: body.mailbox } : d,
        secret,
      );
      const lines: CheckResult['lines'] = [];
      const built = buildDestinations([destinationSchema.parse(raw)]);
      try {
        for (const b of built) {
          try {
            const r = await b.destination.check();
            for (const line of r.details) lines.push({ name: b.id, ok: r.ok, detail: line });
            if (r.details.length === 0) lines.push({ name: b.id, ok: r.ok, detail: r.ok ? 'ok' : 'failed' });
          } catch (err) {
            lines.push({ name: b.id, ok: false, detail: describeError(err) });
          }
        }
      } finally {
        await Promise.all(built.map((b) => b.destination.close()));
      }
      const ok = lines.every((l) => l.ok);
      await ctx.audit(req, {
        action: 'connector.test-destination',
        target: body.connectorId ?? '(new)',
        detail: { kind: d.kind, mailbox: body.mailbox, ok },
      });
      return { ok, lines };
    },
  );

  app.post(
    '/wizard/mapping-preview',
    {
      config: { access },
      bodyLimit: MAPPING_BODY_LIMIT,
      schema: { summary: 'Parse a mapping CSV without saving it', body: jsonSchema(previewBody) },
    },
    async (req): Promise<MappingPreview> => {
      const body = parse(previewBody, req.body);
      return previewOf(await checkMappingUpload(ctx, body.csv, body.fileName ?? 'mapping.csv'));
    },
  );
}

async function savedDefinition(ctx: AppContext, id: string): Promise<StoredDefinition | undefined> {
  const row = await getConnectorDefinition(ctx.store.db, id);
  return row ? (row.definition as StoredDefinition) : undefined;
}
