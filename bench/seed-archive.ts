/**
 * Seeds a large embedded archive for the console benchmark, fast: a small sandbox tenant goes
 * through the real pipeline once (the template: real items, MIME blobs, media, directory, runs),
 * then its items are repeated under new keys and times with Kysely multi-row inserts in big
 * transactions: raw records, items, about 3 mailbox entries per item over ~2,000 mailboxes
 * (skewed like real use: a few people hold most of the archive), runs and holds. Seeded items
 * point at the template's stored messages, so opening any item works.
 *
 * With `distinct`, each seeded item gets a stored message of its own (the template's with one
 * header line more) and its own copy of each medium it carries (the template's bytes with the last
 * few changed, so the same size): a real archive's shape, where the export reads as many different
 * messages and media as it writes files. Without it, items share the template's 2,000 messages
 * and the few media they carry (two media files on disk stood behind 1,632 of 100,000 items).
 *
 * The result is cached under bench/tmp and reused when its seed file matches.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type Insertable } from 'kysely';
import { parseConfig, type Config } from '../src/config/index.js';
import { runConnector } from '../src/pipeline/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { base64Lines } from '../src/core/base64-lines.js';
import { decodeSkeleton, encodeSkeleton, type SkeletonPart } from '../src/store/blobs/skeleton.js';
import { ARCHIVE_FOLDER, INLINE_MAX, LocalBlobStore, openStore, sha256Hex } from '../src/store/index.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import type { Database } from '../src/store/schema.js';
import { prng } from './prng.js';
import { SOURCES } from '../src/sources/index.js';

export const CONNECTOR_ID = 'bench';
const TEMPLATE_MESSAGES = 2_000;
const SEED = 7;
const DAY = 86_400_000;
/** Synthetic items are spread over the two years before the template's first message. */
const SPAN = 730 * DAY;
/** Bump when the seeded shape changes, so cached archives are rebuilt. */
const SEED_VERSION = 2;

export interface SeedOptions {
  tmp: string;
  items: number;
  mailboxes: number;
  /** each item its own stored message and media (see above); default false */
  distinct?: boolean;
  log?: (line: string) => void;
}

export interface SeededArchive {
  dataDir: string;
  config: Config;
  items: number;
  mailboxes: number;
  entries: number;
  rawRecords: number;
  runs: number;
  holds: number;
  seedSeconds: number;
  cached: boolean;
  /** seconds the migrations added since the archive was seeded took to run on it, when they ran */
  migratedSeconds?: number;
}

function configFor(tmp: string, dataDir: string): Config {
  return parseConfig(
    {
      dataDir,
      workers: 0,
      connectors: [{ id: CONNECTOR_ID, source: { kind: 'sandbox', dir: join(tmp, `console-tenant-${SEED}`) } }],
    },
    'bench',
    tmp,
  );
}

/** The template: a sandbox tenant archived by the real pipeline. */
async function template(tmp: string, log: (line: string) => void): Promise<string> {
  const tenantDir = join(tmp, `console-tenant-${SEED}`);
  const dataDir = join(tmp, `console-template-${SEED}`);
  const key = await cacheKey({});
  const done = join(dataDir, 'done');
  if (existsSync(done) && (await readFile(done, 'utf8')) === key) return dataDir;
  await rm(tenantDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  log(`template: ${TEMPLATE_MESSAGES} sandbox messages through the pipeline ...`);
  await generateTenant({ outDir: tenantDir, seed: SEED, messages: TEMPLATE_MESSAGES });
  const cfg = configFor(tmp, dataDir);
  const store = await openStore(dataDir);
  try {
    const report = await runConnector(store, cfg.connectors[0]!, { sources: SOURCES, workers: 0 });
    log(`template: ${report.archived} archived, ${report.heldTotal} held`);
  } finally {
    await store.close();
  }
  await writeFile(done, key);
  return dataDir;
}

/**
 * What a cached archive was made from: the seed's shape and the migrations of the code that
 * made it (a database made under another migration list cannot be opened by this code).
 */
async function cacheKey(params: Record<string, number>): Promise<string> {
  const migrations = Object.keys(await migrationProvider.getMigrations()).sort();
  return JSON.stringify({ version: SEED_VERSION, seed: SEED, ...params, migrations });
}

/** Whether `older` is `current` but for migrations added at the end of the list since. */
function isEarlierKey(older: string, current: string): boolean {
  const a = JSON.parse(older) as { migrations?: string[] };
  const b = JSON.parse(current) as { migrations: string[] };
  const same = JSON.stringify({ ...a, migrations: [] }) === JSON.stringify({ ...b, migrations: [] });
  const m = a.migrations ?? [];
  return same && m.length < b.migrations.length && m.every((name, i) => b.migrations[i] === name);
}

type Row<T extends keyof Database> = Insertable<Database[T]>;

export async function seedArchive(opts: SeedOptions): Promise<SeededArchive> {
  const log = opts.log ?? (() => undefined);
  const dataDir = join(opts.tmp, `${opts.distinct ? 'distinct' : 'console'}-${opts.items}`);
  const config = configFor(opts.tmp, dataDir);
  const marker = join(dataDir, 'seed.json');
  const key = await cacheKey({
    items: opts.items,
    mailboxes: opts.mailboxes,
    ...(opts.distinct ? { distinct: DISTINCT_VERSION } : {}),
  });
  if (existsSync(marker)) {
    const found = JSON.parse(await readFile(marker, 'utf8')) as Omit<SeededArchive, 'config'> & { key: string };
    if (found.key === key) {
      return { ...found, dataDir, config, cached: true };
    }
    // Made by the same seed under an earlier migration list: opening the store runs the new
    // migrations, as an upgrade would (their backfills on a large archive are worth timing).
    if (isEarlierKey(found.key, key)) {
      const t = performance.now();
      await (await openStore(dataDir)).close();
      const migratedSeconds = Math.round((performance.now() - t) / 100) / 10;
      log(`cached archive of ${opts.items} items migrated in ${migratedSeconds} s`);
      await writeFile(marker, JSON.stringify({ ...found, key }, null, 2));
      return { ...found, dataDir, config, cached: true, migratedSeconds };
    }
  }
  const templateDir = await template(opts.tmp, log);
  const started = performance.now();
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  await cp(join(templateDir, 'blobs'), join(dataDir, 'blobs'), { recursive: true });
  await cp(join(templateDir, 'archive.db'), join(dataDir, 'archive.db'));
  // Migrations added since the template was made run here.
  await (await openStore(dataDir)).close();

  const sqlite = new SQLite(join(dataDir, 'archive.db'));
  // Seeding only: nothing here must survive a power loss. No WAL (each page is written once, not
  // to the log and then again), a big cache for the unique indexes that take random inserts, and
  // the other indexes dropped and made again at the end from their own SQL: building an index
  // from sorted data is many times faster than millions of inserts in random places.
  sqlite.pragma('journal_mode = MEMORY');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('cache_size = -1000000');
  sqlite.pragma('temp_store = MEMORY');
  const indexes = sqlite
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('raw_records', 'items', 'mailbox_entries', 'holds', 'runs')",
    )
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) sqlite.exec(`DROP INDEX "${ix.name}"`);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    const counts = await fill(db, opts, log, new LocalBlobStore(join(dataDir, 'blobs')));
    log(`re-creating ${indexes.length} indexes ...`);
    for (const ix of indexes) sqlite.exec(ix.sql);
    // The pipeline keeps the per-connector item and entry counts in the transaction that writes
    // them; rows inserted here bypass it, so the counts are made once at the end, as migrations
    // 004 and 022 do.
    sqlite.exec(
      `DELETE FROM connector_counters;
       INSERT INTO connector_counters (connector_id, items, entries)
       SELECT i.connector_id, COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM mailbox_entries e WHERE e.item_key = i.key)), 0)
       FROM items i GROUP BY i.connector_id`,
    );
    sqlite.pragma('journal_mode = WAL');
    const seeded = { key, ...counts, seedSeconds: Math.round((performance.now() - started) / 100) / 10 };
    await writeFile(marker, JSON.stringify(seeded, null, 2));
    return { ...seeded, dataDir, config, cached: false };
  } finally {
    await db.destroy();
  }
}

/** Multi-row inserts of `size` rows each, inside the caller's transaction. */
async function insertAll<T extends keyof Database>(
  tx: Kysely<Database>,
  table: T,
  rows: Row<T>[],
  size: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += size) {
    // Kysely's generic insert types do not narrow over a table-name parameter.
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
  }
}

async function fill(
  db: Kysely<Database>,
  opts: SeedOptions,
  log: (line: string) => void,
  objects: LocalBlobStore,
): Promise<Pick<SeededArchive, 'items' | 'mailboxes' | 'entries' | 'rawRecords' | 'runs' | 'holds'>> {
  const rand = prng(SEED);
  const templates = await db
    .selectFrom('items')
    .select([
      'msgid',
      'msgtype',
      'action',
      'conversation_id',
      'room_id',
      'from_id',
      'model_json',
      'mime_sha256',
      'mime_size',
      'flags',
    ])
    .where('connector_id', '=', CONNECTOR_ID)
    .orderBy('msg_time')
    .execute();
  const first = await db
    .selectFrom('items')
    .select((eb) => [eb.fn.min('msg_time').as('t'), eb.fn.max('raw_id').as('raw')])
    .executeTakeFirstOrThrow();
  const sampleRun = await db.selectFrom('runs').select('counters_json').orderBy('id').executeTakeFirstOrThrow();
  const sampleRecord = await db.selectFrom('raw_records').select('record_json').orderBy('id').executeTakeFirstOrThrow();
  const t0 = Number(first.t) - SPAN;
  const rawBase = Number(first.raw) + 1_000_000;

  const addresses = Array.from(
    { length: opts.mailboxes },
    (_, i) => `employee.${String(i).padStart(5, '0')}@bench-bank.cn`,
  );
  await db.transaction().execute(async (tx) =>
    insertAll(
      tx,
      'mailboxes',
      addresses.map((address, i) => ({ address, display_name: `Employee ${i}`, created_at: t0 })),
      2_000,
    ),
  );
  // index = M * u^2: the first mailbox gets about 2% of all entries, the median one about 1/2,800.
  const pick = () => Math.min(opts.mailboxes - 1, Math.floor(opts.mailboxes * rand() ** 2));
  const step = SPAN / opts.items;
  // distinct messages: their blob rows are held until the batch's transaction, so fewer at once
  const BATCH = opts.distinct ? 5_000 : 50_000;
  const distinct = opts.distinct ? new DistinctMessages(db, objects) : undefined;
  let entries = 0;
  let holds = 0;
  for (let start = 0; start < opts.items; start += BATCH) {
    const raws: Row<'raw_records'>[] = [];
    const items: Row<'items'>[] = [];
    const boxEntries: Row<'mailbox_entries'>[] = [];
    const holdRows: Row<'holds'>[] = [];
    const blobRows: Row<'blobs'>[] = [];
    for (let n = start; n < Math.min(opts.items, start + BATCH); n++) {
      const template = templates[n % templates.length]!;
      const t = distinct ? { ...template, ...(await distinct.variant(n, template, blobRows)) } : template;
      const time = Math.floor(t0 + n * step + rand() * step);
      const msgid = `${t.msgid}-s${n}`;
      const key = `wecom:${CONNECTOR_ID}:${msgid}`;
      const rawId = rawBase + n;
      const isHeld = n % 50 === 17;
      raws.push({
        id: rawId,
        connector_id: CONNECTOR_ID,
        seq_key: String(10_000_000 + n).padStart(20, '0'),
        msgid,
        publickey_ver: 1,
        record_json: sampleRecord.record_json,
        record_sha256: '0'.repeat(64),
        captured_at: time + 60_000,
        status: 'done',
        hold_reason: null,
        error_code: null,
        error_detail: null,
        attempts: 1,
        updated_at: time + 60_000,
      });
      items.push({
        key,
        connector_id: CONNECTOR_ID,
        raw_id: rawId,
        msgid,
        seq_key: String(10_000_000 + n).padStart(20, '0'),
        msgtype: t.msgtype,
        action: t.action,
        conversation_id: t.conversation_id,
        room_id: t.room_id,
        from_id: t.from_id,
        msg_time: time,
        model_version: 1,
        model_json: t.model_json,
        mime_sha256: t.mime_sha256,
        mime_size: t.mime_size,
        flags: t.flags,
        recalled_by: null,
        recalled_at: null,
        created_at: time + 60_000,
      });
      const boxes = new Set<number>();
      while (boxes.size < 3) boxes.add(pick());
      for (const b of boxes) {
        boxEntries.push({
          mailbox: addresses[b]!,
          folder: ARCHIVE_FOLDER,
          item_key: key,
          mime_sha256: t.mime_sha256,
          msg_time: time,
          delivered_at: time + 60_000,
          run_id: null,
        });
      }
      if (isHeld) {
        // An unmapped participant: most such holds were released once a mapping row came (and the
        // item archived); the newest quarter are still open, on records of their own.
        holds++;
        const open = n >= opts.items * 0.75;
        const heldRaw = open ? rawBase + opts.items + n : rawId;
        const participant = `unmapped.user.${n % 300}`;
        if (open) {
          raws.push({
            ...raws[raws.length - 1]!,
            id: heldRaw,
            seq_key: String(10_000_000 + opts.items + n).padStart(20, '0'),
            msgid: `${msgid}-held`,
            status: 'held',
            hold_reason: 'unmapped',
          });
        }
        holdRows.push({
          connector_id: CONNECTOR_ID,
          reason: 'unmapped',
          item_key: null,
          raw_id: heldRaw,
          participant,
          code: 'WXA_UNMAPPED',
          detail: `participant ${participant} maps to no mailbox`,
          created_at: time + 60_000,
          released_at: open ? null : time + 7 * DAY,
        });
      }
    }
    entries += boxEntries.length;
    await db.transaction().execute(async (tx) => {
      await insertAll(tx, 'blobs', blobRows, 200);
      await insertAll(tx, 'raw_records', raws, 1_000);
      await insertAll(tx, 'items', items, 1_000);
      await insertAll(tx, 'mailbox_entries', boxEntries, 3_000);
      await insertAll(tx, 'holds', holdRows, 1_000);
    });
    log(`seeded ${Math.min(opts.items, start + BATCH)} / ${opts.items} items`);
  }

  // One run an hour over the span for a large archive (fewer for a small one).
  const runCount = Math.max(100, Math.round(opts.items / 57));
  const runRows: Row<'runs'>[] = Array.from({ length: runCount }, (_, i) => {
    const at = Math.floor(t0 + (i * SPAN) / runCount);
    return {
      connector_id: CONNECTOR_ID,
      started_at: at,
      finished_at: at + 40_000,
      status: i % 97 === 5 ? 'failed' : 'succeeded',
      counters_json: sampleRun.counters_json,
      error: i % 97 === 5 ? 'WXA_SOURCE_FAILED: the source could not be read this time' : null,
    };
  });
  await db.transaction().execute(async (tx) => insertAll(tx, 'runs', runRows, 2_000));
  const totals = await db
    .selectFrom('mailboxes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    items: opts.items,
    mailboxes: Number(totals.n),
    entries,
    rawRecords: opts.items + Math.round(holds / 4),
    runs: runCount,
    holds,
  };
}

/** Bump when the distinct messages' shape changes, so cached archives are rebuilt. */
const DISTINCT_VERSION = 1;

type TemplateBlob = Pick<Row<'blobs'>, 'kind' | 'size' | 'data' | 'encoding'>;

/**
 * Each item's own stored message, made from its template's: one header line more at the top
 * (`X-Bench-Copy: N`), and each medium it carries copied with its last bytes changed (as many
 * bytes, so the message's size grows by the header line alone). Media over INLINE_MAX go to the
 * blob files as the pipeline's do; the rows are the caller's to insert.
 */
class DistinctMessages {
  private readonly blobs = new Map<string, TemplateBlob>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly objects: LocalBlobStore,
  ) {}

  private async blob(sha256: string): Promise<TemplateBlob> {
    let b = this.blobs.get(sha256);
    if (!b) {
      b = await this.db
        .selectFrom('blobs')
        .select(['kind', 'size', 'data', 'encoding'])
        .where('sha256', '=', sha256)
        .executeTakeFirstOrThrow();
      this.blobs.set(sha256, b);
    }
    return b;
  }

  private async bytes(sha256: string): Promise<Buffer> {
    const b = await this.blob(sha256);
    return b.data ? Buffer.from(b.data) : this.objects.get(sha256);
  }

  /** Bytes kept inline in the row, or durably in a blob file; the row either way. */
  private async stored(
    bytes: Buffer,
    kind: string,
    encoding: 'raw' | 'skeleton',
    full?: { sha256: string; size: number },
  ) {
    const now = Date.now();
    if (encoding === 'skeleton' || bytes.length <= INLINE_MAX)
      return {
        sha256: full?.sha256 ?? sha256Hex(bytes),
        size: full?.size ?? bytes.length,
        kind,
        data: bytes,
        encoding,
        created_at: now,
      };
    const ref = await this.objects.put(bytes);
    return { sha256: ref.sha256, size: ref.size, kind, data: null, encoding, created_at: now };
  }

  async variant(
    n: number,
    t: { mime_sha256: string; mime_size: number | bigint },
    rows: Row<'blobs'>[],
  ): Promise<{ mime_sha256: string; mime_size: number }> {
    const header = Buffer.from(`X-Bench-Copy: ${n}\r\n`, 'latin1');
    const template = await this.blob(t.mime_sha256);
    const size = Number(t.mime_size) + header.length;
    if (template.encoding !== 'skeleton') {
      const row = await this.stored(Buffer.concat([header, await this.bytes(t.mime_sha256)]), template.kind, 'raw');
      rows.push(row);
      return { mime_sha256: row.sha256, mime_size: row.size };
    }
    const hash = createHash('sha256');
    const parts = decodeSkeleton(Buffer.from(template.data!), t.mime_sha256).map((p, i) =>
      i === 0 && Buffer.isBuffer(p) ? Buffer.concat([header, p]) : p,
    );
    if (!Buffer.isBuffer(parts[0]))
      throw new Error(`template message ${t.mime_sha256} does not start with its headers`);
    const mine: SkeletonPart[] = [];
    // a medium the message carries twice is copied once
    const copies = new Map<string, { sha256: string; lines: Buffer }>();
    let total = 0;
    for (const p of parts) {
      if (Buffer.isBuffer(p)) {
        hash.update(p);
        total += p.length;
        mine.push(p);
        continue;
      }
      let copy = copies.get(p.media);
      if (!copy) {
        const media = await this.bytes(p.media);
        // the last four bytes (or fewer) XORed with the item's number plus one: a different
        // medium for every item, the length kept
        for (let k = 0; k < Math.min(4, media.length); k++)
          media[media.length - 1 - k]! ^= ((n + 1) >>> (8 * k)) & 0xff;
        const row = await this.stored(media, (await this.blob(p.media)).kind, 'raw');
        rows.push(row);
        copy = { sha256: row.sha256, lines: base64Lines(media) };
        copies.set(p.media, copy);
      }
      hash.update(copy.lines);
      total += copy.lines.length;
      mine.push({ media: copy.sha256 });
    }
    if (total !== size) throw new Error(`message ${t.mime_sha256} rebuilt to ${total} bytes, expected ${size}`);
    const row = await this.stored(encodeSkeleton(mine), template.kind, 'skeleton', {
      sha256: hash.digest('hex'),
      size,
    });
    rows.push(row);
    return { mime_sha256: row.sha256, mime_size: size };
  }
}
