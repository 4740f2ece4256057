// The pipeline on PostgreSQL: `run --once --sandbox DIR --database URL` archives a sandbox tenant
// into a real PostgreSQL database with the same items, entries, raw records, ingest-log events
// and counters as the same tenant archived into the embedded SQLite file; the read commands and
// `verify` then run on it, and a second writer of the same database is refused naming the first.
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { acquireDatabaseWriterLock } from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

const MESSAGES = 300;

let dir: { path: string; cleanup: () => Promise<void> };
let pg: PostgresCluster;
let url: string;
let tenant: string;
let lite: Db;
let pgdb: Db;
const runs: Record<'sqlite' | 'postgres', { archived: number; heldTotal: number; failed: number; captured: number }> =
  {} as never;

/** Both archives' runs, one after the other, from the same tenant. */
beforeAll(async () => {
  dir = await tempDir('pg-pipeline');
  pg = await startPostgres();
  url = await pg.createDatabase();
  tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 11, messages: MESSAGES });
  const common = ['run', '--once', '--sandbox', tenant, '--workers', '0'];
  runs.sqlite = await cliJson(...common, '--data-dir', join(dir.path, 'lite'));
  runs.postgres = await cliJson(...common, '--data-dir', join(dir.path, 'pg'), '--database', url);
  lite = await openDatabase({ file: join(dir.path, 'lite', 'archive.db') });
  pgdb = await openDatabase({ url });
}, 300_000);

afterAll(async () => {
  await lite?.destroy();
  await pgdb?.destroy();
  await pg?.stop();
  await dir?.cleanup();
});

/** Rows of a query on both archives, to compare. */
async function both<T>(q: (db: Db) => Promise<T>): Promise<[T, T]> {
  return [await q(lite), await q(pgdb)];
}

describe('run --once on PostgreSQL', () => {
  it('reports the same run as on SQLite', () => {
    expect(runs.postgres.captured).toBe(MESSAGES);
    expect(runs.postgres.archived).toBeGreaterThan(MESSAGES * 0.8);
    for (const k of ['captured', 'archived', 'heldTotal', 'failed'] as const)
      expect(runs.postgres[k]).toBe(runs.sqlite[k]);
  });

  it('stores the same items, item for item: key, model JSON, MIME SHA-256 and size', async () => {
    const [a, b] = await both((db) =>
      db
        .selectFrom('items')
        .select([
          'key',
          'msgid',
          'seq_key',
          'msgtype',
          'model_json',
          'mime_sha256',
          'mime_size',
          'flags',
          'recalled_by',
        ])
        .orderBy('key')
        .execute(),
    );
    expect(b.length).toBe(runs.sqlite.archived);
    expect(b).toEqual(a);
  });

  it('stores the same mailbox entries, blobs, media and raw records', async () => {
    const [ea, eb] = await both((db) =>
      db
        .selectFrom('mailbox_entries')
        .select(['mailbox', 'folder', 'item_key', 'mime_sha256', 'msg_time'])
        .orderBy('mailbox')
        .orderBy('item_key')
        .execute(),
    );
    expect(eb.length).toBeGreaterThan(runs.sqlite.archived);
    expect(eb).toEqual(ea);
    const [ba, bb] = await both((db) =>
      db.selectFrom('blobs').select(['sha256', 'size', 'kind', 'encoding']).orderBy('sha256').execute(),
    );
    expect(bb).toEqual(ba);
    const [ma, mb] = await both((db) =>
      db.selectFrom('media').select(['sdkfileid', 'status', 'sha256', 'size', 'md5_ok']).orderBy('sdkfileid').execute(),
    );
    expect(mb.length).toBeGreaterThan(0);
    expect(mb).toEqual(ma);
    const [ra, rb] = await both((db) =>
      db
        .selectFrom('raw_records')
        .select(['seq_key', 'msgid', 'record_sha256', 'status', 'hold_reason', 'attempts'])
        .orderBy('seq_key')
        .execute(),
    );
    expect(rb.length).toBe(MESSAGES);
    expect(rb).toEqual(ra);
  });

  // Digests cover the time each row was stored (captured_at, created_at, delivered_at), which
  // differs between the two runs; `verify` checks each archive's digests against its own rows.
  it('appends the same ingest-log events in the same order, and counts the same', async () => {
    const [la, lb] = await both((db) =>
      db.selectFrom('ingest_log').select(['id', 'kind', 'connector_id', 'ref', 'detail_json']).orderBy('id').execute(),
    );
    expect(lb.length).toBe(la.length);
    expect(lb).toEqual(la);
    const [ca, cb] = await both((db) => db.selectFrom('connector_counters').selectAll().execute());
    expect(cb).toEqual(ca);
  });

  it('answers status, report, mailbox and item show on PostgreSQL as on SQLite', async () => {
    const status = await cliJson<{ totals: unknown; connectors: { records: unknown; counters: unknown }[] }>(
      'status',
      '--data-dir',
      join(dir.path, 'pg'),
      '--database',
      url,
    );
    const liteStatus = await cliJson<typeof status>('status', '--data-dir', join(dir.path, 'lite'));
    expect(status.totals).toEqual(liteStatus.totals);
    expect(status.connectors[0]!.records).toEqual(liteStatus.connectors[0]!.records);
    expect(status.connectors[0]!.counters).toEqual(liteStatus.connectors[0]!.counters);

    const report = await cli('report', '--data-dir', join(dir.path, 'pg'), '--database', url, '--since', '2000-01-01');
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    type ReportJson = { totals: unknown; days: unknown[]; problems: unknown[]; runs: { counters: unknown }[] };
    const [pgReport, liteReport] = [
      await cliJson<ReportJson>(
        'report',
        '--since',
        '2000-01-01',
        '--data-dir',
        join(dir.path, 'pg'),
        '--database',
        url,
      ),
      await cliJson<ReportJson>('report', '--since', '2000-01-01', '--data-dir', join(dir.path, 'lite')),
    ];
    expect(pgReport.totals).toEqual(liteReport.totals);
    expect(pgReport.days).toEqual(liteReport.days);
    expect(pgReport.days.length).toBeGreaterThan(0);
    expect(pgReport.problems).toEqual(liteReport.problems);
    expect(pgReport.runs.map((r) => r.counters)).toEqual(liteReport.runs.map((r) => r.counters));

    const mailboxes = await cliJson<{ address: string; items: number }[]>(
      'mailbox',
      'list',
      '--data-dir',
      join(dir.path, 'pg'),
      '--database',
      url,
    );
    const liteMailboxes = await cliJson<typeof mailboxes>('mailbox', 'list', '--data-dir', join(dir.path, 'lite'));
    expect(mailboxes).toEqual(liteMailboxes);
    const box = mailboxes[0]!.address;
    const shown = await cliJson('mailbox', 'show', box, '--data-dir', join(dir.path, 'pg'), '--database', url);
    expect(shown).toEqual(await cliJson('mailbox', 'show', box, '--data-dir', join(dir.path, 'lite')));

    const item = await lite
      .selectFrom('items')
      .select(['msgid'])
      .where('msgtype', '=', 'image')
      .executeTakeFirstOrThrow();
    const mime = await cli('item', 'show', item.msgid, '--mime', '--data-dir', join(dir.path, 'pg'), '--database', url);
    const liteMime = await cli('item', 'show', item.msgid, '--mime', '--data-dir', join(dir.path, 'lite'));
    expect(mime.code).toBe(0);
    expect(mime.bytes.length).toBeGreaterThan(1000);
    expect(mime.bytes.equals(liteMime.bytes)).toBe(true);
  });

  it('indexes every item in its transaction: `search` finds on PostgreSQL what it finds on SQLite, and after `reindex` too', async () => {
    const [liteIndexed, pgIndexed] = await both(async (db) =>
      (await db.selectFrom('search_items').select('item_key').orderBy('item_key').execute()).map((r) => r.item_key),
    );
    expect(pgIndexed.length).toBe(runs.sqlite.archived);
    expect(pgIndexed).toEqual(liteIndexed);
    type Found = { total: number; items: { msgid: string }[] };
    const search = async (q: string, pgArchive: boolean) =>
      cliJson<Found>(
        'search',
        q,
        '--limit',
        '500',
        ...(pgArchive
          ? ['--data-dir', join(dir.path, 'pg'), '--database', url]
          : ['--data-dir', join(dir.path, 'lite')]),
      );
    // Queries drawn from the archive itself: two words of a text message's body, a sender, a type.
    const sample = await lite
      .selectFrom('search_items')
      .select(['body', 'from_id'])
      .where('msgtype', '=', 'text')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const word = [...sample.body.replace(/\s+/g, '')].slice(0, 2).join('');
    const queries = [word, `from:${sample.from_id}`, 'type:image', `${word} type:text`];
    const before: Found[] = [];
    for (const q of queries) {
      const [a, b] = [await search(q, false), await search(q, true)];
      expect(a.total).toBeGreaterThan(0);
      expect(b.total).toBe(a.total);
      expect(b.items.map((h) => h.msgid)).toEqual(a.items.map((h) => h.msgid));
      before.push(b);
    }
    const re = await cli('reindex', '--json', '--data-dir', join(dir.path, 'pg'), '--database', url);
    expect(re.stderr).toBe('');
    expect(re.code).toBe(0);
    expect((JSON.parse(re.stdout) as { indexed: number }).indexed).toBe(runs.sqlite.archived);
    for (const [i, q] of queries.entries()) expect(await search(q, true)).toEqual(before[i]);
  });

  it('verifies the PostgreSQL archive: chain, blobs, items and entries', async () => {
    const r = await cli('verify', '--data-dir', join(dir.path, 'pg'), '--database', url, '--json');
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      firstBroken: unknown;
      ingest: { events: number; items: number; rawRecords: number };
      blobs: { checked: number };
    };
    expect(report.firstBroken).toBeNull();
    expect(report.ok).toBe(true);
    expect(r.code).toBe(0);
    expect(report.ingest.items).toBe(runs.sqlite.archived);
    expect(report.ingest.rawRecords).toBe(MESSAGES);
    expect(report.blobs.checked).toBeGreaterThan(report.ingest.items);
  });

  it('names an item altered in the PostgreSQL database behind the archiver', async () => {
    const i = await pgdb
      .selectFrom('items')
      .select(['key', 'from_id'])
      .orderBy('key')
      .offset(10)
      .executeTakeFirstOrThrow();
    await pgdb.updateTable('items').set({ from_id: 'mallory' }).where('key', '=', i.key).execute();
    try {
      const r = await cli('verify', '--data-dir', join(dir.path, 'pg'), '--database', url, '--json');
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, firstBroken: { kind: 'item', itemKey: i.key } });
    } finally {
      await pgdb.updateTable('items').set({ from_id: i.from_id }).where('key', '=', i.key).execute();
    }
  });

  it('refuses a second writer of the same database, naming the holder, from another data directory', async () => {
    const held = await acquireDatabaseWriterLock(url, { command: 'serve' });
    try {
      const r = await cli(
        'run',
        '--once',
        '--sandbox',
        tenant,
        '--data-dir',
        join(dir.path, 'other'),
        '--database',
        url,
      );
      expect(r.code).toBe(75);
      expect(r.stderr).toContain(`process ${process.pid}`);
      expect(r.stderr).toContain('`serve`');
      expect(r.stderr).toContain('the archive database');
      expect(r.stderr).not.toContain('pw-not-shown');
    } finally {
      await held.release();
    }
  });

  it('runs again on the same database without a second copy of anything', async () => {
    const before = await pgdb
      .selectFrom('ingest_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    const again = await cliJson<{ captured: number; archived: number }>(
      'run',
      '--once',
      '--sandbox',
      tenant,
      '--workers',
      '0',
      '--data-dir',
      join(dir.path, 'pg'),
      '--database',
      url,
    );
    expect(again.captured).toBe(0);
    const after = await pgdb
      .selectFrom('ingest_log')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('deletes on PostgreSQL: an entry by `item delete`, expired ones by `retention run`; verify still passes', async () => {
    const pgArgs = ['--data-dir', join(dir.path, 'pg'), '--database', url];
    const entry = await pgdb
      .selectFrom('mailbox_entries')
      .select(['item_key', 'mailbox'])
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const del = await cli('item', 'delete', entry.item_key, '--mailbox', entry.mailbox, '--reason', 'test', ...pgArgs);
    expect(del.stderr).toBe('');
    expect(del.code).toBe(0);
    expect(
      await pgdb
        .selectFrom('mailbox_entries')
        .select('id')
        .where('item_key', '=', entry.item_key)
        .where('mailbox', '=', entry.mailbox)
        .execute(),
    ).toEqual([]);
    const audit = await pgdb
      .selectFrom('audit_events')
      .select(['action', 'target'])
      .where('action', '=', 'item.delete')
      .execute();
    expect(audit).toEqual([{ action: 'item.delete', target: entry.item_key }]);

    const entries = Number(
      (
        await pgdb
          .selectFrom('mailbox_entries')
          .select(sql<number>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const policy = await cli('retention', 'add', '--name', 'short', '--days', '1', ...pgArgs);
    expect(policy.code, policy.stderr).toBe(0);
    const run = await cliJson<{ deleted: number; keptByHold: number }>('retention', 'run', ...pgArgs);
    expect(run.deleted).toBe(entries);
    expect(await pgdb.selectFrom('items').select('key').execute()).toEqual([]);
    const tombstones = await pgdb.selectFrom('ingest_log').select('id').where('kind', '=', 'tombstone').execute();
    expect(tombstones.length).toBeGreaterThan(entries);

    const r = await cli('verify', ...pgArgs, '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, firstBroken: null });
    expect(r.code).toBe(0);
  });
});
