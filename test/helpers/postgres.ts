/**
 * A real PostgreSQL for store tests: a throw-away cluster from Debian's `postgresql` package
 * (`initdb` + `pg_ctl`), in a temporary directory, listening on a free loopback port. One
 * cluster per test file; each caller gets a database of its own in it.
 *
 * `initdb` is the slow part (a couple of seconds on a loaded machine), so its result is kept
 * once per machine as a template directory and copied for every cluster: a cluster then starts
 * in well under a second plus the server's own start. Durability settings are off (fsync,
 * full-page writes): the tests check behaviour, not crash safety of the server itself.
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
import { freePort } from './dovecot.js';

const run = promisify(execFile);

export interface PostgresCluster {
  port: number;
  /** `postgres --version`, e.g. "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" */
  version: string;
  /** milliseconds from the start of `startPostgres` to the first accepted connection */
  startMs: number;
  dir: string;
  /**
   * A new empty database; returns its postgres:// URL. `icuLocale` makes its default collation
   * that ICU locale (e.g. 'en-US') instead of the cluster's C; `template` copies that database.
   */
  createDatabase(name?: string, opts?: { icuLocale?: string; template?: string }): Promise<string>;
  stop(): Promise<void>;
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

export async function startPostgres(): Promise<PostgresCluster> {
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
      'max_connections = 100',
      'shared_buffers = 32MB',
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
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForConnection(admin);
  const startMs = Date.now() - t0;
  const watchdog = watchCluster(data, dir);

  let n = 0;
  let stopped = false;
  return {
    port,
    version,
    startMs,
    dir,
    createDatabase: async (name, opts = {}) => {
      const db = name ?? `wxa_test_${++n}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
        const icu = opts.icuLocale
          ? ` TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${opts.icuLocale.replace(/'/g, "''")}'`
          : '';
        const template = opts.template ? ` TEMPLATE ${q(opts.template)}` : '';
        await c.query(`CREATE DATABASE ${q(db)}${icu}${template}`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`;
    },
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
 * The server is a daemon: it outlives a test process that is killed before its `afterAll` (a
 * file that timed out, a crashed fork), and such clusters used to pile up. A detached shell
 * watches this process and, once it is gone, shuts the server down (SIGQUIT to the postmaster is
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
