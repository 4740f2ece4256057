/**
 * Named leases with a fencing token: which process holds a singleton role (the capture of a
 * connector) and until when. The token grows by one on every take-over, so a write guarded by
 * it is refused once another process has taken the lease, however late the old holder wakes.
 * Query builder only, so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    // null once released; a released or expired lease is free to take
    .addColumn('owner', 'text')
    .addColumn('token', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('renewed_at', 'bigint', (c) => c.notNull())
    // who holds it, for the operator (host, pid, what it does); never a secret
    .addColumn('holder', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
}
