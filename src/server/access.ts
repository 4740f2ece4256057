/**
 * Who may reach a route. The rule: every route declares `config.access` when it is registered
 * ('public', 'session' or a permission from security/roles.ts); a route without it, or with a
 * value that is none of these, stops the app at startup. At request time access is read from the
 * route the router MATCHED, never from the URL's spelling: the router decodes `/%61pi/users` to
 * `/api/users`, so a check on the raw URL let such spellings reach handlers unauthenticated.
 * A matched route that somehow carries no valid access is refused (fail closed). A route with a
 * `:caseId` or `:reviewSetId` parameter is also scoped to the case's members (case-access.ts), and
 * a route opening an archived item to the user's own work when they lack archive-wide access
 * (item-access.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { can, csrfMatches, findSession, PERMISSIONS } from '../security/index.js';
import type { Db } from '../store/db.js';
import { caseScopeRefusal } from './case-access.js';
import { itemScopeRefusal } from './item-access.js';
import type { RouteAccess } from './context.js';
import { sendError } from './errors.js';
import { SESSION_COOKIE } from './routes/session.js';

/** Methods that change nothing, so need no CSRF token (RFC 9110 9.2.1 safe methods). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isRouteAccess(value: unknown): value is RouteAccess {
  return typeof value === 'string' && (value === 'public' || value === 'session' || Object.hasOwn(PERMISSIONS, value));
}

/** Refuses, at registration, any route that does not declare a valid access. */
export function requireDeclaredAccess(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const access = (route.config as { access?: unknown } | undefined)?.access;
    if (!isRouteAccess(access)) {
      const methods = Array.isArray(route.method) ? route.method.join(',') : route.method;
      throw new Error(
        `route ${methods} ${route.url} declares no valid access (${JSON.stringify(access)}): ` +
          `add config: { access: 'public' | 'session' | one of ${Object.keys(PERMISSIONS).join(', ')} }`,
      );
    }
  });
}

/**
 * The request hook that enforces the matched route's access: a session cookie for anything not
 * public, the CSRF token on every unsafe method, and the declared permission.
 */
export function accessHook(deps: { db: Db; now: () => number }) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    // No route matched: only the JSON not-found answer runs, which reveals nothing.
    if (req.is404) return undefined;
    const access: unknown = req.routeOptions.config.access;
    if (!isRouteAccess(access)) {
      return sendError(reply, 500, { code: 'WXA_INTERNAL', message: 'this route declares no access; refused' });
    }
    if (access === 'public') return undefined;
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await findSession(deps.db, token, deps.now()) : null;
    if (!session) {
      return sendError(reply, 401, { code: 'WXA_UNAUTHENTICATED', message: 'log in first' });
    }
    req.user = session.user;
    req.csrfToken = session.csrfToken;
    if (!SAFE_METHODS.has(req.method)) {
      const given = req.headers['x-csrf-token'];
      if (typeof given !== 'string' || !csrfMatches(session.csrfToken, given)) {
        return sendError(reply, 403, {
          code: 'WXA_CSRF',
          message: 'missing or wrong x-csrf-token header; reload the console',
        });
      }
    }
    if (access !== 'session' && !can(session.user.roles, access)) {
      return sendError(reply, 403, {
        code: 'WXA_FORBIDDEN',
        message: `your roles do not allow this (${access}); ask an organization admin`,
      });
    }
    const params = req.params as Record<string, string | undefined>;
    const outOfScope =
      (await caseScopeRefusal(deps.db, session.user, params)) ??
      (await itemScopeRefusal(deps.db, session.user, access, params));
    if (outOfScope === undefined) return undefined;
    return sendError(reply, outOfScope.status, {
      code: outOfScope.status === 404 ? 'WXA_NOT_FOUND' : 'WXA_FORBIDDEN',
      message: outOfScope.message,
    });
  };
}
