/**
 * Serves the built web console: its files as they are, and index.html for every other GET so
 * the app's router can take over. Only files found in the build directory at startup are ever
 * sent (no path from the request reaches the file system), and no spelling of an `/api` path
 * gets index.html: a client that mistypes an API call gets a JSON 404 it can act on.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './api-path.js';
import { routeNotFound } from './errors.js';

/** Built files are re-fetched at most hourly; index.html names them and is revalidated every time. */
const FILE_CACHE = 'public, max-age=3600';

function buildFiles(webRoot: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(webRoot, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.add(relative(webRoot, join(entry.parentPath, entry.name)).split(sep).join('/'));
  }
  return files;
}

export async function webAppRoutes(app: FastifyInstance, webRoot: string): Promise<void> {
  const files = buildFiles(webRoot);
  // serve: false: only the reply.sendFile helper; the one route below decides what is sent.
  await app.register(fastifyStatic, { root: webRoot, serve: false, cacheControl: false, dotfiles: 'deny' });
  app.get('/*', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
    if (isApiPath(req.url)) return routeNotFound(req, reply);
    const file = (req.params as { '*': string })['*'];
    if (file !== 'index.html' && files.has(file)) return reply.header('cache-control', FILE_CACHE).sendFile(file);
    // no-cache, not no-store: the browser may keep it but must ask first, so a new release is seen at once.
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
