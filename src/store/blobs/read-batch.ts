/**
 * Stored messages read a batch at a time, for readers that go through many of them (export): one
 * query for the batch's message rows and one for the inline media their skeletons name, instead
 * of a query per message and per medium. A message comes back as pieces, never concatenated: its
 * literal runs and inline media (already in base64 lines) as buffers, and each medium kept in the
 * object store as a reference the caller streams, so a large video is never held whole. The
 * caller hashes the pieces as it consumes them and checks the message's SHA-256 (`MessageHash`):
 * that one hash covers every medium too, since a medium's base64 lines are part of the message.
 */
import { createHash, type Hash } from 'node:crypto';
import { ArchiverError } from '../../core/errors.js';
import { base64LineBlocks, base64Lines } from '../../core/base64-lines.js';
import { connectionOf, dialectKind, preparedPerConnection, type Db } from '../db.js';
import { decodeSkeleton } from './skeleton.js';
import type { BlobStore } from './types.js';

/** A run of a message's bytes, or a medium in the object store whose base64 lines stand there. */
export type MessagePiece = Buffer | { object: string };

export interface StoredMessage {
  sha256: string;
  pieces: MessagePiece[];
  /** read whole from the object store, which checked it against its SHA-256 as it read it */
  checked?: true;
}

const IN_LIST = 500;

/**
 * SQLite: one statement per connection, prepared once and given each slice's hashes as a JSON
 * array, instead of a query built, compiled and prepared for every slice. Its rows come as
 * arrays (raw mode): better-sqlite3 makes an object's every key again for every row.
 */
const blobRowsStatement = preparedPerConnection((c) =>
  c.prepare('SELECT sha256, data, encoding FROM blobs WHERE sha256 IN (SELECT value FROM json_each(?))').raw(),
);

async function rows(db: Db, shas: readonly string[]) {
  const out = new Map<string, { data: Buffer | null; encoding: string }>();
  if (dialectKind(db) === 'sqlite') {
    const s = blobRowsStatement(connectionOf(db));
    for (let i = 0; i < shas.length; i += IN_LIST)
      for (const [sha256, data, encoding] of s.all(JSON.stringify(shas.slice(i, i + IN_LIST))) as [
        string,
        Buffer | null,
        string,
      ][])
        out.set(sha256, { data, encoding });
    return out;
  }
  for (let i = 0; i < shas.length; i += IN_LIST)
    for (const r of await db
      .selectFrom('blobs')
      .select(['sha256', 'data', 'encoding'])
      .where('sha256', 'in', shas.slice(i, i + IN_LIST))
      .execute())
      out.set(r.sha256, { data: r.data, encoding: r.encoding });
  return out;
}

const missing = (sha256: string) =>
  new ArchiverError('WXA_BLOB_MISSING', `blob ${sha256} is not recorded in the database`);

/** Only the blob store's own verdicts are kept per blob; anything else (the database, the network) fails the call. */
function blobError(err: unknown): ArchiverError {
  if (err instanceof ArchiverError) return err;
  throw err;
}

/**
 * The pieces of each message of `unique`, or the error that keeps it from being read (missing,
 * a damaged skeleton, a medium missing or not raw): one query for the rows and one for the
 * media their skeletons name that are not among them. `objectOf` reads a whole blob kept in the
 * object store (checked as it reads).
 */
async function piecesOf(
  db: Db,
  unique: readonly string[],
  objectOf: (sha256: string) => Promise<Buffer>,
): Promise<Map<string, StoredMessage | ArchiverError>> {
  const top = await rows(db, unique);
  const out = new Map<string, StoredMessage | ArchiverError>();
  const skeletons = new Map<string, ReturnType<typeof decodeSkeleton>>();
  const mediaWanted = new Set<string>();
  for (const sha of unique) {
    const row = top.get(sha);
    try {
      if (!row) throw missing(sha);
      if (row.data === null) out.set(sha, { sha256: sha, pieces: [await objectOf(sha)], checked: true });
      else if (row.encoding === 'skeleton') {
        const parts = decodeSkeleton(row.data, sha);
        skeletons.set(sha, parts);
        for (const p of parts) if (!Buffer.isBuffer(p) && !top.has(p.media)) mediaWanted.add(p.media);
      } else out.set(sha, { sha256: sha, pieces: [row.data] });
    } catch (err) {
      out.set(sha, blobError(err));
    }
  }
  const media = mediaWanted.size ? await rows(db, [...mediaWanted]) : new Map<string, never>();
  for (const [sha, parts] of skeletons) {
    try {
      const pieces = parts.flatMap((p): MessagePiece[] => {
        if (Buffer.isBuffer(p)) return [p];
        const m = top.get(p.media) ?? media.get(p.media);
        if (!m) throw missing(p.media);
        if (m.data === null) return [{ object: p.media }];
        if (m.encoding !== 'raw')
          throw new ArchiverError('WXA_BLOB_CORRUPT', `stored message skeleton ${sha} names a medium that is not raw`);
        return base64LineBlocks(m.data);
      });
      out.set(sha, { sha256: sha, pieces });
    } catch (err) {
      out.set(sha, blobError(err));
    }
  }
  return out;
}

/** The messages named by `shas` (each once), as pieces in message order; throws the first that cannot be read. */
export async function readMessages(
  db: Db,
  objects: BlobStore,
  shas: readonly string[],
): Promise<Map<string, StoredMessage>> {
  const got = await piecesOf(db, [...new Set(shas)], (sha) => objects.get(sha));
  for (const m of got.values()) if (m instanceof ArchiverError) throw m;
  return got as Map<string, StoredMessage>;
}

/** The running SHA-256 of a message's bytes, checked against its name at the end. */
export class MessageHash {
  private readonly hash: Hash = createHash('sha256');
  constructor(readonly sha256: string) {}
  update(b: Buffer): void {
    this.hash.update(b);
  }
  /** Throws WXA_BLOB_CORRUPT when the bytes seen are not the message's. */
  check(): void {
    if (this.hash.digest('hex') !== this.sha256)
      throw new ArchiverError(
        'WXA_BLOB_CORRUPT',
        `blob ${this.sha256} does not match its SHA-256; restore it from a copy`,
      );
  }
}

/**
 * Whole blobs a batch at a time, each checked against its SHA-256, for readers that hand a
 * message on in one piece (delivery): the same reads as readMessages, each medium in the object
 * store read once however many messages carry it. A blob that is missing or damaged comes back
 * as its error, so one bad blob fails only the items that use it; a failure of the database
 * itself rejects the call.
 */
export async function readWhole(
  db: Db,
  objects: BlobStore,
  shas: readonly string[],
): Promise<Map<string, Buffer | ArchiverError>> {
  const fetched = new Map<string, Promise<Buffer>>();
  const objectOf = (sha: string): Promise<Buffer> => {
    let p = fetched.get(sha);
    if (!p) {
      p = objects.get(sha);
      p.catch(() => undefined);
      fetched.set(sha, p);
    }
    return p;
  };
  const out = new Map<string, Buffer | ArchiverError>();
  for (const [sha, msg] of await piecesOf(db, [...new Set(shas)], objectOf)) {
    try {
      if (msg instanceof ArchiverError) throw msg;
      const pieces: Buffer[] = [];
      for (const p of msg.pieces) pieces.push(Buffer.isBuffer(p) ? p : base64Lines(await objectOf(p.object)));
      const bytes = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
      if (!msg.checked) {
        // The message's own SHA-256 covers its media's base64 lines too.
        const hash = new MessageHash(sha);
        hash.update(bytes);
        hash.check();
      }
      out.set(sha, bytes);
    } catch (err) {
      out.set(sha, blobError(err));
    }
  }
  return out;
}
