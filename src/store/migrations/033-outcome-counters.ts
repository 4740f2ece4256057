/**
 * Outcome counters: raw records per (connector, status, hold reason) and deliveries per
 * (connector, destination, status, error code), so that `status`, the console's connector pages
 * and the problems page read a few rows instead of counting a connector's million index entries
 * on every look. Existing archives get their counts once, here.
 *
 * The counts are kept by triggers on the two tables, in the transaction of the statement that
 * changes a row: records change outcome in the item transaction, when held records are put back
 * to pending, when retention or an admin deletes them; deliveries change in a dozen places. A
 * call in each of those places would be one more thing every new write path must remember, and
 * one forgotten call would let the counters drift silently; a trigger cannot be forgotten, and
 * covers raw SQL on the archive too. The tables and the backfill use the schema and query
 * builders; only the triggers are written per dialect.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

/** A counted table: the columns that group it (NULL counted as '') and the column that counts. */
interface Counted {
  table: 'raw_records' | 'deliveries';
  counters: 'outcome_counters' | 'delivery_counters';
  /** source column -> counter column */
  groups: [string, string][];
  count: 'records' | 'deliveries';
}

const RECORDS: Counted = {
  table: 'raw_records',
  counters: 'outcome_counters',
  groups: [
    ['connector_id', 'connector_id'],
    ['status', 'status'],
    ['hold_reason', 'reason'],
  ],
  count: 'records',
};

const DELIVERIES: Counted = {
  table: 'deliveries',
  counters: 'delivery_counters',
  groups: [
    ['connector_id', 'connector_id'],
    ['destination_id', 'destination_id'],
    ['status', 'status'],
    ['error_code', 'error_code'],
  ],
  count: 'deliveries',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('outcome_counters')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // '' for a record without a hold reason: a primary key column cannot be NULL on PostgreSQL.
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('records', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('outcome_counters_pk', ['connector_id', 'status', 'reason'])
    .execute();
  await db.schema
    .createTable('delivery_counters')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    // '' for a delivery without an error code, as above.
    .addColumn('error_code', 'text', (c) => c.notNull())
    .addColumn('deliveries', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_counters_pk', ['connector_id', 'destination_id', 'status', 'error_code'])
    .execute();
  for (const t of [RECORDS, DELIVERIES]) {
    await backfill(db, t);
    if (dialectKind(db) === 'postgres') await postgresTriggers(db, t);
    else await sqliteTriggers(db, t);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = dialectKind(db) === 'postgres';
  for (const t of [RECORDS, DELIVERIES]) {
    for (const op of ['insert', 'update', 'delete'])
      await sql`DROP TRIGGER IF EXISTS ${sql.raw(`${t.table}_count_${op}`)}${sql.raw(pg ? ` ON ${t.table}` : '')}`.execute(
        db,
      );
    if (pg) await sql`DROP FUNCTION IF EXISTS ${sql.raw(`${t.table}_count`)}()`.execute(db);
    await db.schema.dropTable(t.counters).ifExists().execute();
  }
}

/** The counts of the rows already there, grouped as the triggers will keep them. */
async function backfill(db: Kysely<unknown>, t: Counted): Promise<void> {
  const groups = t.groups.map(([from]) => sql`COALESCE(${sql.ref(from)}, '')`);
  await sql`INSERT INTO ${sql.table(t.counters)} (${sql.join(t.groups.map(([, to]) => sql.ref(to)))}, ${sql.ref(t.count)})
    SELECT ${sql.join(groups)}, count(*) FROM ${sql.table(t.table)} GROUP BY ${sql.join(groups)}`.execute(db);
}

/** `OLD.a` / `NEW.a` as the counter's key value: NULL is counted under ''. */
function keyValues(t: Counted, row: 'OLD' | 'NEW'): string {
  return t.groups.map(([from]) => `COALESCE(${row}.${from}, '')`).join(', ');
}

function matchRow(t: Counted, row: 'OLD' | 'NEW'): string {
  return t.groups.map(([from, to]) => `${to} = COALESCE(${row}.${from}, '')`).join(' AND ');
}

function changed(t: Counted, distinct: string): string {
  return t.groups.map(([from]) => `OLD.${from} ${distinct} NEW.${from}`).join(' OR ');
}

function sqls(t: Counted) {
  const cols = [...t.groups.map(([, to]) => to), t.count].join(', ');
  const keys = t.groups.map(([, to]) => to).join(', ');
  return {
    add: `INSERT INTO ${t.counters} (${cols}) VALUES (${keyValues(t, 'NEW')}, 1)
      ON CONFLICT (${keys}) DO UPDATE SET ${t.count} = ${t.counters}.${t.count} + 1`,
    remove: `UPDATE ${t.counters} SET ${t.count} = ${t.count} - 1 WHERE ${matchRow(t, 'OLD')}`,
    columns: t.groups.map(([from]) => from).join(', '),
  };
}

async function sqliteTriggers(db: Kysely<unknown>, t: Counted): Promise<void> {
  const s = sqls(t);
  await sql.raw(`CREATE TRIGGER ${t.table}_count_insert AFTER INSERT ON ${t.table} BEGIN ${s.add}; END`).execute(db);
  await sql.raw(`CREATE TRIGGER ${t.table}_count_delete AFTER DELETE ON ${t.table} BEGIN ${s.remove}; END`).execute(db);
  // Only a change of a counted column moves a count: leases, attempts and times do not.
  await sql
    .raw(
      `CREATE TRIGGER ${t.table}_count_update AFTER UPDATE OF ${s.columns} ON ${t.table}
      WHEN ${changed(t, 'IS NOT')} BEGIN ${s.remove}; ${s.add}; END`,
    )
    .execute(db);
}

/** The same as one PL/pgSQL function; IS DISTINCT FROM is SQLite's IS NOT for nulls. */
async function postgresTriggers(db: Kysely<unknown>, t: Counted): Promise<void> {
  const s = sqls(t);
  await sql
    .raw(
      `CREATE FUNCTION ${t.table}_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${s.remove}; END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN ${s.add}; END IF;
        RETURN NULL;
      END $$`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${t.table}_count_insert AFTER INSERT ON ${t.table} FOR EACH ROW EXECUTE FUNCTION ${t.table}_count()`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${t.table}_count_delete AFTER DELETE ON ${t.table} FOR EACH ROW EXECUTE FUNCTION ${t.table}_count()`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${t.table}_count_update AFTER UPDATE OF ${s.columns} ON ${t.table} FOR EACH ROW
      WHEN (${changed(t, 'IS DISTINCT FROM')}) EXECUTE FUNCTION ${t.table}_count()`,
    )
    .execute(db);
}
