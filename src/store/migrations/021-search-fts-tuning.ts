/**
 * FTS5 keeps the tokens of an open transaction in memory and writes them out as a new segment
 * whenever they pass `hashsize` (1 MiB by default), then merges segments as they pile up. A
 * batch of a rebuild holds several MiB of tokens, so with the default every batch became
 * several small segments that were merged again and again: measured, the larger buffer takes
 * a fifth off the CPU time of building the index. Transactions of the pipeline are small, so
 * the buffer only grows to its limit during a bulk rebuild.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

/** Bytes of pending tokens before FTS5 writes a segment. */
export const SEARCH_FTS_HASHSIZE = 32 * 1024 * 1024;

export async function up(db: Kysely<unknown>): Promise<void> {
  // FTS5's own setting: PostgreSQL's GIN index has no such buffer to tune here.
  if (dialectKind(db) === 'postgres') return;
  // An integer, not a REAL: FTS5 refuses a configuration value of another type.
  await sql`INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ${BigInt(SEARCH_FTS_HASHSIZE)})`.execute(db);
}
