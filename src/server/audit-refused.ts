/**
 * Refused API calls are audit events: a 401 (not logged in) or 403 (role does not allow it,
 * or no CSRF token) on any route that needs a session says who tried what. Public routes are
 * left out: a failed login or setup already has its own event.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';

export function auditRefused(ctx: ServerContext) {
  return async <T>(req: FastifyRequest, reply: FastifyReply, payload: T): Promise<T> => {
    const status = reply.statusCode;
    if ((status !== 401 && status !== 403) || !req.url.startsWith('/api/')) return payload;
    const access = req.routeOptions.config.access;
    if (access === 'public') return payload;
    try {
      await ctx.audit(req, {
        action: 'auth.refused',
        target: req.routeOptions.url ?? req.url.split('?')[0] ?? '',
        // The roles say why a signed-in user was refused ("403, role Reviewer").
        detail: { status, method: req.method, required: access ?? 'session', roles: req.user?.roles ?? [] },
      });
    } catch (err) {
      // The refusal stands either way; a failed append must still be seen by the operator.
      req.log.error({ err }, 'could not audit a refused call');
    }
    return payload;
  };
}
