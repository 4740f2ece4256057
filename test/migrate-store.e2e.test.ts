// migrate-store: a sandbox archive made by the pipeline on SQLite, copied into a throw-away
// PostgreSQL. The copy verifies (every table's rows and digest, every blob, both chains), a
// copy killed with SIGKILL midway resumes to the very same tables, ids keep counting after
// the copied ones, a damaged copy is caught, and destinations that are not this archive's copy
// are refused.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessages, generateTenant } from '../src/sources/sandbox/index.js';
import { openStore } from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

interface Report {
  verified: boolean;
  resumed: boolean;
  alreadyComplete: boolean;
  tables: { name: string; rows: number; copied: number; sha256: string; verified: boolean }[];
  skipped: { table: string }[];
  rows: number;
  blobs: number;
  bytes: number;
  copied: { rows: number; blobs: number; bytes: number };
  verification: { ok: boolean; ingest: { events: number }; audit: { events: number; ok: boolean } };
  sourceChangedSince: boolean;
  next: string[];
}

let pgc: PostgresCluster;
let dir: { path: string; cleanup: () => Promise<void> };
let tenant: string;
let data: string;
let first: Report;

function sqliteCount(table: string): number {
  const db = new Database(join(data, 'archive.db'), { readonly: true });
  try {
    return Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

async function pgQuery<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** The counters the triggers keep, in one order, as text: made on the destination as rows are copied. */
const COUNTERS = `SELECT 'r' AS k, connector_id, status, reason AS detail, records AS n FROM outcome_counters WHERE records <> 0
  UNION ALL SELECT 'd', connector_id, destination_id || ' ' || status, error_code, deliveries FROM delivery_counters
  WHERE deliveries <> 0 ORDER BY 1, 2, 3, 4`;

async function expectSameCounters(url: string): Promise<void> {
  const db = new Database(join(data, 'archive.db'), { readonly: true });
  const source = (db.prepare(COUNTERS).all() as Record<string, unknown>[]).map((r) => Object.values(r).join(' '));
  db.close();
  const copied = (await pgQuery<Record<string, unknown>>(url, COUNTERS)).map((r) => Object.values(r).join(' '));
  expect(source.length).toBeGreaterThan(0);
  expect(copied).toEqual(source);
}

const migrate = (url: string, ...more: string[]) =>
  cli('migrate-store', '--from', data, '--to', url, '--json', ...more);

/**
 * Starts migrate-store in a process of its own and kills it with SIGKILL once its progress record
 * shows `rows` copied. Returns the rows its progress record holds once it is dead: a batch may
 * commit between the poll and the kill, so the count seen by the poll is only a lower bound.
 */
async function killMidway(url: string, rows: number): Promise<{ seen: number; committed: number }> {
  const child = spawnCli(['migrate-store', '--from', data, '--to', url, '--batch', '5', '--json']);
  let atKill = -1;
  const poll = new pg.Client({ connectionString: url });
  await poll.connect();
  try {
    for (let i = 0; i < 6000 && child.proc.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const p = await poll
        .query<{ rows: string }>('SELECT coalesce(sum(rows), 0) AS rows FROM migrate_store_tables')
        .catch(() => undefined);
      if (p && Number(p.rows[0]!.rows) >= rows) {
        child.proc.kill('SIGKILL');
        atKill = Number(p.rows[0]!.rows);
        break;
      }
    }
    const killed = await child.done;
    expect(killed.signal).toBe('SIGKILL');
    const after = await poll.query<{ rows: string }>('SELECT coalesce(sum(rows), 0) AS rows FROM migrate_store_tables');
    return { seen: atKill, committed: Number(after.rows[0]!.rows) };
  } finally {
    await poll.end();
  }
}

beforeAll(async () => {
  [pgc, dir] = await Promise.all([startPostgres(), tempDir('migrate-store')]);
  tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 16, messages: 150 });
  data = join(dir.path, 'data');
  await cliJson('run', '--once', '--sandbox', tenant, '--data-dir', data, '--workers', '0');
  // audited actions, so that the audit chain has events to recompute on the copy
  const kase = await cliJson<{ id: number }>('case', 'create', 'Matter 16', '--data-dir', data);
  const custodian = (
    new Database(join(data, 'archive.db'), { readonly: true })
      .prepare('SELECT min(mailbox) AS m FROM mailbox_entries')
      .get() as {
      m: string;
    }
  ).m;
  await cliJson('hold', 'add', '--case', String(kase.id), '--custodian', custodian, '--data-dir', data);
}, 600_000);

afterAll(async () => {
  await pgc?.stop();
  await dir?.cleanup();
});

describe('migrate-store into PostgreSQL', () => {
  it('copies every table and verifies rows, digests, blobs and both chains; a rerun only checks again', async () => {
    const url = await pgc.createDatabase();
    const r = await migrate(url);
    expect(r.stderr).toBe('');
    first = JSON.parse(r.stdout) as Report;
    expect(first.verified).toBe(true);
    expect(r.code).toBe(0);
    expect(first.resumed).toBe(false);
    const byName = new Map(first.tables.map((t) => [t.name, t]));
    for (const t of ['items', 'raw_records', 'ingest_log', 'mailbox_entries', 'blobs', 'audit_events'])
      expect(byName.get(t)?.rows, t).toBe(sqliteCount(t));
    expect(byName.get('items')!.rows).toBeGreaterThan(100);
    expect(first.tables.every((t) => t.verified)).toBe(true);
    expect(first.rows).toBe(first.copied.rows);
    // every blob file re-hashed where it now lives (here: they stay in the data directory)
    expect(first.blobs).toBe(sqliteCount('blobs'));
    expect(first.verification.ingest.events).toBe(sqliteCount('ingest_log'));
    expect(first.verification.audit.ok).toBe(true);
    expect(first.verification.audit.events).toBe(sqliteCount('audit_events'));
    expect(first.verification.audit.events).toBeGreaterThanOrEqual(2);
    expect(first.skipped.map((s) => s.table)).toContain('search_items');
    expect(first.next.join('\n')).toContain('reindex');
    // the same rows as PostgreSQL holds them
    const [items] = await pgQuery<{ n: string }>(url, 'SELECT count(*) AS n FROM items');
    expect(Number(items!.n)).toBe(sqliteCount('items'));
    // the record and delivery counters, made by the destination's triggers, not copied twice
    await expectSameCounters(url);
    // ids go on after the copied ones: SQLite's integer keys became identity columns
    const [top] = await pgQuery<{ max: string }>(url, 'SELECT max(id) AS max FROM raw_records');
    const [added] = await pgQuery<{ id: string }>(
      url,
      `INSERT INTO runs (connector_id, started_at, status, counters_json) VALUES ('x', 1, 'done', '{}') RETURNING id`,
    );
    expect(Number(added!.id)).toBeGreaterThan(sqliteCount('runs'));
    expect(Number(top!.max)).toBe(sqliteCount('raw_records'));
    await pgQuery(url, `DELETE FROM runs WHERE connector_id = 'x'`);

    const again = JSON.parse((await migrate(url)).stdout) as Report;
    expect(again.alreadyComplete).toBe(true);
    expect(again.verified).toBe(true);
    expect(again.copied.rows).toBe(0);
    expect(again.tables.map((t) => t.sha256)).toEqual(first.tables.map((t) => t.sha256));

    // A row changed in the copy is caught by its table's digest, and the command fails.
    await pgQuery(
      url,
      `UPDATE mailboxes SET display_name = display_name || ' (changed)' WHERE address = (SELECT min(address) FROM mailboxes)`,
    );
    const damaged = await migrate(url);
    const d = JSON.parse(damaged.stdout) as Report;
    expect(d.verified).toBe(false);
    expect(damaged.code).toBe(1);
    expect(d.tables.filter((t) => !t.verified).map((t) => t.name)).toEqual(['mailboxes']);
  }, 600_000);

  it('killed with SIGKILL midway, then run again, resumes and ends equal to an uninterrupted copy', async () => {
    expect(first).toBeDefined();
    const url = await pgc.createDatabase();
    const atKill = await killMidway(url, 200);
    expect(atKill.seen).toBeGreaterThan(0);
    expect(atKill.committed).toBeGreaterThanOrEqual(atKill.seen);
    expect(atKill.committed).toBeLessThan(first.rows);

    const r = JSON.parse((await migrate(url)).stdout) as Report;
    expect(r.resumed).toBe(true);
    expect(r.verified).toBe(true);
    // nothing written twice, nothing lost: the same tables, row for row, as the uninterrupted copy
    expect(r.tables.map((t) => [t.name, t.rows, t.sha256])).toEqual(
      first.tables.map((t) => [t.name, t.rows, t.sha256]),
    );
    // the rerun copies exactly what the killed run had not committed
    expect(r.copied.rows).toBe(first.rows - atKill.committed);
    await expectSameCounters(url);
  }, 600_000);

  it('refuses a database that holds another archive, or that is not a copy in progress', async () => {
    // an archive of its own, written by the store, not by migrate-store
    const inUse = await pgc.createDatabase();
    const other = await openStore(join(dir.path, 'other'), { database: { url: inUse } });
    await other.db.insertInto('settings').values({ key: 'x', value: 'y', updated_at: 1 }).execute();
    await other.close();
    const r = await migrate(inUse);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WXA_MIGRATE_DESTINATION_IN_USE');
    expect(r.stderr).toContain('rows in settings');

    // a finished copy of this archive is not a place for another archive's copy, even with --restart
    const url = await pgc.createDatabase();
    expect((await migrate(url)).code).toBe(0);
    const empty = join(dir.path, 'empty-archive');
    await (await openStore(empty)).close();
    const refused = await cli('migrate-store', '--from', empty, '--to', url, '--restart');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('WXA_MIGRATE_DESTINATION_IN_USE');
    expect(refused.stderr).toContain(data);

    const badBlobs = await migrate(url, '--blobs', 'http://bucket');
    expect(badBlobs.stderr).toContain('WXA_MIGRATE_BLOBS_URL');
    const badUrl = await cli('migrate-store', '--from', data, '--to', 'mysql://x@127.0.0.1/db');
    expect(badUrl.stderr).toContain('WXA_DATABASE_URL_INVALID');
  }, 600_000);

  it('a copy whose snapshot is gone is refused until --restart; --restart after the archive grew copies it all', async () => {
    const url = await pgc.createDatabase();
    expect((await killMidway(url, 1)).seen).toBeGreaterThan(0);
    await rm(join(data, 'migrate-store'), { recursive: true, force: true });
    const gone = await migrate(url);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('WXA_MIGRATE_SNAPSHOT_GONE');

    // the live archive moves on; --restart copies from a new snapshot
    await appendMessages(tenant, 20, 17);
    await cliJson('run', '--once', '--sandbox', tenant, '--data-dir', data, '--workers', '0');
    const r = JSON.parse((await migrate(url, '--restart')).stdout) as Report;
    expect(r.verified).toBe(true);
    expect(r.resumed).toBe(false);
    expect(r.tables.find((t) => t.name === 'items')!.rows).toBe(sqliteCount('items'));
    expect(sqliteCount('items')).toBeGreaterThan(first.tables.find((t) => t.name === 'items')!.rows);
    expect(r.sourceChangedSince).toBe(false);
  }, 600_000);
});
