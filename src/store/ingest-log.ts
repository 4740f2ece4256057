/**
 * The ingest log: an append-only hash chain with one event for every raw record stored, item
 * archived, mailbox entry made, item deleted (a tombstone) and retention policy changed. Events
 * are appended inside the transaction that writes the rows they cover, so the log and the
 * archive can never disagree after a crash. Checkpoints sign its head; `verify` replays it.
 *
 * What is hashed is text (the previous hash in hex, a newline, the event's fields as canonical
 * JSON with the digest in hex), so that an auditor's script recomputes it from an export. What is
 * stored is smaller: the digest and the hash as 32-byte blobs, and no previous hash, which is
 * the hash of the row before (verify takes it from there). The pipeline appends several events
 * per archived message, so the log's bytes are a visible part of every commit.
 *
 * Two paths write the same rows: `appendIngestOn` for SQLite's hot paths (statements prepared
 * once per connection, 64 rows per INSERT), and `appendIngest` through Kysely, which is also the
 * PostgreSQL path: there writers in several processes run at once, so a transaction-level
 * advisory lock makes them append one after the other.
 */
import { hash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { connectionOf, dialectOf, type Db } from './db.js';
import { canonicalJson, CHAIN_GENESIS, chainHash } from './hash-chain.js';
import type { IngestEventInput } from './ingest-digest.js';
import type { Database, IngestLogTable } from './schema.js';

export * from './ingest-digest.js';

/** Rows per INSERT on the generic path: 8 columns stay well under either database's bound parameters. */
const CHUNK = 500;

/** The fields an event's hash covers, the digest in hex as it was logged. */
export type ChainFields = {
  at: number;
  kind: string;
  connector_id: string;
  ref: string;
  digest: string;
  detail_json: string;
};

/** The hash (hex) of one stored event: what `verify` and an auditor recompute. */
export function ingestHash(prevHash: string, e: ChainFields): string {
  return chainHash(prevHash, [e.at, e.kind, e.connector_id, e.ref, e.digest, e.detail_json]);
}

/** The bytes an event's hash covers: what `chainHash` makes of its fields. */
function chainText(
  prevHash: string,
  at: number,
  kind: string,
  connectorId: string,
  ref: string,
  digest: string,
  detailJson: string,
): string {
  return (
    `${prevHash}\n[${JSON.stringify(at)},${JSON.stringify(kind)},${JSON.stringify(connectorId)},` +
    `${JSON.stringify(ref)},${JSON.stringify(digest)},${JSON.stringify(detailJson)}]`
  );
}

/**
 * The same hash as `ingestHash`, without the generic canonical encoder: the fields are a flat
 * array of a number and strings, whose canonical JSON is plain JSON.stringify of each in order.
 */
export function fastIngestHash(...fields: Parameters<typeof chainText>): string {
  return hash('sha256', chainText(...fields), 'hex');
}

/** An event's hash as stored, 32 bytes; the one-shot hash is several times cheaper than a Hash object here. */
function storedHash(prevHash: string, at: number, e: IngestEventInput, detailJson: string): Buffer {
  return hash('sha256', chainText(prevHash, at, e.kind, e.connectorId, e.ref, e.digest, detailJson), 'buffer');
}

/** An event's stored hash or digest as the hex its hash covers. */
export const hexOf = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

const LOWER_HEX = /^(?:[0-9a-f]{2})*$/;

/**
 * A digest as stored: its bytes. Only lower-case hex survives the round trip to the same text
 * (what the hash covered), so anything else is a caller's bug, refused before it is chained.
 */
function digestBytes(digest: string): Buffer {
  if (!LOWER_HEX.test(digest)) throw new Error(`ingest event digest is not lower-case hex: ${JSON.stringify(digest)}`);
  return Buffer.from(digest, 'hex');
}

/** Canonical JSON of an event's detail: the common flat objects of strings without the generic walk. */
function detailJson(detail: Record<string, unknown> | undefined): string {
  if (detail === undefined) return '{}';
  const keys = Object.keys(detail);
  // Integer-like keys are ordered numerically by JavaScript objects: left to the generic walk.
  if (keys.every((k) => typeof detail[k] === 'string' && !/^\d+$/.test(k))) {
    keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(detail[k])}`).join(',')}}`;
  }
  return canonicalJson(detail);
}

/** The stored rows of `events` appended after the head (`lastId`, `prevHash`), and the new head's hash. */
function chainRows(lastId: number, prevHash: string, events: IngestEventInput[], now: number) {
  let prev = prevHash;
  let id = lastId;
  const rows = events.map((e): IngestLogTable => {
    id++;
    const detail = detailJson(e.detail);
    const digest = digestBytes(e.digest);
    const stored = storedHash(prev, now, e, detail);
    prev = stored.toString('hex');
    return {
      id,
      at: now,
      kind: e.kind,
      connector_id: e.connectorId,
      ref: e.ref,
      digest,
      detail_json: detail,
      hash: stored,
    };
  });
  return { rows, head: prev };
}

/**
 * Appends events in order, through Kysely. Must run inside the caller's transaction: updating
 * the head row first takes SQLite's write lock (on PostgreSQL, the advisory lock and the head
 * row's lock), so the head read here is still the head when the events commit, and the events
 * commit or roll back with the rows they describe.
 */
export async function appendIngest(tx: Transaction<Database>, events: IngestEventInput[], now: number): Promise<void> {
  if (events.length === 0) return;
  // PostgreSQL: writers in other processes wait here until this transaction ends.
  await dialectOf(tx).lockInTransaction(tx, 'ingest_log');
  const head = await tx
    .updateTable('ingest_head')
    .set({ updated_at: now })
    .where('id', '=', 1)
    .returning(['last_id', 'hash'])
    .executeTakeFirstOrThrow();
  const { rows, head: hash } = chainRows(Number(head.last_id), head.hash, events, now);
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto('ingest_log')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  await tx
    .updateTable('ingest_head')
    .set({ last_id: rows[rows.length - 1]!.id, hash })
    .where('id', '=', 1)
    .execute();
}

/**
 * Rows per multi-row INSERT on the hot path: one statement call writes 64 events (512 bound
 * parameters), so a batch's events cost a few calls into SQLite instead of one each.
 */
const ROWS_PER_INSERT = 64;
const COLUMNS = 8;
const INSERT_INTO = 'INSERT INTO ingest_log (id, at, kind, connector_id, ref, digest, detail_json, hash) VALUES ';

interface Statements {
  takeHead: SQLite.Statement<[number], { last_id: number; hash: string }>;
  insertOne: SQLite.Statement<unknown[]>;
  insertMany: SQLite.Statement<unknown[]>;
  setHead: SQLite.Statement<[number, string]>;
}

const STATEMENTS = new WeakMap<SQLite.Database, Statements>();

function statements(c: SQLite.Database): Statements {
  let s = STATEMENTS.get(c);
  if (!s) {
    const row = `(${Array(COLUMNS).fill('?').join(', ')})`;
    s = {
      takeHead: c.prepare('UPDATE ingest_head SET updated_at = ? WHERE id = 1 RETURNING last_id, hash'),
      insertOne: c.prepare(INSERT_INTO + row),
      insertMany: c.prepare(INSERT_INTO + Array(ROWS_PER_INSERT).fill(row).join(', ')),
      setHead: c.prepare('UPDATE ingest_head SET last_id = ?, hash = ? WHERE id = 1'),
    };
    STATEMENTS.set(c, s);
  }
  return s;
}

/**
 * `appendIngest` for SQLite's hot paths (capture and the item transaction): the same events and
 * rows, computed in one pass over the batch and written with statements prepared once per
 * connection, 64 rows per INSERT. Call it inside a transaction open on `db` (the caller's
 * `transact`), like `appendIngest`: updating the head row first takes SQLite's write lock.
 * On PostgreSQL use `appendIngest` (this throws WXA_STORE_SQLITE_ONLY there).
 */
export function appendIngestOn(db: Db, events: IngestEventInput[], now: number): void {
  if (events.length === 0) return;
  const s = statements(connectionOf(db, 'the ingest log’s prepared-statement path'));
  const head = s.takeHead.get(now);
  if (!head) throw new Error('ingest_head row is missing');
  let id = Number(head.last_id);
  let prev = head.hash;
  const params: unknown[] = new Array<unknown>(ROWS_PER_INSERT * COLUMNS);
  let n = 0;
  for (const e of events) {
    id++;
    const detail = detailJson(e.detail);
    const digest = digestBytes(e.digest);
    const hash = storedHash(prev, now, e, detail);
    let p = n * COLUMNS;
    params[p++] = id;
    params[p++] = now;
    params[p++] = e.kind;
    params[p++] = e.connectorId;
    params[p++] = e.ref;
    params[p++] = digest;
    params[p++] = detail;
    params[p] = hash;
    prev = hash.toString('hex');
    if (++n === ROWS_PER_INSERT) {
      s.insertMany.run(params);
      n = 0;
    }
  }
  for (let i = 0; i < n; i++) s.insertOne.run(params.slice(i * COLUMNS, (i + 1) * COLUMNS));
  s.setHead.run(id, prev);
}

export interface IngestHead {
  lastId: number;
  hash: string;
  events: number;
}

/**
 * The chain's head alone: one row, where `ingestHead` also counts the log, which reads the
 * whole table (what a timer polling for growth beside the pipeline must not do).
 */
export async function ingestHeadId(db: Db): Promise<Omit<IngestHead, 'events'>> {
  const head = await db.selectFrom('ingest_head').select(['last_id', 'hash']).where('id', '=', 1).executeTakeFirst();
  return { lastId: Number(head?.last_id ?? 0), hash: head?.hash ?? CHAIN_GENESIS };
}

/** The chain's head and length as the database holds them now. */
export async function ingestHead(db: Db): Promise<IngestHead> {
  const head = await ingestHeadId(db);
  const n = await db.selectFrom('ingest_log').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { ...head, events: Number(n.n) };
}

/** Runs `fn` in the caller's transaction, or in a new one. */
export async function inTransaction<T>(db: Db, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}
