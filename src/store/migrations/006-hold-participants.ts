/**
 * One hold per record: a message whose unmapped participants were each given a hold row made
 * 10,000 rows for a 10,000-member group. The unmapped participants now travel as one JSON list
 * in the record's single hold; existing per-participant rows are folded into one per record
 * (and per release, so history keeps its shape).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('holds').addColumn('participants', 'text').execute();
  await sql`INSERT INTO holds (connector_id, reason, item_key, raw_id, participant, code, detail, created_at, released_at, participants)
            SELECT connector_id, 'unmapped', item_key, raw_id, NULL, NULL,
                   CASE WHEN count(*) = 1 THEN 'participant ' || min(participant) || ' maps to no mailbox'
                        ELSE count(*) || ' participants map to no mailbox' END,
                   min(created_at), released_at, ${dialectOf(db).jsonArrayAgg(sql.ref('participant'))}
            FROM holds
            WHERE reason = 'unmapped' AND participant IS NOT NULL
            GROUP BY connector_id, raw_id, item_key, released_at`.execute(db);
  await sql`DELETE FROM holds WHERE reason = 'unmapped' AND participant IS NOT NULL`.execute(db);
}
