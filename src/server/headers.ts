/**
 * Security headers on every answer, whatever route (or none) produced it: answers are not cached
 * unless a route says otherwise (API answers carry accounts and archived content), nothing may
 * frame the console (clickjacking), and browsers keep to HTTPS once the console is served over it.
 * A route that needs different values (the item body, framed by the console; the web app's
 * files) sets its own before sending, and those are kept.
 */
import type { FastifyInstance } from 'fastify';

/** The web app's policy: its own scripts and styles only, framed by nobody. */
export const APP_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** One year, subdomains included: the usual HSTS policy once a site is reliably on HTTPS. */
export const HSTS = 'max-age=31536000; includeSubDomains';

export function securityHeaders(app: FastifyInstance, opts: { https: boolean }): void {
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cache-control', 'no-store');
    // Only when users reach the console over HTTPS (secureCookies): over plain HTTP it would be
    // ignored by browsers anyway, and on a TLS proxy it is what keeps the session cookie off HTTP.
    if (opts.https) reply.header('strict-transport-security', HSTS);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', APP_CSP);
    // For browsers that predate CSP frame-ancestors.
    if (!reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
    return payload;
  });
}
