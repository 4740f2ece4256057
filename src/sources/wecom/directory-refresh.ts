/**
 * Keeps a WeCom connector's directory cache filled: before each run, the employees with
 * archiving enabled and every id the archive met but does not know yet are looked up through
 * the directory APIs. A lookup that fails leaves the bare id (mapping by CSV still works); an
 * expired subscription stops the connector.
 */
import type { ConnectorConfig } from '../../config/index.js';
import { ArchiverError } from '../../core/errors.js';
import { createDirectoryClient, enrichDirectory, type DirectoryClient } from './directory/index.js';
import { saveDirectory, unknownDirectoryIds, type Db } from '../../store/index.js';
import type { DirectoryRefresh } from '../types.js';

export function directoryClientFor(cfg: ConnectorConfig): DirectoryClient | undefined {
  if (cfg.source.kind !== 'wecom' || !cfg.source.directory) return undefined;
  const src = cfg.source;
  const dir = src.directory!;
  const secret = process.env[src.secretEnv] ?? '';
  const env = (name: string | undefined) => (name ? process.env[name] : undefined);
  const contactSecret = env(dir.contactSecretEnv);
  const externalSecret = env(dir.externalSecretEnv);
  return createDirectoryClient({
    corpId: src.corpId,
    secret,
    baseUrl: dir.baseUrl,
    rateLimitPerSecond: dir.rateLimitPerSecond,
    ...(contactSecret ? { contactSecret } : {}),
    ...(externalSecret ? { externalSecret } : {}),
  });
}

export async function refreshDirectory(
  db: Db,
  cfg: ConnectorConfig,
  now: number,
): Promise<DirectoryRefresh | undefined> {
  const client = directoryClientFor(cfg);
  if (!client) return undefined;
  const ids = await unknownDirectoryIds(db, cfg.id, 500);
  try {
    ids.users = [...new Set([...ids.users, ...(await client.permitUsers())])];
  } catch (err) {
    if (err instanceof ArchiverError && err.kind === 'config') throw err;
    return { looked: 0, failures: [`permit user list: ${(err as Error).message}`] };
  }
  const looked = ids.users.length + ids.externals.length + ids.rooms.length + ids.robots.length;
  if (looked === 0) return { looked, failures: [] };
  const enriched = await enrichDirectory(client, ids);
  await saveDirectory(db, cfg.id, enriched, now);
  return { looked, failures: enriched.failures.map((f) => `${f.what} ${f.id}: ${f.message}`) };
}
