/**
 * The console's HTTP API and the web console, built by a factory that does not listen, so tests
 * use `inject` and `serve` decides where to listen. Every route declares its access in
 * `config.access`; one hook here enforces it (session cookie, permission, CSRF token on every
 * change), so no handler checks roles itself and the route table test can list them all.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import { appendAudit } from '../compliance/audit/index.js';
import type { Supervisor } from '../pipeline/supervisor.js';
import { can, csrfMatches, findSession, type SecretBox } from '../security/index.js';
import type { Store } from '../store/index.js';
import type { ServerContext } from './context.js';
import { sendError, toApiError } from './errors.js';
import { httpLoggerOptions } from './http-logger.js';
import type { Logger } from '../core/logger.js';
import { auditRoutes } from './routes/audit.js';
import { connectorRoutes } from './routes/connectors.js';
import { eventRoutes } from './routes/events.js';
import { mailboxRoutes } from './routes/mailboxes.js';
import { metaRoutes } from './routes/meta.js';
import { problemRoutes } from './routes/problems.js';
import { sessionRoutes, SESSION_COOKIE } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { wizardRoutes } from './routes/wizard.js';

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
}

export type AppContext = ServerContext & {
  secrets: SecretBox;
  supervisor: Supervisor | undefined;
  secureCookies: boolean;
};

const SPA_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...httpLoggerOptions(opts.logger),
    // A mapping CSV of a large firm is a few MB; the console never sends more.
    bodyLimit: 25 * 1024 * 1024,
    trustProxy: false,
    // Item keys and addresses are URL-encoded path segments; a WeCom key encodes to about 100
    // characters, Fastify's default limit.
    routerOptions: { maxParamLength: 1024 },
  });
  const now = opts.now ?? Date.now;
  const ctx: AppContext = {
    store: opts.store,
    config: opts.config,
    now,
    secrets: opts.secrets,
    supervisor: opts.supervisor,
    secureCookies: opts.secureCookies ?? false,
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
      const access = (route.config as { access?: string } | undefined)?.access ?? 'session';
      const out = { ...(schema ?? {}) } as Record<string, unknown>;
      out['x-access'] = access;
      if (access !== 'public') out.security = [{ session: [] }];
      return { schema: out as typeof schema, url };
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!req.url.startsWith('/api/')) return;
    reply.header('cache-control', 'no-store');
    const access = req.routeOptions.config.access;
    // Unknown /api routes fall through to the 404 handler; every known one declares its access.
    if (access === undefined && !req.routeOptions.url) return;
    if (access === 'public') return;
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await findSession(opts.store.db, token, now()) : null;
    if (!session) {
      return sendError(reply, 401, { code: 'WXA_UNAUTHENTICATED', message: 'log in first' });
    }
    req.user = session.user;
    req.csrfToken = session.csrfToken;
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const given = req.headers['x-csrf-token'];
      if (typeof given !== 'string' || !csrfMatches(session.csrfToken, given)) {
        return sendError(reply, 403, {
          code: 'WXA_CSRF',
          message: 'missing or wrong x-csrf-token header; reload the console',
        });
      }
    }
    if (access === undefined || access === 'session') return;
    if (!can(session.user.roles, access)) {
      return sendError(reply, 403, {
        code: 'WXA_FORBIDDEN',
        message: `your roles do not allow this (${access}); ask an organization admin`,
      });
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toApiError(err);
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
    },
    { prefix: '/api' },
  );

  const webRoot = opts.webRoot;
  if (webRoot && existsSync(join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: false, maxAge: '1h' });
    app.addHook('onSend', async (req, reply, payload) => {
      if (!req.url.startsWith('/api/') && !reply.hasHeader('content-security-policy')) {
        reply.header('content-security-policy', SPA_CSP);
      }
      return payload;
    });
    // The single-page app answers every other GET with index.html; its router takes over.
    app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
      const file = req.url.split('?')[0] ?? '/';
      if (file !== '/' && /\.[a-z0-9]+$/i.test(file) && existsSync(join(webRoot, file))) {
        return reply.sendFile(file.slice(1));
      }
      reply.header('cache-control', 'no-store');
      return reply.sendFile('index.html');
    });
  }
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, { code: 'WXA_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }),
  );
  await app.ready();
  return app;
}
