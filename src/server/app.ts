/**
 * The console's HTTP API and the web console, built by a factory that does not listen, so tests
 * use `inject` and `serve` decides where to listen. Every route must declare its access in
 * `config.access` or startup fails; one hook enforces the MATCHED route's access (session cookie,
 * permission, CSRF token on every change), so no handler checks roles itself, no spelling of a
 * URL reaches a handler unchecked, and the route table test can list them all (see access.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import { appendAudit } from '../compliance/audit/index.js';
import type { Supervisor } from '../pipeline/supervisor.js';
import { auditRefused } from './audit-refused.js';
import type { SecretBox } from '../security/index.js';
import type { Store } from '../store/index.js';
import { accessHook, requireDeclaredAccess } from './access.js';
import type { AppContext } from './context.js';

export type { AppContext } from './context.js';
import { createMappingParser, type MappingParser } from '../mapping/parse-pool.js';
import { DEFAULT_BODY_LIMIT } from './body-limits.js';
import { routeNotFound, sendError, toApiError } from './errors.js';
import { securityHeaders } from './headers.js';
import { httpLoggerOptions } from './http-logger.js';
import type { Logger } from '../core/logger.js';
import { auditRoutes } from './routes/audit.js';
import { integrityRoutes } from './routes/integrity.js';
import { connectorRoutes } from './routes/connectors.js';
import { conversationRoutes } from './routes/conversations.js';
import { eventRoutes } from './routes/events.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { metaRoutes } from './routes/meta.js';
import { problemRoutes } from './routes/problems.js';
import { searchRoutes } from './routes/search.js';
import { retentionRoutes } from './routes/retention.js';
import { caseRoutes } from './routes/cases.js';
import { reviewRoutes } from './routes/review.js';
import { reviewerRoutes } from './routes/reviewers.js';
import { exportRoutes } from './routes/exports.js';
import { supervisionRoutes } from './routes/supervision.js';
import { sessionRoutes, SESSION_COOKIE } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { wizardRoutes } from './routes/wizard.js';
import { webAppRoutes } from './web-app.js';

export interface AppOptions {
  store: Store;
  config: Config;
  secrets: SecretBox;
  /** the running connectors; without it (tests, CLI tools) connectors are read from the store only */
  supervisor?: Supervisor;
  /** directory of the built web console (index.html); none serves the API only */
  webRoot?: string;
  /** set the Secure flag on cookies (when served over HTTPS, directly or behind a proxy) */
  secureCookies?: boolean;
  now?: () => number;
  /** the root logger; the app logs through its `{component: 'http'}` child (none: silent) */
  logger?: Logger;
  /** parses uploaded mapping files off the event loop; default a pool of one thread, closed with the app */
  mappingParser?: MappingParser;
  /** this process among several on the database (`serve --role`): its heartbeat lease's owner and name */
  process?: { owner: string; holder: string };
}

/**
 * One spelling per route, deliberately: `/API/users`, `/api/users/`, `//api//users` and
 * `/api/users;x=1` match no route (JSON 404) rather than being folded onto one. Access never
 * depends on this (it is the matched route's), but a strict router keeps what reaches a handler
 * predictable. The router still decodes `%61` to `a`, which is why access is not decided by URL.
 * (useSemicolonDelimiter is a router option Fastify's types leave out of routerOptions.)
 */
const ROUTER_OPTIONS = {
  // Item keys and addresses are URL-encoded path segments; a WeCom key encodes to about 100
  // characters, Fastify's default limit. A longer segment matches no route: 414, or a JSON 404
  // from the web app's fallback when it is served.
  maxParamLength: 1024,
  caseSensitive: true,
  ignoreTrailingSlash: false,
  ignoreDuplicateSlashes: false,
  useSemicolonDelimiter: false,
};

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...httpLoggerOptions(opts.logger),
    // Small by default; the routes that carry a CSV or a CA bundle raise it (body-limits.ts).
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: false,
    routerOptions: ROUTER_OPTIONS,
    // A URL the router cannot decode or a path segment over maxParamLength: answered here in
    // the API's error shape and headers (Fastify answers these before any hook runs).
    frameworkErrors: (err, _req, reply) => {
      reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
      const status = err.statusCode === 414 ? 414 : 400;
      return sendError(reply, status, { code: 'WXA_BAD_REQUEST', message: err.message.slice(0, 300) });
    },
  });
  // Before any route is registered: from here on a route without declared access stops startup.
  requireDeclaredAccess(app);
  const now = opts.now ?? Date.now;
  const ctx: AppContext = {
    store: opts.store,
    config: opts.config,
    now,
    secrets: opts.secrets,
    supervisor: opts.supervisor,
    secureCookies: opts.secureCookies ?? false,
    ...(opts.process ? { process: opts.process } : {}),
    mappingParser: opts.mappingParser ?? createMappingParser(),
    audit: async (req: FastifyRequest, e) => {
      await appendAudit(
        opts.store.db,
        {
          actor: req.user?.username ?? 'anonymous',
          action: e.action,
          target: e.target,
          ...(e.detail ? { detail: e.detail } : {}),
          ip: req.ip,
        },
        now(),
      );
    },
  };

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'WeChat Archiver console API',
        version: '1',
        description:
          'Every console action. Authenticate with POST /api/session (cookie wxa_session); send the csrfToken it returns as x-csrf-token on every change.',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: string } | undefined)?.access ?? '(none)';
      const out = { ...(schema ?? {}) } as Record<string, unknown>;
      out['x-access'] = access;
      if (access !== 'public') out.security = [{ session: [] }];
      return { schema: out as typeof schema, url };
    },
  });

  securityHeaders(app, { https: ctx.secureCookies });
  app.addHook('onRequest', accessHook({ db: opts.store.db, now }));

  // Before the answer leaves (onSend, not onResponse): a client that has its 401/403 finds the
  // refusal already in the audit log, on every database.
  app.addHook('onSend', auditRefused(ctx));
  // A parser the app made is the app's to close.
  if (!opts.mappingParser) app.addHook('onClose', () => ctx.mappingParser.close());

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toApiError(err, req.routeOptions?.bodyLimit ?? DEFAULT_BODY_LIMIT);
    if (status >= 500) req.log.error({ err }, 'request failed');
    return sendError(reply, status, body);
  });

  await app.register(
    async (api) => {
      metaRoutes(api, ctx);
      sessionRoutes(api, ctx);
      userRoutes(api, ctx);
      connectorRoutes(api, ctx);
      wizardRoutes(api, ctx);
      eventRoutes(api, ctx);
      problemRoutes(api, ctx);
      mailboxRoutes(api, ctx);
      auditRoutes(api, ctx);
      integrityRoutes(api, ctx);
      conversationRoutes(api, ctx);
      searchRoutes(api, ctx);
      retentionRoutes(api, ctx);
      caseRoutes(api, ctx);
      reviewRoutes(api, ctx);
      reviewerRoutes(api, ctx);
      exportRoutes(api, ctx);
      supervisionRoutes(api, ctx);
    },
    { prefix: '/api' },
  );

  if (opts.webRoot && existsSync(join(opts.webRoot, 'index.html'))) await webAppRoutes(app, opts.webRoot);
  app.setNotFoundHandler(routeNotFound);
  await app.ready();
  return app;
}
