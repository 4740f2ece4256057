/**
 * The connectors tab: each connector's state, live progress, lag against the source's 5-day
 * retention and its run history; creating and changing console connectors (the wizard's
 * finish), and run now / pause / resume. Only Organization and Connector admins get here.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ConnectorConfig } from '../../config/index.js';
import type { ConnectorStatus } from '../../pipeline/supervisor.js';
import {
  connectorTotals,
  destinationCounters,
  getConnectorDefinition,
  recordCounters,
  listRuns,
  requestRun,
  setControlPaused,
  saveConnectorDefinition,
  setConnectorPaused,
  sourceHealth,
  SOURCE_RETENTION_MS,
} from '../../store/index.js';

import type { AppContext } from '../context.js';
import {
  createConnectorSchema,
  ensureSandbox,
  secretStatus,
  storeSecrets,
  TERMS_VERSION,
  writeMappingCsv,
  type StoredDefinition,
} from '../../connectors/definitions.js';
import type { ConnectorDetail, ConnectorInput, ConnectorSummary, RunSummary, TermsInfo } from '../contract.js';
import { HttpError, notFound } from '../errors.js';
import { loadManagedConnectors } from '../../connectors/managed.js';
import { checkKeptSecrets } from '../../connectors/secret-bindings.js';
import { MAPPING_BODY_LIMIT } from '../body-limits.js';
import { checkMappingUpload, refuseBadMapping } from '../mapping-upload.js';
import { reportedStatuses } from '../connector-statuses.js';
import { progressEvent } from './events.js';
import { runSummary } from '../run-summary.js';
import { idParams, jsonSchema, parse } from '../schema.js';

/** Runs shown with a connector; older ones page through /runs. */
const DETAIL_RUNS = 20;

const runsQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export function connectorRoutes(app: FastifyInstance, ctx: AppContext): void {
  const db = ctx.store.db;

  /**
   * Statuses from the running supervisor, or (no supervisor: role processes on a shared database,
   * tools, tests) from the definitions and what the processes reported.
   */
  const statuses = async (): Promise<ConnectorStatus[]> => {
    if (ctx.supervisor) return ctx.supervisor.list();
    return reportedStatuses(
      db,
      await loadManagedConnectors({ config: ctx.config, store: ctx.store, secrets: ctx.secrets }),
    );
  };

  const summaryOf = async (s: ConnectorStatus): Promise<ConnectorSummary> => {
    const now = ctx.now();
    const [health, runs, totals] = await Promise.all([
      sourceHealth(db, s.id, now),
      listRuns(db, { connectorId: s.id, limit: 1 }),
      connectorTotals(db, s.id),
    ]);
    const lagMs = health.captureLagMs;
    const worst = Math.max(lagMs ?? 0, health.oldestUnprocessedAgeMs ?? 0, health.oldestHeldAgeMs ?? 0);
    return {
      id: s.id,
      name: s.config.name ?? s.id,
      sourceKind: s.config.source.kind,
      origin: s.origin,
      state: s.state,
      stateDetail: s.stateDetail,
      progress: s.progress ? progressEvent(s.id, s.progress) : null,
      lastRun: runs[0] ? runSummary(runs[0]) : null,
      nextRunAt: s.nextRunAt,
      intervalSeconds: s.intervalSeconds,
      lag: {
        newestMessageAt: health.newestMessageTime,
        lastSuccessAt: health.lastSuccessfulRunAt,
        // How far the archive is behind: capture, or the oldest record still not in a mailbox.
        lagMs: lagMs === null && worst === 0 ? null : worst,
        level: health.lastSuccessfulRunAt === null && lagMs === null && health.held === 0 ? 'unknown' : health.level,
        retentionMs: SOURCE_RETENTION_MS,
        held: health.held,
        oldestHeldAgeMs: health.oldestHeldAgeMs,
      },
      totals,
    };
  };

  const find = async (id: string): Promise<ConnectorStatus> => {
    const s = (await statuses()).find((x) => x.id === id);
    if (!s) throw notFound(`connector ${id}`);
    return s;
  };

  const detailOf = async (s: ConnectorStatus): Promise<ConnectorDetail> => {
    const summary = await summaryOf(s);
    const row = s.origin === 'console' ? await getConnectorDefinition(db, s.id) : undefined;
    const def = row ? (row.definition as StoredDefinition) : undefined;
    const [rows, counters, destinations] = await Promise.all([
      listRuns(db, { connectorId: s.id, limit: DETAIL_RUNS + 1 }),
      recordCounters(db, { connectorId: s.id }),
      destinationCounters(db, { connectorId: s.id }),
    ]);
    const runs = rows.slice(0, DETAIL_RUNS).map(runSummary);
    return {
      ...summary,
      counters,
      destinations,
      definition: def ? stripKeyVersions(def) : definitionOfConfig(s.config),
      secrets: def ? await secretStatus(db, ctx.secrets, def) : {},
      runs,
      runsNext: rows.length > DETAIL_RUNS ? String(runs[runs.length - 1]!.id) : null,
    };
  };

  app.get(
    '/terms',
    { config: { access: 'connectors:write' }, schema: { summary: 'Current terms version' } },
    () =>
      ({
        version: TERMS_VERSION,
      }) satisfies TermsInfo,
  );

  app.get(
    '/connectors',
    { config: { access: 'connectors:read' }, schema: { summary: 'Every connector with its state, progress and lag' } },
    async () => ({ connectors: await Promise.all((await statuses()).map(summaryOf)) }),
  );

  app.get(
    '/connectors/:id',
    { config: { access: 'connectors:read' }, schema: { summary: 'One connector with its definition and recent runs' } },
    async (req): Promise<ConnectorDetail> => detailOf(await find(parse(idParams, req.params).id)),
  );

  app.get(
    '/connectors/:id/runs',
    {
      config: { access: 'connectors:read' },
      schema: { summary: 'Run history, newest first', querystring: jsonSchema(runsQuery) },
    },
    async (req): Promise<{ runs: RunSummary[]; next: string | null }> => {
      const { id } = parse(idParams, req.params);
      const q = parse(runsQuery, req.query);
      const limit = q.limit ?? 50;
      const rows = await listRuns(db, {
        connectorId: id,
        limit: limit + 1,
        ...(q.before ? { beforeId: q.before } : {}),
      });
      const page = rows.slice(0, limit).map(runSummary);
      return { runs: page, next: rows.length > limit ? String(page[page.length - 1]!.id) : null };
    },
  );

  const save = async (id: string | undefined, body: unknown, req: Parameters<typeof ctx.audit>[0]) => {
    const input = parse(createConnectorSchema, body);
    if (id !== undefined && input.id !== id) {
      throw new HttpError(400, {
        code: 'WXA_INPUT_INVALID',
        message: 'the connector id cannot change: it keys the cursor and the items',
        fields: [{ path: 'id', message: 'cannot change' }],
      });
    }
    if (input.termsAccepted !== TERMS_VERSION) {
      throw new HttpError(400, {
        code: 'WXA_TERMS_NOT_ACCEPTED',
        message: `accept the terms and data-processing notice version ${TERMS_VERSION} first`,
        fields: [{ path: 'termsAccepted', message: `must be ${TERMS_VERSION}` }],
      });
    }
    const existing = await getConnectorDefinition(db, input.id);
    const inConfig = ctx.config.connectors.some((c) => c.id === input.id);
    if (id === undefined && (existing || inConfig)) {
      throw new HttpError(409, {
        code: 'WXA_CONNECTOR_EXISTS',
        message: `a connector with the id "${input.id}" exists; choose another id`,
        fields: [{ path: 'id', message: 'already used' }],
      });
    }
    if (id !== undefined && !existing) {
      throw inConfig
        ? new HttpError(400, {
            code: 'WXA_CONNECTOR_READONLY',
            message:
              ctx.supervisor?.get(id)?.origin === 'demo'
                ? `connector ${id} is the built-in demo of serve; create your own connector instead`
                : `connector ${id} is defined in the config file; change it there`,
          })
        : notFound(`connector ${id}`);
    }
    // Parsed off the event loop; a CSV with errors is refused, listing the first of each kind.
    if (input.mapping.csv !== undefined) {
      refuseBadMapping(await checkMappingUpload(ctx, input.mapping.csv, input.mapping.csvFileName ?? 'mapping.csv'));
    }
    const actor = req.user?.username ?? 'unknown';
    const now = ctx.now();
    const saved = existing ? (existing.definition as StoredDefinition) : undefined;
    // Refused before anything is written: a kept secret whose server or account changed.
    if (saved) await checkKeptSecrets(db, ctx.secrets, saved, input, input.secrets);
    const keyVersions = await storeSecrets(db, ctx.secrets, input, input.secrets, saved?.keyVersions ?? [], actor, now);
    const paths = { dataDir: ctx.config.dataDir };
    const csv = input.mapping.csv;
    if (csv !== undefined) await writeMappingCsv(paths, input.id, csv);
    const { csv: _csv, ...mapping } = input.mapping;
    void _csv;
    const { secrets: _secrets, termsAccepted: _terms, ...rest } = input;
    void _secrets;
    void _terms;
    const def: StoredDefinition = { ...rest, mapping, keyVersions } as StoredDefinition;
    await ensureSandbox(paths, def);
    await saveConnectorDefinition(db, { id: input.id, definition: def, termsVersion: input.termsAccepted, actor }, now);
    await ctx.audit(req, {
      action: existing ? 'connector.update' : 'connector.create',
      target: input.id,
      detail: {
        name: input.name,
        source: input.source.kind,
        destinations: input.destinations.map((d) => d.kind),
        termsVersion: input.termsAccepted,
        mappingCsv: csv !== undefined,
        // Names of the secrets changed, never their values.
        secretsChanged: Object.keys(input.secrets ?? {}),
      },
    });
    await ctx.supervisor?.reload();
    return detailOf(await find(input.id));
  };

  app.post(
    '/connectors',
    {
      config: { access: 'connectors:write' },
      bodyLimit: MAPPING_BODY_LIMIT,
      schema: { summary: 'Create a connector (the wizard’s finish)', body: jsonSchema(createConnectorSchema) },
    },
    async (req, reply) => {
      const detail = await save(undefined, req.body, req);
      reply.code(201);
      return detail;
    },
  );

  app.put(
    '/connectors/:id',
    {
      config: { access: 'connectors:write' },
      bodyLimit: MAPPING_BODY_LIMIT,
      schema: { summary: 'Change a console connector', body: jsonSchema(createConnectorSchema) },
    },
    async (req) => save(parse(idParams, req.params).id, req.body, req),
  );

  app.post(
    '/connectors/:id/run',
    { config: { access: 'connectors:write' }, schema: { summary: 'Start a run now' } },
    async (req, reply) => {
      const { id } = parse(idParams, req.params);
      const s = await find(id);
      if (s.state === 'paused') {
        throw new HttpError(409, {
          code: 'WXA_CONNECTOR_PAUSED',
          message: `connector ${id} is paused; resume it first`,
        });
      }
      if (ctx.supervisor) {
        if (!ctx.supervisor.runNow(id))
          throw new HttpError(409, { code: 'WXA_NOT_RUNNING', message: 'connectors run only inside `serve`' });
      } else if (ctx.process) {
        // Processes of their own: the capture process holding the connector starts it at its next look.
        await requestRun(db, id, ctx.now());
      } else {
        throw new HttpError(409, { code: 'WXA_NOT_RUNNING', message: 'connectors run only inside `serve`' });
      }
      await ctx.audit(req, { action: 'connector.run', target: id });
      reply.code(202);
      return {};
    },
  );

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/connectors/:id/${action}`,
      {
        config: { access: 'connectors:write' },
        schema: { summary: `${action === 'pause' ? 'Pause' : 'Resume'} a connector` },
      },
      async (req): Promise<ConnectorSummary> => {
        const { id } = parse(idParams, req.params);
        const s = await find(id);
        const paused = action === 'pause';
        if (s.origin === 'console') await setConnectorPaused(db, id, paused, ctx.now());
        await ctx.supervisor?.setPaused(id, paused);
        // Processes of their own (any connector, the config file's too): each obeys at its next look.
        if (!ctx.supervisor && ctx.process) await setControlPaused(db, id, paused, ctx.now());
        await ctx.audit(req, { action: `connector.${action}`, target: id });
        return summaryOf(await find(id));
      },
    );
  }
}

function stripKeyVersions(def: StoredDefinition): ConnectorInput {
  const { keyVersions: _k, ...rest } = def;
  void _k;
  return rest;
}

/** A config-file connector shown in the wizard's shape (read-only; secrets stay in the environment). */
function definitionOfConfig(c: ConnectorConfig): ConnectorInput {
  return {
    id: c.id,
    name: c.name ?? c.id,
    source:
      c.source.kind === 'sandbox'
        ? { kind: 'sandbox' }
        : { kind: 'wecom', corpId: c.source.corpId, sdkLibrary: c.source.sdkLibrary, proxy: c.source.proxy },
    mapping: {
      autoFromDirectoryEmail: c.mapping.autoFromDirectoryEmail,
      ...(c.mapping.addressTemplate ? { addressTemplate: c.mapping.addressTemplate } : {}),
      ...(c.mapping.catchAll ? { catchAll: c.mapping.catchAll } : {}),
      ...(c.mapping.csv ? { csvFileName: c.mapping.csv } : {}),
    },
    destinations: c.destinations.map((d) => {
      switch (d.kind) {
        case 'archive':
          return { kind: 'archive' as const };
        case 'imap':
          return {
            kind: 'imap' as const,
            host: d.host,
            ...(d.port ? { port: d.port } : {}),
            secure: d.secure,
            authKind: d.auth.kind === 'master' ? ('master' as const) : ('password' as const),
            checkMailbox: d.checkMailbox,
            folder: d.folder,
          };
        case 'graph':
          return {
            kind: 'graph' as const,
            tenantId: d.tenantId,
            clientId: d.clientId,
            cloud: d.cloud,
            folder: d.folder,
          };
        case 'gmail':
          return { kind: 'gmail' as const, label: d.label };
      }
    }),
    schedule: { intervalSeconds: c.schedule.intervalSeconds },
  };
}
