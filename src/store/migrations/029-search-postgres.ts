/**
 * The token index on PostgreSQL, made exact. A tsvector keeps at most 256 positions per lexeme,
 * clamps positions above 16,383, refuses a lexeme over 2,047 bytes and a vector over 1 MiB, so
 * a long document (an attachment's text) cannot keep every position a phrase needs. Such a
 * document keeps its tokens as text in `overflow`, beside a vector of its distinct tokens
 * without positions, and a phrase is verified against that text (see search-pg-tokens.ts).
 * SQLite's FTS5 has none of these limits: nothing changes there.
 */
import type { Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectKind(db) !== 'postgres') return;
  await db.schema.alterTable('search_fts').addColumn('overflow', 'text').execute();
}
