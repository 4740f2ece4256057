/**
 * What delivering within the mail services' limits needs to keep: the attachments a partial
 * delivery left out and why (reports list them), and open Graph upload sessions, so a large
 * upload cut by throttling or a restart resumes where it stopped instead of at byte 0.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('omitted_json', 'text').execute();
  await db.schema
    .createTable('upload_sessions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('upload_url', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
