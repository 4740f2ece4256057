/** Health check for load balancers and the OpenAPI document generated from the route schemas. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export function metaRoutes(app: FastifyInstance, _ctx: AppContext): void {
  app.get('/health', { config: { access: 'public' }, schema: { summary: 'Liveness' } }, async () => ({ ok: true }));
  app.get(
    '/openapi.json',
    { config: { access: 'session' }, schema: { summary: 'This API as an OpenAPI 3 document' } },
    async () => app.swagger(),
  );
}
