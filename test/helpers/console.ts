/**
 * Test helpers for the console API: an app over a fresh data directory (optionally with a
 * running supervisor), accounts per role, and requests made as a logged-in user with the
 * session cookie and CSRF token, all through Fastify's inject.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { parseConfig, type Config } from '../../src/config/index.js';
import { Supervisor } from '../../src/pipeline/supervisor.js';
import { createUser, SecretBox, type Role } from '../../src/security/index.js';
import { buildApp } from '../../src/server/app.js';
import type { SessionInfo } from '../../src/server/contract.js';
import { loadManagedConnectors } from '../../src/connectors/managed.js';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from './cli.js';
import type { DialectTarget } from './dialects.js';
import type { Logger } from '../../src/core/logger.js';
import { SOURCES } from '../../src/sources/index.js';

export interface ConsoleHarness {
  app: FastifyInstance;
  store: Store;
  config: Config;
  secrets: SecretBox;
  supervisor: Supervisor | undefined;
  dataDir: string;
  /** the CLI options that reach this console's archive: its data directory, and its database when not SQLite */
  storeArgs: string[];
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

export async function startConsole(
  opts: {
    supervisor?: boolean;
    config?: Record<string, unknown>;
    webRoot?: string;
    intervalSeconds?: number;
    logger?: Logger;
    /** a PostgreSQL URL: the console's store lives there instead of the data directory's SQLite file */
    database?: string;
  } = {},
): Promise<ConsoleHarness> {
  const dir = await tempDir('console');
  const config = parseConfig({ ...(opts.config ?? {}), dataDir: dir.path }, 'test', dir.path);
  const store = await openStore(config.dataDir, opts.database ? { database: { url: opts.database } } : {});
  const secrets = await SecretBox.open({ dataDir: config.dataDir, env: {} });
  const supervisor = opts.supervisor
    ? new Supervisor({
        store,
        workers: 0,
        sources: SOURCES,
        load: () => loadManagedConnectors({ config, store, secrets }),
        intervalSeconds: opts.intervalSeconds ?? 3600,
        ...(opts.logger ? { logger: opts.logger } : {}),
      })
    : undefined;
  await supervisor?.start();
  const app = await buildApp({
    store,
    config,
    secrets,
    ...(supervisor ? { supervisor } : {}),
    ...(opts.webRoot ? { webRoot: opts.webRoot } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    app,
    store,
    config,
    secrets,
    supervisor,
    dataDir: dir.path,
    storeArgs: ['--data-dir', dir.path, ...(opts.database ? ['--database', opts.database] : [])],
    close: async () => {
      await app.close();
      await supervisor?.stop();
      await store.close();
      await dir.cleanup();
    },
  };
}

/** The console harness on this dialect's database: the data directory's SQLite file, or a new PostgreSQL database. */
export async function startConsoleOn(
  t: DialectTarget,
  opts: Parameters<typeof startConsole>[0] = {},
): Promise<ConsoleHarness> {
  return startConsole(t.kind === 'postgres' ? { ...opts, database: await t.newDatabaseUrl() } : opts);
}

export interface Client {
  info: SessionInfo;
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  json<T>(method: string, url: string, body?: unknown): Promise<T>;
}

/** Creates an account with these roles (straight in the store) and logs it in through the API. */
export async function userWith(h: ConsoleHarness, username: string, roles: Role[]): Promise<Client> {
  await createUser(h.store.db, { username, displayName: username, password: PASSWORD, roles }, Date.now());
  return login(h, username, PASSWORD);
}

export async function login(h: ConsoleHarness, username: string, password: string): Promise<Client> {
  const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return clientFor(h, res);
}

export function clientFor(h: ConsoleHarness, res: LightMyRequestResponse): Client {
  const info = res.json<SessionInfo>();
  const cookie = res.cookies.find((c) => c.name === 'wxa_session');
  if (!cookie) throw new Error('no session cookie');
  const request = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie: `wxa_session=${cookie.value}`, 'x-csrf-token': info.csrfToken, ...headers },
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
  return {
    info,
    request,
    json: async <T>(method: string, url: string, body?: unknown) => {
      const r = await request(method, url, body);
      if (r.statusCode >= 400) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
      return (r.body ? r.json() : undefined) as T;
    },
  };
}

/** Waits until the supervisor reports a finished run of this connector after `since` runs. */
export function nextRun(h: ConsoleHarness, connectorId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = h.supervisor!.on((e) => {
      if (e.type === 'run' && e.connectorId === connectorId) {
        off();
        resolve();
      }
    });
  });
}
