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
import { connectionOf, dialectOf, preparedPerConnection, type Db } from './db.js';
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

/**
 * The start of an event's fields as its hash covers them, `[at,"kind","connector",`: the same
 * for every event of a kind in one append, so the hot path writes it once per run of them.
 */
function chainHead(at: number, kind: string, connectorId: string): string {
  return `[${JSON.stringify(at)},${JSON.stringify(kind)},${JSON.stringify(connectorId)},`;
}

/**
 * The text an event's hash covers, what `chainHash` makes of its fields: the previous hash, a
 * newline, the fields as canonical JSON (a flat array of a number and strings, so plain JSON).
 * The digest must be lower-case hex (checked by `digestBytes`), which JSON writes as it is.
 */
function chainText(prevHash: string, head: string, ref: string, hexDigest: string, detailJson: string): string {
  return `${prevHash}\n${head}${JSON.stringify(ref)},"${hexDigest}",${JSON.stringify(detailJson)}]`;
}

/** The same hash as `ingestHash`, without the generic canonical encoder or a Hash object. */
export function fastIngestHash(
  prevHash: string,
  at: number,
  kind: string,
  connectorId: string,
  ref: string,
  digest: string,
  detailJson: string,
): string {
  if (!LOWER_HEX.test(digest))
    return ingestHash(prevHash, { at, kind, connector_id: connectorId, ref, digest, detail_json: detailJson });
  return hash('sha256', chainText(prevHash, chainHead(at, kind, connectorId), ref, digest, detailJson), 'hex');
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
function detailJsonOf(detail: Record<string, unknown> | undefined): string {
  if (detail === undefined) return '{}';
  const keys = Object.keys(detail);
  // Integer-like keys are ordered numerically by JavaScript objects: left to the generic walk.
  if (keys.every((k) => typeof detail[k] === 'string' && !/^\d+$/.test(k))) {
    keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(detail[k])}`).join(',')}}`;
  }
  return canonicalJson(detail);
}

/** An event's detail as the canonical JSON its hash covers: the builder's own text, or encoded here. */
const detailTextOf = (e: IngestEventInput): string => e.detailJson ?? detailJsonOf(e.detail);

/**
 * Hashes events in order onto a chain, one event at a time: `next` returns the stored hash of
 * the event it is given (32 bytes) and moves the chain's head (`head()`, hex) past it. The
 * fields' leading part is reused while the kind and connector stay the same, and each hash is
 * made as hex, the form the next event's text needs, its bytes decoded from that (a small
 * pooled Buffer rather than a fresh one per hash).
 */
function chainer(prevHash: string, now: number) {
  let prev = prevHash;
  let kind = '';
  let connectorId = '';
  let head = '';
  return {
    /** `e.digest` must have passed `digestBytes` (lower-case hex): the text writes it unescaped. */
    next(e: IngestEventInput, detail: string): Buffer {
      if (e.kind !== kind || e.connectorId !== connectorId || head === '') {
        kind = e.kind;
        connectorId = e.connectorId;
        head = chainHead(now, kind, connectorId);
      }
      prev = hash('sha256', chainText(prev, head, e.ref, e.digest, detail), 'hex');
      return Buffer.from(prev, 'hex');
    },
    head: () => prev,
  };
}

/** The stored rows of `events` appended after the head (`lastId`, `prevHash`), and the new head's hash. */
function chainRows(lastId: number, prevHash: string, events: IngestEventInput[], now: number) {
  const chain = chainer(prevHash, now);
  let id = lastId;
  const rows = events.map((e): IngestLogTable => {
    id++;
    const detail = detailTextOf(e);
    const digest = digestBytes(e.digest);
    const stored = chain.next(e, detail);
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
  return { rows, head: chain.head() };
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

const statements = preparedPerConnection((c): Statements => {
  const row = `(${Array(COLUMNS).fill('?').join(', ')})`;
  return {
    takeHead: c.prepare('UPDATE ingest_head SET updated_at = ? WHERE id = 1 RETURNING last_id, hash'),
    insertOne: c.prepare(INSERT_INTO + row),
    insertMany: c.prepare(INSERT_INTO + Array(ROWS_PER_INSERT).fill(row).join(', ')),
    setHead: c.prepare('UPDATE ingest_head SET last_id = ?, hash = ? WHERE id = 1'),
  };
});

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
  const chain = chainer(head.hash, now);
  const params: unknown[] = new Array<unknown>(ROWS_PER_INSERT * COLUMNS);
  let n = 0;
  for (const e of events) {
    id++;
    const detail = detailTextOf(e);
    const digest = digestBytes(e.digest);
    const stored = chain.next(e, detail);
    let p = n * COLUMNS;
    params[p++] = id;
    params[p++] = now;
    params[p++] = e.kind;
    params[p++] = e.connectorId;
    params[p++] = e.ref;
    params[p++] = digest;
    params[p++] = detail;
    params[p] = stored;
    if (++n === ROWS_PER_INSERT) {
      s.insertMany.run(params);
      n = 0;
    }
  }
  for (let i = 0; i < n; i++) s.insertOne.run(params.slice(i * COLUMNS, (i + 1) * COLUMNS));
  s.setHead.run(id, chain.head());
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
