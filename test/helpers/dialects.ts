/**
 * Runs a store suite once per database dialect: the embedded SQLite file and PostgreSQL (the
 * run's cluster from test/helpers/postgres.ts, with a fresh database for every `openDb` /
 * `openStore`). A suite written with `describeDialects` asserts the same behaviour of the same
 * repository functions on both.
 *
 * WXA_TEST_DIALECTS=sqlite (or postgres) narrows a local run to one; CI runs both. A missing
 * PostgreSQL installation fails the postgres half loudly rather than skipping it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { openDatabase, type Db } from '../../src/store/db.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startPostgres, type PostgresCluster } from './postgres.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectTarget {
  readonly kind: DialectName;
  /** A new, migrated, empty database (SQLite: in memory). */
  openDb(): Promise<Db>;
  /** A store on `dataDir` whose database is this dialect's (PostgreSQL: a new database). */
  openStore(dataDir: string, opts?: Parameters<typeof openStore>[1]): Promise<Store>;
  /** PostgreSQL only: a URL of a new, migrated, empty database. */
  newDatabaseUrl(): Promise<string>;
  /**
   * PostgreSQL only: a URL of a new database that is a copy of the one at `url` (CREATE DATABASE
   * ... TEMPLATE; nothing may be connected to it meanwhile).
   */
  copyDatabaseUrl(url: string): Promise<string>;
}

let cluster: Promise<PostgresCluster> | undefined;
let users = 0;
let migrated: Promise<string> | undefined;

/**
 * A database migrated once per cluster and then copied for each test (CREATE DATABASE ...
 * TEMPLATE copies files): the migrations themselves are tested by the template's build and by
 * src/store/dialect/postgres.test.ts; the tests after it need not pay for them again.
 */
async function migratedDatabase(pgc: PostgresCluster): Promise<string> {
  migrated ??= migratedTemplate(pgc);
  return pgc.createDatabase(undefined, { template: await migrated });
}

/**
 * The cluster's migrated template, built by whichever file asks first. The files that share the
 * run's cluster ask at once, so the check and build hold an advisory lock, and the build goes
 * into a database of its own that is renamed only once migrated: a file that dies half way
 * leaves no half-migrated template behind.
 */
async function migratedTemplate(pgc: PostgresCluster): Promise<string> {
  const name = 'wxa_migrated';
  const admin = new pg.Client({ connectionString: pgc.adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [name]);
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const building = `migrating_${randomUUID().slice(0, 8)}`;
      const url = await pgc.createDatabase(building);
      const db = await openDatabase({ url });
      await db.destroy();
      const actual = decodeURIComponent(new URL(url).pathname.slice(1));
      await admin.query(`ALTER DATABASE "${actual}" RENAME TO ${name}`);
    }
    return name;
  } finally {
    await admin.end();
  }
}

async function acquire(): Promise<PostgresCluster> {
  users++;
  cluster ??= startPostgres();
  return cluster;
}

async function release(): Promise<void> {
  if (--users > 0 || !cluster) return;
  const c = cluster;
  cluster = undefined;
  migrated = undefined;
  await (await c).stop();
}

/** The dialects a run tests: both, unless WXA_TEST_DIALECTS names one. */
export function selectedDialects(): DialectName[] {
  const only = process.env.WXA_TEST_DIALECTS?.split(',').map((s) => s.trim());
  const all: DialectName[] = ['sqlite', 'postgres'];
  return only ? all.filter((d) => only.includes(d)) : all;
}

/** `describe(name [dialect], ...)` once per selected dialect. */
export function describeDialects(name: string, body: (t: DialectTarget) => void): void {
  for (const kind of selectedDialects()) {
    describe(`${name} [${kind}]`, () => {
      let pgc: PostgresCluster | undefined;
      if (kind === 'postgres') {
        beforeAll(async () => {
          pgc = await acquire();
        });
        afterAll(release);
      }
      const newDatabaseUrl = async () => {
        if (!pgc) throw new Error('newDatabaseUrl is for the postgres dialect only');
        return migratedDatabase(pgc);
      };
      const copyDatabaseUrl = async (url: string) => {
        if (!pgc) throw new Error('copyDatabaseUrl is for the postgres dialect only');
        return pgc.createDatabase(undefined, { template: decodeURIComponent(new URL(url).pathname.slice(1)) });
      };
      body({
        kind,
        newDatabaseUrl,
        copyDatabaseUrl,
        openDb: async () =>
          kind === 'sqlite' ? openDatabase({ file: ':memory:' }) : openDatabase({ url: await newDatabaseUrl() }),
        openStore: async (dataDir, opts = {}) =>
          kind === 'sqlite'
            ? openStore(dataDir, opts)
            : openStore(dataDir, { ...opts, database: { url: await newDatabaseUrl() } }),
      });
    });
  }
}

/**
 * A fresh store in a temporary data directory before each test of the suite, closed and removed
 * after it; `prefix` names the directory. Returns a getter for the current test's store.
 */
export function storeEachTest(t: DialectTarget, prefix: string): () => Store {
  let dir = '';
  let store: Store | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `wxa-${prefix}-`));
    store = await t.openStore(dir);
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!store) throw new Error('storeEachTest: no store outside a test');
    return store;
  };
}

/** An archive in `dataDir` on this dialect: the CLI options that reach it, and a store opened on it. */
export interface DialectArchive {
  /** `--data-dir DIR`, plus `--database URL` on PostgreSQL */
  args: string[];
  /** the PostgreSQL URL, on that dialect */
  url: string | undefined;
  open(opts?: Parameters<typeof openStore>[1]): Promise<Store>;
}

export async function archiveOn(t: DialectTarget, dataDir: string): Promise<DialectArchive> {
  const url = t.kind === 'postgres' ? await t.newDatabaseUrl() : undefined;
  return {
    args: ['--data-dir', dataDir, ...(url ? ['--database', url] : [])],
    url,
    open: (opts = {}) => openStore(dataDir, url ? { ...opts, database: { url } } : opts),
  };
}
