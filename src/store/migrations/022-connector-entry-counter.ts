/**
 * Mailbox entries per connector (the "after fan-out" counter), kept beside the item count in the
 * transactions that write and delete entries, so `status` and the console's connector page no
 * longer join every item with its entries on each look (half a second at 200,000 messages).
 * Existing archives get the count once, here. Written with the query builder only, so the same
 * migration runs on every dialect the store supports.
 */
import type { Kysely } from 'kysely';

interface Tables {
  connector_counters: { connector_id: string; items: number; entries: number };
  items: { key: string; connector_id: string };
  mailbox_entries: { item_key: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('connector_counters')
    .addColumn('entries', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  const t = db as unknown as Kysely<Tables>;
  // Every connector with items has its counter row (migration 004 and the item writes make it).
  await t
    .updateTable('connector_counters')
    .set((eb) => ({
      entries: eb
        .selectFrom('mailbox_entries as e')
        .innerJoin('items as i', 'i.key', 'e.item_key')
        .select((sb) => sb.fn.countAll<number>().as('n'))
        .whereRef('i.connector_id', '=', 'connector_counters.connector_id'),
    }))
    .execute();
}
