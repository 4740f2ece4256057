/**
 * A real PostgreSQL for store tests: a throw-away cluster from Debian's `postgresql` package
 * (`initdb` + `pg_ctl`), in a temporary directory, listening on a free loopback port.
 *
 * One cluster serves the whole Vitest run: test/helpers/postgres-global-setup.ts starts it before
 * the first file and stops it after the last, and `startPostgres` in a test file returns a handle
 * on it whose databases are the file's own (named after the file's process, dropped by `stop`).
 * Starting a cluster per file cost each of the ~70 files that use one a copy of the data
 * directory, a server start and stop and, for the suites on both dialects, a migration run; on a
 * loaded 2-core machine that was seconds per file. Without the run's cluster (a script outside
 * Vitest), `startPostgres` starts a cluster of its own as before.
 *
 * `initdb` is the slow part (a couple of seconds on a loaded machine), so its result is kept
 * once per machine as a template directory and copied for every cluster. Durability settings
 * are off (fsync, full-page writes): the tests check behaviour, not crash safety of the server.
 *
 * Privileges: PostgreSQL refuses to run as root, so as root (CI) every server command runs as
 * Debian's `postgres` user (made by the package) and the directories are given to it; as anyone
 * else they run as the current user. Authentication is `trust` on loopback only.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, chmod, chown, cp, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import { freePort } from './dovecot.js';

const run = promisify(execFile);

export interface PostgresCluster {
  port: number;
  /** `postgres --version`, e.g. "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" */
  version: string;
  /** milliseconds from the start of the cluster to its first accepted connection */
  startMs: number;
  dir: string;
  /** the `postgres` database as the superuser: for CREATE DATABASE and the like */
  adminUrl: string;
  /**
   * A new empty database; returns its postgres:// URL. `icuLocale` makes its default collation
   * that ICU locale (e.g. 'en-US') instead of the cluster's C; `template` copies that database.
   * On the run's shared cluster the database's name starts with the file's own prefix.
   */
  createDatabase(name?: string, opts?: { icuLocale?: string; template?: string }): Promise<string>;
  /** Own cluster: stops it and removes its directory. Shared cluster: drops this file's databases. */
  stop(): Promise<void>;
}

/** What the global setup hands every test file about the run's cluster. */
export type ClusterInfo = Pick<PostgresCluster, 'port' | 'version' | 'startMs' | 'dir'>;

declare module 'vitest' {
  export interface ProvidedContext {
    /** the run's PostgreSQL cluster; null when PostgreSQL is not installed */
    wxaPostgres: ClusterInfo | null;
  }
}

/** Where Debian keeps the server binaries of the newest installed major version, or undefined. */
export async function postgresBinDir(): Promise<string | undefined> {
  const root = '/usr/lib/postgresql';
  try {
    const versions = (await readdir(root)).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = join(root, v, 'bin');
      if (await exists(join(dir, 'initdb'))) return dir;
    }
  } catch {
    // not Debian's layout: fall through to PATH
  }
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    const dir = stdout.trim();
    return (await exists(join(dir, 'initdb'))) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a PostgreSQL server is installed (the tests say so plainly when it is not). */
export async function postgresInstalled(): Promise<boolean> {
  return (await postgresBinDir()) !== undefined;
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root, the `postgres` system user; otherwise undefined (run as ourselves). */
async function serverOwner(): Promise<Owner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const { stdout: uid } = await run('id', ['-u', 'postgres']);
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function giveTo(path: string, owner: Owner | undefined): Promise<void> {
  if (owner) await chown(path, owner.uid, owner.gid);
}

async function runAs(owner: Owner | undefined, file: string, args: string[]): Promise<string> {
  const { stdout } = await run(file, args, owner ? { uid: owner.uid, gid: owner.gid } : {});
  return stdout;
}

/** initdb once per machine, user and server version; later clusters copy it. */
async function template(bin: string, version: string, owner: Owner | undefined): Promise<string> {
  const tag = `${version.replace(/\W+/g, '_')}-${process.getuid?.() ?? 'u'}`;
  const dir = join(tmpdir(), `wxa-pg-template-${tag}`);
  if (await exists(join(dir, 'PG_VERSION'))) return dir;
  const building = `${dir}.${randomUUID()}`;
  await mkdir(building, { mode: 0o700 });
  await giveTo(building, owner);
  await runAs(owner, join(bin, 'initdb'), [
    '-D',
    building,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  // Another test file may have finished first: its template is as good as ours.
  await rename(building, dir).catch(async () => rm(building, { recursive: true, force: true }));
  return dir;
}

/**
 * A PostgreSQL for the calling test file: the run's cluster when the global setup started one,
 * otherwise a cluster of its own.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const shared = runCluster();
  return shared ? onSharedCluster(shared) : startCluster();
}

function runCluster(): ClusterInfo | null {
  try {
    return inject('wxaPostgres') ?? null;
  } catch {
    // not inside a Vitest worker
    return null;
  }
}

const adminUrlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;
const quoteId = (id: string) => `"${id.replace(/"/g, '""')}"`;

/**
 * One admin connection per cluster for this test process, kept for the files it runs after the
 * first (they share modules, see vitest.config.ts): every database a file creates or drops went
 * through a connection of its own, about 400 in a run, and a new PostgreSQL backend costs some
 * 20 ms of the server's CPU here (a fork and its start). Between uses its socket does not keep
 * the process alive; a connection that fails is dropped and the next call connects again.
 */
interface Admin {
  client: pg.Client;
  socket: { ref(): void; unref(): void } | undefined;
  busy: number;
}
const admins = new Map<string, Promise<Admin>>();

function adminClient(adminUrl: string): Promise<Admin> {
  let admin = admins.get(adminUrl);
  if (!admin) {
    const made = (async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      const forget = () => {
        if (admins.get(adminUrl) === made) admins.delete(adminUrl);
      };
      client.on('error', forget);
      client.on('end', forget);
      await client.connect();
      const socket = (client as unknown as { connection?: { stream?: Admin['socket'] } }).connection?.stream;
      return { client, socket, busy: 0 };
    })();
    admin = made;
    admins.set(adminUrl, made);
    made.catch(() => admins.delete(adminUrl));
  }
  return admin;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = await adminClient(adminUrl);
  if (admin.busy++ === 0) admin.socket?.ref();
  try {
    return await fn(admin.client);
  } finally {
    if (--admin.busy === 0) admin.socket?.unref();
  }
}

async function createDatabaseOn(
  port: number,
  db: string,
  opts: { icuLocale?: string; template?: string },
): Promise<string> {
  const icu = opts.icuLocale
    ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${opts.icuLocale.replace(/'/g, "''")}'`
    : '';
  const template = opts.template ? ` TEMPLATE ${quoteId(opts.template)}` : '';
  // FILE_COPY copies the template's files (after a checkpoint, cheap with fsync off); the default
  // since PostgreSQL 15, WAL_LOG, writes every block of the template through the WAL: measured
  // here 0.03 s of the server's CPU per database against 0.11 s, for the ~100 a run creates.
  await withAdmin(adminUrlOf(port), (c) =>
    c.query(`CREATE DATABASE ${quoteId(db)}${icu}${template} STRATEGY FILE_COPY`),
  );
  return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`;
}

/**
 * A file's handle on the run's cluster. Its databases carry a prefix of its own (files run at
 * the same time, and some name their databases), and `stop` drops them, FORCE closing what a
 * killed child process left connected: the cluster lives on for the other files.
 */
function onSharedCluster(info: ClusterInfo): PostgresCluster {
  const prefix = `wxa_${process.pid}_${randomUUID().slice(0, 8)}`;
  const created: string[] = [];
  let n = 0;
  return {
    ...info,
    adminUrl: adminUrlOf(info.port),
    createDatabase: async (name, opts = {}) => {
      const db = `${prefix}_${name ?? `t${++n}`}`;
      const url = await createDatabaseOn(info.port, db, opts);
      created.push(db);
      return url;
    },
    stop: async () => {
      const drop = created.splice(0);
      await withAdmin(adminUrlOf(info.port), async (c) => {
        for (const db of drop) await c.query(`DROP DATABASE IF EXISTS ${quoteId(db)} WITH (FORCE)`);
      });
    },
  };
}

/**
 * A cluster of its own: the run's (started by the global setup) or a script's. `maxConnections`
 * is sized for the files that share it at once.
 */
export async function startCluster(opts: { maxConnections?: number } = {}): Promise<PostgresCluster> {
  const t0 = Date.now();
  const bin = await postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (see .ci/run)');
  const owner = await serverOwner();
  const version = (await run(join(bin, 'postgres'), ['--version'])).stdout.trim();
  const tpl = await template(bin, version, owner);

  const dir = await mkdtemp(join(tmpdir(), 'wxa-pg-'));
  await chmod(dir, 0o755);
  const data = join(dir, 'data');
  await cp(tpl, data, { recursive: true, preserveTimestamps: true });
  if (owner) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, data]);
  await chmod(data, 0o700);
  const port = await freePort();
  await writeFile(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${data}'`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      `max_connections = ${opts.maxConnections ?? 100}`,
      'shared_buffers = 64MB',
      // the tests' own errors are asserted; the server's log stays small
      "log_min_messages = 'warning'",
      '',
    ].join('\n'),
  );
  await giveTo(join(data, 'postgresql.auto.conf'), owner);
  const log = join(dir, 'server.log');
  await writeFile(log, '');
  await giveTo(log, owner);
  await runAs(owner, join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  const adminUrl = adminUrlOf(port);
  await waitForConnection(adminUrl);
  const startMs = Date.now() - t0;
  const watchdog = watchCluster(data, dir);

  let n = 0;
  let stopped = false;
  return {
    port,
    version,
    startMs,
    dir,
    adminUrl,
    createDatabase: (name, dbOpts = {}) => createDatabaseOn(port, name ?? `wxa_test_${++n}`, dbOpts),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      watchdog.kill();
      // immediate: the tests' connections are closed or about to be; nothing to flush for.
      await runAs(owner, join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The server is a daemon: it outlives the process that started it when that one is killed before
 * its teardown (a Vitest run stopped with SIGKILL, a file that timed out), and such clusters used
 * to pile up. A detached shell watches the starting process (the run's main process for the
 * shared cluster) and, once it is gone, shuts the server down (SIGQUIT to the postmaster is
 * PostgreSQL's immediate shutdown) and removes its directory. `stop` ends the watcher first.
 */
function watchCluster(data: string, dir: string) {
  const script =
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
    'pid=$(head -n 1 "$2/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null; ' +
    'sleep 2; rm -rf "$3"';
  const child = spawn('sh', ['-c', script, 'wxa-pg-watchdog', String(process.pid), data, dir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return child;
}

async function waitForConnection(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ connectionString: url });
    try {
      await c.connect();
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
